"""Form building blocks shared by every section: the base form (version_id, NUL-byte check)
and the related-row field (a bounded <select>, or a text input with a lookup)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from wtforms import Field, HiddenField, ValidationError
from wtforms.widgets import html_params

from ..db import session as db_session
from .related import RelatedSource
from .text import unstorable_reason

NUL_MESSAGE = "Remove the invisible NUL character from this value."


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def storable(field: Field) -> bool:
    """Whether the field's submitted text can be stored; if not, the field gets the error (every
    form's rule, ``AdminForm.validate``; the song import applies it per field too)."""
    raw = field.raw_data or []
    if any(isinstance(item, str) and unstorable_reason(item) for item in raw):
        field.errors = [*list(field.errors), NUL_MESSAGE]
        return False
    return True


def blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def with_article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for confirmation pages."""


class AdminForm(FlaskForm):
    """Base of every section form. ``version_id`` travels with the edit form so a save based on
    an outdated copy is refused (optimistic locking) instead of overwriting someone's work."""

    version_id = HiddenField()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            valid = storable(field) and valid
        return valid

    @property
    def submitted_version(self) -> int | None:
        try:
            return int(self.version_id.data)
        except (TypeError, ValueError):
            return None

    def data_fields(self) -> list[Field]:
        return [f for f in self if f.name not in {"csrf_token", "version_id"}]


class RelatedWidget:
    def __call__(self, field: RelatedField, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        current = field._value()
        if field.options is not None:
            html = [f"<select {html_params(name=field.name, **kwargs)}>",
                    f'<option value="">{escape(field.placeholder)}</option>']
            for row in field.options:
                value = str(row.public_id)
                chosen = current in {value, field.source.typed_value(row)}
                html.append(f'<option value="{escape(value)}"{" selected" if chosen else ""}>'
                            f"{escape(field.source.label(row))}</option>")
            html.append("</select>")
            return Markup("".join(html))  # noqa: S704 - every value above is escaped
        list_id = f"{field.id}-options"
        params = html_params(name=field.name, type="text", value=current, list=list_id,
                             autocomplete="off", data_lookup=field.lookup_url or None, **kwargs)
        # html_params escapes every attribute value.
        return Markup(f'<input {params}><datalist id="{escape(list_id)}"></datalist>')  # noqa: S704


class RelatedField(Field):
    """A related row chosen by public id or by an exact name (works without JavaScript).

    ``load_options`` (called by the admin views) decides the widget: every row in a <select>
    when there are at most ``select_limit``, else a text input whose datalist the lookup
    endpoint fills as the user types.
    """

    widget = RelatedWidget()

    def __init__(self, label: str | None = None, validators: Any = None, *,
                 source: RelatedSource, required: bool = True, select_limit: int = 100,
                 placeholder: str = "— choose —", **kwargs: Any):
        super().__init__(label, validators, **kwargs)
        self.source = source
        self.required = required
        self.select_limit = select_limit
        self.placeholder = placeholder
        self.options: list[Any] | None = None
        self.lookup_url: str | None = None
        self.raw: str | None = None
        if required:
            self.flags.required = True

    def process_data(self, value: Any) -> None:
        self.data = value

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = str(valuelist[0]) if valuelist else ""
        self.data = None

    def load_options(self, session: Session, user: Any, lookup_url: str | None) -> None:
        self.options = self.source.bounded_options(session, user, self.select_limit)
        self.lookup_url = lookup_url

    def _value(self) -> str:
        if self.raw is not None:
            return self.raw
        if self.data is None:
            return ""
        if self.options is not None:
            return str(self.data.public_id)
        return self.source.typed_value(self.data)

    def pre_validate(self, form: Any) -> None:
        if self.raw is None:  # not submitted: keep the object's value
            return
        raw = self.raw.strip()
        if not raw:
            if self.required:
                raise ValidationError(f"Choose {with_article(self.label.text.lower())}.")
            self.data = None
            return
        if "\x00" in raw or len(raw) > 320:
            raise ValidationError(f"No {self.label.text.lower()} matches this value.")
        row, matches = self.source.resolve(db_session(), current_user._get_current_object(), raw)
        if matches > 1:
            raise ValidationError(f"Several match “{raw}”; pick one from the list.")
        if row is None:
            raise ValidationError(f"No {self.label.text.lower()} matches “{raw}”.")
        self.data = row
