"""Sign-in, sign-out and the user's own password.

Every outcome is written to the audit log in the same transaction as the change it describes
(``auth.sign_in``, ``auth.sign_in_failed``, ``auth.sign_in_throttled``, ``auth.sign_out``,
``auth.password_changed``); entries name the account by email, never carry a password or hash.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, render_template, request, session, url_for
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.utils import redirect

from ..db import session as db_session
from ..models import User, UserRole, utcnow
from ..services import audit
from ..services.users import find_live_user_by_email, normalize_email, set_password
from .forms import LoginForm, PasswordChangeForm
from .loader import may_use_back_office
from .passwords import burn_verification_time, hash_password, needs_rehash, verify_password
from .permissions import allow, public
from .redirects import redirect_inside, safe_next
from .throttling import (
    breached_scope,
    describe_wait,
    first_report_of_this_lock,
    mark_failed,
    seconds_until_unlocked,
    submitted_email,
    throttled,
    throttled_for_signed_in_user,
)

bp = Blueprint("auth", __name__)

BAD_CREDENTIALS = "The email address or password is incorrect."
NOT_ALLOWED = "This account cannot sign in to the back office."


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
        select(User).where(func.lower(User.email) == email, User.deleted_at.is_not(None))
        .order_by(User.deleted_at.desc(), User.id.desc()).limit(1)).first()


def check_credentials(db: Session, email: str, password: str) -> User | None:
    """The account if the password is right. One hash verification either way, so an unknown
    email costs the same time as a wrong password."""
    user = find_account(db, email)
    if user is None:
        burn_verification_time(password)
        return None
    return user if verify_password(user.password_hash, password) else None


def start_session(user: User) -> None:
    """A fresh session for the user: nothing from before sign-in survives, CSRF token included."""
    session.clear()
    g.pop("csrf_token", None)
    session.permanent = True
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@public
@throttled
def login():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect_inside(request.args.get("next"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_login(form)

    db = db_session()
    email = normalize_email(form.email.data)
    user = check_credentials(db, email, form.password.data)
    if user is None:
        mark_failed()
        audit.record(db, "auth.sign_in_failed", details={"email": email,
                                                         "reason": "bad_credentials"})
        db.commit()
        return render_login(form, error=BAD_CREDENTIALS)
    if user.role is UserRole.listener:
        # Listeners are the public's accounts: the back office must not confirm their passwords
        # (that would make it a password oracle for every listener), so a listener gets exactly
        # what a wrong password gets, and the attempt counts against the throttle. The sign-in
        # page says up front that listening accounts sign in in the app.
        mark_failed()
        audit.record(db, "auth.sign_in_failed", target=user,
                     details={"email": email, "reason": "listener_account"})
        db.commit()
        return render_login(form, error=BAD_CREDENTIALS)
    if not may_use_back_office(user):
        audit.record(db, "auth.sign_in_failed", target=user,
                     details={"email": email, "reason": "account_cannot_sign_in"})
        db.commit()
        return render_login(form, error=NOT_ALLOWED)

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(form.password.data)
    user.last_sign_in_at = utcnow()
    audit.record(db, "auth.sign_in", actor=user, target=user)
    db.commit()
    start_session(user)
    return redirect_inside(request.args.get("next"))


@bp.errorhandler(RateLimitExceeded)
def throttled_attempt(_error: RateLimitExceeded):
    """429 with the page again, saying how long to wait (Retry-After too).

    Registered on the blueprint, so it wins over the app-wide 429 page for these views only."""
    wait = seconds_until_unlocked()
    later = f"Try again in {describe_wait(wait)}."
    db = db_session()
    report = first_report_of_this_lock()
    if request.endpoint == "auth.password":
        user = current_user._get_current_object()
        if report:
            audit.record(db, "auth.password_change_throttled", actor=user, target=user)
            db.commit()
        form = PasswordChangeForm(formdata=None)
        form.form_errors.append(f"Too many wrong passwords for this account. {later}")
        return (render_template("auth/password.html", form=form, page_title="Change password"),
                429, {"Retry-After": str(wait)})
    email = submitted_email()
    if report:
        audit.record(db, "auth.sign_in_throttled",
                     details={"email": email, "limited_by": breached_scope()})
        db.commit()
    form = LoginForm(formdata=None, email=email or None)
    body, status = render_login(form, error=f"Too many failed sign-in attempts. {later}",
                                status=429)
    return body, status, {"Retry-After": str(wait)}


@bp.post("/logout")
@allow(UserRole.superadmin, UserRole.singer)
def logout():
    db = db_session()
    user = current_user._get_current_object()
    audit.record(db, "auth.sign_out", actor=user, target=user)
    db.commit()
    logout_user()
    session.clear()
    flash("You have been signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(UserRole.superadmin, UserRole.singer)
@throttled_for_signed_in_user
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        if verify_password(user.password_hash, form.current_password.data):
            db = db_session()
            set_password(user, form.new_password.data)  # rotates the session token
            audit.record(db, "auth.password_changed", actor=user, target=user)
            db.commit()
            login_user(user)  # this session carries the new token; the others end
            flash("Your password has been changed. Your other sessions have been signed out.",
                  "success")
            return redirect(url_for("auth.password"))
        mark_failed()
        form.current_password.errors = [*form.current_password.errors,
                                        "The current password is incorrect."]
    return render_template("auth/password.html", form=form, page_title="Change password")

