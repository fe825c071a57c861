"""Security headers on every response, and no caching of anything a signed-in user sees.

Runs as an ``after_request`` hook, which Flask also applies to error pages and to static files.
The Content-Security-Policy allows no inline script or style: templates use static/js and
static/css only (no ``<script>`` blocks, no ``style=`` attributes).
"""

from __future__ import annotations

from flask import Flask, request, session
from flask.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
))

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"
PRIVATE_ENDPOINT_PREFIXES = ("auth.",)  # the sign-in page itself: never cached


def is_private(response: Response) -> bool:
    """Sign-in pages, and any response to a browser carrying a sign-in (even a stale one).

    Reads the session cookie only; it never asks the database who the user is, so static files
    and health checks stay cheap."""
    if request.endpoint == "static":
        return False
    if request.endpoint and request.endpoint.startswith(PRIVATE_ENDPOINT_PREFIXES):
        return True
    return "_user_id" in session


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if is_private(response):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
