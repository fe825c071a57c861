"""Account pages beyond CRUD: set a new password, deactivate, reactivate.

Each reads the account through the section's base query (a forged or deleted id is a 404), is
a POST with CSRF after a confirmation page, commits once and ends the account's sessions where
it matters (services.users rotates the session token)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..admin.views import get_object
from ..auth.permissions import allow
from ..db import session as db_session
from ..services import users as accounts
from .forms import ConfirmForm, SetPasswordForm

if TYPE_CHECKING:
    from .admin import UserAdmin


def register(bp: Blueprint, admin: UserAdmin) -> None:
    guard = allow(*admin.roles)

    @guard
    def set_password(public_id: str) -> Any:
        account = get_object(admin, public_id)
        form = SetPasswordForm()
        if form.validate_on_submit():
            session = db_session()
            accounts.set_user_password(session, current_user._get_current_object(), account,
                                       form.password.data)
            session.commit()
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
        account = get_object(admin, public_id)
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
            if activate:
                accounts.reactivate_user(session, me, account)
                message = f"{account.display_name} can sign in again."
            else:
                accounts.deactivate_user(session, me, account)
                message = f"{account.display_name} is deactivated; their sessions have ended."
            session.commit()
            flash(message, "success")
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

    bp.add_url_rule("/<public_id>/password", "set_password", set_password,
                    methods=["GET", "POST"])
    bp.add_url_rule("/<public_id>/deactivate", "deactivate", deactivate, methods=["GET", "POST"])
    bp.add_url_rule("/<public_id>/reactivate", "reactivate", reactivate, methods=["GET", "POST"])
