"""Trusting the reverse proxy, and only as far as configured.

Behind nginx or a load balancer the WSGI environ describes the hop from the proxy: its address,
plain http, its upstream host name. Werkzeug's ProxyFix rewrites the environ from the
``X-Forwarded-*`` headers, taking from each header only the values the last N proxies added
(``PROXY_FIX_X_FOR`` etc.); whatever a client put there itself is ignored. With every count at 0
(the default) nothing is rewritten: the app trusts no header unless told how many proxies it has.

Afterwards ``request.remote_addr`` is the client's address (throttling and the audit log use it),
``request.scheme`` and ``request.host`` are what the client used (absolute URLs, redirects and
``Secure`` cookies follow them), and ``request.script_root`` is the mount prefix (``/admin``), so
``url_for`` builds links under it. Redirects then carry the absolute URL the client used
(``https://admin.example.com/admin/login``), the proof that all of the above reached the app —
without a proxy they stay relative, as Werkzeug sends them.
"""

from __future__ import annotations

from flask import Flask
from flask.wrappers import Response
from werkzeug.middleware.proxy_fix import ProxyFix

# ProxyFix argument → setting.
PROXY_SETTINGS = {
    "x_for": "PROXY_FIX_X_FOR",
    "x_proto": "PROXY_FIX_X_PROTO",
    "x_host": "PROXY_FIX_X_HOST",
    "x_port": "PROXY_FIX_X_PORT",
    "x_prefix": "PROXY_FIX_X_PREFIX",
}


class ProxiedResponse(Response):
    """Location headers made absolute from the (forwarded) scheme, host and prefix."""

    autocorrect_location_header = True


def trusted_hops(config: dict) -> dict[str, int]:
    return {argument: int(config.get(key) or 0) for argument, key in PROXY_SETTINGS.items()}


def init_app(app: Flask) -> None:
    hops = trusted_hops(app.config)
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **hops)  # type: ignore[method-assign]
        app.response_class = ProxiedResponse
