"""Must-show 1: every rule of the URL map × every kind of visitor, against an explicit table.

Cases are generated from a freshly built app's ``url_map``; the expected outcome of each comes
from ``tests.authz_expectations.EXPECTATIONS`` keyed by endpoint name. A route with no row fails,
so nothing new escapes the matrix. Each case is its own test with its own rolled-back
transaction, so a POST that changes something (sign-out, a delete) cannot affect the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from tests.authz_expectations import (
    ALLOWED,
    EXPECTATIONS,
    FORBIDDEN,
    NOT_FOUND,
    SIGN_IN,
    VISITORS,
    Rows,
)
from tests.conftest import make_test_app
from tests.helpers import TestUsers, rolled_back_transaction, session_csrf_token, sign_in_session
from webadmin.auth.permissions import access_of
from webadmin.db import get_db

IGNORED_METHODS = {"HEAD", "OPTIONS"}
ALLOWED_POST_STATUSES = {200, 201, 204, 400, 409, 422}


def _url_map_rules() -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every rule of an app built like the tests' apps."""
    app = make_test_app("sqlite://")
    try:
        return sorted((rule.endpoint, rule.rule, method)
                      for rule in app.url_map.iter_rules()
                      for method in sorted((rule.methods or set()) - IGNORED_METHODS))
    finally:
        get_db(app).engine.dispose()


RULES = _url_map_rules()
CASES = [pytest.param(endpoint, rule, method, visitor,
                      id=f"{endpoint}:{method}:{visitor}")
         for endpoint, rule, method in RULES for visitor in VISITORS]


def build_url(app: Flask, endpoint: str, rule: str, users) -> tuple[str, dict]:
    """The rule's URL with its arguments filled from the table's builder, and the POST data."""
    expect = EXPECTATIONS[endpoint]
    with app.app_context():
        session = get_db(app).session()
        rows = Rows(session, users)
        values = dict(expect.url_values(rows)) if expect.url_values else {}
        data = dict(expect.post_data(rows))
        session.commit()
    url_rule = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == rule)
    missing = url_rule.arguments - set(values)
    assert not missing, (
        f"{endpoint} ({rule}) takes {sorted(missing)}: give its row in "
        "tests/authz_expectations.py a URL builder with .at(lambda rows: {...})")
    built = url_rule.build({name: str(value) for name, value in values.items()})
    assert built is not None, f"{endpoint}: cannot build {rule} from {values}"
    return built[1], data


def is_sign_in_redirect(response) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = urlsplit(response.headers["Location"])
    return location.path == "/login" and "next" in parse_qs(location.query)


def outcome_of(response, method: str) -> str:
    status = response.status_code
    if is_sign_in_redirect(response):
        return SIGN_IN
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if 300 <= status < 400:
        return ALLOWED
    if method == "GET" and status == 200:
        return ALLOWED
    if method != "GET" and status in ALLOWED_POST_STATUSES:
        return ALLOWED
    return f"unexpected HTTP {status}"


@pytest.fixture(scope="module")
def matrix_app(migrated_database: str) -> Iterator[Flask]:
    """One app for the whole matrix (building an app costs more than a case)."""
    app = make_test_app(migrated_database)
    try:
        yield app
    finally:
        get_db(app).engine.dispose()


@pytest.fixture
def case(matrix_app: Flask) -> Iterator[tuple[Flask, TestUsers]]:
    """The matrix app on a fresh transaction rolled back after the case, with the standard
    accounts; exactly what the ``app`` and ``users`` fixtures give, without a new app."""
    with rolled_back_transaction(matrix_app, dispose=False):
        with matrix_app.app_context():
            users = TestUsers.create(get_db(matrix_app).session())
        yield matrix_app, users


@pytest.mark.parametrize(("endpoint", "rule", "method", "visitor"), CASES)
def test_authorization_matrix(case, endpoint, rule, method, visitor):
    app, users = case
    assert endpoint in EXPECTATIONS, (
        f"endpoint {endpoint!r} ({method} {rule}) has no row in tests/authz_expectations.py: "
        "say who may use it")
    expected = EXPECTATIONS[endpoint].outcomes[visitor]
    url, data = build_url(app, endpoint, rule, users)

    client = app.test_client()
    if visitor != "anonymous":
        sign_in_session(client, getattr(users, visitor))
    if method != "GET":
        data["csrf_token"] = session_csrf_token(app, client)

    response = client.open(url, method=method, data=data if method != "GET" else None)
    try:
        actual = outcome_of(response, method)
    finally:
        response.close()
    assert actual == expected, (
        f"{visitor} {method} {url}: expected {expected}, got {actual} "
        f"(HTTP {response.status_code} {response.headers.get('Location', '')})")


def test_the_matrix_covers_the_url_map():
    assert len(RULES) >= 6
    assert {endpoint for endpoint, _rule, _method in RULES} >= {
        "auth.login", "auth.logout", "auth.password", "health.healthz", "static"}


def test_the_table_has_no_rows_for_endpoints_that_do_not_exist():
    endpoints = {endpoint for endpoint, _rule, _method in RULES}
    stale = sorted(set(EXPECTATIONS) - endpoints)
    assert not stale, f"tests/authz_expectations.py names endpoints that no longer exist: {stale}"


def test_every_view_declares_who_may_use_it(app):
    undeclared = sorted(name for name, view in app.view_functions.items()
                        if access_of(view) is None)
    assert not undeclared, f"views without @public or @allow(...): {undeclared}"


def test_a_view_without_a_declaration_is_refused(app, users):
    """Default deny, shown on a route added without @public/@allow."""
    app.add_url_rule("/undeclared-probe", "undeclared_probe", lambda: "should not be seen")
    anonymous = app.test_client()
    assert anonymous.get("/undeclared-probe").status_code == 403
    admin = app.test_client()
    sign_in_session(admin, users.superadmin)
    assert admin.get("/undeclared-probe").status_code == 403
