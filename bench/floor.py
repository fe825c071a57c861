"""The floor the songs list is measured against: the same keyset query, no framework.

    FLOOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/webadmin_bench \\
        .venv/bin/gunicorn -w 2 -b 127.0.0.1:8100 bench.floor:app

A plain WSGI function: it parses the same query string the admin list understands (``after``
cursor of the newest-first sort, ``q``, ``genre``, ``artist``, ``per_page``), runs ONE statement —
the page query the app sends (song joined to its artist and genre, live rows, keyset condition,
``LIMIT n+1``) — on the worker's own psycopg connection (a sync worker serves one request at a
time, so a pool of one per process is what a pool would hand it), and joins an HTML table with
``html.escape``. ``/songs/<public_id>/edit`` reads one song and draws its form; a POST there updates
it (checking ``version_id``) and redirects, as the app does. No sign-in, no templates, no ORM:
what the page costs when nothing but the query and the bytes is done.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import parse_qs

import psycopg

PAGE_SQL = """
SELECT s.public_id, s.title, a.display_name, g.name, s.duration_seconds, s.status,
       s.is_explicit, s.release_date, s.created_at, s.id
FROM song s JOIN user_account a ON a.id = s.artist_user_id JOIN genre g ON g.id = s.genre_id
WHERE s.deleted_at IS NULL {where}
ORDER BY s.created_at DESC, s.id DESC LIMIT %(limit)s
"""
EDIT_SQL = """
SELECT s.public_id, s.title, s.duration_seconds, s.release_date, s.isrc, s.status,
       s.is_explicit, s.lyrics, s.version_id, g.name
FROM song s JOIN genre g ON g.id = s.genre_id
WHERE s.public_id = %(id)s AND s.deleted_at IS NULL
"""
SAVE_SQL = """
UPDATE song SET title = %(title)s, duration_seconds = %(duration)s,
       version_id = version_id + 1, updated_at = now()
WHERE public_id = %(id)s AND version_id = %(version)s AND deleted_at IS NULL
"""
_connection: psycopg.Connection[Any] | None = None


def connection() -> psycopg.Connection[Any]:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["FLOOR_DATABASE_URL"], autocommit=True)
    return _connection


def _cursor(token: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        _sort, value, row_id = json.loads(raw)
        return datetime.fromisoformat(value), int(row_id)
    except (ValueError, TypeError):
        return None


def list_page(query: dict[str, list[str]]) -> bytes:
    conditions, params = [], {}
    per_page = int(query.get("per_page", ["50"])[0])
    params["limit"] = per_page + 1
    if "after" in query and (cursor := _cursor(query["after"][0])):
        conditions.append("(s.created_at, s.id) < (%(v)s, %(i)s)")
        params["v"], params["i"] = cursor
    if "q" in query:
        conditions.append("(s.title ILIKE %(q)s OR s.isrc ILIKE %(q)s)")
        params["q"] = f"%{query['q'][0]}%"
    if "genre" in query:
        conditions.append("g.public_id = %(genre)s")
        params["genre"] = query["genre"][0]
    if "artist" in query:
        conditions.append("s.artist_user_id = %(artist)s")
        params["artist"] = int(query["artist"][0])
    sql = PAGE_SQL.format(where="".join(" AND " + c for c in conditions))
    rows = connection().execute(sql, params).fetchall()[:per_page]
    parts = ["<!doctype html><html><head><title>Songs</title></head><body><h1>Songs</h1>"
             "<table><thead><tr><th>Title</th><th>Artist</th><th>Genre</th><th>Duration</th>"
             "<th>Status</th><th>Explicit</th><th>Released</th><th>Added</th><th></th>"
             "</tr></thead><tbody>"]
    for (public_id, title, artist, genre, duration, status, explicit, released, created,
         _id) in rows:
        parts.append(
            f'<tr><td><a href="/songs/{public_id}/edit">{escape(title)}</a></td>'
            f"<td>{escape(artist)}</td><td>{escape(genre)}</td>"
            f"<td>{duration // 60}:{duration % 60:02d}</td><td>{status}</td>"
            f"<td>{'Yes' if explicit else 'No'}</td><td>{released or '—'}</td>"
            f"<td>{created:%Y-%m-%d %H:%M}</td>"
            f'<td><a href="/songs/{public_id}/history">History</a></td></tr>')
    parts.append("</tbody></table></body></html>")
    return "".join(parts).encode()


def edit_form(public_id: str) -> bytes | None:
    row = connection().execute(EDIT_SQL, {"id": public_id}).fetchone()
    if row is None:
        return None
    _pid, title, duration, released, isrc, status, explicit, lyrics, version, genre = row
    return (f'<!doctype html><html><body><form method="post">'
            f'<input type="hidden" name="version_id" value="{version}">'
            f'<label>Title <input name="title" value="{escape(title)}"></label>'
            f'<label>Genre <input name="genre" value="{escape(genre)}"></label>'
            f'<label>Duration <input name="duration_seconds" '
            f'value="{duration // 60}:{duration % 60:02d}"></label>'
            f'<label>Released <input type="date" name="release_date" value="{released or ""}">'
            f'</label><label>ISRC <input name="isrc" value="{isrc or ""}"></label>'
            f'<label>Status <input name="status" value="{status}"></label>'
            f'<label><input type="checkbox" name="is_explicit" {"checked" if explicit else ""}>'
            f' Explicit</label><textarea name="lyrics">{escape(lyrics)}</textarea>'
            f"<button>Save</button></form></body></html>").encode()


def save(public_id: str, form: dict[str, list[str]]) -> bool:
    minutes, seconds = form["duration_seconds"][0].split(":")
    updated = connection().execute(SAVE_SQL, {
        "id": public_id, "title": form["title"][0], "duration": int(minutes) * 60 + int(seconds),
        "version": int(form["version_id"][0])})
    return updated.rowcount == 1


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path = environ.get("PATH_INFO", "/")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    headers = [("Content-Type", "text/html; charset=utf-8")]
    if path == "/songs/":
        body = list_page(query)
    elif path.startswith("/songs/") and path.endswith("/edit"):
        public_id = path.split("/")[2]
        try:
            uuid.UUID(public_id)
        except ValueError:
            start_response("404 Not Found", headers)
            return [b"not found"]
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(length).decode())
            status = "303 See Other" if save(public_id, form) else "409 Conflict"
            start_response(status, [*headers, ("Location", "/songs/")])
            return [b""]
        found = edit_form(public_id)
        if found is None:
            start_response("404 Not Found", headers)
            return [b"not found"]
        body = found
    else:
        start_response("404 Not Found", headers)
        return [b"not found"]
    start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
    return [body]
