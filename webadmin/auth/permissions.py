"""Permissions as data, default deny.

Every view declares who may use it with ``@public`` or ``@allow(role, ...)``. A ``before_request``
hook reads the declaration of the matched endpoint: no declaration means 403 for everyone, so a
view someone forgets to declare is closed, not open. Row-level scope (a singer's own songs) is the
admin layer's base query; it answers 404 for rows outside the scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from ..models import UserRole

ACCESS_ATTR = "_webadmin_access"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Access:
    public: bool = False
    roles: frozenset[UserRole] = frozenset()

    def admits(self, role: UserRole | None) -> bool:
        return self.public or (role is not None and role in self.roles)


def declare(view: F, access: Access) -> F:
    setattr(view, ACCESS_ATTR, access)
    return view


def public(view: F) -> F:
    """Anyone, signed in or not (sign-in page, health checks, static files)."""
    return declare(view, Access(public=True))


def allow(*roles: UserRole) -> Callable[[F], F]:
    """Signed-in users with one of ``roles``."""
    if not roles:
        raise ValueError("allow() needs at least one role; use @public for open views")

    def decorator(view: F) -> F:
        return declare(view, Access(roles=frozenset(roles)))

    return decorator


def access_of(view: Callable[..., Any] | None) -> Access | None:
    return getattr(view, ACCESS_ATTR, None) if view is not None else None


def return_path() -> str:
    """Where to go after signing in: this page for a GET; for a form post (whose session ended
    meanwhile) the page the form was on, when it is ours; the dashboard otherwise.

    Anonymous visitors, and sessions whose account was deactivated, deleted, changed its password
    or is a listener (the user loader refuses those), all get this redirect, never a 403."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith(request.script_root + "/"):
        path = referrer.path[len(request.script_root):]
        return f"{path}?{referrer.query}" if referrer.query else path
    return "/"


def enforce_access() -> Any:
    """before_request: apply the matched view's declaration (403 when there is none)."""
    if request.endpoint is None:  # no route matched: let Flask answer 404/405
        return None
    view = current_app.view_functions.get(request.endpoint)
    access = access_of(view)
    if access is None:
        current_app.logger.error("view %s declares no access rule; refused", request.endpoint)
        abort(403)
    if access.public:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=return_path()))
    if not access.admits(current_user.role):
        abort(403)
    return None


def init_app(app: Flask) -> None:
    # Flask's own static view is public.
    if "static" in app.view_functions:
        public(app.view_functions["static"])
    app.before_request(enforce_access)
