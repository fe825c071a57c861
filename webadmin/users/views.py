"""Account pages beyond CRUD: set a new password, deactivate, reactivate.

Each reads the account through the section's base query (a forged id is a 404; an account
deleted meanwhile says so), is a POST with CSRF after a confirmation page, writes through the
admin's one write path (an account changed or deleted under the write is a 409/404 page, never
a 500) and ends the account's sessions where it matters (services.users rotates the token)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..admin.forms import ConfirmForm
from ..admin.options import FieldError
from ..admin.views import get_live_object, refusal_page
from ..admin.writes import WriteRefused, committed_write
from ..auth.permissions import allow
from ..db import session as db_session
from ..services import users as accounts
from .forms import SetPasswordForm

if TYPE_CHECKING:
    from .admin import UserAdmin


def register(bp: Blueprint, admin: UserAdmin) -> None:
    guard = allow(*admin.roles)

    @guard
    def set_password(public_id: str) -> Any:
        try:
            account = get_live_object(admin, public_id)
        except WriteRefused as refused:
            return refusal_page(admin, refused)
        form = SetPasswordForm()
        if form.validate_on_submit():
            session = db_session()
            try:
                with committed_write(admin, account):
                    accounts.set_user_password(session, current_user._get_current_object(),
                                               account, form.password.data)
            except WriteRefused as refused:
                return refusal_page(admin, refused, retry_url=request.url)
            if account.id == current_user.id:
                flash("Your password was changed; sign in again with the new one.", "success")
                return redirect(url_for("auth.login"))
            flash(f"New password set for {account.display_name}; their sessions have ended.",
                  "success")
            return redirect(url_for("users.edit", public_id=account.public_id))
        status = 422 if request.method == "POST" else 200
        return render_template("users/set_password.html", admin=admin, account=account,
                               form=form, page_title="Set a new password"), status

    def _status_change(public_id: str, *, activate: bool) -> Any:
        try:
            account = get_live_object(admin, public_id)
        except WriteRefused as refused:
            return refusal_page(admin, refused)
        me = current_user._get_current_object()
        form = ConfirmForm()
        session = db_session()
        problem = None
        if not activate:
            try:
                accounts.check_removal(session, me, account, verb="deactivate")
            except accounts.AccountGuardError as exc:
                problem = exc.message
        if request.method == "POST" and form.validate_on_submit() and problem is None:
            name = account.display_name
            try:
                with committed_write(admin, account):
                    _apply_status(session, me, account, activate=activate)
            except WriteRefused as refused:
                if refused.status != 422:
                    return refusal_page(admin, refused, retry_url=request.url)
                problem = refused.error.message
            else:
                flash(f"{name} can sign in again." if activate
                      else f"{name} is deactivated; their sessions have ended.", "success")
                return redirect(url_for("users.edit", public_id=account.public_id))
        status = 200 if request.method == "GET" else (409 if problem else 400)
        return render_template("users/confirm_status.html", admin=admin, account=account,
                               form=form, activate=activate, problem=problem,
                               page_title="Reactivate" if activate else "Deactivate"), status

    @guard
    def deactivate(public_id: str) -> Any:
        return _status_change(public_id, activate=False)

    @guard
    def reactivate(public_id: str) -> Any:
        return _status_change(public_id, activate=True)

    def _apply_status(session: Any, me: Any, account: Any, *, activate: bool) -> None:
        if activate:
            accounts.reactivate_user(session, me, account)
            return
        try:  # checked before, checked again under lock: a race can still refuse it
            accounts.deactivate_user(session, me, account)
        except accounts.AccountGuardError as exc:
            raise FieldError(None, exc.message) from exc

    bp.add_url_rule("/<public_id>/password", "set_password", set_password,
                    methods=["GET", "POST"])
    bp.add_url_rule("/<public_id>/deactivate", "deactivate", deactivate, methods=["GET", "POST"])
    bp.add_url_rule("/<public_id>/reactivate", "reactivate", reactivate, methods=["GET", "POST"])
