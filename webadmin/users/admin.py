"""The users section: accounts of every role. Role changes, deactivation, password resets and
deletes go through services.users (guard rails and audit entries, never a password)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..admin import site
from ..admin.filters import BooleanFilter, ChoiceFilter
from ..admin.options import BulkAction, Column, FieldError, Impact, ModelAdmin, RelatedList
from ..auth.passwords import hash_password
from ..models import User, UserRole, UserSubscription, live
from ..services import users as accounts
from .forms import UserCreateForm, UserEditForm
from .views import register as register_pages


def deactivate(session: Session, account: User, me: User) -> None:
    """Bulk "deactivate": the same guard rails and audit entry as the account page's button
    (never your own account, never the last superadmin; their sessions end)."""
    if not account.is_active:
        raise ValueError("it is already deactivated.")
    try:
        accounts.deactivate_user(session, me, account)
    except accounts.AccountGuardError as exc:
        raise FieldError(None, exc.message) from exc


def reactivate(session: Session, account: User, me: User) -> None:
    if account.is_active:
        raise ValueError("it is already active.")
    accounts.reactivate_user(session, me, account)


@site.register
class UserAdmin(ModelAdmin):
    model = User
    name = "users"
    roles = {UserRole.superadmin}
    nav_order = 10
    list_display = (
        Column("display_name", "Name", sort="name", link=True),
        Column("email", "Email", sort="email"),
        Column("role", "Role", sort="role"),
        Column("is_active", "Active"),
        Column("last_sign_in_at", "Last sign-in", sort="last_sign_in"),
        Column("created_at", "Created", sort="created"),
    )
    csv_columns = ("display_name", "email", "role", "is_active", "last_sign_in_at",
                   "created_at")
    sortable = {"name": "display_name", "email": "email", "role": "role",
                "last_sign_in": "last_sign_in_at", "created": "created_at"}
    search_fields = ("email", "display_name")
    search_hint = "Email or name"
    list_filters = (ChoiceFilter("role", UserRole, "Role"), BooleanFilter("is_active", "Active"))
    bulk_actions = ("delete", BulkAction("deactivate", "Deactivate…", "deactivated",
                                         apply=deactivate),
                    BulkAction("reactivate", "Reactivate…", "reactivated", apply=reactivate),
                    "export")
    form = UserCreateForm
    soft_delete_cascade = ("songs",)  # a singer's live songs go (and come back) with them
    unmapped_fields = {"password", "confirm"}  # hashed in populate
    related_lists = (RelatedList("subscriptions", "listener", "Subscriptions",
                                 filter_param="listener", order_by=("-started_at",)),)
    constraint_messages = {
        "uq_user_account_email_live": (
            "email", "An account with the email {email} already exists."),
    }

    def get_form_class(self, user: User, obj: Any) -> type[FlaskForm]:
        return UserCreateForm if obj is None or obj.id is None else UserEditForm

    def populate(self, obj: Any, form: FlaskForm, user: User) -> None:
        obj.email = form.email.data
        obj.display_name = form.display_name.data
        if obj.id is None:  # a new account; an existing one changes role in save()
            obj.role = UserRole(form.role.data)
            obj.is_active = bool(form.is_active.data)
            obj.password_hash = hash_password(form.password.data)

    def save(self, session: Session, obj: Any, form: FlaskForm, user: User, *,
             created: bool) -> dict[str, list[Any]]:
        role, before = UserRole(form.role.data), obj.role
        if not created and role != before:
            try:  # guard rails, a "user.role_changed" entry, the user's sessions end
                accounts.change_role(session, user, obj, role)
            except accounts.AccountGuardError as exc:
                raise FieldError("role", exc.message) from exc
        changes = super().save(session, obj, form, user, created=created)
        if not created and role != before:
            session.flush()
            changes = {"role": [before.value, role.value], **changes}
        return changes

    def delete_impact(self, session: Session, obj: Any, user: User) -> list[Impact]:
        impacts: list[Impact] = []
        try:
            accounts.check_removal(session, user, obj, verb="delete")
        except accounts.AccountGuardError as exc:
            impacts.append(Impact("Account", 1, blocks=True, message=exc.message))
        impacts.extend(self.cascade_impact(session, obj))
        subscriptions = session.scalar(select(func.count()).select_from(UserSubscription).where(
            UserSubscription.listener_user_id == obj.id,
            live(UserSubscription))) or 0
        if subscriptions:
            impacts.append(Impact("Subscriptions (kept for billing history)", subscriptions))
        return impacts

    def soft_delete(self, session: Session, obj: Any, user: User) -> None:
        try:
            accounts.soft_delete_user(session, user, obj)
        except accounts.AccountGuardError as exc:
            raise FieldError(None, exc.message) from exc
        super().soft_delete(session, obj, user)

    def can_delete_object(self, user: User, obj: Any) -> bool:
        return obj.id != user.id  # your own account: never offered (and refused by the views)

    def object_links(self, user: User, obj: Any) -> Iterable[tuple[str, str]]:
        links = [("Set a new password", url_for("users.set_password", public_id=obj.public_id))]
        if obj.id == user.id:
            return links
        if obj.is_active:
            links.append(("Deactivate", url_for("users.deactivate", public_id=obj.public_id)))
        else:
            links.append(("Reactivate", url_for("users.reactivate", public_id=obj.public_id)))
        return links

    def register_views(self, bp: Any) -> None:
        register_pages(bp, self)
