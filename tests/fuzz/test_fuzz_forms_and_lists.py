"""Property-based fuzzing of every form and every query string (hypothesis), on both backends.

Targets come from the URL map (tests/fuzz/targets.py): every POST a superadmin may send and
every GET page (lists and exports with their sort keys, filters and cursors). Each example
starts from the same rows inside a savepoint that is rolled back afterwards. Expected, for every
example: no 5xx; and a refused request (4xx) or any GET changes nothing — row counts, the sum of
version_id, soft deletes and audit rows of every table (the CSRF suite's fingerprint).

Profiles (tests/fuzz/conftest.py): ``ci`` (default, ≥ 2,000 examples per database run) and
``long`` (≥ 20,000; ``bash bench/fuzz_long.sh``). The run prints the number of examples.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from tests.admin.support import UUID_RE, form_values
from tests.auth.test_authorization_matrix import build_url
from tests.auth.test_csrf_everywhere import fingerprint
from tests.conftest import make_test_app
from tests.fuzz import strategies as fz
from tests.fuzz.conftest import EXAMPLES, examples_for
from tests.fuzz.targets import FILTER_VALUES, FORMS, QUERIES, Target
from tests.helpers import (
    DEFAULT_PASSWORD,
    TestUsers,
    rolled_back_transaction,
    session_csrf_token,
    sign_in_session,
)
from webadmin.db import get_db
from webadmin.models import AuditEvent

LIST_VIEWS = {"list", "export"}
AUDIT_TABLE = AuditEvent.__tablename__


@pytest.fixture(scope="module")
def fuzz_app(migrated_database: str) -> Iterator[Flask]:
    app = make_test_app(migrated_database, PROPAGATE_EXCEPTIONS=False)
    yield app
    get_db(app).engine.dispose()


@contextmanager
def prepared(app: Flask, target: Target) -> Iterator[tuple[object, str, dict, TestUsers]]:
    """The target's URL and baseline form data on a transaction rolled back at the end."""
    with rolled_back_transaction(app, dispose=False) as connection:
        with app.app_context():
            users = TestUsers.create(get_db(app).session())
        url, data = build_url(app, target.endpoint, target.rule, users)
        yield connection, url, data, users


def page_text(client, url: str) -> tuple[int, str]:
    """GET ``url`` and read it whole (a streamed export finishes its queries before close; a
    media file is bytes, read as text with replacement characters)."""
    response = client.get(url, buffered=True)
    try:
        return response.status_code, response.get_data().decode("utf-8", "replace")
    finally:
        response.close()


def signed_in_client(app: Flask, users: TestUsers):
    client = app.test_client()
    sign_in_session(client, users.superadmin)
    return client


def baseline_form(app: Flask, target: Target, url: str, data: dict, users: TestUsers) -> dict:
    """What the page's own form would send (read from the GET page), else the table's data."""
    client = signed_in_client(app, users)
    status, page = page_text(client, url)
    values = form_values(page) if status == 200 else {}
    values.update({key: str(value) for key, value in data.items()})
    if target.endpoint == "auth.login":
        values.update(email=users.superadmin.email, password=DEFAULT_PASSWORD)
    if target.endpoint == "auth.password":
        values.setdefault("current_password", DEFAULT_PASSWORD)
    if target.endpoint.endswith(".bulk"):
        _status, listing = page_text(client, url.rsplit("/bulk", 1)[0] + "/")
        values.update(action="delete", confirm="yes",
                      ids=list(dict.fromkeys(re.findall(UUID_RE, listing)))[:3])
    return values


def form_examples(baseline: dict, has_upload: bool) -> st.SearchStrategy:
    fields = {}
    for name, value in baseline.items():
        kept = st.just(value) if not isinstance(value, list) else st.just(value)
        fields[name] = st.one_of(kept, fz.values, st.none())  # None: the field is left out
    return st.fixed_dictionaries({
        "fields": st.fixed_dictionaries(fields),
        "unknown": fz.unknown_fields,
        "upload": (st.tuples(fz.upload_entries, st.sampled_from(["json", "csv"]))
                   if has_upload else st.none()),
    })


def query_examples(target: Target, public_ids: list[str]) -> st.SearchStrategy:
    params = {}
    for name in target.params:
        if name == "sort":
            params[name] = st.one_of(st.sampled_from(list(target.sorts) or [""]), fz.values)
        elif name in {"after", "before"}:
            params[name] = fz.cursors(list(target.sorts))
        elif name == "per_page":
            params[name] = st.one_of(st.sampled_from(["10", "25", "50", "100"]), fz.numbers,
                                     fz.values)
        else:
            params[name] = st.one_of(st.sampled_from(FILTER_VALUES + public_ids), fz.values)
    return st.fixed_dictionaries({
        "params": st.fixed_dictionaries({}, optional=params),
        "unknown": fz.unknown_fields,
    })


