"""Bulk song import from CSV (issue 11): the form's rules row by row, every bad line reported,
all-or-nothing writes nothing, skip mode writes exactly the good rows, each traceable."""

from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.factories import make_genre, make_song
from webadmin.models import AuditEvent, Song, SongStatus
from webadmin.songs.importer import ImportFileError, check_file, import_file


@pytest.fixture
def refs(db_session, users):
    genre = make_genre(db_session, name="Import Pop", slug="import-pop")
    make_song(db_session, title="Already There", artist=users.singer, genre=genre,
              isrc="QZABC2400001")
    db_session.commit()
    return genre


def csv_text(singer_email, lines):
    head = "title,artist,genre,duration,release_date,isrc,status,explicit\n"
    return head + "".join(line.replace("SINGER", singer_email) + "\n" for line in lines)


GOOD = ["First Song,SINGER,Import Pop,3:45,2024-01-02,QZ-ABC-24-00002,published,yes",
        "Second Song,SINGER,import pop,1:02:03,,,draft,no",
        "Third Song,SINGER,Import Pop,0:59,,,,"]
BAD = {  # line number in the file (header = 1) → a fragment of the reason
    5: ("No Duration,SINGER,Import Pop,,,,,", "Enter the duration"),
    6: ("Bad Duration,SINGER,Import Pop,3:99,,,,", "Seconds go from 00 to 59"),
    7: (",SINGER,Import Pop,3:00,,,,", "Enter a title"),
    8: ("Bad Isrc,SINGER,Import Pop,3:00,,XX1,,", "An ISRC looks like"),
    9: ("Bad Date,SINGER,Import Pop,3:00,2024-13-45,,,", "Release date"),
    10: ("Bad Status,SINGER,Import Pop,3:00,,,famous,", "Not a valid choice"),
    11: ("Nobody,nobody@example.com,Import Pop,3:00,,,,", "No artist matches"),
    12: ("No Genre,SINGER,Polka Metal,3:00,,,,", "No genre matches"),
    13: ("Already There,SINGER,Import Pop,3:00,,,,", "already has a song titled"),
    14: ("Dup Isrc,SINGER,Import Pop,3:00,,QZABC2400001,,", "already uses the ISRC"),
    15: ("First Song,SINGER,Import Pop,2:00,,,,", "An earlier line"),
    16: ("Too, many, fields,SINGER,Import Pop,3:00,,,,,", "fields, the header has"),
    17: ("Explicit?,SINGER,Import Pop,3:00,,,,maybe", "explicit: write yes or no"),
}


def sample(users):
    return csv_text(users.singer.email, GOOD + [line for line, _ in BAD.values()])


def song_count(db_session):
    return db_session.scalar(select(func.count()).select_from(Song))


def test_every_bad_line_is_reported_and_all_or_nothing_writes_nothing(db_session, users, refs):
    before = song_count(db_session)
    report = import_file(db_session, users.superadmin, io.StringIO(sample(users)),
                         skip_bad=False, filename="songs.csv")
    db_session.commit()
    assert report.rows == len(GOOD) + len(BAD)
    assert report.inserted == 0
    reported = {error.line: error.reason for error in report.errors}
    assert set(reported) == set(BAD)
    for line, (_row, fragment) in BAD.items():
        assert fragment in reported[line], (line, reported[line])
    assert song_count(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "songs.imported")) == 0


def test_skip_mode_writes_exactly_the_good_rows_traceably(db_session, users, refs):
    before = song_count(db_session)
    report = import_file(db_session, users.superadmin, io.StringIO(sample(users)),
                         skip_bad=True, filename="songs.csv")
    db_session.commit()
    assert report.inserted == len(GOOD) and report.error_count == len(BAD)
    assert song_count(db_session) == before + len(GOOD)
    songs = {s.title: s for s in db_session.scalars(
        select(Song).where(Song.import_id == report.import_id))}
    assert set(songs) == {"First Song", "Second Song", "Third Song"}
    first = songs["First Song"]
    assert (first.duration_seconds, first.isrc, first.status, first.is_explicit,
            first.artist_user_id, first.genre_id) == (
        225, "QZABC2400002", SongStatus.published, True, users.singer.id, refs.id)
    assert songs["Second Song"].duration_seconds == 3723
    assert songs["Third Song"].status is SongStatus.draft
    entries = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "songs.imported")).all()
    assert len(entries) == 1
    assert entries[0].details["import_id"] == str(report.import_id)
    assert entries[0].details["inserted"] == 3 and entries[0].details["skipped"] == len(BAD)
    assert entries[0].actor_user_id == users.superadmin.id


