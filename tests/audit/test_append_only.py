"""Issue 9, must show 2 and 3: the log cannot be rewritten, and a change and its entry commit
together or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.admin.support import form_values
from tests.factories import make_genre
from webadmin.db import DatabaseUnavailable
from webadmin.models import AuditEvent, Genre
from webadmin.services import audit


@pytest.fixture
def entry(db_session) -> AuditEvent:
    event = audit.record(db_session, "record.created", target_type="genre",
                         target_label="Jazz", changes={"name": [None, "Jazz"]})
    db_session.commit()
    return event


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'record.deleted'",
    "UPDATE audit_event SET changes = NULL WHERE id = :id",
    "DELETE FROM audit_event WHERE id = :id",
    "DELETE FROM audit_event",
])
def test_update_and_delete_on_audit_event_raise(db_session, entry, statement):
    with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(text(statement), {"id": entry.id})
    db_session.expire_all()
    assert db_session.get(AuditEvent, entry.id).action == "record.created"


def test_the_orm_cannot_edit_or_delete_an_entry_either(db_session, entry):
    with pytest.raises(DBAPIError), db_session.begin_nested():
        entry.target_label = "Rewritten"
        db_session.flush()
    db_session.expire_all()
    with pytest.raises(DBAPIError), db_session.begin_nested():
        db_session.delete(db_session.get(AuditEvent, entry.id))
        db_session.flush()
    db_session.expire_all()
    assert db_session.get(AuditEvent, entry.id).target_label == "Jazz"


@pytest.mark.postgres_only
def test_truncate_is_refused_on_postgresql(db_session, entry):
    with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
        db_session.execute(text("TRUNCATE audit_event"))


def updated_entries(session: Session, genre: Genre) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.target_public_id == str(genre.public_id),
        AuditEvent.action == "record.updated")))


def edit_genre(browser, genre: Genre, description: str):
    url = f"/genres/{genre.public_id}/edit"
    values = form_values(browser.get(url).get_data(as_text=True))
    values["description"] = description
    return browser.submit(url, values)


def test_a_change_whose_commit_fails_leaves_no_entry(admin_browser, db_session, monkeypatch):
    genre = make_genre(db_session, description="before")
    db_session.commit()
    genre_id = genre.id
    real_commit = Session.commit

    def failing_commit(self: Session) -> None:
        """The edit's commit fails (the connection drops) after its flush went through."""
        if any(isinstance(obj, AuditEvent) for obj in self.new):
            self.flush()
            # What the engine's error listener makes of a connection dropped at COMMIT.
            raise DatabaseUnavailable("server closed the connection")
        real_commit(self)

    url = f"/genres/{genre.public_id}/edit"
    values = form_values(admin_browser.get(url).get_data(as_text=True))
    values["description"] = "after"
    token = admin_browser.token_for(url)
    monkeypatch.setattr(Session, "commit", failing_commit)
    response = admin_browser.client.post(url, data={**values, "csrf_token": token})
    monkeypatch.undo()
    assert response.status_code == 503  # the outage page: the commit's connection dropped
    db_session.expire_all()
    genre = db_session.get(Genre, genre_id)
    assert genre.description == "before"
    assert updated_entries(db_session, genre) == []


def test_an_audit_write_that_fails_leaves_no_change(admin_browser, db_session, monkeypatch):
    genre = make_genre(db_session, description="before")
    db_session.commit()
    real_record = audit.record

    def refused_record(session, action, **kwargs):
        event = real_record(session, action, **kwargs)
        event.action = None  # NOT NULL: the database refuses the entry at commit
        return event

    monkeypatch.setattr(audit, "record", refused_record)
    response = edit_genre(admin_browser, genre, "after")
    monkeypatch.undo()
    assert response.status_code == 422
    db_session.expire_all()
    assert db_session.get(Genre, genre.id).description == "before"
    assert updated_entries(db_session, genre) == []


def test_a_soft_delete_whose_entry_fails_deletes_nothing(admin_browser, db_session,
                                                          monkeypatch):
    genre = make_genre(db_session)
    db_session.commit()
    genre_id = genre.id
    token = admin_browser.token_for(f"/genres/{genre.public_id}/delete")

    def refused_record(session, action, **kwargs):
        raise DatabaseUnavailable("could not extend file: No space left on device")

    monkeypatch.setattr(audit, "record", refused_record)
    response = admin_browser.client.post(f"/genres/{genre.public_id}/delete",
                                         data={"csrf_token": token})
    monkeypatch.undo()
    assert response.status_code == 503
    db_session.expire_all()
    assert db_session.get(Genre, genre_id).deleted_at is None
    assert "Nothing is deleted" in admin_browser.get("/audit/").get_data(as_text=True)
