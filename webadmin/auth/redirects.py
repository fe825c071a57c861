"""``next=`` targets: only paths inside this app, never another host."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

DEFAULT_TARGET = "/"
MAX_TARGET_LENGTH = 2048


def is_local_path(target: object) -> bool:
    """A path of this app: starts with one "/", no scheme or host, no backslash, no controls.

    Browsers read "/\\evil.example" and "//evil.example" as another host; both are refused, as
    is anything absolute ("https://…", "javascript:…") or relative ("songs/").
    """
    if not isinstance(target, str) or not target or len(target) > MAX_TARGET_LENGTH:
        return False
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: object, default: str = DEFAULT_TARGET) -> str:
    return target if is_local_path(target) else default  # type: ignore[return-value]


def redirect_inside(target: object) -> Response:
    """Redirect to ``target`` if it is a local path, else to the dashboard; keeps the mount
    prefix (``script_root``) the app is served under."""
    return redirect(request.script_root + safe_next(target))
