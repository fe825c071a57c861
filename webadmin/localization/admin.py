"""The localization section: one row per key and locale, plus missing translations, import
and export (views.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import url_for
from sqlalchemy import Select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..admin import site
from ..admin.filters import MAX_VALUES, Filter, FilterWidget
from ..admin.options import Column, ModelAdmin
from ..models import LocalizationString, User, UserRole
from .forms import LocalizationStringForm
from .missing import known_locales
from .transfer import is_valid_locale
from .views import register as register_pages


class LocaleFilter(Filter):
    """Locales are open-ended (any valid code), so the choices come from the data."""

    kind = "choice"

    def parse(self, args: MultiDict[str, str]) -> list[str] | None:
        values = [v for v in dict.fromkeys(args.getlist(self.param)) if is_valid_locale(v)]
        return values[:MAX_VALUES] or None

    def apply(self, stmt: Select[Any], value: list[str], user: User | None) -> Select[Any]:
        return stmt.where(self.column.in_(value))

    def widget(self, value: Any, session: Session, user: User | None) -> FilterWidget:
        locales = known_locales(session)
        for code in value or []:
            if code not in locales:
                locales.append(code)
        return FilterWidget(self.kind, self.param, self.label, list(value or []),
                            options=[(code, code) for code in locales])



@site.register
class LocalizationAdmin(ModelAdmin):
    model = LocalizationString
    name = "localization"
    singular = "string"
    roles = {UserRole.superadmin}
    nav_order = 50
    list_display = (
        Column("key", "Key", sort="key", link=True),
        Column("locale", "Locale", sort="locale"),
        Column("value_preview", "Text"),
        Column("updated_at", "Updated", sort="updated"),
    )
    csv_columns = ("key", "locale", "value", "updated_at")
    sortable = {"key": "key", "locale": "locale", "updated": "updated_at",
                "created": "created_at"}
    ordering = "key"
    search_fields = ("key", "value")
    search_hint = "Key or text"
    list_filters = (LocaleFilter("locale", "Locale"),)
    form = LocalizationStringForm
    constraint_messages = {
        "uq_localization_string_key_locale_live": (
            "key", "“{key}” already has a text in {locale}."),
    }

    def value_preview(self, row: LocalizationString) -> str:
        text = row.value.replace("\n", " ")
        return text if len(text) <= 80 else text[:79] + "…"

    def register_views(self, bp: Any) -> None:
        register_pages(bp, self)

    def extra_links(self, user: User) -> Iterable[tuple[str, str]]:
        return (("Missing translations", url_for("localization.missing")),
                ("Import a locale file", url_for("localization.import_strings")),
                ("Export a locale file", url_for("localization.export_strings")))
