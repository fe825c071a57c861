"""Every POST in the app refuses a missing or forged CSRF token with 400 and changes nothing.

Generated from the url map like the authorization matrix, so a new form cannot escape it. The
visitor is the one the table lets in (a superadmin, or nobody for the sign-in form), so the
refusal can only come from the CSRF check.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.auth.test_authorization_matrix import RULES, build_url
from tests.authz_expectations import ALLOWED, EXPECTATIONS
from tests.conftest import make_test_app
from tests.helpers import rolled_back_transaction, session_csrf_token, sign_in_session
from webadmin.db import get_db
from webadmin.models import Base, Model

POST_RULES = [(endpoint, rule) for endpoint, rule, method in RULES if method == "POST"]


def fingerprint(session) -> dict[str, tuple]:
    """Rows, versions and soft deletes of every table: any write changes one of them."""
    session.expire_all()
    prints = {}
    for mapper in Base.registry.mappers:
        model = mapper.class_
        if issubclass(model, Model):
            prints[model.__tablename__] = tuple(session.execute(select(
                func.count(), func.coalesce(func.sum(model.version_id), 0),
                func.count(model.deleted_at))).one())
        else:
            prints[model.__tablename__] = (session.scalar(select(func.count()).select_from(model)),)
    return prints


@pytest.fixture(scope="module")
def csrf_app(migrated_database):
    app = make_test_app(migrated_database)
    yield app
    get_db(app).engine.dispose()


@pytest.mark.parametrize("token", ["missing", "forged"])
@pytest.mark.parametrize(("endpoint", "rule"), POST_RULES,
                         ids=[f"{endpoint}:{rule}" for endpoint, rule in POST_RULES])
def test_post_without_a_valid_csrf_token_is_400_and_changes_nothing(csrf_app, endpoint, rule,
                                                                    token):
    from tests.helpers import TestUsers

    expect = EXPECTATIONS[endpoint]
    visitor = "superadmin" if expect.outcomes["superadmin"] == ALLOWED else "anonymous"
    with rolled_back_transaction(csrf_app, dispose=False):
        with csrf_app.app_context():
            session = get_db(csrf_app).session()
            users = TestUsers.create(session)
        url, data = build_url(csrf_app, endpoint, rule, users)
        client = csrf_app.test_client()
        if visitor != "anonymous":
            sign_in_session(client, getattr(users, visitor))
        if token == "forged":
            data["csrf_token"] = "IjRhNzYxYzY4ZTk0NTAwNmMi.forged.signature"
        if endpoint == "auth.login":
            data.update(email=users.superadmin.email, password="correct horse battery staple")
        with csrf_app.app_context():
            before = fingerprint(get_db(csrf_app).session())
        response = client.post(url, data=data)
        assert response.status_code == 400, (endpoint, response.status_code)
        body = response.get_data(as_text=True)
        assert "Traceback" not in body
        with csrf_app.app_context():
            assert fingerprint(get_db(csrf_app).session()) == before


def test_the_fingerprint_sees_a_write_made_with_a_valid_token(csrf_app):
    """Control: the same kind of POST with the session's token does change the database."""
    from tests.factories import make_song
    from tests.helpers import TestUsers

    with rolled_back_transaction(csrf_app, dispose=False):
        with csrf_app.app_context():
            session = get_db(csrf_app).session()
            users = TestUsers.create(session)
            song_id = make_song(session, artist_user_id=users.singer.id).public_id
            session.commit()
            client = csrf_app.test_client()
            sign_in_session(client, users.superadmin)
            before = fingerprint(session)
        token = session_csrf_token(csrf_app, client)
        response = client.post(f"/songs/{song_id}/delete", data={"csrf_token": token})
        assert response.status_code == 302
        with csrf_app.app_context():
            assert fingerprint(get_db(csrf_app).session()) != before
