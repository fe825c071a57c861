"""The superadmin's song import pages: upload → check (error report and a preview of the first
rows, nothing written) → confirm (all or nothing, or skip the bad rows).

Between the check and the confirmation the uploaded file waits in ``staged_import`` (the
localization import's staging, reused: any worker on any host can confirm, at most once). The
page's upload is bounded by MAX_CONTENT_LENGTH; files of any size go through
``flask import-songs``, which streams them from disk.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectChoice
from wtforms.validators import DataRequired, Length

from ..admin.imports import confirmed_staged_import
from ..admin.types import FieldError
from ..admin.writes import WriteRefused, committed_write
from ..auth.permissions import allow
from ..db import session as db_session
from ..models import UserRole
from ..services import staging
from .importer import COLUMNS, ImportFileError, check_file, import_file

if TYPE_CHECKING:
    from .admin import SongAdmin

STAGED_KIND = "songs.csv"  # staged_import.locale of a staged song file (not a locale code)
MAX_UPLOAD_BYTES = 1024 * 1024
MODES = [SelectChoice("all", "All or nothing: import only if every row is good"),
         SelectChoice("skip", "Skip the bad rows: import the good ones, report the others")]


class SongImportForm(FlaskForm):
    upload = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import.")],
                       description="UTF-8, at most 1 MB; the first line names the columns: "
                                   + ", ".join(COLUMNS) + ". Nothing is written until you "
                                   "confirm.")


class ConfirmSongImportForm(FlaskForm):
    token = HiddenField("Token", validators=[DataRequired(), Length(max=64)])
    mode = RadioField("When some rows are bad", choices=MODES, default="all")


def register(bp: Blueprint, admin: SongAdmin) -> None:
    guard = allow(UserRole.superadmin)

    @guard
    def import_songs() -> Any:
        form = SongImportForm()
        if not form.validate_on_submit():
            return _upload_page(admin, form, status=422 if request.method == "POST" else 200)
        data = form.upload.data.stream.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            form.upload.errors.append(f"The file is too large for the page (at most "
                                      f"{MAX_UPLOAD_BYTES // 1024:,} KB); use flask import-songs.")
            return _upload_page(admin, form, status=413)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.upload.errors.append("The file is not UTF-8 text.")
            return _upload_page(admin, form, status=422)
        if "\x00" in text:
            form.upload.errors.append("The file contains NUL characters: not a CSV file.")
            return _upload_page(admin, form, status=422)
        session = db_session()
        try:
            report = check_file(session, current_user, io.StringIO(text, newline=""))
        except ImportFileError as exc:
            session.rollback()
            form.upload.errors.append(str(exc))
            return _upload_page(admin, form, status=422)
        if not report.rows:
            form.upload.errors.append("The file holds no songs.")
            return _upload_page(admin, form, status=422)
        filename = (form.upload.data.filename or "")[:200]
        token = staging.stage(session, staging.StagedImport(
            locale=STAGED_KIND, rows={"csv": text}, user_id=current_user.id, filename=filename))
        session.commit()
        confirm = ConfirmSongImportForm(formdata=None, data={"token": token, "mode": "all"})
        return _preview_page(admin, confirm, report, filename)

    @guard
    def confirm_import_songs() -> Any:
        form = ConfirmSongImportForm()
        if not form.validate_on_submit():
            abort(400)
        session = db_session()
        staged = confirmed_staged_import(form.token.data,
                                         lambda staged: staged.locale == STAGED_KIND,
                                         "songs.import_songs")
        if not isinstance(staged, staging.StagedImport):
            return staged
        skip_bad = form.mode.data == "skip"
        try:
            with committed_write(admin):
                report = import_file(session, current_user, io.StringIO(staged.rows["csv"],
                                                                        newline=""),
                                     skip_bad=skip_bad, filename=staged.filename)
                if report.error_count and not skip_bad:
                    raise WriteRefused(422, FieldError(None, (
                        f"{report.error_count:,} rows are bad: nothing was imported. Fix them, "
                        "or choose to skip the bad rows.")))
                staging.discard(session, form.token.data)  # applied at most once
        except WriteRefused as refused:
            if not refused.by_database:
                flash(refused.error.message, "error")
                return _preview_page(admin, form, report, staged.filename, status=422)
            # a song added meanwhile collides with a row of the file
            flash("Someone added a song with the same title or ISRC meanwhile; nothing was "
                  "written. Check the file again.", "error")
            return redirect(url_for("songs.import_songs"))
        flash(f"Imported {report.inserted:,} songs"
              + (f"; {report.error_count:,} bad rows skipped." if report.error_count else "."),
              "success")
        return redirect(url_for("songs.list"))

    bp.add_url_rule("/import", "import_songs", import_songs, methods=["GET", "POST"])
    bp.add_url_rule("/import/confirm", "confirm_import_songs", confirm_import_songs,
                    methods=["POST"])


def _upload_page(admin: SongAdmin, form: SongImportForm, *, status: int) -> Any:
    return render_template("songs/import.html", admin=admin, form=form, columns=COLUMNS,
                           page_title="Import songs"), status


def _preview_page(admin: SongAdmin, form: ConfirmSongImportForm, report: Any, filename: str,
                  status: int = 200) -> Any:
    return render_template("songs/import_preview.html", admin=admin, form=form, report=report,
                           filename=filename, page_title="Check the import"), status

