"""Uploaded media: a song's audio and cover art (and any section's, by declaring ``media``).

``init_app`` builds the configured storage, registers the media routes, raises the request body
limit for the upload route alone (before CSRF reads the body, and only for signed-in staff: an
anonymous 200 MB body still meets the small global limit), and gives templates the widgets.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app, request, url_for
from flask_login import current_user

from ..models import UserRole
from .fields import check_declaration, media_fields
from .storage import get_storage, init_storage

UPLOAD_ENDPOINT = "media.upload"


def raise_upload_limit() -> None:
    """before_request, ahead of CSRF: the upload route may receive up to its kind's cap."""
    if request.endpoint != UPLOAD_ENDPOINT or not request.view_args:
        return
    if not current_user.is_authenticated or current_user.role not in (UserRole.superadmin,
                                                                      UserRole.singer):
        return
    from .views import upload_limit

    limit = upload_limit(str(request.view_args.get("kind", "")))
    if limit:
        request.max_content_length = limit


def media_widgets(admin: Any, obj: Any) -> list[dict[str, Any]]:
    """What the edit page shows for each declared media field of ``obj``."""
    fields = media_fields(admin)
    if not fields or obj is None:
        return []
    from ..db import session as db_session
    from .services import current_media

    rows = current_media(db_session(), obj, [f.kind for f in fields])
    widgets = []
    for field in fields:
        row = rows.get(field.kind)
        args = {"section": admin.name, "public_id": obj.public_id, "kind": field.kind}
        widgets.append({
            "field": field, "row": row,
            "max_mb": current_app.config[field.size_setting] / (1024 * 1024),
            "upload_url": url_for("media.upload", **args),
            "remove_url": url_for("media.remove_media", **args),
            "url": url_for("media.serve", **args) if row else None,
            "thumbnail_url": url_for("media.serve", **{**args, "kind": "thumbnail"})
            if row is not None and row.thumbnail_key else None,
        })
    return widgets


def init_app(app: Flask) -> None:
    from ..admin import site
    from . import services
    from .views import bp

    init_storage(app)
    app.register_blueprint(bp)
    for admin in site.admins:
        check_declaration(admin)
        if media_fields(admin):
            services.OWNER_TABLES.add(admin.model_cls.__tablename__)
    # Ahead of the first hook that reads the body (the input guard, then CSRF).
    hooks = app.before_request_funcs.setdefault(None, [])
    body_readers = {"refuse_unstorable_input", "csrf_protect"}
    first_reader = next((i for i, hook in enumerate(hooks)
                         if getattr(hook, "__name__", "") in body_readers), len(hooks))
    hooks.insert(first_reader, raise_upload_limit)
    app.cli.add_command(sweep_command)
    app.jinja_env.globals.update(media_widgets=media_widgets, media_size=format_size,
                                 media_duration=format_duration_ms)


@click.command("media-sweep")
@click.option("--older-than-minutes", default=60, show_default=True,
              help="Only objects written longer ago than this (uploads still running are kept).")
@click.option("--dry-run", is_flag=True, help="List what would be deleted, delete nothing.")
def sweep_command(older_than_minutes: int, dry_run: bool) -> None:
    """Delete stored media objects no row points at (left by a crash mid-upload)."""
    from ..db import session as db_session
    from .services import sweep

    removed = sweep(db_session(), get_storage(), older_than_seconds=older_than_minutes * 60,
                    dry_run=dry_run)
    for key in removed:
        click.echo(key)
    click.echo(f"{len(removed)} orphaned object(s) {'found' if dry_run else 'deleted'}.")


def format_size(size: int) -> str:
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def format_duration_ms(duration_ms: int) -> str:
    from ..songs.forms import format_duration

    return format_duration(max(1, round(duration_ms / 1000)))


__all__ = ["get_storage", "init_app", "media_widgets"]
