"""Media routes, for every section that declares ``media``:

    GET  /<section>/<public_id>/media/<kind>          the file (kind: audio, cover, thumbnail)
    POST /<section>/<public_id>/media/<kind>          upload (replaces the current file)
    POST /<section>/<public_id>/media/<kind>/delete   remove

The row is read through the section's base query, so a row outside the user's scope (another
singer's song) is a 404 by every URL. Uploads have their own routes so that the raised body
limit applies to them alone (here and in nginx) and a refused file never loses typed metadata.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import ContentRange
from werkzeug.exceptions import RequestEntityTooLarge

from ..admin import site
from ..admin.text import format_duration_ms
from ..admin.types import FieldError
from ..admin.views import get_object, prepare_related, render_form, seen_token, user
from ..admin.writes import WriteRefused, committed_write
from ..auth.permissions import allow
from ..db import session as db_session
from ..models import UserRole
from .fields import MediaField, media_field
from .probe import Rejected
from .services import ObjectChanges, TooLarge, attach, current_media, remove
from .storage import StorageError, get_storage

bp = Blueprint("media", __name__)
STAFF = (UserRole.superadmin, UserRole.singer)
MEDIA_RULE = "/<section>/<public_id>/media/<kind>"
# Served files must never act as a page: no script, no plugin, no framing, a fixed type.
MEDIA_CSP = "default-src 'none'; sandbox"


class UploadForm(FlaskForm):
    file = FileField("File", validators=[FileRequired("Choose a file to upload.")])


class RemoveForm(FlaskForm):
    pass


def resolve(section: str, public_id: str, kind: str) -> tuple[Any, Any, MediaField]:
    """(admin, row, field) or 404: unknown section or kind, role outside the section, or a row
    outside the user's scope — all answered alike."""
    admin = site.get(section)
    field = media_field(admin, kind) if admin is not None else None
    if admin is None or field is None or user().role not in admin.roles:
        abort(404)
    return admin, get_object(admin, public_id), field


# --- serving ----------------------------------------------------------------------------------
@bp.get(MEDIA_RULE)
@allow(*STAFF)
def serve(section: str, public_id: str, kind: str) -> Any:
    thumbnail = kind == "thumbnail"
    admin, obj, _field = resolve(section, public_id, "cover" if thumbnail else kind)
    row = current_media(db_session(), obj, ["cover" if thumbnail else kind]).get(
        "cover" if thumbnail else kind)
    key = (row.thumbnail_key if thumbnail else row.storage_key) if row is not None else None
    if row is None or key is None:
        abort(404)
    storage = get_storage()
    try:
        size = storage.size(key)
    except StorageError:
        current_app.logger.exception("media: storage unavailable serving %s", key)
        abort(503)
    if size is None:
        current_app.logger.error("media: object %s of %s is missing", key, row.public_id)
        abort(404)
    extension = key.rsplit(".", 1)[-1]
    filename = f"{admin.row_label(obj)}-{kind}.{extension}"
    headers = {"Content-Disposition": _disposition(filename),
               "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": MEDIA_CSP,
               "Accept-Ranges": "bytes",
               "ETag": f'"{key.rsplit("/", 1)[-1]}"'}
    accel = current_app.config.get("MEDIA_ACCEL_REDIRECT")
    if accel and storage.local_path(key) is not None:
        # nginx sends the file (Range included) from its internal location; the worker is free.
        headers["X-Accel-Redirect"] = accel.rstrip("/") + "/" + key
        return Response(b"", 200, headers=headers, content_type=row.content_type)
    if request.if_none_match.contains(headers["ETag"].strip('"')):
        return Response(status=304, headers=headers)
    return _ranged(storage, key, size, row.content_type, headers)


def _disposition(filename: str) -> str:
    ascii_name = "".join(ch if ch.isascii() and ch.isalnum() or ch in "-_." else "_"
                         for ch in filename) or "file"
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _ranged(storage: Any, key: str, size: int, content_type: str,
            headers: dict[str, str]) -> Response:
    byte_range = request.range
    if byte_range is not None and request.if_range.etag not in (None, headers["ETag"].strip('"')):
        byte_range = None  # the client's copy is another version: send the whole file
    if byte_range is not None and byte_range.units == "bytes" and len(byte_range.ranges) == 1:
        span = byte_range.range_for_length(size)
        if span is None:
            response = Response(status=416, headers=headers)
            response.headers["Content-Range"] = f"bytes */{size}"
            return response
        start, stop = span
        response = Response(storage.read(key, start, stop), 206, headers=headers,
                            content_type=content_type, direct_passthrough=True)
        response.content_range = ContentRange("bytes", start, stop, size)
        response.content_length = stop - start
        return response
    response = Response(storage.read(key), 200, headers=headers, content_type=content_type,
                        direct_passthrough=True)
    response.content_length = size
    return response


