"""Missing translations as one query, and imports that write all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_string
from webadmin.localization.missing import known_locales, missing_translations
from webadmin.localization.transfer import apply_import, export_csv, export_json, parse_upload
from webadmin.models import LocalizationString


def test_missing_translations_are_default_keys_absent_in_the_locale(db_session: Session) -> None:
    for key in ("a", "b", "c", "d", "e"):
        make_string(db_session, key=key, locale="en", value=f"{key}!")
    make_string(db_session, key="b", locale="de", value="B")
    make_string(db_session, key="extra", locale="de", value="only in de")  # not "missing"
    deleted = make_string(db_session, key="d", locale="de", value="gone")
    deleted.deleted_at = datetime.now(UTC)  # a soft-deleted translation is missing again
    gone_en = make_string(db_session, key="zz", locale="en", value="gone")
    gone_en.deleted_at = datetime.now(UTC)  # a soft-deleted source key is not wanted
    make_string(db_session, key="c", locale="fr", value="C")  # other locales don't matter
    db_session.flush()

    first = missing_translations(db_session, "en", "de", per_page=2)
    assert first.rows == [("a", "a!"), ("c", "c!")]
    assert first.total == 4 and not first.total_capped and first.next_after == "c"
    second = missing_translations(db_session, "en", "de", after=first.next_after, per_page=2)
    assert second.rows == [("d", "d!"), ("e", "e!")] and second.next_after is None
    assert {"de", "en", "fr"} <= set(known_locales(db_session))


def test_missing_for_an_unknown_locale_is_every_default_key(db_session: Session) -> None:
    make_string(db_session, key="only", locale="en", value="x")
    page = missing_translations(db_session, "en", "xx-YY", per_page=50)
    assert ("only", "x") in page.rows


def test_import_creates_updates_and_leaves_unchanged(db_session: Session) -> None:
    make_string(db_session, key="same", locale="de", value="Gleich")
    changed = make_string(db_session, key="changed", locale="de", value="Alt")
    make_string(db_session, key="changed", locale="en", value="English stays")
    version = changed.version_id
    parsed = parse_upload(b'{"same": "Gleich", "changed": "Neu", "new": "Neu!"}', "json")
    result = apply_import(db_session, "de", parsed.rows)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    values = dict(db_session.execute(select(LocalizationString.key, LocalizationString.value)
                                     .where(LocalizationString.locale == "de")).all())
    assert values == {"same": "Gleich", "changed": "Neu", "new": "Neu!"}
    assert changed.version_id == version + 1
    assert db_session.scalar(select(LocalizationString.value).where(
        LocalizationString.key == "changed", LocalizationString.locale == "en")) == "English stays"


def test_export_round_trips_through_import(db_session: Session) -> None:
    rows = {"a": "=1+1", "b": 'quote " and, comma', "c": "multi\nline", "d": "ünï", "e": "-x"}
    for key, value in rows.items():
        make_string(db_session, key=key, locale="pt-BR", value=value)
    csv_text = "".join(export_csv(db_session, "pt-BR"))
    assert "'=1+1" in csv_text  # the formula guard
    assert parse_upload(csv_text.encode(), "csv").rows == rows
    json_text = "".join(export_json(db_session, "pt-BR"))
    assert parse_upload(json_text.encode(), "json").rows == rows


def test_export_of_many_rows_reads_in_chunks(db_session: Session) -> None:
    apply_import(db_session, "it", {f"k{i:05d}": f"v{i}" for i in range(1203)})
    exported = parse_upload("".join(export_json(db_session, "it")).encode(), "json")
    assert len(exported.rows) == 1203
    assert db_session.scalar(select(func.count()).select_from(LocalizationString).where(
        LocalizationString.locale == "it")) == 1203
