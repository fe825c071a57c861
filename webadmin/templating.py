"""Jinja globals shared by every template, and content-hashed static URLs.

``asset("css/app.css")`` gives ``/static/css/app.css?v=<first 8 hex of the file's sha256>``. The
hash changes exactly when the file does, so a versioned URL can be cached for a year, immutable,
by browsers and by the proxy; a deploy changes the URL. Hashes are computed once per process
(a deploy restarts the workers).
"""

from __future__ import annotations

import functools
import hashlib

from flask import Flask, current_app, request, url_for
from flask.wrappers import Response
from werkzeug.security import safe_join

from .services.audit import action_label

VERSION_ARG = "v"
VERSIONED_MAX_AGE = 365 * 24 * 60 * 60


@functools.cache
def _content_hash(path: str) -> str | None:
    try:
        with open(path, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()[:8]
    except OSError:
        return None


def asset_version(filename: str) -> str | None:
    """The content hash of static/<filename>, or None when there is no such file."""
    folder = current_app.static_folder
    path = safe_join(folder, filename) if folder else None
    return _content_hash(path) if path else None


def asset(filename: str) -> str:
    """URL of a file under static/, with its content hash when the file exists."""
    version = asset_version(filename)
    if version is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, **{VERSION_ARG: version})


def cache_versioned_static(response: Response) -> Response:
    """after_request: a static file asked for with its current hash may be cached for good."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    version = request.args.get(VERSION_ARG)
    filename = (request.view_args or {}).get("filename", "")
    if version and version == asset_version(filename):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = VERSIONED_MAX_AGE
        response.cache_control.immutable = True
        response.expires = None
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset"] = asset
    app.jinja_env.filters["action_label"] = action_label
    app.after_request(cache_versioned_static)

    # nav_sections (the sections the current user may use) comes from webadmin.admin.site.
