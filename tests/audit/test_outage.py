"""Restore and purge on /audit/ when the database goes away mid-request: the outage page (503
with Retry-After), never a line saying the database "refused" — and nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from tests.factories import make_genre
from tests.production.test_outage_mid_request import (
    admin_client,
    assert_friendly_503,
    failing_statements,
)
from webadmin.admin import deletions
from webadmin.db import get_db
from webadmin.models import AuditEvent, Genre


@pytest.fixture
def app_config():
    return {"PROPAGATE_EXCEPTIONS": False}


def deleted_genre(app, client, token, name: str) -> Genre:
    with app.app_context():
        session = get_db(app).session()
        genre = make_genre(session, name=name)
        session.commit()
    response = client.post(f"/genres/{genre.public_id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    return genre


@pytest.mark.parametrize(("verb", "statement"), [("restore", "UPDATE"), ("purge", "DELETE")])
def test_a_restore_or_purge_that_loses_the_connection_is_503(app, users, backend, verb,
                                                              statement):
    client, token = admin_client(app, users)
    genre = deleted_genre(app, client, token, f"Outage {verb}")
    with failing_statements(app, backend, statement):
        response = client.post(f"/audit/{verb}", data={
            "ids": f"genres:{genre.public_id}", "confirm": "yes", "csrf_token": token})
    assert_friendly_503(response)
    with app.app_context():
        session = get_db(app).session()
        row = session.get(Genre, genre.id)
        assert row is not None and row.deleted_at is not None  # still deleted, not purged
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.target_public_id == str(genre.public_id))).all()
        assert actions == ["record.deleted"]
    # The next request is served normally, and says nothing was refused.
    page = client.get("/audit/").get_data(as_text=True)
    assert "refuse" not in page and "could not be" not in page


@pytest.mark.parametrize("verb", ["restore", "purge"])
def test_a_connection_error_raised_inside_the_engine_call_is_503_not_refused(
        app, users, backend, verb, monkeypatch):
    """The driver's error as SQLAlchemy raises it to the caller (an OperationalError, a
    DBAPIError like the refusals) is an outage, not a refusal."""
    client, token = admin_client(app, users)
    genre = deleted_genre(app, client, token, f"Dropped {verb}")

    def dropped(*_args, **_kwargs):
        raise OperationalError("UPDATE genre", {}, Exception("server closed the connection"))

    monkeypatch.setattr(deletions, verb, dropped)
    response = client.post(f"/audit/{verb}", data={
        "ids": f"genres:{genre.public_id}", "confirm": "yes", "csrf_token": token})
    monkeypatch.undo()
    assert_friendly_503(response)
    page = client.get("/audit/").get_data(as_text=True)
    assert "refuse" not in page and "could not be" not in page
