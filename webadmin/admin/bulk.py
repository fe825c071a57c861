"""POST /<section>/bulk: one action on many rows, behind a confirmation page.

The rows are the ticked ones (each carried with the version the user saw) or "all matching":
the list's own query string, re-parsed and re-applied here through the section's base query at
both steps — never a list of ids from the browser — and bounded by ``MAX_BULK_ROWS``. The
confirmation page states the count; if the matching set changed by the time the user confirms,
the page is shown again with the new count. Each row goes through the one write path
(``committed_write``) in its own savepoint with its audit entry; a row that is refused, does not
apply ("already published") or changed since it was shown is skipped and named.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, redirect, render_template, request
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..db import session as db_session
from ..models import User
from ..services import audit
from .options import MAX_BULK_ROWS, BulkAction, FieldError, ModelAdmin
from .query import filtered_query, parse_list_params
from .text import json_safe
from .views import (
    ConfirmForm,
    WriteRefused,
    _csv_response,
    committed_write,
    refusal_page,
    url_with,
    user,
)

BULK_VERBS = {"delete": "deleted", "restore": "restored", "export": "exported"}
VANISHED = "deleted, restored or changed by someone else meanwhile"
MAX_QUERY_LENGTH = 4000


def bulk_view(admin: ModelAdmin) -> Any:
    me, session = user(), db_session()
    deleted = request.form.get("show") == "deleted"
    action = request.form.get("action", "")
    query = list_query(request.form.get("query", ""), deleted)
    list_url = url_with(f"{admin.name}.list", query)
    matching = request.form.get("scope") == "matching"
    raw_ids = request.form.getlist("ids")
    if not action:  # the neutral default: say what is missing instead of reloading silently
        flash("Choose an action first" + ("" if raw_ids or matching else
                                          ", and tick the rows it applies to") + ".", "warning")
        return redirect(list_url)
    if action not in admin.get_bulk_actions(me, deleted=deleted):
        abort(400)
    if matching:
        rows, seen = matching_rows(admin, me, query, deleted), {}
        if len(rows) > MAX_BULK_ROWS:
            flash(f"More than {MAX_BULK_ROWS:,} {admin.plural} match these filters; narrow them "
                  f"to act on at most {MAX_BULK_ROWS:,} at once.", "error")
            return redirect(list_url)
        keys = {row.public_id for row in rows}
    else:
        if len(raw_ids) > MAX_BULK_ROWS:
            flash(f"Select at most {MAX_BULK_ROWS:,} rows at a time.", "error")
            return redirect(list_url)
        seen = ticked(raw_ids)
        keys = set(seen)
        rows = rows_by_key(admin, me, keys, deleted) if keys else []
    verb = verb_of(admin, action)
    if not rows and keys:  # everything selected moved on since the list was shown
        return refusal_page(admin, WriteRefused(409, FieldError(None, (
            f"The selected {admin.label.lower()} were {VANISHED}."))),
            heading=f"Nothing was {verb}", list_url=list_url)
    if not rows:
        flash("No rows match these filters." if matching else "Select at least one row first.",
              "warning")
        return redirect(list_url)
    if action == "export":
        return _csv_response(admin, me, iter(rows), f"{admin.name}-selected")
    expected = request.form.get("expected", "")
    changed = matching and expected != "" and expected != str(len(rows))
    if request.form.get("confirm") != "yes" or changed:
        return confirmation(admin, me, session, action, rows, deleted=deleted, matching=matching,
                            query=query, list_url=list_url, changed=changed)
    try:
        with committed_write(admin):
            done, skipped = apply_bulk(admin, session, me, action, rows, seen)
    except WriteRefused as refused:
        return refusal_page(admin, refused, heading=f"Nothing was {verb}", list_url=list_url)
    if not done:
        return refusal_page(admin, WriteRefused(409, FieldError(None, "")),
                            heading=f"Nothing was {verb}", skipped=skipped, list_url=list_url)
    noun = admin.singular if done == 1 else admin.plural
    flash(f"{verb.capitalize()} {done} {noun}.", "success")
    for label, reason in skipped[:10]:
        flash(f"“{label}” was skipped: {reason}", "warning")
    if len(skipped) > 10:
        flash(f"… and {len(skipped) - 10} more were skipped.", "warning")
    if len(rows) < len(keys):
        missing = len(keys) - len(rows)
        flash(f"{missing} of the selected {admin.label.lower()} "
              f"{'was' if missing == 1 else 'were'} {VANISHED}, and skipped.", "warning")
    return redirect(list_url)


def verb_of(admin: ModelAdmin, action: str) -> str:
    declared = admin.bulk_action(action)
    return declared.done if declared is not None else BULK_VERBS[action]


# --- which rows --------------------------------------------------------------------------------
def list_query(raw: str, deleted: bool) -> MultiDict[str, str]:
    """The list's query string as the form carried it (only ever re-parsed through the list's
    whitelist); paging cursors dropped: "all matching" means the whole filtered set."""
    pairs = parse_qsl(raw[:MAX_QUERY_LENGTH], keep_blank_values=False)
    query = MultiDict([(k, v) for k, v in pairs if k not in {"after", "before", "show"}])
    if deleted:
        query.add("show", "deleted")
    return query


def matching_rows(admin: ModelAdmin, me: User, query: MultiDict[str, str],
                  deleted: bool) -> list[Any]:
    """The filtered list's rows (search, filters, scope, live or deleted) — at most
    MAX_BULK_ROWS + 1, so "too many" is known without counting them all."""
    params = parse_list_params(admin, query, me)
    params.deleted = deleted
    stmt = filtered_query(admin, me, params).options(*admin.eager_options())
    return list(db_session().scalars(stmt.order_by(admin.model_cls.id)
                                     .limit(MAX_BULK_ROWS + 1)).unique())


def ticked(raw_ids: list[str]) -> dict[uuid.UUID, int | None]:
    """Ticked rows: "public_id" (from the list) or "public_id:version" (from the confirmation
    page, so a row changed after it was shown is skipped). Malformed entries are ignored."""
    seen: dict[uuid.UUID, int | None] = {}
    for raw in raw_ids:
        key, _, version = raw.partition(":")
        try:
            seen[uuid.UUID(key)] = int(version) if version else None
        except ValueError:
            continue
    return seen


def rows_by_key(admin: ModelAdmin, me: User, keys: set[uuid.UUID], deleted: bool) -> list[Any]:
    stmt = admin.base_query(me, deleted=deleted).where(admin.model_cls.public_id.in_(keys))
    return list(db_session().scalars(stmt.options(*admin.eager_options())
                                     .order_by(admin.model_cls.id)).unique())


# --- the confirmation page ---------------------------------------------------------------------
def confirmation(admin: ModelAdmin, me: User, session: Session, action: str, rows: list[Any], *,
                 deleted: bool, matching: bool, query: MultiDict[str, str], list_url: str,
                 changed: bool) -> Any:
    blocked = {}
    if action == "delete":
        for obj in rows:
            reasons = [i.message for i in admin.delete_impact(session, obj, me) if i.blocks]
            if reasons:
                blocked[obj.public_id] = reasons
    noun = admin.singular if len(rows) == 1 else admin.plural
    notice = (f"The {admin.plural} matching these filters changed since you looked: "
              f"{len(rows):,} {noun} match now. Check the list and confirm again."
              if changed else None)
    title = admin.bulk_label(action).rstrip("…")
    return render_template(
        "admin/bulk_confirm.html", admin=admin, rows=rows, action=action, title=title,
        verb=verb_of(admin, action), blocked=blocked, deleted=deleted, matching=matching,
        query=urlencode_query(query), notice=notice, list_url=list_url, form=ConfirmForm(),
        page_title=f"{title} {admin.label.lower()}"), 409 if changed else 200


def urlencode_query(query: MultiDict[str, str]) -> str:
    return urlencode([(k, v) for k, v in query.items(multi=True) if k != "show"])


# --- applying it ---------------------------------------------------------------------------------
def apply_bulk(admin: ModelAdmin, session: Session, me: User, action: str, rows: list[Any],
               seen: Mapping[uuid.UUID, int | None]) -> tuple[int, list[tuple[str, str]]]:
    """Each row in its own savepoint: a refused row is skipped (with the reason), the others
    go through; the caller commits them together."""
    declared = admin.bulk_action(action)
    done, skipped = 0, []
    for obj in rows:
        label = admin.row_label(obj)
        if seen.get(obj.public_id) not in (None, obj.version_id):
            skipped.append((label, "someone else changed it after you selected it; "
                                   "check it and try again."))
            continue
        if action == "delete":
            reasons = [i.message for i in admin.delete_impact(session, obj, me) if i.blocks]
            if reasons:
                skipped.append((label, " ".join(reasons)))
                continue
        try:
            with committed_write(admin, obj, nested=True):
                if declared is not None:
                    apply_declared(admin, session, me, declared, obj)
                elif action == "delete":
                    admin.soft_delete(session, obj, me)
                else:
                    admin.restore(session, obj, me)
        except WriteRefused as refused:
            skipped.append((label, skip_reason(refused, action)))
        else:
            done += 1
    return done, skipped


def apply_declared(admin: ModelAdmin, session: Session, me: User, declared: BulkAction,
                   obj: Any) -> None:
    """A section's action on one row; "does not apply" (ValueError) becomes a FieldError, so
    the write path skips the row with that reason."""
    try:
        if declared.apply is not None:
            declared.apply(session, obj, me)
            return
        assert declared.values is not None
        new_values = dict(declared.values(obj))
    except ValueError as error:
        raise FieldError(None, str(error)) from None
    changes = {key: [json_safe(getattr(obj, key)), json_safe(value)]
               for key, value in new_values.items() if getattr(obj, key) != value}
    for key, value in new_values.items():
        setattr(obj, key, value)
    session.flush()
    audit.record(session, f"record.{declared.done}", actor=me, target=obj,
                 target_label=admin.row_label(obj), changes=changes)


def skip_reason(refused: WriteRefused, action: str) -> str:
    if refused.status == 422:
        return refused.error.message
    if refused.status == 404 and refused.deleted is None:
        return "it no longer exists."
    if action == "delete" and refused.status == 404:
        return "someone else deleted it meanwhile."
    if action == "restore" and refused.status == 409:
        return "someone else restored it meanwhile."
    return "someone else changed it meanwhile; try again."
