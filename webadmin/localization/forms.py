"""Forms of the localization section: one string, the import upload, the locale picker."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ..admin.forms import AdminForm
from .transfer import FORMATS, MAX_KEY_LENGTH, MAX_VALUE_LENGTH, is_valid_locale

LOCALE_HINT = "A language code, optionally with a region: en, de, pt-BR."


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def locale_code(_form: Any, field: Any) -> None:
    if field.data and not is_valid_locale(field.data):
        raise ValidationError("Use a code like en, de or pt-BR.")


def no_control_characters(_form: Any, field: Any) -> None:
    if isinstance(field.data, str) and any(ord(ch) < 32 for ch in field.data):
        raise ValidationError("Remove the control characters (such as NUL) from this text.")


def no_nul(_form: Any, field: Any) -> None:
    if isinstance(field.data, str) and "\x00" in field.data:
        raise ValidationError("Remove the NUL characters from this text.")


class LocalizationStringForm(AdminForm):
    key = StringField("Key", filters=[_strip],
                      validators=[DataRequired(), Length(max=MAX_KEY_LENGTH),
                                  no_control_characters],
                      description="Dotted name used by the apps, e.g. player.play")
    locale = StringField("Locale", filters=[_strip],
                         validators=[DataRequired(), Length(max=16), locale_code],
                         description=LOCALE_HINT)
    value = TextAreaField("Text", render_kw={"rows": 4},
                          validators=[Length(max=MAX_VALUE_LENGTH), no_nul])


class ImportForm(FlaskForm):
    locale = StringField("Locale", filters=[_strip],
                         validators=[DataRequired(), Length(max=16), locale_code],
                         description=LOCALE_HINT)
    file_format = RadioField("Format", default="json", choices=[
        SelectChoice("json", 'JSON: {"key": "value", …}'),
        SelectChoice("csv", "CSV with the header key,value")])
    upload = FileField("File", validators=[FileRequired("Choose a file to import.")],
                       description="UTF-8, at most 1 MB. Nothing is written until you confirm.")

    def validate_file_format(self, field: RadioField) -> None:
        if field.data not in FORMATS:
            raise ValidationError("Choose JSON or CSV.")


class ConfirmImportForm(FlaskForm):
    """Second step: the checked rows wait on the server (see staging); only a token travels."""

    locale = HiddenField("Locale", validators=[DataRequired(), locale_code])
    token = HiddenField("Token", validators=[DataRequired(), Length(max=64)])
