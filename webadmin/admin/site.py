"""The admin site: the registry of sections, one blueprint per section, the navigation.

Sections register themselves in their package's ``admin.py`` (``@site.register``); ``init_app``
imports every ``webadmin/<package>/admin.py`` (Django's autodiscover), then builds and registers
one blueprint per section with the generic views, each declared ``@allow(*admin.roles)``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Flask, request, url_for
from flask_login import current_user

from ..auth.permissions import allow
from ..models import UserRole
from . import views
from .options import ModelAdmin

A = TypeVar("A", bound=type[ModelAdmin])


@dataclass(frozen=True)
class Page:
    """A non-model page in the navigation (e.g. the audit log): label, endpoint, roles."""

    label: str
    endpoint: str
    roles: frozenset[UserRole]
    order: int = 100


class AdminSite:
    def __init__(self) -> None:
        self._admins: dict[str, ModelAdmin] = {}
        self._pages: dict[str, Page] = {}

    # --- registry ---------------------------------------------------------------------------
    def register(self, admin_cls: A) -> A:
        """Class decorator: ``@site.register`` on a ModelAdmin subclass."""
        admin = admin_cls()
        existing = self._admins.get(admin.name)
        if existing is not None and type(existing).__qualname__ != admin_cls.__qualname__:
            raise ValueError(f"section {admin.name!r} is already registered by "
                             f"{type(existing).__name__}")
        self._admins[admin.name] = admin
        return admin_cls

    def register_page(self, label: str, endpoint: str, roles: set[UserRole] | frozenset[UserRole],
                      order: int = 100) -> None:
        """Add a page that is not a ModelAdmin (e.g. /audit/) to the navigation."""
        self._pages[endpoint] = Page(label, endpoint, frozenset(roles), order)

    def get(self, name: str | None) -> ModelAdmin | None:
        return self._admins.get(name or "")

    def __getitem__(self, name: str) -> ModelAdmin:
        return self._admins[name]

    @property
    def admins(self) -> list[ModelAdmin]:
        return sorted(self._admins.values(), key=lambda a: (a.nav_order, a.name))

    def admins_for(self, role: UserRole | None) -> list[ModelAdmin]:
        return [admin for admin in self.admins if role in admin.roles]

    # --- app wiring -------------------------------------------------------------------------
    def autodiscover(self) -> None:
        import webadmin

        for module in pkgutil.iter_modules(webadmin.__path__):
            if module.ispkg and module.name != "admin":
                try:
                    importlib.import_module(f"webadmin.{module.name}.admin")
                except ModuleNotFoundError as exc:
                    if exc.name != f"webadmin.{module.name}.admin":
                        raise

    def init_app(self, app: Flask) -> None:
        self.autodiscover()
        for admin in self.admins:
            app.register_blueprint(build_blueprint(admin))
        from .dashboard import bp as dashboard_bp

        app.register_blueprint(dashboard_bp)
        app.context_processor(self.navigation)

    def navigation(self) -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {"nav_sections": []}
        role = current_user.role
        blueprint = request.blueprint
        items = [(0, {"url": url_for("dashboard.index"), "label": "Dashboard",
                      "active": request.endpoint == "dashboard.index"})]
        for admin in self.admins_for(role):
            items.append((admin.nav_order, {"url": url_for(f"{admin.name}.list"),
                                            "label": admin.label,
                                            "active": blueprint == admin.name}))
        for page in self._pages.values():
            if role in page.roles:
                items.append((page.order, {"url": url_for(page.endpoint), "label": page.label,
                                           "active": request.endpoint == page.endpoint}))
        items.sort(key=lambda item: item[0])
        return {"nav_sections": [item for _order, item in items]}


def build_blueprint(admin: ModelAdmin) -> Blueprint:
    """One blueprint per section, every view declared for the section's roles."""
    bp = Blueprint(admin.name, __name__, url_prefix=f"/{admin.name}")
    guard = allow(*admin.roles)

    def add(rule: str, endpoint: str, view: Callable[..., Any], methods: list[str]) -> None:
        def section_view(**kwargs: Any) -> Any:
            return view(admin, **kwargs)

        section_view.__name__ = f"{admin.name}_{endpoint}"
        bp.add_url_rule(rule, endpoint, guard(section_view), methods=methods)

    add("/", "list", views.list_view, ["GET"])
    add("/export.csv", "export", views.export_view, ["GET"])
    add("/bulk", "bulk", views.bulk_view, ["POST"])
    if admin.has_related_lookups:
        add("/lookup/<field>", "lookup", views.lookup_view, ["GET"])
    if admin.form is not None:
        add("/new", "create", views.create_view, ["GET", "POST"])
        add("/<public_id>/edit", "edit", views.edit_view, ["GET", "POST"])
    add("/<public_id>/delete", "delete", views.delete_view, ["GET", "POST"])
    add("/<public_id>/history", "history", views.history_view, ["GET"])
    admin.register_views(bp)
    return bp


site = AdminSite()
