"""The generic views every section shares: list, create, edit, delete, history, bulk, export,
lookup. Each reads rows through ``admin.base_query(user)`` and writes through the admin's
``save``/``soft_delete``/``restore``; a successful POST commits once and redirects."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from ..db import session as db_session
from ..models import AuditEvent, User
from .errors import attach, field_error_for
from .filters import RelatedFilter
from .forms import AdminForm, RelatedField
from .options import PER_PAGE_CHOICES, FieldError
from .query import (
    capped_count,
    fetch_page,
    filtered_query,
    iter_rows,
    parse_list_params,
)
from .text import csv_cell, display

if TYPE_CHECKING:
    from .options import Column, ModelAdmin

MAX_BULK_ROWS = 1000
HISTORY_LIMIT = 200
CURSOR_PARAMS = ("after", "before")


def user() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def get_object(admin: ModelAdmin, public_id: str, *, deleted: bool = False) -> Any:
    """The row through the section's base query; outside the scope or malformed: 404."""
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        abort(404)
    stmt = admin.base_query(user(), deleted=deleted).where(admin.model_cls.public_id == key)
    obj = db_session().scalars(stmt).one_or_none()
    if obj is None:
        abort(404)
    return obj


def url_with(endpoint: str, args: MultiDict[str, str], **changes: Any) -> str:
    """``endpoint`` with the current query string, some keys replaced (None removes)."""
    merged = MultiDict(args)
    for key, value in changes.items():
        merged.poplist(key)
        if value is None:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            merged.add(key, item)
    query = urlencode(list(merged.items(multi=True)))
    return url_for(endpoint) + (f"?{query}" if query else "")


# --- list -------------------------------------------------------------------------------------
def list_view(admin: ModelAdmin) -> Any:
    me, session = user(), db_session()
    params = parse_list_params(admin, request.args, me)
    stmt = filtered_query(admin, me, params)
    page = fetch_page(session, admin, me, params, stmt)
    unscoped = not params.is_filtered and not params.deleted and _is_unscoped(admin, me)
    count = capped_count(session, stmt, estimate_table=(
        admin.model_cls.__tablename__ if unscoped else None))
    endpoint = f"{admin.name}.list"
    args = MultiDict(request.args)
    for key in CURSOR_PARAMS:
        args.poplist(key)
    columns = admin.get_list_display(me)
    widgets = [f.widget(params.filters.get(f.param), session, me)
               for f in admin.get_list_filters(me)]
    for widget in widgets:
        if widget.lookup_param:
            widget.lookup_url = url_for(f"{admin.name}.lookup", field=widget.lookup_param)
    return render_template(
        "admin/list.html",
        admin=admin, params=params, page=page, count=count, widgets=widgets,
        columns=columns,
        rows=[(obj, [_cell(admin, obj, column) for column in columns]) for obj in page.rows],
        sort_links={c.path: _sort_link(admin, params, args, c) for c in columns},
        next_url=url_with(endpoint, args, after=page.next_cursor) if page.next_cursor else None,
        prev_url=url_with(endpoint, args, before=page.prev_cursor) if page.prev_cursor else None,
        first_url=url_with(endpoint, args) if (params.after or params.before) else None,
        per_page_choices=PER_PAGE_CHOICES,
        bulk_actions=admin.get_bulk_actions(me, deleted=params.deleted),
        export_url=url_with(f"{admin.name}.export", args),
        clear_url=url_with(endpoint, MultiDict(
            {k: v for k, v in args.items() if k in {"sort", "per_page", "show"}})),
        deleted_url=url_with(endpoint, MultiDict(), show="deleted"),
        live_url=url_for(endpoint),
        extra_links=list(admin.extra_links(me)),
        page_title=admin.label,
    )


def _is_unscoped(admin: ModelAdmin, me: User) -> bool:
    base = select(admin.model_cls)
    return admin.scope(base, me) is base


def _cell(admin: ModelAdmin, obj: Any, column: Column) -> dict[str, Any]:
    value = admin.cell(obj, column)
    cell: dict[str, Any] = {"text": display(value), "badge": None, "url": None,
                            "nowrap": isinstance(value, date | int) and not isinstance(value, bool)}
    if isinstance(value, bool):
        cell["badge"] = "success" if value else "muted"
    elif hasattr(value, "value") and column.path in {"status", "role"}:
        cell["badge"] = {"published": "success", "active": "success", "draft": "warning",
                         "archived": "muted"}.get(str(value.value), "muted")
    if column.link and obj.deleted_at is None:
        cell["url"] = url_for(f"{admin.name}.edit", public_id=obj.public_id)
    return cell


