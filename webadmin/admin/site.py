"""The admin site: the registry of sections and pages, and the navigation.

Sections register themselves in their package's ``admin.py`` (``@site.register``);
``autodiscover`` imports every ``webadmin/<package>/admin.py`` (Django's autodiscover). The
registry imports nothing of the admin layer's behaviour, so any module may look a section up;
the blueprints are built from it by ``blueprints.init_app``.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from flask import request, url_for
from flask_login import current_user

from ..models import UserRole

if TYPE_CHECKING:
    from .options import ModelAdmin

A = TypeVar("A", bound="type[ModelAdmin]")
PACKAGE = __name__.rsplit(".", 2)[0]  # "webadmin"
PACKAGE_DIR = Path(__file__).resolve().parents[1]


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

    def admin_for(self, model: type[Any] | str) -> ModelAdmin | None:
        """The section of a model class or table name (None when no section shows it)."""
        for admin in self.admins:
            if admin.model_cls is model or admin.model_cls.__tablename__ == model:
                return admin
        return None

    # --- app wiring -------------------------------------------------------------------------
    def autodiscover(self) -> None:
        for module in pkgutil.iter_modules([str(PACKAGE_DIR)]):
            if module.ispkg and module.name != "admin":
                try:
                    importlib.import_module(f"{PACKAGE}.{module.name}.admin")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{PACKAGE}.{module.name}.admin":
                        raise

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


site = AdminSite()
