"""A list page's data, kept per process under the database snapshot it was read in.

What a list page shows — its rows, count, cursors, filter choices, links — follows from: the
section, who asks (their id and role: scope, permissions, bulk actions), the URL, and the
committed data. PostgreSQL names the committed data exactly: the snapshot
(``pg_current_snapshot()``, webadmin/db.py) fixes which transactions' rows a statement sees, so
two requests seeing the same snapshot see the same rows in every table, and any commit anywhere
— an edit, another worker's import, a sign-in's audit entry — changes it. The user loader reads
the snapshot in the statement that loads the user, before the list reads anything, so data read
afterwards is at least as new as the snapshot it is kept under: a hit never shows a row older
than what a fresh read would show, nor another user's (the key holds the user and role).

A hit costs the request one statement (the user) and the template; the page query, the count and
the row drawing are skipped. The template itself is rendered on every request, so the CSRF token,
flash messages and navigation are always fresh.

Bounded: ``LIST_CACHE_SIZE`` entries per process (the least recently used go first), each reused
for at most ``LIST_CACHE_SECONDS``. SQLite has no snapshot name (its ``data_version`` ignores the
same connection's commits): lists are not cached there. ``LIST_CACHE_SIZE=0`` turns it off.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, request

from ..db import request_snapshot
from ..models import User

EXTENSION_KEY = "webadmin.list_cache"
_lock = threading.Lock()  # a threaded server shares the store between requests


def _store() -> OrderedDict[Hashable, tuple[float, dict[str, Any]]]:
    return current_app.extensions.setdefault(EXTENSION_KEY, OrderedDict())


def cache_key(section: str, user: User) -> Hashable | None:
    """What a list page's data depends on, or None when it can't be cached (no snapshot)."""
    snapshot = request_snapshot()
    if snapshot is None or request.method != "GET" or not current_app.config.get(
            "LIST_CACHE_SIZE"):
        return None  # a request that may have written reads its own writes, not the snapshot
    return (section, user.id, str(user.role), request.script_root, request.query_string,
            snapshot)


def cached(key: Hashable | None, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The page data under ``key``, built (and kept) when missing or too old."""
    if key is None:
        return build()
    store, now = _store(), time.monotonic()
    with _lock:
        entry = store.get(key)
        if entry is not None and now - entry[0] < current_app.config["LIST_CACHE_SECONDS"]:
            store.move_to_end(key)
            return entry[1]
    data = build()  # outside the lock: two requests may build the same page, never block
    with _lock:
        store[key] = (now, data)
        store.move_to_end(key)
        while len(store) > current_app.config["LIST_CACHE_SIZE"]:
            store.popitem(last=False)
    return data