def _sort_link(admin: ModelAdmin, params: Any, args: MultiDict[str, str],
               column: Column) -> dict[str, Any] | None:
    key = column.sort or (column.path if column.path in admin.sortable else None)
    if key is None:
        return None
    active = params.sort_key == key
    descending = active and not params.descending
    return {"url": url_with(f"{admin.name}.list", args, sort=("-" if descending else "") + key),
            "active": active, "descending": params.descending if active else None}


# --- create / edit ----------------------------------------------------------------------------
def prepare_related(admin: ModelAdmin, form: FlaskForm, session: Session, me: User) -> None:
    for field in form:
        if isinstance(field, RelatedField):
            field.load_options(session, me, url_for(f"{admin.name}.lookup", field=field.name))


def _redirect_after_save(admin: ModelAdmin, obj: Any) -> Any:
    if "_continue" in request.form:
        return redirect(url_for(f"{admin.name}.edit", public_id=obj.public_id))
    if "_addanother" in request.form:
        return redirect(url_for(f"{admin.name}.create"))
    return redirect(url_for(f"{admin.name}.list"))


def _render_form(admin: ModelAdmin, form: FlaskForm, obj: Any, status: int,
                 conflict: list[dict[str, str]] | None = None) -> Any:
    details = admin.readonly_details(db_session(), obj) if obj is not None else []
    return render_template("admin/form.html", admin=admin, form=form, obj=obj,
                           conflict=conflict, details=details, page_title=(
                               f"Edit {admin.singular}" if obj is not None
                               else f"Add {admin.singular}")), status


def create_view(admin: ModelAdmin) -> Any:
    if not admin.can_create:
        abort(404)
    me, session = user(), db_session()
    form = admin.get_form(me, None, request.form if request.method == "POST" else None)
    prepare_related(admin, form, session, me)
    if request.method == "POST":
        if form.validate():
            obj = admin.model_cls()
            try:
                admin.save(session, obj, form, me, created=True)
                session.commit()
            except FieldError as error:
                session.rollback()
                attach(form, error)
            except DBAPIError as exc:
                session.rollback()
                _log_refusal(admin, exc)
                attach(form, field_error_for(admin, exc, obj))
            else:
                flash(f"Added {admin.singular} “{admin.row_label(obj)}”.", "success")
                return _redirect_after_save(admin, obj)
        return _render_form(admin, form, None, 422)
    return _render_form(admin, form, None, 200)


def edit_view(admin: ModelAdmin, public_id: str) -> Any:
    me, session = user(), db_session()
    obj = get_object(admin, public_id)
    if request.method == "POST" and admin.save_as_new and "_saveasnew" in request.form:
        return create_view(admin)  # a copy: the edited values become a new row
    if request.method != "POST":
        form = admin.get_form(me, obj)
        form.version_id.data = str(obj.version_id)
        prepare_related(admin, form, session, me)
        return _render_form(admin, form, obj, 200)

    form = admin.get_form(me, obj, request.form)
    prepare_related(admin, form, session, me)
    if not form.validate():
        return _render_form(admin, form, obj, 422)
    if form.submitted_version != obj.version_id:
        return _conflict(admin, form, obj, me)
    try:
        changes = admin.save(session, obj, form, me, created=False)
        session.commit()
    except FieldError as error:
        session.rollback()
        attach(form, error)
        return _render_form(admin, form, obj, 422)
    except StaleDataError:
        session.rollback()
        current = db_session().scalars(admin.base_query(me).where(
            admin.model_cls.public_id == obj.public_id).execution_options(
                populate_existing=True)).one_or_none()
        if current is None:
            flash(f"This {admin.singular} was deleted by someone else.", "error")
            return redirect(url_for(f"{admin.name}.list"))
        return _conflict(admin, form, current, me)
    except DBAPIError as exc:
        session.rollback()
        _log_refusal(admin, exc)
        attach(form, field_error_for(admin, exc, obj))
        return _render_form(admin, form, obj, 422)
    if changes:
        flash(f"Saved {admin.singular} “{admin.row_label(obj)}”.", "success")
    else:
        flash("No changes to save.", "info")
    return _redirect_after_save(admin, obj)


