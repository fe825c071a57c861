"""The generic views every section shares: list, create, edit, delete, history, bulk, export,
lookup. Each reads rows through ``admin.base_query(user)`` and writes through the admin's
``save``/``soft_delete``/``restore``; a successful POST commits once and redirects."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from wtforms import SelectField
from wtforms.fields.core import UnboundField

from ..db import session as db_session
from ..models import AuditEvent, User
from . import listcache
from .changes import describe_changes
from .csvfile import csv_response
from .errors import attach
from .filters import RelatedFilter
from .forms import AdminForm, ConfirmForm, RelatedField
from .query import (
    count_columns,
    count_with,
    facet_counts,
    fetch_page,
    filtered_query,
    iter_rows,
    parse_list_params,
    read_count,
)
from .text import display
from .types import PER_PAGE_CHOICES
from .writes import WriteRefused, committed_write

if TYPE_CHECKING:
    from .options import ModelAdmin
    from .types import Column

HISTORY_LIMIT = 200
CURSOR_PARAMS = ("after", "before")


def user() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def get_object(admin: ModelAdmin, public_id: str, *, deleted: bool = False,
               for_form: bool = False) -> Any:
    """The row through the section's base query; outside the scope or malformed: 404.
    ``for_form``: the rows its form's related fields show (the song's artist, genre, album) are
    joined into the same statement instead of one lazy load each."""
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        abort(404)
    stmt = admin.base_query(user(), deleted=deleted).where(admin.model_cls.public_id == key)
    if for_form and admin.form is not None:
        stmt = stmt.options(*(joinedload(getattr(admin.model_cls, name))
                              for name, relationship in
                              admin.model_cls.__mapper__.relationships.items()
                              if not relationship.uselist
                              and isinstance(getattr(admin.form, name, None), UnboundField)))
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
    """One page of the list. Its data comes from ``list_page_data`` or, when the database has
    not changed since this user last saw this very URL, from the per-process cache
    (listcache.py); the template is rendered fresh either way."""
    me = user()
    data = listcache.cached(listcache.cache_key(admin.name, me),
                            lambda: list_page_data(admin, me))
    return render_template("admin/list.html", **data)


def list_page_data(admin: ModelAdmin, me: User) -> dict[str, Any]:
    """What the list template shows, in two statements: the user (loader, before this) and
    the page (keyset) carrying the capped count, the estimate and the data versions of the
    filter choices (cached per process under those versions) — three when the page has no
    rows to carry them or for a search on PostgreSQL (counted first), one more with filter
    counts on. Rows are drawn in Python
    (``_row_renderer``), not per cell in the template."""
    session = db_session()
    params = parse_list_params(admin, request.args, me)
    stmt = filtered_query(admin, me, params)
    columns = admin.get_list_display(me)
    unscoped = not params.is_filtered and not params.deleted and admin.unscoped_for(me)
    filters = admin.get_list_filters(me)
    related = [f for f in filters if isinstance(f, RelatedFilter)]
    estimate_table = admin.model_cls.__tablename__ if unscoped else None
    versioning = [f.version_query(me) for f in related]
    if params.q and session.get_bind().dialect.name == "postgresql":
        # A search counts first: one matching few rows is paged from its matches (query.py).
        count, versions = count_with(session, stmt, estimate_table=estimate_table,
                                     extras=versioning)
        page = fetch_page(session, admin, me, params, stmt, columns,
                          few_matches=not count.capped)
    else:
        # The capped count, the estimate and the filter choices' versions ride along with the
        # page (one statement); a page without rows can't carry them: then they are asked on
        # their own.
        counting = count_columns(session, stmt, estimate_table=estimate_table)
        page = fetch_page(session, admin, me, params, stmt, columns,
                          extras=[*counting, *versioning])
        if page.extras is None:
            count, versions = count_with(session, stmt, estimate_table=estimate_table,
                                         extras=versioning)
        else:
            count = read_count(page.extras[:len(counting)])
            versions = page.extras[len(counting):]
    version_of = {id(f): version for f, version in zip(related, versions, strict=True)}
    widgets = [f.widget(params.filters.get(f.param), session, me, version=version_of[id(f)])
               if isinstance(f, RelatedFilter)
               else f.widget(params.filters.get(f.param), session, me) for f in filters]
    if params.facets:  # "Show counts": every option's capped count, one more statement
        counts = facet_counts(session, admin, me, params,
                              [(f, w.options) for f, w in zip(filters, widgets, strict=True)])
        for widget in widgets:
            widget.counts = counts.get(widget.param)
    endpoint = f"{admin.name}.list"
    args = MultiDict(request.args)
    for key in CURSOR_PARAMS:
        args.poplist(key)
    for widget in widgets:
        if widget.lookup_param:
            widget.lookup_url = url_for(f"{admin.name}.lookup", field=widget.lookup_param)
    bulk_actions = admin.get_bulk_actions(me, deleted=params.deleted)
    row_base = url_for(endpoint)  # "/songs/": row links are <base><public_id>/edit|history
    edit = not params.deleted and admin.form is not None
    return dict(
        admin=admin, params=params, count=count, widgets=widgets,
        columns=columns,
        rows=list(map(_row_renderer(admin, columns, row_base, select=bool(bulk_actions),
                                    edit=edit), page.rows)),
        row_actions=not (edit and any(column.link for column in columns)),
        sort_links={c.path: _sort_link(admin, params, args, c) for c in columns},
        next_url=url_with(endpoint, args, after=page.next_cursor) if page.next_cursor else None,
        prev_url=url_with(endpoint, args, before=page.prev_cursor) if page.prev_cursor else None,
        first_url=url_with(endpoint, args) if (params.after or params.before) else None,
        per_page_choices=PER_PAGE_CHOICES,
        bulk_actions=bulk_actions,
        export_url=url_with(f"{admin.name}.export", args),
        clear_url=url_with(endpoint, MultiDict(
            {k: v for k, v in args.items() if k in {"sort", "per_page", "show", "facets"}})),
        facets_url=url_with(endpoint, request.args, facets=None if params.facets else "1"),
        deleted_url=url_with(endpoint, MultiDict(), show="deleted"),
        live_url=url_for(endpoint),
        extra_links=list(admin.extra_links(me)),
        page_title=admin.label,
    )


STATUS_BADGES = {"published": "success", "active": "success", "draft": "warning",
                 "archived": "muted"}


def _cell(value: Any, column: Column) -> tuple[str, str | None, bool]:
    """How one cell reads: its text, a badge colour (or None), whether it stays on one line.
    Markup (e.g. a cover thumbnail, webadmin/media) is shown as is; anything else as text."""
    badge = None
    if hasattr(value, "__html__"):
        return value, None, False
    if value is True:
        badge = "success"  # "No" reads as plain text: the markup stays lean
    elif column.path in {"status", "role"} and hasattr(value, "value"):
        badge = STATUS_BADGES.get(str(value.value), "muted")
    nowrap = isinstance(value, date | int) and not isinstance(value, bool)
    return display(value), badge, nowrap


class _CellDrawer:
    """Draws one column's ``<td>`` for a value. What depends only on the value's type (badge or
    not, one line or not, how it reads) is decided by ``_cell`` once per type and page; a type's
    values then go through one small function. Text is escaped; an edit link wraps it."""

    def __init__(self, column: Column, static: str, edit_link: bool) -> None:
        self.column, self.edit_link = column, edit_link
        self.open = f'<td class="{static}">' if static else "<td>"
        self.open_nowrap = f'<td class="{static} nowrap">' if static else '<td class="nowrap">'
        self.by_type: dict[type, Callable[[Any, str | None], str]] = {}

    def __call__(self, value: Any, edit_url: str | None) -> str:
        draw = self.by_type.get(value.__class__)
        if draw is None:
            draw = self.by_type[value.__class__] = self._learn(value)
        return draw(value, edit_url)

    def _learn(self, sample: Any) -> Callable[[Any, str | None], str]:
        column = self.column
        if sample.__class__ is str:  # plain text (an enum or markup is a str subclass)
            def text(value: Any) -> str:  # "" reads as a dash, like None
                return escape(value) if value else "—"
        elif hasattr(sample, "__html__") or sample is None or isinstance(sample, bool):
            # Markup shows as is, None as a dash, booleans as Yes/No: through _cell each time
            # (two values at most, or markup already made).
            def text(value: Any) -> str:
                return escape(_cell(value, column)[0])
        else:
            def text(value: Any) -> str:
                return escape(display(value))
        _, _badge, nowrap = _cell(sample, column)
        is_status = column.path in {"status", "role"} and hasattr(sample, "value")
        is_bool = isinstance(sample, bool)
        opening = self.open_nowrap if nowrap else self.open
        link = self.edit_link

        def draw(value: Any, edit_url: str | None) -> str:
            content = text(value)
            if link and edit_url:
                return f'{opening}<a href="{edit_url}">{content}</a></td>'
            badge = (STATUS_BADGES.get(str(value.value), "muted") if is_status
                     else "success" if is_bool and value is True else None)
            if badge:
                return f'{opening}<span class="badge badge-{badge}">{content}</span></td>'
            return f"{opening}{content}</td>"

        return draw


def _row_renderer(admin: ModelAdmin, columns: tuple[Column, ...], base: str, *,
                  select: bool, edit: bool) -> Callable[[Any], Markup]:
    """A function drawing one table row, with what is the same on every row (classes, the base
    URL, each column's drawer) prepared once per page. Every interpolated value is escaped
    (text, labels, the base URL; the public id is a UUID); links are the list URL + the row's
    public id (no url_for per cell). Lean markup: the phone layout's cell labels come from the
    header (static/js/app.js copies each <th> into its column's ``data-label``), and a row
    whose title links to its edit page (which links to its history) carries no separate
    Edit/History links."""
    base = escape(base)
    linking = edit and any(column.link for column in columns)
    cells = [(admin.cell_reader(column), _CellDrawer(
        column, " ".join(name for name, on in (("num", column.numeric),
                                               ("secondary", column.secondary)) if on),
        column.link)) for column in columns]
    row_label = admin.row_label

    def render(obj: Any) -> Markup:
        public_id = obj.public_id
        edit_url = f"{base}{public_id}/edit" if edit and obj.deleted_at is None else None
        parts = ["<tr>"]
        if select:
            parts.append(f'<td class="select"><input type="checkbox" name="ids" '
                         f'value="{public_id}" aria-label="Select '
                         f'{escape(row_label(obj))}"></td>')
        parts.extend([draw(read(obj), edit_url) for read, draw in cells])
        if edit_url and linking:
            parts.append("</tr>")
        else:
            parts.append('<td class="row-actions">')
            if edit_url:
                parts.append(f'<a href="{edit_url}">Edit</a> ')
            parts.append(f'<a href="{base}{public_id}/history">History</a></td></tr>')
        return Markup("".join(parts))  # noqa: S704 - every piece above is escaped or a UUID

    return render


def _sort_link(admin: ModelAdmin, params: Any, args: MultiDict[str, str],
               column: Column) -> dict[str, Any] | None:
    key = column.sort or (column.path if column.path in admin.sortable else None)
    if key is None:
        return None
    active = params.sort_key == key
    descending = active and not params.descending
    return {"url": url_with(f"{admin.name}.list", args, sort=("-" if descending else "") + key),
            "active": active, "descending": params.descending if active else None}


def get_live_object(admin: ModelAdmin, public_id: str, *, for_form: bool = False) -> Any:
    """The live row for a write. A row of the user's scope that was deleted raises
    WriteRefused(404) naming it (the page can say so and offer to restore); any other unknown
    id is a plain 404."""
    try:
        return get_object(admin, public_id, for_form=for_form)
    except NotFound:
        raise WriteRefused(404, deleted=get_object(admin, public_id, deleted=True)) from None


def may_restore(admin: ModelAdmin, row: Any) -> bool:
    return row is not None and row.deleted_at is not None and \
        "restore" in admin.get_bulk_actions(user(), deleted=True)


def refusal_page(admin: ModelAdmin, refused: WriteRefused, *, retry_url: str | None = None,
                 list_url: str | None = None, heading: str | None = None,
                 skipped: list[tuple[str, str]] | None = None) -> Any:
    """The page for a write refused outside a form: "deleted meanwhile" (404, with a restore
    button when the user may), "changed meanwhile" (409, with links to look and retry), or
    the refusal's message."""
    row = refused.deleted if refused.status == 404 else refused.current
    heading = heading or _refusal_heading(admin, refused)
    return render_template(
        "admin/refused.html", admin=admin, refused=refused, row=row, heading=heading,
        skipped=skipped or [], retry_url=retry_url,
        list_url=list_url or url_for(f"{admin.name}.list"),
        restorable=may_restore(admin, refused.deleted),
        edit_url=(url_for(f"{admin.name}.edit", public_id=row.public_id)
                  if row is not None and row.deleted_at is None and admin.form is not None
                  else None),
        page_title=heading), refused.status


def _refusal_heading(admin: ModelAdmin, refused: WriteRefused) -> str:
    if refused.status == 404:  # a POST lost a race; a GET found the row in the trash
        meanwhile = " meanwhile" if request.method == "POST" else ""
        return f"This {admin.singular} was deleted{meanwhile}"
    if refused.status == 409 and refused.current is not None:
        return f"Someone else changed this {admin.singular} meanwhile"
    return "Nothing was changed"


# --- create / edit ----------------------------------------------------------------------------
SEEN_FIELD = "_seen"  # the form's starting point: a fingerprint of each field as it was shown
MAX_SEEN_LENGTH = 8192
SHOWN_LENGTH = 300


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


def render_form(admin: ModelAdmin, form: FlaskForm, obj: Any, status: int, *,
                conflict: list[dict[str, str]] | None = None, seen: str | None = None,
                gone: Any = None, **context: Any) -> Any:
    """The create/edit page (also the media views' page with an upload error, ``context``)."""
    shown = obj if obj is not None else gone
    details = admin.readonly_details(db_session(), obj) if obj is not None else []
    title = (admin.row_label(shown) if shown is not None
             else f"Deleted {admin.singular}" if status == 404 else f"Add {admin.singular}")
    return render_template("admin/form.html", admin=admin, form=form, obj=obj, gone=gone,
                           heading=title, conflict=conflict, seen=seen, details=details,
                           restorable=may_restore(admin, gone), **context,
                           page_title=(f"Edit {admin.singular}" if shown is not None
                                       else f"Add {admin.singular}")), status


def _refused_form(admin: ModelAdmin, form: AdminForm, obj: Any, refused: WriteRefused,
                  me: User) -> Any:
    """A refused save answered on the form, the user's input kept: the field error (422),
    the conflict with what changed (409), or "deleted while you were editing" (404)."""
    if refused.status == 409 and refused.current is not None:
        return _conflict(admin, form, refused.current, me)
    if refused.status == 404:
        what = (f"This {admin.singular} was deleted while you were editing it"
                if refused.deleted is not None else
                f"This {admin.singular} no longer exists or is no longer yours to edit")
        then = (f" Restore the {admin.singular} (below), then save again."
                if may_restore(admin, refused.deleted) else "")
        form.form_errors.append(
            f"{what}. Nothing of yours was saved; your input is kept below.{then}")
        return render_form(admin, form, None, 404, gone=refused.deleted)
    attach(form, refused.error)
    return render_form(admin, form, obj, 422, seen=request.form.get(SEEN_FIELD))


def create_view(admin: ModelAdmin) -> Any:
    if not admin.can_create:
        abort(404)
    me, session = user(), db_session()
    form = admin.get_form(me, None, request.form if request.method == "POST" else None)
    prepare_related(admin, form, session, me)
    if request.method != "POST":
        return render_form(admin, form, None, 200)
    if not form.validate():
        return render_form(admin, form, None, 422)
    obj = admin.model_cls()
    try:
        with committed_write(admin, obj):
            admin.save(session, obj, form, me, created=True)
    except WriteRefused as refused:
        return _refused_form(admin, form, None, refused, me)
    flash(f"Added {admin.singular} “{admin.row_label(obj)}”.", "success")
    return _redirect_after_save(admin, obj)


def edit_view(admin: ModelAdmin, public_id: str) -> Any:
    me, session = user(), db_session()
    try:
        obj = get_live_object(admin, public_id, for_form=True)
    except WriteRefused as refused:
        if request.method != "POST":
            return refusal_page(admin, refused)
        form = admin.get_form(me, refused.deleted, request.form)
        prepare_related(admin, form, session, me)
        return _refused_form(admin, form, None, refused, me)
    if request.method == "POST" and admin.save_as_new and "_saveasnew" in request.form:
        return create_view(admin)  # a copy: the edited values become a new row
    if request.method != "POST":
        form = admin.get_form(me, obj)
        form.version_id.data = str(obj.version_id)
        prepare_related(admin, form, session, me)
        return render_form(admin, form, obj, 200, seen=seen_token(form))

    form = admin.get_form(me, obj, request.form)
    prepare_related(admin, form, session, me)
    if not form.validate():
        return render_form(admin, form, obj, 422, seen=request.form.get(SEEN_FIELD))
    if form.submitted_version != obj.version_id:
        return _conflict(admin, form, obj, me)
    try:
        with committed_write(admin, obj):
            changes = admin.save(session, obj, form, me, created=False)
    except WriteRefused as refused:
        return _refused_form(admin, form, obj, refused, me)
    if changes:
        flash(f"Saved {admin.singular} “{admin.row_label(obj)}”.", "success")
    else:
        flash("No changes to save.", "info")
    return _redirect_after_save(admin, obj)


def _conflict(admin: ModelAdmin, form: AdminForm, current: Any, me: User) -> Any:
    """Someone saved since this form was opened: keep the user's input and list exactly the
    fields the other save changed — the form's starting point (``_seen``) against the row
    now — with the values they saved beside the user's. A second Save (now based on the
    current version) overwrites knowingly."""
    theirs = admin.get_form(me, current)
    started = _read_seen(request.form.get(SEEN_FIELD))
    changed = []
    for field in form.data_fields():
        other = theirs._fields.get(field.name)
        if other is None:
            continue
        moved = (started.get(field.name) != _fingerprint(other) if started is not None
                 else _identity(field) != _identity(other))  # no starting point: vs. the input
        if moved:
            changed.append({"label": field.label.text, "theirs": readable(other),
                            "yours": readable(field)})
    form.version_id.data = str(current.version_id)
    form.version_id.raw_data = [str(current.version_id)]
    form.form_errors.append(
        f"Someone else saved this {admin.singular} while you were editing it. Nothing of yours "
        "was saved. Review their values below; save again to replace them with yours.")
    return render_form(admin, form, current, 409, conflict=changed, seen=seen_token(theirs))


def readable(field: Any) -> str:
    """A form field's value as a person reads it: a related row by its name, a choice by its
    label, yes/no, and otherwise as the form shows it (a duration as m:ss, a price as 10.99)."""
    if isinstance(field, RelatedField):
        text = field.source.label(field.data) if field.data is not None else (field.raw or "")
    elif field.type == "BooleanField":
        text = display(bool(field.data))
    elif field.type == "PasswordField":
        text = "(hidden)"
    elif isinstance(field, SelectField):
        text = next((str(choice.label) for choice in field.iter_choices() if choice.selected),
                    display(field.data))
    else:
        text = display(field._value() if hasattr(field, "_value") else field.data)
    text = text or "—"
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 1] + "…"


def _identity(field: Any) -> str:
    """What makes two values of a field the same (a related row by its id, not its name)."""
    if isinstance(field, RelatedField):
        return f"row:{field.data.public_id}" if field.data is not None else ""
    if field.type in {"BooleanField", "PasswordField"} or isinstance(field, SelectField):
        return readable(field)
    return display(field._value() if hasattr(field, "_value") else field.data)


def _fingerprint(field: Any) -> str:
    return hashlib.sha256(_identity(field).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def seen_token(form: AdminForm) -> str:
    """The starting point of an edit form, carried by the page: a short fingerprint of each
    field's value (not the values: a page stays small and a lyrics field is not doubled)."""
    prints = {field.name: _fingerprint(field) for field in form.data_fields()}
    return base64.urlsafe_b64encode(json.dumps(prints, sort_keys=True).encode()).decode()


def _read_seen(raw: str | None) -> dict[str, str] | None:
    """The submitted starting point; None when missing or not one this app wrote."""
    if not raw or len(raw) > MAX_SEEN_LENGTH:
        return None
    try:
        prints = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
    except (ValueError, TypeError):
        return None
    if not isinstance(prints, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in prints.items()):
        return None
    return prints


# --- delete -----------------------------------------------------------------------------------
def delete_view(admin: ModelAdmin, public_id: str) -> Any:
    if not admin.can_delete:
        abort(404)
    me, session = user(), db_session()
    try:
        obj = get_live_object(admin, public_id)
    except WriteRefused as refused:
        return refusal_page(admin, refused)
    form = ConfirmForm()
    impact = admin.delete_impact(session, obj, me)
    blocked = [item for item in impact if item.blocks]
    notice = None
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.validate():
        status = 409
        if not blocked:
            label = admin.row_label(obj)
            try:
                with committed_write(admin, obj):
                    admin.soft_delete(session, obj, me)
            except WriteRefused as refused:
                if refused.status == 404:
                    return refusal_page(admin, refused)
                obj = refused.current or obj
                notice = (f"Someone else changed this {admin.singular} while you were "
                          "confirming; it was not deleted. Check it and confirm again."
                          if refused.current is not None else refused.error.message)
                impact = admin.delete_impact(session, obj, me)
                blocked = [item for item in impact if item.blocks]
            else:
                flash(f"Deleted {admin.singular} “{label}”.", "success")
                return redirect(url_for(f"{admin.name}.list"))
    return render_template("admin/confirm_delete.html", admin=admin, obj=obj, form=form,
                           impact=impact, blocked=blocked, notice=notice,
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
    entries = [{"event": event, "changes": describe_changes(
        admin, event.changes, admin.history_fields_hidden)} for event in events]
    return render_template("admin/history.html", admin=admin, obj=obj, entries=entries,
                           page_title=f"History of {admin.row_label(obj)}")


# --- export -----------------------------------------------------------------------------------
def export_view(admin: ModelAdmin) -> Any:
    me = user()
    params = parse_list_params(admin, request.args, me)
    session = db_session()
    return _csv_response(admin, me, iter_rows(session, admin, me, params),
                         admin.name)


def _csv_response(admin: ModelAdmin, me: User, rows: Iterator[Any], stem: str) -> Response:
    columns = admin.get_csv_columns(me)
    return csv_response([column.title for column in columns],
                        ([_csv_value(admin, obj, column) for column in columns] for obj in rows),
                        stem)


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
