"""Sign-in, sign-out and the user's own password.

Every outcome is written to the audit log in the same transaction as the change it describes
(``auth.sign_in``, ``auth.sign_in_failed``, ``auth.sign_in_throttled``, ``auth.sign_out``,
``auth.signed_out_elsewhere``, ``auth.password_changed``, ``auth.password_change_throttled``);
entries name the account by email, never carry a password or hash.

Every password check takes its attempt from the throttling budgets first (throttling.py) and gives
it back when the password is right.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, render_template, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.utils import redirect

from ..admin.types import FieldError
from ..admin.writes import WriteRefused, committed_write
from ..db import session as db_session
from ..models import User, UserRole, live, utcnow
from ..services import audit
from ..services.users import (
    change_own_password,
    end_sessions,
    find_live_user_by_email,
    normalize_email,
)
from . import sessions, throttling
from .forms import LoginForm, PasswordChangeForm
from .loader import may_use_back_office
from .passwords import burn_verification_time, hash_password, needs_rehash, verify_password
from .permissions import allow, public
from .redirects import redirect_inside, safe_next
from .throttling import (
    TooManyAttempts,
    describe_wait,
    first_report_of_this_lock,
    give_back,
    take_password_check,
    take_sign_in_attempt,
)

bp = Blueprint("auth", __name__)
bp.record_once(lambda state: throttling.init_app(state.app))

BAD_CREDENTIALS = "The email address or password is incorrect."
NOT_ALLOWED = "This account cannot sign in to the back office."
SIMULTANEOUS_CHANGE = ("Your password was changed at the same moment from another window or tab, "
                       "so this change was not saved. Use the password you chose there.")


def render_login(form: LoginForm, *, error: str | None = None, status: int = 200):
    next_path = safe_next(request.args.get("next"), default="")
    return render_template("auth/login.html", form=form, error=error,
                           next_path=next_path or None), status


def find_account(db: Session, email: str) -> User | None:
    """The live account with this email, else the most recently deleted one (so that a deleted
    account gets an honest "cannot sign in" — but only after its correct password)."""
    user = find_live_user_by_email(db, email)
    if user is not None:
        return user
    return db.scalars(
        select(User).where(func.lower(User.email) == email, ~live(User))
        .order_by(User.deleted_at.desc(), User.id.desc()).limit(1)).first()


def check_credentials(db: Session, email: str, password: str) -> User | None:
    """The account if the password is right. One hash verification either way, so an unknown
    email costs the same time as a wrong password."""
    user = find_account(db, email)
    if user is None:
        burn_verification_time(password)
        return None
    return user if verify_password(user.password_hash, password) else None


def stamp_sign_in(db: Session, user: User, password: str) -> None:
    """Record the sign-in time (and upgrade an outdated hash) without a new row version: a
    sign-in is no edit, so two at once (a double click, two devices) don't conflict with each
    other, nor with a superadmin editing the account meanwhile."""
    values: dict[str, object] = {"last_sign_in_at": utcnow()}
    if needs_rehash(user.password_hash):
        values["password_hash"] = hash_password(password)
    db.execute(update(User).where(User.id == user.id).values(**values))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect_inside(request.args.get("next"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_login(form)

    db = db_session()
    email = normalize_email(form.email.data)
    attempt = take_sign_in_attempt(email)  # before the password is looked at; may raise 429
    user = check_credentials(db, email, form.password.data)
    if user is None:
        audit.record(db, "auth.sign_in_failed", details={"email": email,
                                                         "reason": "bad_credentials"})
        db.commit()
        return render_login(form, error=BAD_CREDENTIALS)
    if user.role is UserRole.listener:
        # Listeners are the public's accounts: the back office must not confirm their passwords
        # (that would make it a password oracle for every listener), so a listener gets exactly
        # what a wrong password gets, and the attempt counts against the throttle. The sign-in
        # page says up front that listening accounts sign in in the app.
        audit.record(db, "auth.sign_in_failed", target=user,
                     details={"email": email, "reason": "listener_account"})
        db.commit()
        return render_login(form, error=BAD_CREDENTIALS)
    give_back(attempt)  # the right password: this attempt does not count
    if not may_use_back_office(user):
        audit.record(db, "auth.sign_in_failed", target=user,
                     details={"email": email, "reason": "account_cannot_sign_in"})
        db.commit()
        return render_login(form, error=NOT_ALLOWED)

    stamp_sign_in(db, user, form.password.data)
    audit.record(db, "auth.sign_in", actor=user, target=user)
    db.commit()
    sessions.start_session(user)
    return redirect_inside(request.args.get("next"))


@bp.errorhandler(TooManyAttempts)
def throttled_attempt(refused: TooManyAttempts):
    """429 with the page again, saying how long to wait (Retry-After too)."""
    later = f"Try again in {describe_wait(refused.retry_after)}."
    headers = {"Retry-After": str(refused.retry_after)}
    db = db_session()
    report = first_report_of_this_lock(refused)
    if request.endpoint == "auth.password":
        user = current_user._get_current_object()
        if report:
            audit.record(db, "auth.password_change_throttled", actor=user, target=user)
            db.commit()
        form = PasswordChangeForm(formdata=None)
        form.form_errors.append(f"Too many wrong passwords for this account. {later}")
        return render_password_page(form), 429, headers
    email = normalize_email(str(request.form.get("email", "")))  # validated before the attempt
    if report:
        audit.record(db, "auth.sign_in_throttled",
                     details={"email": email, "limited_by": refused.scope})
        db.commit()
    body, status = render_login(LoginForm(formdata=None, email=email or None),
                                error=f"Too many failed sign-in attempts. {later}", status=429)
    return body, status, headers


@bp.post("/logout")
@allow(UserRole.superadmin, UserRole.singer)
def logout():
    """Ends the session everywhere: the account's token is replaced, so a copy of this cookie
    (or any other session of the account) opens nothing afterwards."""
    db = db_session()
    user = current_user._get_current_object()
    end_sessions(user, db)
    audit.record(db, "auth.sign_out", actor=user, target=user)
    db.commit()
    logout_user()
    session.clear()
    flash("You have been signed out on every device.", "success")
    return redirect(url_for("auth.login"))


@bp.post("/account/sign-out-elsewhere")
@allow(UserRole.superadmin, UserRole.singer)
def sign_out_elsewhere():
    """Every other session of the account ends; this one stays, with its absolute deadline."""
    db = db_session()
    user = current_user._get_current_object()
    end_sessions(user, db)
    audit.record(db, "auth.signed_out_elsewhere", actor=user, target=user)
    db.commit()
    sessions.keep_this_session(user)
    flash("Every other session of your account has been signed out.", "success")
    return redirect(url_for("auth.password"))


def render_password_page(form: PasswordChangeForm) -> str:
    ends = sessions.deadline(current_app, session)
    return render_template(
        "auth/password.html", form=form, page_title="Change password",
        session_ends=None if ends is None else datetime.fromtimestamp(ends, tz=UTC),
        idle_lifetime=describe_wait(current_app.config["SESSION_LIFETIME_MINUTES"] * 60))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(UserRole.superadmin, UserRole.singer)
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        attempt = take_password_check(user.email)  # the sign-in budget; may raise 429
        if verify_password(user.password_hash, form.current_password.data):
            give_back(attempt)
            db = db_session()
            try:
                with committed_write():
                    if not change_own_password(db, user, user.password_hash,
                                               form.new_password.data):
                        raise WriteRefused(409, FieldError(None, SIMULTANEOUS_CHANGE))
                    audit.record(db, "auth.password_changed", actor=user, target=user)
            except WriteRefused as refused:
                form.form_errors.append(refused.error.message)
                return render_password_page(form), refused.status
            sessions.keep_this_session(user)  # this session carries the new token
            flash("Your password has been changed. Your other sessions have been signed out.",
                  "success")
            return redirect(url_for("auth.password"))
        form.current_password.errors = [*form.current_password.errors,
                                        "The current password is incorrect."]
    return render_password_page(form)
