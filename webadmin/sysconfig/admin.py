"""The config section: typed settings, each value validated by its type."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from ..admin import site
from ..admin.filters import ChoiceFilter
from ..admin.options import Column, ModelAdmin
from ..models import ConfigValueType, SystemConfig, User, UserRole
from .forms import ConfigForm
from .values import short_value


@site.register
class ConfigAdmin(ModelAdmin):
    model = SystemConfig
    name = "config"
    singular = "setting"
    roles = {UserRole.superadmin}
    nav_order = 60
    list_display = (
        Column("key", "Key", sort="key", link=True),
        Column("value_type", "Type", sort="type"),
        Column("value_preview", "Value"),
        Column("updated_by.display_name", "Updated by"),
        Column("updated_at", "Updated", sort="updated"),
    )
    csv_columns = ("key", "value_type", "value", "description", "updated_at")
    sortable = {"key": "key", "type": "value_type", "updated": "updated_at",
                "created": "created_at"}
    ordering = "key"
    search_fields = ("key", "description")
    search_hint = "Key or description"
    list_filters = (ChoiceFilter("value_type", ConfigValueType, "Type"),)
    form = ConfigForm
    constraint_messages = {
        "uq_system_config_key_live": ("key", "A setting “{key}” already exists."),
        "ck_system_config_key_not_empty": ("key", "Enter a key."),
    }

    def value_preview(self, setting: SystemConfig) -> str:
        return short_value(setting.value_type, setting.value)

    def populate(self, obj: Any, form: FlaskForm, user: User) -> None:
        super().populate(obj, form, user)
        obj.value_type = ConfigValueType(form.value_type.data)
        obj.updated_by_user_id = user.id
