"""The admin layer's Flask side: one blueprint per registered section with the generic views
(each declared ``@allow(*admin.roles)``), the dashboard, the navigation, and the related lists
of an edit page. ``init_app`` runs once per app, after every section registered itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, url_for
from flask_login import current_user

from ..auth.permissions import allow
from ..db import session as db_session
from ..models import Model, UserRole
from . import actions, bulk, views
from .dashboard import bp as dashboard_bp
from .filters import RelatedFilter
from .options import ModelAdmin
from .query import capped_count
from .site import AdminSite, site
from .text import display
from .types import DefinitionError, as_columns


def bind_related_lists(registry: AdminSite) -> None:
    """Check every section's related_lists against the other sections (all problems of a
    class at once) and hand each admin the sections it names."""
    for admin in registry.admins:
        problems = []
        for related in admin.related_lists:
            other = registry.get(related.section)
            if other is None:
                problems.append(f"related_lists: no section named {related.section!r}")
                continue
            rel = other.model_cls.__mapper__.relationships.get(related.field)
            if rel is None or rel.uselist or rel.mapper.class_ is not admin.model_cls:
                problems.append(f"related_lists: {other.model_cls.__name__}.{related.field} "
                                f"is not a many-to-one relationship to "
                                f"{admin.model_cls.__name__}")
            for name in related.order_by:
                if name.lstrip("-") not in other.model_cls.__table__.c:
                    problems.append(f"related_lists: {other.model_cls.__name__} has no "
                                    f"column {name.lstrip('-')!r} to order by")
            for column in as_columns(related.columns):
                problems.extend(f"related_lists: {p}" for p in other.column_problems(column))
            params = {f.param for f in other.list_filters if isinstance(f, RelatedFilter)}
            if related.filter_param is not None and related.filter_param not in params:
                problems.append(f"related_lists: {other.name} has no related filter "
                                f"{related.filter_param!r}")
            admin.related_admins[related.section] = other
        if problems:
            raise DefinitionError(type(admin).__name__, problems)

def init_app(app: Flask, registry: AdminSite = site) -> None:
    """Find every section (``webadmin/<package>/admin.py``), check their related lists, and
    register one blueprint per section, the dashboard, the navigation and the related panels."""
    registry.autodiscover()
    bind_related_lists(registry)
    for admin in registry.admins:
        app.register_blueprint(build_blueprint(admin))
    app.register_blueprint(dashboard_bp)
    app.context_processor(registry.navigation)
    app.jinja_env.globals["related_panels"] = related_panels

def related_panels(admin: ModelAdmin, obj: Model) -> list[dict[str, Any]]:
    """The related lists of ``obj``'s edit page, each read through the other section's
    base query (its scope applies) with one bounded statement and one capped count."""
    me, session, panels = current_user._get_current_object(), db_session(), []
    for related in admin.related_lists:
        other = admin.related_admins.get(related.section)
        if other is None or me.role not in other.roles:
            continue
        model = other.model_cls
        stmt = other.base_query(me).where(related.foreign_key(model) == obj.id)
        order = [getattr(model, n.lstrip("-")).desc() if n.startswith("-")
                 else getattr(model, n) for n in related.order_by]
        rows = session.scalars(stmt.options(*other.eager_options())
                               .order_by(*order, model.id).limit(related.limit)).unique()
        columns = as_columns(related.columns) or other.get_list_display(me)
        panels.append({
            "label": related.label, "columns": [c.title for c in columns],
            "count": capped_count(session, stmt), "singular": other.singular,
            "rows": [(url_for(f"{other.name}.edit", public_id=row.public_id)
                      if other.form is not None else None,
                      [display(other.cell(row, c)) for c in columns]) for row in rows],
            "url": url_for(f"{other.name}.list", **(
                {related.filter_param: str(obj.public_id)} if related.filter_param else {}))})
    return panels


def build_blueprint(admin: ModelAdmin) -> Blueprint:
    """One blueprint per section, every view declared for the section's roles."""
    bp = Blueprint(admin.name, __name__, url_prefix=f"/{admin.name}")

    def add(rule: str, endpoint: str, view: Callable[..., Any], methods: list[str],
            roles: frozenset[UserRole] = admin.roles) -> None:
        def section_view(**kwargs: Any) -> Any:
            return view(admin, **kwargs)

        section_view.__name__ = f"{admin.name}_{endpoint}"
        bp.add_url_rule(rule, endpoint, allow(*roles)(section_view), methods=methods)

    add("/", "list", views.list_view, ["GET"])
    add("/export.csv", "export", views.export_view, ["GET"])
    add("/bulk", "bulk", bulk.bulk_view, ["POST"])
    if admin.has_related_lookups:  # only for the roles that have a related field or filter
        add("/lookup/<field>", "lookup", views.lookup_view, ["GET"], admin.lookup_roles)
    if admin.form is not None:
        add("/new", "create", views.create_view, ["GET", "POST"])
        add("/<public_id>/edit", "edit", views.edit_view, ["GET", "POST"])
    add("/<public_id>/delete", "delete", views.delete_view, ["GET", "POST"])
    add("/<public_id>/history", "history", views.history_view, ["GET"])
    if admin.actions:
        add("/<public_id>/do/<action>", "action", actions.action_view, ["GET", "POST"])
    admin.register_views(bp)
    return bp
