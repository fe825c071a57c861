"""Forms of the users section. Passwords go through auth.passwords.password_problem."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..admin.forms import AdminForm
from ..auth.passwords import MAX_PASSWORD_LENGTH, password_problem
from ..models import UserRole
from ..services.users import normalize_email

# Deliberately loose (one @, a dot in the domain, no spaces): the real check is a sign-in.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
ROLE_CHOICES = [SelectChoice(UserRole.singer.value, "Singer"),
                SelectChoice(UserRole.listener.value, "Listener"),
                SelectChoice(UserRole.superadmin.value, "Superadmin")]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _email(value: Any) -> Any:
    return normalize_email(value) if isinstance(value, str) else value


def no_control_characters(_form: Any, field: Any) -> None:
    if isinstance(field.data, str) and any(ord(ch) < 32 for ch in field.data):
        raise ValidationError("Remove the control characters (such as NUL) from this text.")


def email_address(_form: Any, field: Any) -> None:
    if field.data and not EMAIL_PATTERN.fullmatch(field.data):
        raise ValidationError("Enter an email address like name@example.com.")


def acceptable_password(_form: Any, field: Any) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class _UserFields(AdminForm):
    email = StringField("Email", filters=[_email],
                        validators=[DataRequired(), Length(max=320), no_control_characters,
                                    email_address],
                        render_kw={"autocomplete": "off", "spellcheck": "false"})
    display_name = StringField("Display name", filters=[_strip],
                               validators=[DataRequired(), Length(max=120),
                                           no_control_characters])
    role = SelectField("Role", choices=ROLE_CHOICES, default=UserRole.singer.value,
                       description="Singers manage their own songs; listeners cannot sign in "
                                   "to the back office; superadmins manage everything.")

    def populate_obj(self, obj: Any) -> None:
        obj.email = self.email.data
        obj.display_name = self.display_name.data


class UserCreateForm(_UserFields):
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH),
                                acceptable_password],
        description="At least 12 characters. Share it with the person over a safe channel.",
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"})
    is_active = BooleanField("Active (may sign in)", default=True)


class UserEditForm(_UserFields):
    """Role changes go through services.users.change_role (guard rails + audit) in the admin."""


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH),
                                    acceptable_password],
        description="At least 12 characters. The user's current sessions end.",
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"})

