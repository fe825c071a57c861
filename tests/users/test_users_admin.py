"""Users end to end: create every role, edit, role changes, deactivate/reactivate, set a new
password, soft delete — with the guard rails and the sessions they end."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.admin.support import field_error, form_values, public_ids, signed_in
from tests.factories import make_song, make_user
from tests.helpers import DEFAULT_PASSWORD, Browser
from webadmin.auth.passwords import verify_password
from webadmin.models import AuditEvent, User, UserRole

NEW_PASSWORD = "a long enough new password"  # noqa: S105 - test data


def new_user(**overrides):
    data = {"email": " New.Singer@Example.TEST ", "display_name": " Nova Singer ",
            "role": "singer", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
            "is_active": "y"}
    data.update(overrides)
    return data


def live_user(db_session, email):
    db_session.expire_all()
    return db_session.scalars(select(User).where(
        func.lower(User.email) == email.lower(), User.deleted_at.is_(None))).one_or_none()


def actions_on(db_session, user):
    return db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_public_id == str(user.public_id)).order_by(AuditEvent.id)).all()


@pytest.mark.parametrize("role", ["singer", "listener", "superadmin"])
def test_create_every_role(admin_browser, db_session, role):
    response = admin_browser.submit("/users/new", new_user(role=role))
    assert response.status_code == 302, response.get_data(as_text=True)
    user = live_user(db_session, "new.singer@example.test")
    assert user.email == "new.singer@example.test" and user.display_name == "Nova Singer"
    assert user.role == UserRole(role) and user.is_active
    assert verify_password(user.password_hash, NEW_PASSWORD)
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "record.created",
        AuditEvent.target_public_id == str(user.public_id))).one()
    assert NEW_PASSWORD not in str(event.changes) and "password_hash" not in event.changes


def test_created_singer_can_sign_in(app, admin_browser, db_session):
    admin_browser.submit("/users/new", new_user())
    browser = Browser(app.test_client())
    assert browser.login("new.singer@example.test", NEW_PASSWORD).status_code == 302
    assert browser.get("/songs/").status_code == 200


def test_edit_and_soft_delete_round_trip(admin_browser, db_session, users):
    target = users.singer
    page = admin_browser.get(f"/users/{target.public_id}/edit").get_data(as_text=True)
    assert "Set a new password" in page and "Deactivate" in page
    data = form_values(page)
    assert data["email"] == "singer@example.test" and "password" not in data
    data.update(display_name="Sia Renamed", email="SIA@example.test")
    assert admin_browser.submit(f"/users/{target.public_id}/edit", data).status_code == 302
    user = live_user(db_session, "sia@example.test")
    assert user.display_name == "Sia Renamed"
    assert "Sia Renamed" in admin_browser.get("/users/?q=renamed").get_data(as_text=True)

    assert admin_browser.get(f"/users/{target.public_id}/delete").status_code == 200
    assert admin_browser.submit(f"/users/{target.public_id}/delete").status_code == 302
    assert live_user(db_session, "sia@example.test") is None
    assert str(target.public_id) not in public_ids(
        admin_browser.get("/users/").get_data(as_text=True), "users")
    assert actions_on(db_session, target) == ["record.updated", "record.deleted"]


def test_validation_errors_keep_input_and_never_echo_passwords(admin_browser, db_session):
    response = admin_browser.submit("/users/new", new_user(
        email="not-an-email", password="short", confirm="different"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "email address" in field_error(page, "email")
    assert "at least 12" in field_error(page, "password")
    assert "differ" in field_error(page, "confirm")
    values = form_values(page)
    assert values["email"] == "not-an-email" and values["display_name"] == "Nova Singer"
    assert values["password"] == "" and "short" not in page


def test_duplicate_email_is_a_form_error_with_input_kept(admin_browser, users):
    response = admin_browser.submit("/users/new", new_user(email="SINGER@example.test",
                                                           display_name="Copy Cat"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "email") == \
        "An account with the email singer@example.test already exists."
    assert form_values(page)["display_name"] == "Copy Cat"


def test_duplicate_email_on_edit(admin_browser, users):
    data = form_values(admin_browser.get(f"/users/{users.singer.public_id}/edit").get_data(
        as_text=True))
    data["email"] = users.other_singer.email
    response = admin_browser.submit(f"/users/{users.singer.public_id}/edit", data)
    assert response.status_code == 422
    assert "already exists" in field_error(response.get_data(as_text=True), "email")


def test_role_change_is_audited_and_ends_sessions(app, admin_browser, db_session, users):
    singer = signed_in(app, users.singer.email)
    data = form_values(admin_browser.get(f"/users/{users.singer.public_id}/edit").get_data(
        as_text=True))
    data["role"] = "listener"
    assert admin_browser.submit(f"/users/{users.singer.public_id}/edit", data).status_code == 302
    assert live_user(db_session, users.singer.email).role == UserRole.listener
    assert "user.role_changed" in actions_on(db_session, users.singer)
    response = singer.get("/songs/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("operation", ["demote", "deactivate", "delete"])
def test_a_superadmin_cannot_remove_themselves(admin_browser, db_session, users, operation):
    make_user(db_session, role=UserRole.superadmin)  # not the last: only "self" is in play
    db_session.commit()
    me = users.superadmin
    if operation == "demote":
        data = form_values(admin_browser.get(f"/users/{me.public_id}/edit").get_data(
            as_text=True))
        data["role"] = "singer"
        response = admin_browser.submit(f"/users/{me.public_id}/edit", data)
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "role") == \
            "You cannot demote your own account."
    else:
        page = admin_browser.get(f"/users/{me.public_id}/{operation}")
        assert f"You cannot {operation} your own account." in page.get_data(as_text=True)
        response = admin_browser.submit(f"/users/{me.public_id}/{operation}")
        assert response.status_code == 409
    me_now = live_user(db_session, me.email)
    assert me_now is not None and me_now.is_active and me_now.role == UserRole.superadmin
    assert admin_browser.get("/users/").status_code == 200  # still signed in


def test_bulk_delete_skips_the_actor(admin_browser, db_session, users):
    response = admin_browser.submit(
        "/users/", {"action": "delete", "confirm": "yes",
                    "ids": [str(users.superadmin.public_id), str(users.listener.public_id)]},
        action="/users/bulk", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "You cannot delete your own account." in page
    assert live_user(db_session, users.superadmin.email) is not None
    assert live_user(db_session, users.listener.email) is None


def test_deactivation_ends_the_live_session_on_the_next_request(app, admin_browser, db_session,
                                                                users):
    singer = signed_in(app, users.singer.email)
    assert singer.get("/songs/").status_code == 200
    page = admin_browser.get(f"/users/{users.singer.public_id}/deactivate")
    assert page.status_code == 200 and "Yes, deactivate" in page.get_data(as_text=True)
    response = admin_browser.submit(f"/users/{users.singer.public_id}/deactivate")
    assert response.status_code == 302
    assert live_user(db_session, users.singer.email).is_active is False

    response = singer.get("/songs/")  # the singer's very next click
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert Browser(app.test_client()).login(users.singer.email).status_code != 302

    assert admin_browser.submit(f"/users/{users.singer.public_id}/reactivate").status_code == 302
    assert live_user(db_session, users.singer.email).is_active is True
    assert signed_in(app, users.singer.email).get("/songs/").status_code == 200
    actions = [a for a in actions_on(db_session, users.singer) if a.startswith("user.")]
    assert actions == ["user.deactivated", "user.reactivated"]


def test_set_password_ends_sessions_and_records_no_secret(app, admin_browser, db_session, users):
    singer = signed_in(app, users.singer.email)
    url = f"/users/{users.singer.public_id}/password"
    response = admin_browser.submit(url, {"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "at least 12" in field_error(response.get_data(as_text=True), "password")
    response = admin_browser.submit(url, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302

    assert singer.get("/songs/").status_code == 302  # signed out
    fresh = Browser(app.test_client())
    assert fresh.login(users.singer.email, DEFAULT_PASSWORD).status_code != 302
    assert fresh.login(users.singer.email, NEW_PASSWORD).status_code == 302
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.password_set")).one()
    assert event.actor_user_id == users.superadmin.id
    stored = live_user(db_session, users.singer.email).password_hash
    assert NEW_PASSWORD not in repr((event.changes, event.details))
    assert stored not in repr((event.changes, event.details))


def test_delete_shows_what_else_is_affected(admin_browser, db_session, users):
    make_song(db_session, artist=users.singer)
    make_song(db_session, artist=users.singer)
    db_session.commit()
    page = admin_browser.get(f"/users/{users.singer.public_id}/delete").get_data(as_text=True)
    assert "Songs deleted with this user" in page and "<strong>2</strong>" in page


def test_export_never_contains_secrets(admin_browser, users):
    body = admin_browser.get("/users/export.csv").get_data(as_text=True)
    assert users.singer.email in body
    assert users.singer.password_hash not in body and users.singer.session_token not in body


@pytest.mark.parametrize("url", [
    "/users/not-a-uuid/edit", "/users/00000000-0000-0000-0000-000000000000/password",
    "/users/00000000-0000-0000-0000-000000000000/deactivate", "/users/%00/reactivate",
])
def test_forged_ids_are_404(admin_browser, url):
    assert admin_browser.get(url).status_code == 404


def test_filters_and_bad_input(admin_browser, users):
    page = admin_browser.get("/users/?role=singer&is_active=yes").get_data(as_text=True)
    assert users.singer.email in page and users.superadmin.email not in page
    for query in ("role=king", "is_active=x", "sort=password_hash", "per_page=-5", "q=%00"):
        assert admin_browser.get(f"/users/?{query}").status_code in (200, 400), query
    response = admin_browser.submit("/users/new", new_user(display_name="a\x00b"))
    assert response.status_code == 422
    response = admin_browser.submit("/users/new", new_user(email="x" * 3_000_000))
    assert response.status_code == 413
    response = admin_browser.submit("/users/new", new_user(role="god"))
    assert response.status_code == 422


def test_singers_cannot_reach_users(singer_browser, users):
    assert singer_browser.get("/users/").status_code == 403
    assert singer_browser.get(f"/users/{users.singer.public_id}/password").status_code == 403


def test_soft_delete_ends_the_users_live_session(app, admin_browser, users):
    singer = signed_in(app, users.singer.email)
    assert singer.get("/songs/").status_code == 200
    assert admin_browser.submit(f"/users/{users.singer.public_id}/delete").status_code == 302
    response = singer.get("/songs/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
