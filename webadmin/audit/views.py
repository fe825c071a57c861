"""/audit/ (what is deleted now: restore, purge) and /audit/log (every entry, CSV export).

Superadmins only. Lists are keyset-paged newest first (webadmin/audit/paging.py) over indexed
tables: ``deleted_row`` for /audit/ and ``audit_event`` for the log. Restore and purge take a
confirmation step, run each line in its own savepoint (one refusal skips that line, never half of
it) and commit once.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from ..admin.options import FieldError, ModelAdmin
from ..admin.text import clean_text, csv_cell
from ..auth.permissions import allow
from ..db import session as db_session
from ..models import AuditEvent, DeletedRow, Deletion, User, UserRole
from . import deletions
from .log import (
    CSV_HEADER,
    PER_PAGE,
    actor_ids,
    csv_row,
    day_start,
    describe,
    filtered_log,
    known_actions,
    parse_date,
    parse_filters,
    section_admin,
)
from .paging import keyset_page

bp = Blueprint("audit", __name__, url_prefix="/audit")
superadmin = allow(UserRole.superadmin)
DELETED_PER_PAGE = 50
MEMBERS_SHOWN = 20
MAX_SELECTED = 200
EXPORT_CHUNK = 1000


def init_app(app: Flask) -> None:
    from ..admin.site import site

    app.register_blueprint(bp)
    site.register_page("Deleted items", "audit.deleted", {UserRole.superadmin}, order=90)
    site.register_page("Audit log", "audit.log", {UserRole.superadmin}, order=91)


def me() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


class ConfirmForm(FlaskForm):
    pass


def _sections() -> list[ModelAdmin]:
    from ..admin.site import site

    return site.admins


def _url(endpoint: str, **args: Any) -> str:
    args = {key: value for key, value in args.items() if value}
    return url_for(endpoint) + (f"?{urlencode(args)}" if args else "")


# --- /audit/: what is deleted now -------------------------------------------------------------
@dataclass
class DeletedFilters:
    section: str = ""
    deleter: str = ""
    date_from: Any = None
    date_to: Any = None

    @property
    def active(self) -> bool:
        return bool(self.section or self.deleter or self.date_from or self.date_to)

    def query_args(self) -> dict[str, str]:
        return {key: value for key, value in {
            "section": self.section, "deleter": self.deleter,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else ""}.items() if value}


def _deleted_filters() -> DeletedFilters:
    args = request.args
    section = clean_text(args.get("section", ""))
    return DeletedFilters(
        section=section if section_admin(section) is not None else "",
        deleter=clean_text(args.get("deleter", "")).strip()[:320],
        date_from=parse_date(args.get("from")), date_to=parse_date(args.get("to")))


def _deleted_query(session: Session, filters: DeletedFilters) -> Any:
    """One line per deletion (its root row); with a section chosen, every deleted row of that
    section, also those deleted along with another row."""
    stmt = select(DeletedRow, Deletion).join(Deletion, DeletedRow.deletion_id == Deletion.id)
    stmt = stmt.where(DeletedRow.section == filters.section) if filters.section \
        else stmt.where(DeletedRow.is_root)
    if filters.deleter:
        stmt = stmt.where(DeletedRow.actor_user_id.in_(actor_ids(session, filters.deleter)))
    if filters.date_from:
        stmt = stmt.where(DeletedRow.deleted_at >= day_start(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(DeletedRow.deleted_at < day_start(filters.date_to + timedelta(days=1)))
    return stmt


def _members(session: Session, deletion_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each deletion on the page: how many other rows are still deleted with it, and the
    first few (two bounded queries, whatever the page holds)."""
    if not deletion_ids:
        return {}
    counts: dict[int, int] = {}
    by_section: dict[int, list[str]] = {}
    for deletion_id, section, count in session.execute(
            select(DeletedRow.deletion_id, DeletedRow.section, func.count()).where(
                DeletedRow.deletion_id.in_(deletion_ids), DeletedRow.is_root.is_(False))
            .group_by(DeletedRow.deletion_id, DeletedRow.section)
            .order_by(DeletedRow.deletion_id, DeletedRow.section)):
        counts[deletion_id] = counts.get(deletion_id, 0) + count
        admin = section_admin(section)
        noun = (admin.singular if count == 1 else admin.label.lower()) if admin else "rows"
        by_section.setdefault(deletion_id, []).append(f"{count:,} {noun}")
    numbered = select(DeletedRow, func.row_number().over(
        partition_by=DeletedRow.deletion_id, order_by=DeletedRow.id).label("n")).where(
            DeletedRow.deletion_id.in_([d for d in deletion_ids if counts.get(d)]),
            DeletedRow.is_root.is_(False)).subquery()
    shown: dict[int, list[DeletedRow]] = {}
    member = aliased(DeletedRow, numbered)
    for row in session.scalars(select(member).where(numbered.c.n <= MEMBERS_SHOWN)
                               .order_by(numbered.c.deletion_id, numbered.c.id)):
        shown.setdefault(row.deletion_id, []).append(row)
    result = {}
    for deletion_id, count in counts.items():
        result[deletion_id] = {"count": count, "rows": shown.get(deletion_id, []),
                               "summary": " and ".join(by_section[deletion_id])}
    return result


