"""Helpers of the media tests: upload through the edit page like a browser, list stored keys."""

from __future__ import annotations

import io

from sqlalchemy import select

from tests.helpers import Browser
from webadmin.media.storage import get_storage
from webadmin.models import AuditEvent, MediaFile

SECTIONS = {"song": "songs", "album": "albums"}


def edit_url(row) -> str:
    return f"/{SECTIONS[row.__tablename__]}/{row.public_id}/edit"


def media_url(row, kind: str) -> str:
    return f"/{SECTIONS[row.__tablename__]}/{row.public_id}/media/{kind}"


def upload(browser: Browser, song, kind: str, data: bytes, filename: str, **kwargs):
    """POST the file with the edit page's CSRF token (as the page's upload form does)."""
    return browser.submit(edit_url(song), {"file": (io.BytesIO(data), filename)},
                          action=media_url(song, kind), content_type="multipart/form-data",
                          **kwargs)


def stored_keys(app) -> list[str]:
    return list(get_storage(app).keys())


def media_rows(session, song=None) -> list[MediaFile]:
    stmt = select(MediaFile)
    if song is not None:
        stmt = stmt.where(MediaFile.owner_table == song.__tablename__,
                          MediaFile.owner_id == song.id)
    return list(session.scalars(stmt))


def media_events(session, song) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.target_public_id == str(song.public_id),
        AuditEvent.action.like("media.%")).order_by(AuditEvent.id)))