def check(status: int, body: str, changed: bool, method: str, what: str) -> None:
    assert status < 500, f"{what}: HTTP {status}\n{body[:2000]}"
    assert "Traceback" not in body, what
    if method == "GET" or status >= 400:
        assert not changed, f"{what}: HTTP {status} but the database changed"


WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def counting_writes(app: Flask) -> Iterator[list[str]]:
    """Write statements the app sends. None sent means nothing changed, so the fingerprint (a
    dozen queries) is only taken when a write was attempted."""
    writes: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(WRITES):
            writes.append(statement)

    engine = get_db(app).engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield writes
    finally:
        event.remove(engine, "before_cursor_execute", before)


def run_examples(app: Flask, connection, before: dict, send, strategy, count: int,
                 key: str) -> None:
    @settings(max_examples=count)
    @given(strategy)
    def example(drawn):
        # A POST may commit (its savepoint is rolled back after the example). A GET must not
        # write at all, which the write counter checks, so it needs no savepoint of its own
        # (a streamed export's session outlives one).
        nested = connection.begin_nested() if key == "forms" else None
        try:
            with counting_writes(app) as writes:
                response, what, method = send(drawn)
                status = response.status_code
                body = response.get_data().decode("utf-8", "replace")  # media: bytes
                response.close()  # a streamed export runs its queries here
            get_db(app).session.remove()
            changed = bool(writes) and method == "GET"
            if writes and method != "GET" and status >= 400:
                with app.app_context():
                    after = fingerprint(get_db(app).session())
                if status == 429:  # a sign-in lock is audited once, on purpose
                    after[AUDIT_TABLE] = before[AUDIT_TABLE]
                changed = after != before
            check(status, body, changed, method, what)
        finally:
            get_db(app).session.remove()
            if nested is not None and nested.is_active:
                nested.rollback()
        EXAMPLES[key] += 1

    example()


@pytest.mark.parametrize("target", FORMS, ids=[t.id for t in FORMS])
def test_every_form_survives_hostile_input(fuzz_app, target):
    with prepared(fuzz_app, target) as (connection, url, data, users):
        baseline = baseline_form(fuzz_app, target, url, data, users)
        has_upload = "upload" in baseline
        baseline.pop("upload", None)
        with fuzz_app.app_context():
            before = fingerprint(get_db(fuzz_app).session())

        shared = signed_in_client(fuzz_app, users)
        shared_token = session_csrf_token(fuzz_app, shared)
        # Signing out or changing the password ends the client's session: a fresh one each time.
        fresh_each_time = target.endpoint.startswith("auth.")

        def send(drawn):
            client, token = shared, shared_token
            if fresh_each_time:
                client = signed_in_client(fuzz_app, users)
                token = session_csrf_token(fuzz_app, client)
            pairs = [("csrf_token", token)]
            for name, value in drawn["fields"].items():
                if value is None:
                    continue
                for item in value if isinstance(value, list) else [value]:
                    pairs.append((name, item))
            pairs.extend(drawn["unknown"])
            what = f"POST {url} {pairs!r}"[:3000]
            if has_upload:
                entries, fmt = drawn["upload"]
                form = {}
                for name, value in pairs:  # multipart: what a browser can encode
                    form.setdefault(fz.browser_text(name), fz.browser_text(value))
                form["upload"] = (io.BytesIO(fz.upload_body(entries, fmt)), f"strings.{fmt}")
                what += f" upload={entries!r}"
                return client.post(url, data=form, content_type="multipart/form-data"), \
                    what, "POST"
            return client.post(url, data=fz.encode_pairs(pairs),
                               content_type="application/x-www-form-urlencoded"), what, "POST"

        run_examples(fuzz_app, connection, before, send, form_examples(baseline, has_upload),
                     examples_for(target), "forms")


@pytest.mark.parametrize("target", QUERIES, ids=[t.id for t in QUERIES])
def test_every_query_string_survives_hostile_input(fuzz_app, target):
    with prepared(fuzz_app, target) as (connection, url, _data, users):
        _status, listing = page_text(signed_in_client(fuzz_app, users), url)
        public_ids = list(dict.fromkeys(re.findall(UUID_RE, listing)))[:3]
        with fuzz_app.app_context():
            before = fingerprint(get_db(fuzz_app).session())

        client = signed_in_client(fuzz_app, users)

        def send(drawn):
            pairs = list(drawn["params"].items()) + drawn["unknown"]
            full = f"{url}?{fz.encode_pairs(pairs)}"
            return client.get(full, buffered=True), f"GET {full}"[:3000], "GET"

        key = "lists" if target.endpoint.split(".")[-1] in LIST_VIEWS else "pages"
        run_examples(fuzz_app, connection, before, send, query_examples(target, public_ids),
                     examples_for(target), key)