def test_a_clean_file_imports_whole_in_all_or_nothing_mode(db_session, users, refs):
    rows = [f"Batch Song {n},SINGER,Import Pop,3:{n % 60:02d},,,," for n in range(4500)]
    report = import_file(db_session, users.superadmin,
                         io.StringIO(csv_text(users.singer.email, rows)), skip_bad=False)
    db_session.commit()
    assert report.inserted == 4500 and not report.errors
    assert db_session.scalar(select(func.count()).select_from(Song).where(
        Song.import_id == report.import_id)) == 4500


def test_a_singer_imports_only_as_themselves(db_session, users, refs):
    text = csv_text(users.other_singer.email, ["Mine Now,SINGER,Import Pop,3:00,,,,"])
    report = import_file(db_session, users.singer, io.StringIO(text), skip_bad=False)
    song = db_session.scalars(select(Song).where(Song.import_id == report.import_id)).one()
    assert song.artist_user_id == users.singer.id


def test_a_preview_writes_nothing(db_session, users, refs):
    before = song_count(db_session)
    report = check_file(db_session, users.superadmin, io.StringIO(sample(users)))
    assert [row["title"] for row in report.preview] == ["First Song", "Second Song",
                                                       "Third Song"]
    assert report.error_count == len(BAD)
    assert song_count(db_session) == before


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"), ("name,length\nx,3:00\n", "unknown columns: name, length"),
    ("title,artist\nx,y\n", "missing columns: genre, duration"),
])
def test_a_bad_header_is_one_clear_error(db_session, users, text, message):
    with pytest.raises(ImportFileError, match=message):
        check_file(db_session, users.superadmin, io.StringIO(text))


def test_cli_all_or_nothing_then_skip(app, db_session, users, refs, tmp_path):
    path = tmp_path / "songs.csv"
    path.write_text(sample(users), encoding="utf-8")
    runner = app.test_cli_runner()
    before = song_count(db_session)
    result = runner.invoke(args=["import-songs", str(path)])
    assert result.exit_code == 1
    assert "line 6: Duration: Seconds go from 00 to 59." in result.output
    assert "nothing was imported" in result.output
    assert song_count(db_session) == before
    result = runner.invoke(args=["import-songs", str(path), "--skip-bad",
                                 "--as", users.superadmin.email])
    assert result.exit_code == 0, result.output
    assert f"Imported {len(GOOD)} songs ({len(BAD)} bad rows skipped)" in result.output
    import_id = uuid.UUID(result.output.rsplit("import id ", 1)[1].strip().rstrip("."))
    assert db_session.scalar(select(func.count()).select_from(Song).where(
        Song.import_id == import_id)) == len(GOOD)


def upload(browser, content, name="songs.csv"):
    """POST the upload form like a browser, the multipart body encoded in memory (the test
    client would spool a large one to a temporary file it never closes)."""
    content = content.encode() if isinstance(content, str) else content
    boundary, body = encode_multipart({
        "csrf_token": browser.token_for("/songs/import"),
        "upload": FileStorage(io.BytesIO(content), filename=name)})
    return browser.client.post("/songs/import", data=body,
                               content_type=f"multipart/form-data; boundary={boundary}")


