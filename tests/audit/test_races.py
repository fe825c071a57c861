"""Two people pressing Restore (or Purge) on the same line at once: one wins, the other is told,
nothing is done twice and nothing ends in a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tests.audit.support import audit_action, key_of
from tests.factories import make_genre
from webadmin.admin import deletions
from webadmin.admin.site import site
from webadmin.models import AuditEvent, DeletedRow, Genre, User, UserRole


@pytest.mark.postgres_only
def test_the_second_of_two_simultaneous_restores_changes_nothing(app, committing_engine:
                                                                  Engine) -> None:
    genres = site["genres"]
    with Session(committing_engine) as setup:
        actor = User(email="race@example.test", display_name="Race", role=UserRole.superadmin,
                     password_hash="x")
        genre = Genre(name="Race Genre", slug="race-genre", description="")
        setup.add_all([actor, genre])
        setup.flush()
        deletions.soft_delete(setup, genres, genre, actor)
        setup.commit()
        genre_id, actor_id = genre.id, actor.id

    # As in the app (expire_on_commit=False): each request read the deleted row, then the
    # first one restored it and committed while the second was still on its page.
    with Session(committing_engine, expire_on_commit=False) as first, \
            Session(committing_engine, expire_on_commit=False) as second:
        row1, row2 = first.get(Genre, genre_id), second.get(Genre, genre_id)
        me1, me2 = first.get(User, actor_id), second.get(User, actor_id)
        deletions.restore(first, genres, row1, me1)
        first.commit()
        with pytest.raises(StaleDataError):
            deletions.restore(second, genres, row2, me2)
            second.flush()
        second.rollback()

    with Session(committing_engine) as check:
        assert check.get(Genre, genre_id).deleted_at is None
        assert check.scalar(select(func.count()).select_from(DeletedRow)) == 0
        assert check.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "record.restored")) == 1


def test_a_line_changed_meanwhile_is_refused_with_a_message(admin_browser, db_session,
                                                            monkeypatch):
    genre = make_genre(db_session, name="Meanwhile")
    db_session.commit()
    admin_browser.submit(f"/genres/{genre.public_id}/delete")

    def changed_meanwhile(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'genre' expected to update 1 row(s)")

    monkeypatch.setattr(type(site["genres"]), "restore", changed_meanwhile)
    response = audit_action(admin_browser, "restore", key_of("genres", genre))
    monkeypatch.undo()
    assert response.status_code == 302
    page = admin_browser.get("/audit/").get_data(as_text=True)
    assert "“Meanwhile” was changed by someone else just now" in page
