"""Pages of the localization section beyond CRUD: missing translations, import, export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from ..admin.imports import confirmed_staged_import
from ..admin.text import clean_text
from ..admin.writes import WriteRefused, committed_write
from ..auth.permissions import allow
from ..db import session as db_session
from ..services import audit, staging
from .forms import ConfirmImportForm, ImportForm
from .missing import known_locales, missing_translations
from .transfer import (
    FORMATS,
    MAX_IMPORT_BYTES,
    apply_import,
    export_csv,
    export_json,
    is_valid_locale,
    parse_upload,
    preview_import,
)

if TYPE_CHECKING:
    from .admin import LocalizationAdmin

MISSING_PER_PAGE = 50
PREVIEW_ROWS = 20
MAX_SHOWN_ERRORS = 200


def default_locale() -> str:
    return current_app.config.get("DEFAULT_LOCALE") or "en"


def _read_upload(upload: FileStorage) -> bytes | None:
    """The file's bytes, or None when it is larger than the import limit."""
    data = upload.stream.read(MAX_IMPORT_BYTES + 1)
    return None if len(data) > MAX_IMPORT_BYTES else data


def register(bp: Blueprint, admin: LocalizationAdmin) -> None:
    guard = allow(*admin.roles)

    @guard
    def missing() -> Any:
        session = db_session()
        source = default_locale()
        locales = [code for code in known_locales(session) if code != source]
        requested = request.args.get("locale", "")
        locale = requested if is_valid_locale(requested) else (locales[0] if locales else "")
        after = clean_text(request.args.get("after", ""))[:200] or None
        page = None
        if locale and locale != source:
            page = missing_translations(session, source, locale, after=after,
                                        per_page=MISSING_PER_PAGE)
        return render_template(
            "localization/missing.html", admin=admin, source=source, locale=locale,
            requested=requested, locales=locales, page=page, after=after,
            invalid_locale=bool(requested) and not is_valid_locale(requested),
            page_title="Missing translations")

    @guard
    def import_strings() -> Any:
        form = ImportForm()
        if request.method == "GET" and request.args.get("locale"):
            candidate = request.args["locale"]
            form.locale.data = candidate if is_valid_locale(candidate) else ""
        if not form.validate_on_submit():
            status = 422 if request.method == "POST" else 200
            return _import_page(admin, form, status=status)
        data = _read_upload(form.upload.data)
        if data is None:
            form.upload.errors.append(
                f"The file is too large (at most {MAX_IMPORT_BYTES // 1024:,} KB).")
            return _import_page(admin, form, status=413)
        locale, fmt = form.locale.data, form.file_format.data
        parsed = parse_upload(data, fmt)
        if not parsed.ok:
            return _import_page(admin, form, status=422, errors=parsed.errors)
        if not parsed.rows:
            form.upload.errors.append("The file holds no strings.")
            return _import_page(admin, form, status=422)
        session = db_session()
        token = staging.stage(session, staging.StagedImport(
            locale=locale, rows=parsed.rows, user_id=current_user.id,
            filename=(form.upload.data.filename or "")[:200]))
        session.commit()
        return _preview_page(admin, token, locale, parsed.rows)

    @guard
    def confirm_import() -> Any:
        form = ConfirmImportForm()
        if not form.validate_on_submit():
            abort(400)
        session = db_session()
        staged = confirmed_staged_import(form.token.data,
                                         lambda staged: staged.locale == form.locale.data,
                                         "localization.import_strings")
        if not isinstance(staged, staging.StagedImport):
            return staged
        try:
            with committed_write(admin):  # a string changed or added meanwhile: nothing written
                result = apply_import(session, staged.locale, staged.rows, actor=current_user,
                                      source=staged.filename or "upload")
                staging.discard(session, form.token.data)  # applied at most once
                audit.record(session, "localization.imported", actor=current_user,
                             target_type="localization_string", target_label=staged.locale,
                             details={"locale": staged.locale, "file": staged.filename,
                                      "created": result.created, "updated": result.updated,
                                      "unchanged": result.unchanged})
        except WriteRefused:
            current_app.logger.warning("localization import for %s collided with another "
                                       "write; nothing written", staged.locale)
            flash("Someone changed these strings at the same time; nothing was written. "
                  "Review and confirm again.", "error")
            return _preview_page(admin, form.token.data, staged.locale, staged.rows,
                                 status=409)
        flash(f"Imported {staged.locale}: {result.created:,} added, {result.updated:,} updated, "
              f"{result.unchanged:,} unchanged.", "success")
        return redirect(url_for("localization.list", locale=staged.locale))

    @guard
    def export_strings() -> Any:
        locale = request.args.get("locale", "")
        fmt = request.args.get("format", "")
        if not locale and not fmt:
            return render_template("localization/export.html", admin=admin,
                                   locales=known_locales(db_session()),
                                   default=default_locale(), page_title="Export strings")
        if not is_valid_locale(locale) or fmt not in FORMATS:
            abort(400)
        session = db_session()
        body = export_csv(session, locale) if fmt == "csv" else export_json(session, locale)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        mimetype = "text/csv" if fmt == "csv" else "application/json"
        return Response(stream_with_context(body), mimetype=f"{mimetype}; charset=utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="strings-{locale}-{stamp}.{fmt}"'})

    bp.add_url_rule("/missing", "missing", missing, methods=["GET"])
    bp.add_url_rule("/import", "import_strings", import_strings, methods=["GET", "POST"])
    bp.add_url_rule("/import/confirm", "confirm_import", confirm_import, methods=["POST"])
    bp.add_url_rule("/export", "export_strings", export_strings, methods=["GET"])


def _import_page(admin: LocalizationAdmin, form: ImportForm, *, status: int,
                 errors: list[Any] | None = None) -> Any:
    errors = errors or []
    return render_template("localization/import.html", admin=admin, form=form,
                           errors=errors[:MAX_SHOWN_ERRORS], error_count=len(errors),
                           page_title="Import strings"), status


def _preview_page(admin: LocalizationAdmin, token: str, locale: str, rows: dict[str, str],
                  status: int = 200) -> Any:
    plan = preview_import(db_session(), locale, rows)
    form = ConfirmImportForm(formdata=None, data={"locale": locale, "token": token})
    sample = sorted(rows.items())[:PREVIEW_ROWS]
    return render_template("localization/import_preview.html", admin=admin, form=form,
                           locale=locale, total=len(rows), plan=plan, sample=sample,
                           page_title="Confirm import"), status
