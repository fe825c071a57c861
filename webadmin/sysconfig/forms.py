"""The setting form: the value is validated against the type chosen in the same form."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError
from wtforms.widgets import html_params

from ..admin.forms import AdminForm
from ..models import ConfigValueType
from .values import ConfigValueError, display_value, normalize_value

KEY_PATTERN = r"^[a-z][a-z0-9_.]{0,99}$"
TYPE_CHOICES = [
    SelectChoice(ConfigValueType.bool.value, "Boolean (true/false)"),
    SelectChoice(ConfigValueType.int.value, "Integer"),
    SelectChoice(ConfigValueType.string.value, "Text"),
    SelectChoice(ConfigValueType.json.value, "JSON"),
]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def no_control_characters(_form: Any, field: Any) -> None:
    if isinstance(field.data, str) and any(ord(ch) < 32 and ch not in "\n\r\t"
                                           for ch in field.data):
        raise ValidationError("Remove the control characters (such as NUL) from this text.")


class ValueField(TextAreaField):
    """A textarea (JSON pretty-printed on edit), or a true/false <select> for a boolean
    setting; either way the form stores the canonical text in ``data``."""

    value_type: ConfigValueType | None = None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        if self.value_type is not None:
            return display_value(self.value_type, self.data)
        return str(self.data)

    def __call__(self, **kwargs: Any) -> Markup:
        if self.value_type is not ConfigValueType.bool:
            return super().__call__(**kwargs)
        current = self._value().strip().lower()
        kwargs.pop("rows", None)
        kwargs.pop("spellcheck", None)
        attributes = {k: v for k, v in {**self.render_kw, **kwargs}.items()
                      if k not in {"rows", "spellcheck"} and v is not None}
        options = "".join(
            f'<option value="{word}"{" selected" if current == word else ""}>{label}</option>'
            for word, label in (("true", "true"), ("false", "false")))
        # Safe: html_params escapes every attribute and the options are constants.
        return Markup(f"<select {html_params(id=self.id, name=self.name, **attributes)}>"  # noqa: S704
                      f"{options}</select>")


class ConfigForm(AdminForm):
    key = StringField(
        "Key", filters=[_strip],
        validators=[DataRequired(), Length(max=100),
                    Regexp(KEY_PATTERN, message="Start with a lowercase letter; then lowercase "
                                                "letters, digits, _ and . (at most 100).")],
        description="e.g. max_upload_mb or player.crossfade_seconds")
    value_type = SelectField("Type", choices=TYPE_CHOICES, default=ConfigValueType.string.value)
    value = ValueField(
        "Value", render_kw={"rows": 6, "spellcheck": "false"},
        description="Boolean: true or false. Integer: a whole number. JSON: any JSON value.")
    description = TextAreaField("Description", filters=[_strip], render_kw={"rows": 2},
                                validators=[Length(max=1000), no_control_characters])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:  # the submitted type on a POST, the stored one on an edit page
            self.value.value_type = ConfigValueType(self.value_type.data)
        except ValueError:
            self.value.value_type = None

    def validate_value(self, field: ValueField) -> None:
        try:
            value_type = ConfigValueType(self.value_type.data)
        except ValueError:
            return  # the type field reports its own error
        try:
            field.data = normalize_value(value_type, field.data or "")
        except ConfigValueError as exc:
            raise ValidationError(str(exc)) from exc

    def populate_obj(self, obj: Any) -> None:
        super().populate_obj(obj)
        obj.value_type = ConfigValueType(self.value_type.data)