def _section_label(name: str) -> str:
    admin = section_admin(name)
    return admin.label if admin is not None else name


def _history(entry: DeletedRow) -> str | None:
    admin = section_admin(entry.section)
    if admin is None:
        return None
    return url_for(f"{admin.name}.history", public_id=entry.target_public_id)


@bp.get("/")
@superadmin
def deleted() -> Any:
    session = db_session()
    filters = _deleted_filters()
    page = keyset_page(session, _deleted_query(session, filters), DeletedRow.deleted_at,
                       DeletedRow.id, request.args, DELETED_PER_PAGE, "deleted")
    members = _members(session, [deletion.id for entry, deletion in page.rows if entry.is_root])
    base = filters.query_args()
    return render_template(
        "audit/deleted.html", page=page, filters=filters, members=members,
        sections=_sections(), section_label=_section_label, history=_history,
        next_url=_url("audit.deleted", **base, after=page.next_cursor)
        if page.next_cursor else None,
        prev_url=_url("audit.deleted", **base, before=page.prev_cursor)
        if page.prev_cursor else None,
        first_url=None if page.is_first else _url("audit.deleted", **base),
        page_title="Deleted rows")


# --- restore / purge --------------------------------------------------------------------------
def _key(entry: DeletedRow) -> str:
    return f"{entry.section}:{entry.target_public_id}"


def _selected(session: Session) -> list[tuple[ModelAdmin, Any]]:
    """The deleted rows the form names (``one`` from a line's own button, else the ticked
    ``ids``), each as (section, row); forged or live ones are dropped."""
    raw = request.form.getlist("one")[:1] or request.form.getlist("ids")[:MAX_SELECTED]
    found, seen = [], set()
    for item in raw:
        section, _, public_id = clean_text(item).partition(":")
        admin = section_admin(section)
        try:
            key = uuid.UUID(public_id)
        except ValueError:
            continue
        if admin is None or (section, key) in seen:
            continue
        seen.add((section, key))
        row = session.scalars(admin.base_query(me(), deleted=True).where(
            admin.model_cls.public_id == key)).one_or_none()
        if row is not None:
            found.append((admin, row))
    return found


def _confirm_lines(session: Session, selected: list[tuple[ModelAdmin, Any]],
                   purge: bool) -> list[dict[str, Any]]:
    lines = []
    for admin, row in selected:
        group = deletions.purge_group(session, admin, row)
        effects = deletions.purge_effects(session, group) if purge else []
        lines.append({
            "key": f"{admin.name}:{row.public_id}", "admin": admin,
            "label": deletions.label_of(admin, row),
            "with": [(a.label, deletions.label_of(a, r)) for a, r in group[1:]],
            "effects": effects,
            "refused": any(effect.refuses for effect in effects),
            "conflict": None if purge else _conflict_of(session, group),
        })
    return lines


def _conflict_of(session: Session, group: list[tuple[ModelAdmin, Any]]) -> str | None:
    with session.no_autoflush:
        for admin, row in group:
            conflict = deletions.conflict_message(session, admin, row)
            if conflict is not None:
                return conflict.message
    return None