def _conflict(admin: ModelAdmin, form: AdminForm, current: Any, me: User) -> Any:
    """Someone saved since this form was opened: keep the user's input, show both versions,
    and let a second Save (now based on the current version) overwrite knowingly."""
    theirs = admin.get_form(me, current)
    prepare_related(admin, theirs, db_session(), me)
    changed = []
    for field in form.data_fields():
        other = theirs._fields.get(field.name)
        if other is None:
            continue
        mine, their_value = _shown(field), _shown(other)
        if mine != their_value:
            changed.append({"label": field.label.text, "theirs": their_value, "yours": mine})
    form.version_id.data = str(current.version_id)
    form.version_id.raw_data = [str(current.version_id)]
    form.form_errors.append(
        f"Someone else saved this {admin.singular} while you were editing it. Nothing of yours "
        "was saved. Review their values below; save again to replace them with yours.")
    return _render_form(admin, form, current, 409, conflict=changed)


def _shown(field: Any) -> str:
    if isinstance(field, RelatedField):
        if field.data is not None:
            return field.source.label(field.data)
        return field.raw or "—"
    if field.type == "BooleanField":
        return "Yes" if field.data else "No"
    if field.type == "PasswordField":
        return "(hidden)"
    value = field._value() if hasattr(field, "_value") else field.data
    return display(value)


def _log_refusal(admin: ModelAdmin, exc: DBAPIError) -> None:
    """Log the refusal without the statement, its parameters or the database's message."""
    from .errors import constraint_of

    current_app.logger.warning("%s: database refused a write (%s, constraint=%s)",
                               admin.name, type(exc.orig).__name__, constraint_of(exc))


# --- delete -----------------------------------------------------------------------------------
class ConfirmForm(FlaskForm):
    pass


def delete_view(admin: ModelAdmin, public_id: str) -> Any:
    if not admin.can_delete:
        abort(404)
    me, session = user(), db_session()
    obj = get_object(admin, public_id)
    impact = admin.delete_impact(session, obj, me)
    blocked = [item for item in impact if item.blocks]
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        if blocked:
            for item in blocked:
                flash(item.message, "error")
            status = 409
        else:
            label = admin.row_label(obj)
            admin.soft_delete(session, obj, me)
            session.commit()
            flash(f"Deleted {admin.singular} “{label}”.", "success")
            return redirect(url_for(f"{admin.name}.list"))
    else:
        status = 400 if request.method == "POST" else 200
    return render_template("admin/confirm_delete.html", admin=admin, obj=obj, form=form,
                           impact=impact, blocked=blocked,
                           page_title=f"Delete {admin.singular}"), status


# --- history ----------------------------------------------------------------------------------
def history_view(admin: ModelAdmin, public_id: str) -> Any:
    try:
        obj = get_object(admin, public_id)
    except NotFound:  # a deleted row (in the user's scope) keeps its history
        obj = get_object(admin, public_id, deleted=True)
    events = db_session().scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == admin.model_cls.__tablename__,
               AuditEvent.target_public_id == str(obj.public_id))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(HISTORY_LIMIT)).all()
    hidden = admin.history_fields_hidden
    entries = [{"event": event,
                "changes": [(key.replace("_", " ").capitalize(), _history_value(values, 0),
                             _history_value(values, 1))
                            for key, values in (event.changes or {}).items()
                            if key not in hidden]}
               for event in events]
    return render_template("admin/history.html", admin=admin, obj=obj, entries=entries,
                           page_title=f"History of {admin.row_label(obj)}")


def _history_value(values: Any, index: int) -> str:
    if isinstance(values, list | tuple) and len(values) == 2:
        return display(values[index])
    return display(values) if index == 1 else "—"


