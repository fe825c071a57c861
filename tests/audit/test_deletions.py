"""Issue 9, must show 4–6: a singer's deletion takes their live songs along and brings exactly
those back; restore conflicts are refused whole; purge is refused while rows point at a row."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.audit.support import audit_action, entries_of, key_of, tracked
from tests.factories import make_genre, make_plan, make_song, make_subscription, make_user
from webadmin.models import AuditEvent, Deletion, Genre, Song, SubscriptionStatus, User


def fresh(db_session, row):
    db_session.expire_all()
    return db_session.get(type(row), row.id)


def test_a_singer_goes_with_their_live_songs_and_comes_back_with_exactly_those(
        admin_browser, db_session):
    singer = make_user(db_session, display_name="Nina Sings")
    live = [make_song(db_session, artist=singer, title=f"Live {n}") for n in range(3)]
    earlier = make_song(db_session, artist=singer, title="Deleted earlier")
    db_session.commit()
    assert admin_browser.submit(f"/songs/{earlier.public_id}/delete").status_code == 302

    confirm = admin_browser.get(f"/users/{singer.public_id}/delete").get_data(as_text=True)
    assert "Songs deleted with this user" in confirm and "<strong>3</strong>" in confirm
    assert admin_browser.submit(f"/users/{singer.public_id}/delete").status_code == 302
    assert fresh(db_session, singer).deleted_at is not None
    stamps = {fresh(db_session, song).deleted_at for song in live}
    assert stamps == {fresh(db_session, singer).deleted_at}  # one deletion, one moment
    deletion = db_session.scalars(select(Deletion).where(
        Deletion.target_public_id == str(singer.public_id))).one()
    assert deletion.row_count == 4

    # The audit view: one line for the singer, "with 3 more rows", expandable.
    page = admin_browser.get("/audit/").get_data(as_text=True)
    assert page.count(f'name="ids" value="users:{singer.public_id}"') == 1
    assert "with 3 songs</summary>" in page and "this row and 3 with it" in page
    for song in live:
        assert song.title in page
        assert f'name="ids" value="songs:{song.public_id}"' not in page  # inside the line
    assert f'name="ids" value="songs:{earlier.public_id}"' in page  # its own deletion

    assert audit_action(admin_browser, "restore", key_of("users", singer)).status_code == 302
    assert fresh(db_session, singer).deleted_at is None
    assert all(fresh(db_session, song).deleted_at is None for song in live)
    assert fresh(db_session, earlier).deleted_at is not None  # not part of that deletion
    assert tracked(db_session, earlier) is not None and tracked(db_session, singer) is None
    actions = [e.action for e in entries_of(db_session, live[0])]
    assert actions == ["record.deleted", "record.restored"]
    assert entries_of(db_session, live[0])[0].details["deleted_with"] == "Nina Sings <" \
        + singer.email + ">"


def test_a_song_restored_alone_stays_back_when_its_singer_comes_back(admin_browser,
                                                                     db_session):
    singer = make_user(db_session)
    songs = [make_song(db_session, artist=singer) for _ in range(2)]
    db_session.commit()
    admin_browser.submit(f"/users/{singer.public_id}/delete")
    page = admin_browser.get("/audit/?section=songs").get_data(as_text=True)
    # Each song says which deletion took it.
    assert f"with users “{singer.display_name} &lt;{singer.email}&gt;”" in page
    assert audit_action(admin_browser, "restore", key_of("songs", songs[0])).status_code == 302
    assert fresh(db_session, songs[0]).deleted_at is None
    assert fresh(db_session, singer).deleted_at is not None
    assert "with 1 song</summary>" in admin_browser.get("/audit/").get_data(as_text=True)
    audit_action(admin_browser, "restore", key_of("users", singer))
    assert fresh(db_session, songs[1]).deleted_at is None


def test_restore_conflict_single_is_refused_whole_with_the_field_and_live_row(
        admin_browser, db_session):
    old = make_genre(db_session, name="Shoegaze", slug="shoegaze")
    db_session.commit()
    admin_browser.submit(f"/genres/{old.public_id}/delete")
    newer = make_genre(db_session, name="shoegaze", slug="shoegaze-2")
    db_session.commit()

    confirm = audit_action(admin_browser, "restore", key_of("genres", old), confirm=False)
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "is now used by the live genre “shoegaze”" in text and "disabled" in text

    response = audit_action(admin_browser, "restore", key_of("genres", old))
    assert response.status_code == 302
    page = admin_browser.get("/audit/").get_data(as_text=True)
    assert "A genre named “Shoegaze” already exists." in page
    assert "its name “Shoegaze” is now used by the live genre “shoegaze”" in page
    assert fresh(db_session, old).deleted_at is not None
    assert fresh(db_session, newer).deleted_at is None
    assert [e.action for e in entries_of(db_session, old)] == ["record.deleted"]


def test_restore_conflict_in_a_cascade_restores_none_of_it(admin_browser, db_session):
    singer = make_user(db_session)
    song = make_song(db_session, artist=singer, title="Twin")
    other = make_song(db_session, artist=singer, title="Other")
    db_session.commit()
    admin_browser.submit(f"/users/{singer.public_id}/delete")
    # Meanwhile the song's ISRC-free natural key (artist + title) is free; make the singer's
    # email taken instead, so the root conflicts and the songs must stay deleted too.
    make_user(db_session, email=singer.email.upper())
    db_session.commit()
    audit_action(admin_browser, "restore", key_of("users", singer))
    for row in (singer, song, other):
        assert fresh(db_session, row).deleted_at is not None
    assert "email" in admin_browser.get("/audit/").get_data(as_text=True)


def test_restore_conflict_in_bulk_skips_that_line_and_restores_the_others(admin_browser,
                                                                          db_session):
    taken = make_genre(db_session, name="Drill", slug="drill")
    free = make_genre(db_session, name="Grime", slug="grime")
    db_session.commit()
    for genre in (taken, free):
        admin_browser.submit(f"/genres/{genre.public_id}/delete")
    make_genre(db_session, name="DRILL", slug="drill-uk")
    db_session.commit()
    response = audit_action(admin_browser, "restore", key_of("genres", taken),
                            key_of("genres", free))
    assert response.status_code == 302
    page = admin_browser.get("/audit/").get_data(as_text=True)
    assert "Restored 1 of 2 selected lines." in page
    assert "is now used by the live genre “DRILL”" in page
    assert fresh(db_session, taken).deleted_at is not None
    assert fresh(db_session, free).deleted_at is None


def test_purge_of_a_plan_with_subscriptions_is_refused_with_a_message(admin_browser,
                                                                      db_session):
    plan = make_plan(db_session, name="Legacy", code="legacy")
    make_subscription(db_session, plan=plan, status=SubscriptionStatus.canceled)
    make_subscription(db_session, plan=plan, status=SubscriptionStatus.expired)
    db_session.commit()
    assert admin_browser.submit(f"/plans/{plan.public_id}/delete").status_code == 302
    confirm = audit_action(admin_browser, "purge", key_of("plans", plan), confirm=False)
    text = confirm.get_data(as_text=True)
    assert re.search(r"The database refuses: 2 [\w ]+ \(their plan\) still point to it", text)
    response = audit_action(admin_browser, "purge", key_of("plans", plan))
    assert response.status_code == 302
    page = admin_browser.get("/audit/").get_data(as_text=True)
    assert "The database refuses to purge “Legacy (legacy)”" in page
    assert fresh(db_session, plan) is not None
    assert "record.purged" not in [e.action for e in entries_of(db_session, plan)]


def test_purge_of_a_genre_that_songs_point_to_is_refused(admin_browser, db_session):
    genre = make_genre(db_session, name="Polka")
    song = make_song(db_session, genre=genre)
    db_session.commit()
    admin_browser.submit(f"/songs/{song.public_id}/delete")
    admin_browser.submit(f"/genres/{genre.public_id}/delete")
    audit_action(admin_browser, "purge", key_of("genres", genre))
    page = admin_browser.get("/audit/").get_data(as_text=True)
    assert re.search(r"refuses to purge “Polka”: 1 Songs \(their genre\) still point", page)
    assert fresh(db_session, genre) is not None


def test_purge_of_a_genre_without_songs_removes_it_and_keeps_its_entries(admin_browser,
                                                                         db_session):
    genre = make_genre(db_session, name="Skiffle", slug="skiffle")
    db_session.commit()
    admin_browser.submit(f"/genres/{genre.public_id}/delete")
    confirm = audit_action(admin_browser, "purge", key_of("genres", genre), confirm=False)
    assert "Nothing else points to it." in confirm.get_data(as_text=True)
    audit_action(admin_browser, "purge", key_of("genres", genre))
    db_session.expire_all()
    assert db_session.get(Genre, genre.id) is None
    assert tracked(db_session, genre) is None
    purged = db_session.scalars(select(AuditEvent).where(
        AuditEvent.target_public_id == str(genre.public_id),
        AuditEvent.action == "record.purged")).one()
    assert purged.target_label == "Skiffle" and purged.changes["name"] == ["Skiffle", None]
    log = admin_browser.get(f"/audit/log?row={genre.public_id}").get_data(as_text=True)
    assert "Purged" in log and "Skiffle" in log and "Deleted" in log


def test_purging_a_singer_takes_the_songs_of_that_deletion(admin_browser, db_session):
    singer = make_user(db_session, display_name="Gone For Good")
    songs = [make_song(db_session, artist=singer) for _ in range(2)]
    db_session.commit()
    admin_browser.submit(f"/users/{singer.public_id}/delete")
    audit_action(admin_browser, "purge", key_of("users", singer))
    db_session.expire_all()
    assert db_session.get(User, singer.id) is None
    assert all(db_session.get(Song, song.id) is None for song in songs)
    # Their entries (as actor and as target) are still there, unchanged.
    assert [e.action for e in entries_of(db_session, singer)] == ["record.deleted",
                                                                  "record.purged"]


def test_forged_and_live_selections_change_nothing(admin_browser, db_session):
    genre = make_genre(db_session)
    db_session.commit()
    for keys in (["genres:not-a-uuid"], ["nosuch:" + str(genre.public_id)],
                 [key_of("genres", genre)], ["\x00"], []):
        response = admin_browser.submit("/audit/", {"ids": keys, "confirm": "yes"},
                                        action="/audit/purge")
        assert response.status_code == 302
    assert fresh(db_session, genre) is not None
    assert "Select at least one deleted row first." in admin_browser.get(
        "/audit/").get_data(as_text=True)


def test_the_confirmation_step_needs_its_csrf_token(admin_browser, db_session):
    genre = make_genre(db_session)
    db_session.commit()
    admin_browser.submit(f"/genres/{genre.public_id}/delete")
    response = admin_browser.client.post("/audit/purge", data={
        "ids": key_of("genres", genre), "confirm": "yes"})
    assert response.status_code == 400
    assert fresh(db_session, genre) is not None


def test_bad_filters_and_cursors_on_the_deleted_list_never_500(admin_browser, db_session):
    genre = make_genre(db_session)
    db_session.commit()
    admin_browser.submit(f"/genres/{genre.public_id}/delete")
    for query in ("section=nope", "deleter=" + "x" * 5000, "from=2026-99-01",
                  "to=yesterday", "after=garbage", "before=%FF%FE", "after=" + "A" * 700,
                  "deleter=nobody@example.test"):
        response = admin_browser.get(f"/audit/?{query}")
        assert response.status_code == 200, query
    # A NUL can't be stored anywhere: the request guard answers 400 before the view.
    assert admin_browser.get("/audit/?section=%00").status_code == 400
    page = admin_browser.get("/audit/?deleter=nobody@example.test").get_data(as_text=True)
    assert "No deleted rows match these filters" in page
    huge = admin_browser.submit("/audit/", {"ids": ["genres:" + "f" * 100_000]},
                                action="/audit/restore")
    assert huge.status_code in {302, 413}