def _apply(session: Session, selected: list[tuple[ModelAdmin, Any]],
           purge: bool) -> tuple[int, list[str]]:
    done, refused = 0, []
    for admin, row in selected:
        label = deletions.label_of(admin, row)
        savepoint = session.begin_nested()
        try:
            if row.deleted_at is None:  # came back with an earlier line of this selection
                savepoint.rollback()
                continue
            if purge:
                admin.purge(session, row, me())
            else:
                admin.restore(session, row, me())
            savepoint.commit()
            done += 1
        except FieldError as error:
            savepoint.rollback()
            refused.append(error.message)
        except StaleDataError:  # someone restored, purged or edited it a moment ago
            savepoint.rollback()
            refused.append(f"“{label}” was changed by someone else just now; nothing was done "
                           "to it. Check the list and try again.")
        except DBAPIError as exc:  # the database's last word (a row pointing here meanwhile)
            savepoint.rollback()
            current_app.logger.warning("audit: database refused a %s (%s)",
                                       "purge" if purge else "restore", type(exc.orig).__name__)
            group = deletions.purge_group(session, admin, row) if purge else []
            refused.append(deletions.refusal_message(label, deletions.purge_effects(
                session, group)) if purge else
                f"“{label}” could not be restored: it conflicts with data saved meanwhile.")
    return done, refused


def _act(purge: bool) -> Any:
    session = db_session()
    selected = _selected(session)
    back = request.form.get("back", "")
    back_url = back if back.startswith("/audit/") and "//" not in back else url_for(
        "audit.deleted")
    if not selected:
        flash("Select at least one deleted row first.", "warning")
        return redirect(back_url)
    form = ConfirmForm()
    if request.form.get("confirm") != "yes" or not form.validate():
        return render_template(
            "audit/confirm.html", lines=_confirm_lines(session, selected, purge), purge=purge,
            form=ConfirmForm(), back_url=back_url,
            page_title="Purge for good" if purge else "Restore"), 200
    done, refused = _apply(session, selected, purge)
    session.commit()
    verb = "Purged" if purge else "Restored"
    if done:
        flash(f"{verb} {done} of {len(selected)} selected "
              f"{'line' if len(selected) == 1 else 'lines'}.", "success")
    for message in refused[:10]:
        flash(message, "error")
    return redirect(back_url)


@bp.post("/restore")
@superadmin
def restore() -> Any:
    return _act(purge=False)


@bp.post("/purge")
@superadmin
def purge() -> Any:
    return _act(purge=True)


# --- /audit/log -------------------------------------------------------------------------------
@bp.get("/log")
@superadmin
def log() -> Any:
    session = db_session()
    filters = parse_filters(request.args)
    page = keyset_page(session, filtered_log(session, filters), AuditEvent.occurred_at,
                       AuditEvent.id, request.args, PER_PAGE, "log")
    base = filters.query_args()
    return render_template(
        "audit/log.html", entries=[describe(event) for (event,) in page.rows], page=page,
        filters=filters, actions=known_actions(), sections=_sections(),
        export_url=_url("audit.export", **base),
        next_url=_url("audit.log", **base, after=page.next_cursor) if page.next_cursor else None,
        prev_url=_url("audit.log", **base, before=page.prev_cursor)
        if page.prev_cursor else None,
        first_url=None if page.is_first else _url("audit.log", **base),
        page_title="Audit log")


@bp.get("/log.csv")
@superadmin
def export() -> Response:
    """The filtered log as CSV, streamed in keyset chunks (memory stays flat)."""
    session = db_session()
    filters = parse_filters(request.args)
    stmt = filtered_log(session, filters)

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_HEADER)
        args: dict[str, str] = {}
        while True:
            page = keyset_page(session, stmt, AuditEvent.occurred_at, AuditEvent.id,
                               args, EXPORT_CHUNK, "log")  # type: ignore[arg-type]
            for (event,) in page.rows:
                writer.writerow([csv_cell(value) for value in csv_row(event)])
                session.expunge(event)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if page.next_cursor is None:
                return
            args = {"after": page.next_cursor}

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="audit-log-{stamp}.csv"'})
