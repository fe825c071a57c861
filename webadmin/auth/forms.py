"""Sign-in and password forms. Lengths are bounded and NUL bytes refused here, before anything
reaches the database or the hash function."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from .passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem

MAX_EMAIL_LENGTH = 320


def no_nul_bytes(_form: FlaskForm, field: Field) -> None:
    if field.data and "\x00" in field.data:
        raise ValidationError("This field contains a character that is not allowed.")


class LoginForm(FlaskForm):
    email = EmailField(
        "Email", validators=[DataRequired(message="Enter your email address."),
                             Length(max=MAX_EMAIL_LENGTH), no_nul_bytes],
        render_kw={"autocomplete": "username", "autofocus": True, "spellcheck": "false",
                   "autocapitalize": "none"})
    password = PasswordField(
        "Password", validators=[DataRequired(message="Enter your password."),
                                Length(max=MAX_PASSWORD_LENGTH), no_nul_bytes],
        render_kw={"autocomplete": "current-password"})


def acceptable_new_password(_form: FlaskForm, field: Field) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(message="Enter your current password."),
                                        Length(max=MAX_PASSWORD_LENGTH), no_nul_bytes],
        render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        "New password", validators=[DataRequired(message="Choose a new password."),
                                    acceptable_new_password],
        description=f"At least {MIN_PASSWORD_LENGTH} characters; a few unrelated words work well.",
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        "New password again", validators=[
            DataRequired(message="Type the new password again."),
            EqualTo("new_password", message="The two new passwords differ.")],
        render_kw={"autocomplete": "new-password"})

    def validate_new_password(self, field: Field) -> None:
        if field.data and field.data == self.current_password.data:
            raise ValidationError("Choose a password different from the current one.")