# --- bulk actions -----------------------------------------------------------------------------
def bulk_view(admin: ModelAdmin) -> Any:
    me, session = user(), db_session()
    deleted = request.form.get("show") == "deleted"
    action = request.form.get("action", "")
    list_url = url_for(f"{admin.name}.list", **({"show": "deleted"} if deleted else {}))
    if action not in admin.get_bulk_actions(me, deleted=deleted):
        abort(400)
    raw_ids = request.form.getlist("ids")
    if len(raw_ids) > MAX_BULK_ROWS:
        flash(f"Select at most {MAX_BULK_ROWS} rows at a time.", "error")
        return redirect(list_url)
    keys = []
    for raw in raw_ids:
        try:
            keys.append(uuid.UUID(raw))
        except ValueError:
            continue
    rows = []
    if keys:
        stmt = admin.base_query(me, deleted=deleted).where(admin.model_cls.public_id.in_(keys))
        rows = list(session.scalars(stmt.options(*admin.eager_options())
                                    .order_by(admin.model_cls.id)).unique())
    if not rows:
        flash("Select at least one row first.", "warning")
        return redirect(list_url)
    if action == "export":
        return _csv_response(admin, me, iter(rows), f"{admin.name}-selected")
    if request.form.get("confirm") != "yes":
        blocked = {}
        if action == "delete":
            for obj in rows:
                reasons = [i.message for i in admin.delete_impact(session, obj, me) if i.blocks]
                if reasons:
                    blocked[obj.public_id] = reasons
        return render_template("admin/bulk_confirm.html", admin=admin, rows=rows,
                               action=action, blocked=blocked, deleted=deleted,
                               list_url=list_url, form=ConfirmForm(),
                               page_title=f"{action.capitalize()} {admin.label.lower()}")
    done, skipped = _apply_bulk(admin, session, me, action, rows)
    session.commit()
    verb = "Deleted" if action == "delete" else "Restored"
    noun = admin.singular if done == 1 else admin.plural
    flash(f"{verb} {done} {noun}.", "success" if done else "warning")
    for label, reason in skipped[:10]:
        flash(f"“{label}” was skipped: {reason}", "warning")
    return redirect(list_url)


def _apply_bulk(admin: ModelAdmin, session: Session, me: User, action: str,
                rows: list[Any]) -> tuple[int, list[tuple[str, str]]]:
    done, skipped = 0, []
    for obj in rows:
        label = admin.row_label(obj)
        if action == "delete":
            reasons = [i.message for i in admin.delete_impact(session, obj, me) if i.blocks]
            if reasons:
                skipped.append((label, " ".join(reasons)))
                continue
        savepoint = session.begin_nested()
        try:
            if action == "delete":
                admin.soft_delete(session, obj, me)
            else:
                admin.restore(session, obj, me)
            savepoint.commit()
            done += 1
        except FieldError as error:
            savepoint.rollback()
            skipped.append((label, error.message))
        except DBAPIError as exc:
            savepoint.rollback()
            _log_refusal(admin, exc)
            skipped.append((label, field_error_for(admin, exc, None).message))
    return done, skipped


# --- export -----------------------------------------------------------------------------------
def export_view(admin: ModelAdmin) -> Any:
    me = user()
    params = parse_list_params(admin, request.args, me)
    session = db_session()
    return _csv_response(admin, me, iter_rows(session, admin, me, params),
                         admin.name)


def _csv_response(admin: ModelAdmin, me: User, rows: Iterator[Any], stem: str) -> Response:
    columns = admin.get_csv_columns(me)

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([column.title for column in columns])
        for count, obj in enumerate(rows, start=1):
            writer.writerow([csv_cell(_csv_value(admin, obj, column)) for column in columns])
            if count % 200 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{stem}-{stamp}.csv"'})


def _csv_value(admin: ModelAdmin, obj: Any, column: Column) -> Any:
    value = admin.cell(obj, column)
    return value if isinstance(value, str) else (None if value is None else display(value))


# --- related-row lookup -----------------------------------------------------------------------
def lookup_view(admin: ModelAdmin, field: str) -> Any:
    """JSON rows for a related field of this user's form or a related filter of this list."""
    me = user()
    source = None
    if admin.form is not None and admin.can_create:
        form_field = admin.get_form(me, None)._fields.get(field)
        if isinstance(form_field, RelatedField):
            source = form_field.source
    if source is None:
        for item in admin.get_list_filters(me):
            if isinstance(item, RelatedFilter) and item.param == field:
                source = item.source
    if source is None:
        abort(404)
    rows = source.lookup(db_session(), me, request.args.get("q", ""))
    return jsonify(results=[{"value": source.typed_value(row), "label": source.label(row),
                             "id": str(row.public_id)} for row in rows])