def confirm_form(page):
    import re

    from tests.helpers import csrf_token_from
    staged = re.search(r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"', page)
    return {"csrf_token": csrf_token_from(page), "token": staged.group(1) or staged.group(2)}


def test_the_page_previews_then_imports_all_or_nothing_or_skipping(admin_browser, db_session,
                                                                   users, refs):
    before = song_count(db_session)
    response = upload(admin_browser, sample(users))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for line in BAD:
        assert f"<strong>Line {line}:</strong>" in page
    assert "First Song" in page and "Seconds go from 00 to 59" in page
    assert song_count(db_session) == before  # checking writes nothing
    form = confirm_form(page)
    refused = admin_browser.client.post("/songs/import/confirm", data={**form, "mode": "all"})
    assert refused.status_code == 422
    assert "nothing was imported" in refused.get_data(as_text=True)
    assert song_count(db_session) == before
    done = admin_browser.client.post("/songs/import/confirm", data={**form, "mode": "skip"})
    assert done.status_code == 302
    assert song_count(db_session) == before + len(GOOD)
    again = admin_browser.client.post("/songs/import/confirm", data={**form, "mode": "skip"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/songs/import")
    assert song_count(db_session) == before + len(GOOD)  # at most once


def test_a_clean_file_imports_from_the_page(admin_browser, db_session, users, refs):
    text = csv_text(users.singer.email, GOOD)
    page = upload(admin_browser, text).get_data(as_text=True)
    assert "bad row" not in page
    done = admin_browser.client.post("/songs/import/confirm", data=confirm_form(page) | {
        "mode": "all"})
    assert done.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(Song).where(
        Song.title.in_(["First Song", "Second Song", "Third Song"]))) == 3


@pytest.mark.parametrize(("body", "status", "message"), [
    (b"\xff\xfe not utf8", 422, "not UTF-8"),
    (b"name\nx\n", 422, "unknown columns"),
    (b"title,genre,duration\n", 422, "holds no songs"),
    (b"title,genre,duration\n" + b"x" * (1024 * 1024), 413, "too large"),
])
def test_bad_files_get_a_clear_message(admin_browser, body, status, message):
    response = upload(admin_browser, body, "x.csv")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_singers_cannot_import(singer_browser):
    assert singer_browser.get("/songs/import").status_code in (403, 404)
    assert "Import CSV" not in singer_browser.get("/songs/").get_data(as_text=True)


# --- one set of rules: the import applies the song form's own validators -------------------------
RULE = "Titles may not shout."


def no_shouting(_form, field):
    from wtforms.validators import ValidationError

    if field.data and field.data.isupper():
        raise ValidationError(RULE)


@pytest.mark.parametrize("how", ["field validator", "inline validate_title"])
def test_a_rule_added_to_the_song_form_applies_to_the_import_too(
        monkeypatch, db_session, users, refs, singer_browser, how):
    """The import holds no copy of the rules: a validator added to the form (on a field, or as
    the form's ``validate_<field>`` method) refuses the row, like the add page."""
    from wtforms import StringField
    from wtforms.validators import DataRequired, Length

    from webadmin.admin.forms import strip
    from webadmin.songs.forms import SongForm

    if how == "field validator":
        monkeypatch.setattr(SongForm, "title", StringField(
            "Title", filters=[strip],
            validators=[DataRequired("Enter a title."), Length(max=200), no_shouting]))
    else:
        monkeypatch.setattr(SongForm, "validate_title", no_shouting, raising=False)
    text = csv_text(users.singer.email, ["LOUD SONG,SINGER,Import Pop,3:00,,,,",
                                         "Quiet Song,SINGER,Import Pop,3:00,,,,"])
    report = import_file(db_session, users.superadmin, io.StringIO(text), skip_bad=True)
    assert [(e.line, e.reason) for e in report.errors] == [(2, f"Title: {RULE}")]
    assert report.inserted == 1
    page = singer_browser.submit("/songs/new", {
        "title": "LOUD SONG", "genre": str(refs.public_id), "duration_seconds": "3:00",
        "status": "draft"})
    assert page.status_code != 302 and RULE in page.get_data(as_text=True)


def test_a_rule_across_fields_in_the_form_applies_to_the_import_too(monkeypatch, db_session,
                                                                    users, refs):
    """A form whose own ``validate`` adds a rule is checked whole per row (nothing skipped)."""
    from webadmin.songs.forms import SongForm

    def validate(self, extra_validators=None):
        valid = super(SongForm, self).validate(extra_validators)
        if self.is_explicit.data and self.status.data and self.status.data.value == "published":
            self.is_explicit.errors = [*self.is_explicit.errors, "Not on a published song."]
            return False
        return valid

    monkeypatch.setattr(SongForm, "validate", validate)
    text = csv_text(users.singer.email, ["Rude,SINGER,Import Pop,3:00,,,published,yes",
                                         "Polite,SINGER,Import Pop,3:00,,,published,no"])
    report = import_file(db_session, users.superadmin, io.StringIO(text), skip_bad=True)
    assert [(e.line, e.reason) for e in report.errors] == [
        (2, "Explicit lyrics: Not on a published song.")]
    assert report.inserted == 1


def test_text_the_database_cannot_store_is_refused_at_its_line(db_session, users, refs):
    text = csv_text(users.singer.email, ["Nul\x00Song,SINGER,Import Pop,3:00,,,,",
                                         "Fine Song,SINGER,Import Pop,3:00,,,,"])
    report = import_file(db_session, users.superadmin, io.StringIO(text), skip_bad=True)
    assert [e.line for e in report.errors] == [2]
    assert "NUL" in report.errors[0].reason and report.inserted == 1
