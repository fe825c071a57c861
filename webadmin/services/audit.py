"""The one write path of the audit log. Callers add an entry to the current transaction; it
commits or rolls back with the change it describes, so the log never records what did not happen.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from sqlalchemy.orm import Session

from ..models import AuditEvent, Model, User

# Never recorded, whatever a caller passes in ``changes`` or ``details``.
SECRET_FIELDS = frozenset({"password", "password_hash", "session_token", "csrf_token",
                           "new_password", "current_password", "confirm"})
REDACTED = "[redacted]"


# How each action reads in the dashboard, history and log pages.
ACTION_LABELS = {
    "record.created": "Created",
    "record.updated": "Changed",
    "record.deleted": "Deleted",
    "record.restored": "Restored",
    "auth.sign_in": "Signed in",
    "auth.sign_out": "Signed out",
    "auth.sign_in_failed": "Failed sign-in",
    "auth.sign_in_throttled": "Sign-in throttled",
    "auth.password_changed": "Changed own password",
    "auth.password_change_throttled": "Password change throttled",
    "user.deactivated": "Deactivated account",
    "user.reactivated": "Reactivated account",
    "user.password_set": "Set a new password",
    "user.role_changed": "Changed role",
    "localization.imported": "Imported strings",
}


def action_label(action: str) -> str:
    """A readable label for an action name; unknown ones become 'Some thing'."""
    known = ACTION_LABELS.get(action)
    if known:
        return known
    words = action.rsplit(".", 1)[-1].replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else action


def scrub(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: (REDACTED if key in SECRET_FIELDS else value) for key, value in values.items()}


def request_origin() -> tuple[str | None, str | None]:
    """(client address, request id) of the current request, if there is one."""
    if not has_request_context():
        return None, None
    return request.remote_addr, getattr(g, "request_id", None)


def record(session: Session, action: str, *, actor: User | None = None,
           target: Model | None = None, target_type: str | None = None,
           target_label: str | None = None, changes: dict[str, Any] | None = None,
           details: dict[str, Any] | None = None) -> AuditEvent:
    client_ip, request_id = request_origin()
    event = AuditEvent(
        action=action,
        actor_user_id=actor.id if actor is not None else None,
        actor_label=actor.email if actor is not None else "",
        target_type=target_type or (type(target).__tablename__ if target is not None else None),
        target_public_id=str(target.public_id) if target is not None else None,
        target_label=(target_label if target_label is not None
                      else (str(target) if target is not None else ""))[:300],
        client_ip=client_ip,
        request_id=request_id,
        changes=scrub(changes),
        details=scrub(details),
    )
    session.add(event)
    return event