# --- upload and removal -----------------------------------------------------------------------
def upload_limit(kind: str) -> int | None:
    for admin in site.admins:
        field = media_field(admin, kind)
        if field is not None:
            return int(current_app.config[field.size_setting])
    return None


@bp.post(MEDIA_RULE)
@allow(*STAFF)
def upload(section: str, public_id: str, kind: str) -> Any:
    admin, obj, field = resolve(section, public_id, kind)
    me, session = user(), db_session()
    form = UploadForm()
    if not form.validate():
        message = "; ".join(form.file.errors) or "Choose a file to upload."
        return edit_page(admin, obj, {kind: message}, 422)
    upload_file = form.file.data
    changes = ObjectChanges(get_storage())
    label = field.label.lower()
    try:
        with committed_write(admin, obj):
            try:
                attached = attach(session, changes, field, obj, upload_file.stream,
                                  upload_file.filename or "", me,
                                  max_bytes=int(current_app.config[field.size_setting]),
                                  max_pixels=int(current_app.config["MEDIA_MAX_IMAGE_PIXELS"]))
            except Rejected as refusal:  # the file itself: said next to the field
                raise FieldError(kind, refusal.message) from None
    except WriteRefused as refused:
        changes.failed()
        if refused.error.field == kind:
            return edit_page(admin, obj, {kind: refused.error.message}, 422)
        current_app.logger.warning("media: upload to %s %s refused by the database", section,
                                   public_id)
        flash(f"Someone changed this {admin.singular} while the file was uploading; nothing was "
              "saved. Upload it again.", "error")
        return redirect(url_for(f"{admin.name}.edit", public_id=obj.public_id)), 303
    except TooLarge:
        changes.failed()
        raise RequestEntityTooLarge() from None
    except StorageError:
        changes.failed()
        current_app.logger.exception("media: storage failed during an upload to %s %s",
                                     section, public_id)
        return edit_page(admin, obj, {kind: "The file could not be stored right now; nothing "
                                            "was saved. Please try again in a moment."}, 503)
    except BaseException:
        changes.failed()
        raise
    changes.committed()
    flash(f"Uploaded {label} “{attached.row.original_name}”{_summary(attached.row)}.", "success")
    if attached.duplicates:
        others = ", ".join(f"“{name}”" for name in attached.duplicates)
        flash(f"The same file is already the {label} of {others}. Check that this is the "
              "recording you meant to upload.", "warning")
    return redirect(url_for(f"{admin.name}.edit", public_id=obj.public_id)), 303


def _summary(row: Any) -> str:
    if row.duration_ms:
        return f" ({format_duration_ms(row.duration_ms)})"
    if row.width:
        return f" ({row.width} × {row.height})"
    return ""


@bp.route(MEDIA_RULE + "/delete", methods=["GET", "POST"])
@allow(*STAFF)
def remove_media(section: str, public_id: str, kind: str) -> Any:
    """GET: a confirmation page (the file is deleted for good); POST: remove it."""
    admin, obj, field = resolve(section, public_id, kind)
    me, session = user(), db_session()
    form = RemoveForm()
    if request.method == "GET":
        row = current_media(session, obj, [kind]).get(kind)
        if row is None:
            flash(f"There is no {field.label.lower()} to remove.", "info")
            return redirect(url_for(f"{admin.name}.edit", public_id=obj.public_id))
        return render_template("media/confirm_remove.html", admin=admin, obj=obj, field=field,
                               row=row, form=form,
                               page_title=f"Remove the {field.label.lower()}")
    if not form.validate():
        abort(400)
    changes = ObjectChanges(get_storage())
    try:
        with committed_write(admin, obj):
            removed = remove(session, changes, field, obj, me)
    except WriteRefused:
        changes.failed()
        flash(f"Someone changed this {admin.singular} at the same moment; nothing was removed. "
              "Check it and try again.", "error")
        return redirect(url_for(f"{admin.name}.edit", public_id=obj.public_id)), 303
    except BaseException:
        changes.failed()
        raise
    changes.committed()
    flash(f"Removed the {field.label.lower()}." if removed
          else f"There was no {field.label.lower()} to remove.", "success" if removed else "info")
    return redirect(url_for(f"{admin.name}.edit", public_id=obj.public_id)), 303


def edit_page(admin: Any, obj: Any, media_errors: dict[str, str], status: int) -> Any:
    """The row's edit page with a message next to the media field."""
    me, session = user(), db_session()
    form = admin.get_form(me, obj)
    form.version_id.data = str(obj.version_id)
    prepare_related(admin, form, session, me)
    return render_form(admin, form, obj, status, seen=seen_token(form), media_errors=media_errors)
