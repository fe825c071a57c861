"""The sections' list pages issue the same number of statements whatever the page size."""

from __future__ import annotations

import pytest

from tests.admin.support import count_statements
from tests.factories import make_config, make_plan, make_string, make_user
from webadmin.models import UserRole


@pytest.mark.parametrize(("section", "make"), [
    ("config", lambda s, n, who: make_config(s, key=f"k{n:03d}", updated_by_user_id=who.id)),
    ("users", lambda s, n, who: make_user(s, role=UserRole.listener)),
    ("plans", lambda s, n, who: make_plan(s)),
    ("localization", lambda s, n, who: make_string(s, locale="de")),
])
def test_list_statement_count_does_not_grow_with_rows(app, admin_browser, db_session, users,
                                                      section, make):
    for n in range(60):
        make(db_session, n, make_user(db_session) if n % 2 else users.superadmin)
    db_session.commit()
    counts = []
    for per_page in (10, 50):
        admin_browser.get(f"/{section}/?per_page={per_page}")  # warm-up (session, caches)
        with count_statements(app) as statements:
            response = admin_browser.get(f"/{section}/?per_page={per_page}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts
