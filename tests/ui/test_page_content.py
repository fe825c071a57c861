"""What the polished pages say and offer, checked through the test client (no browser): English
captions, breadcrumbs, the error summary, read-only details, fieldsets, "save as new", no
self-destructive actions on one's own account, sign-ins grouped on the dashboard."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests.admin.support import form_values
from webadmin.admin.dashboard import group_repeats
from webadmin.admin.options import ModelAdmin
from webadmin.models import Genre, SubscriptionPlan, User
from webadmin.services.seed import seed_config, seed_strings


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_counts_read_as_english(admin_browser, db_session):
    seed_strings(db_session)
    seed_config(db_session)
    db_session.commit()
    strings = text_of(admin_browser.get("/localization/").get_data(as_text=True))
    settings = text_of(admin_browser.get("/config/").get_data(as_text=True))
    assert re.search(r"\b\d+ strings\b", strings), strings[:400]
    assert re.search(r"\b\d+ settings\b", settings)
    assert "localization " not in strings.split("Localization", 2)[-1][:40]


def test_config_types_read_as_words(admin_browser, db_session):
    seed_config(db_session)
    db_session.commit()
    page = text_of(admin_browser.get("/config/?sort=type").get_data(as_text=True))
    types = {t for t in ("JSON", "Boolean", "Integer", "Text", "Json", "Bool") if f" {t} " in page}
    assert "Json" not in types and "Bool" not in types
    assert {"JSON", "Boolean"} <= types or {"JSON"} <= types, types


def test_count_caption_singular_and_capped():
    admin = SimpleNamespace(singular="string", plural="strings")
    caption = ModelAdmin.count_caption
    assert caption(admin, 1) == "1 string"
    assert caption(admin, 13) == "13 strings"
    assert caption(admin, SimpleNamespace(value=1, capped=True)).endswith(" strings")


def test_edit_page_breadcrumbs_lead_back_through_section_and_row(admin_browser, db_session):
    genre = Genre(name="Shoegaze", slug="shoegaze")
    db_session.add(genre)
    db_session.commit()
    html = admin_browser.get(f"/genres/{genre.public_id}/history").get_data(as_text=True)
    crumbs = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', html,
                       re.S).group(1)
    assert 'href="/genres/"' in crumbs
    assert f'href="/genres/{genre.public_id}/edit">Shoegaze</a>' in crumbs
    assert '<li aria-current="page">History</li>' in crumbs


def test_failed_submit_lists_each_error_with_a_link_to_its_field(admin_browser):
    response = admin_browser.submit("/plans/new", {"code": "", "name": "", "price_cents": "-1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary"[^>]*data-error-summary[^>]*>(.*?)</div>',
                        html, re.S)
    assert summary, "no error summary"
    links = re.findall(r'<a href="#([a-z_]+)">', summary.group(1))
    assert {"code", "name", "price_cents"} <= set(links)
    for field_id in links:
        assert f'id="{field_id}"' in html


def test_edit_page_shows_read_only_facts_and_who_changed_it_last(admin_browser, db_session):
    response = admin_browser.submit("/genres/new", {"name": "Dream Pop"})
    assert response.status_code == 302
    genre = db_session.scalars(select(Genre).where(Genre.name == "Dream Pop")).one()
    html = text_of(admin_browser.get(f"/genres/{genre.public_id}/edit").get_data(as_text=True))
    assert f"Public id {genre.public_id}" in html
    assert "Created 20" in html and "Updated 20" in html
    assert re.search(r"Last change 20\S+ \S+ by admin@example\.test", html), html[-600:]


def test_plans_form_is_grouped_in_fieldsets(admin_browser):
    html = admin_browser.get("/plans/new").get_data(as_text=True)
    legends = re.findall(r"<legend>([^<]+)</legend>", html)
    assert legends[:3] == ["Plan", "Price", "Availability"]
    assert html.index('id="code"') < html.index("<legend>Price</legend>") < html.index(
        'id="price_cents"')


def test_save_as_new_copies_a_plan_and_leaves_the_original(admin_browser, db_session):
    plan = SubscriptionPlan(code="premium", name="Premium", price_cents=999, currency="EUR")
    db_session.add(plan)
    db_session.commit()
    page = admin_browser.get(f"/plans/{plan.public_id}/edit").get_data(as_text=True)
    assert ">Save as new</button>" in page
    data = form_values(page)
    data.update(code="premium-yearly", name="Premium yearly", price_cents="99.00",
                _saveasnew="1")
    assert admin_browser.submit(f"/plans/{plan.public_id}/edit", data).status_code == 302
    db_session.expire_all()
    codes = dict(db_session.execute(select(SubscriptionPlan.code, SubscriptionPlan.price_cents)
                                    .where(SubscriptionPlan.deleted_at.is_(None))).all())
    assert codes == {"premium": 999, "premium-yearly": 9900}
    # A copy that collides with the original is a field error, not a second "premium".
    data.update(code="premium")
    response = admin_browser.submit(f"/plans/{plan.public_id}/edit", data)
    assert response.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(SubscriptionPlan).where(
        SubscriptionPlan.code == "premium")) == 1


def test_sections_without_save_as_new_ignore_it(admin_browser, db_session):
    genre = Genre(name="Trip Hop", slug="trip-hop")
    db_session.add(genre)
    db_session.commit()
    page = admin_browser.get(f"/genres/{genre.public_id}/edit").get_data(as_text=True)
    assert "Save as new" not in page
    data = form_values(page) | {"name": "Trip-Hop", "_saveasnew": "1"}
    assert admin_browser.submit(f"/genres/{genre.public_id}/edit", data).status_code == 302
    assert db_session.scalar(select(func.count()).select_from(Genre).where(
        Genre.name.in_(["Trip Hop", "Trip-Hop"]))) == 1


def test_own_account_offers_nothing_self_destructive(admin_browser, users):
    me = users.superadmin
    page = admin_browser.get(f"/users/{me.public_id}/edit").get_data(as_text=True)
    assert "Set a new password" in page
    assert f"/users/{me.public_id}/deactivate" not in page
    assert f"/users/{me.public_id}/delete" not in page
    other = admin_browser.get(f"/users/{users.singer.public_id}/edit").get_data(as_text=True)
    assert f"/users/{users.singer.public_id}/deactivate" in other
    assert f"/users/{users.singer.public_id}/delete" in other


@pytest.mark.parametrize("verb", ["deactivate", "delete"])
def test_the_server_refuses_to_remove_your_own_account(admin_browser, users, db_session, verb):
    me = users.superadmin
    url = f"/users/{me.public_id}/{verb}"
    response = admin_browser.submit(url, {})
    assert response.status_code == 409
    assert f"You cannot {verb} your own account." in response.get_data(as_text=True)
    db_session.expire_all()
    account = db_session.get(User, me.id)
    assert account.is_active and account.deleted_at is None


def test_dashboard_folds_runs_of_sign_ins(admin_browser, db_session):
    for _ in range(3):
        admin_browser.logout()
        admin_browser.login("admin@example.test")
    admin_browser.submit("/genres/new", {"name": "Krautrock"})
    admin_browser.logout()
    admin_browser.login("admin@example.test")
    rows = re.findall(r'<td data-label="Action">([^<]+)</td>',
                      admin_browser.get("/").get_data(as_text=True))
    assert rows[:2] == ["Signed in", "Created"] or rows[0] == "Signed in", rows
    assert "Created" in rows
    after_create = rows[rows.index("Created") + 1:]
    assert after_create and after_create[0].startswith("Signed in ×"), rows
    assert len([r for r in rows if r.startswith("Signed")]) <= 3, rows


def test_group_repeats_keeps_changes_apart():
    def event(action):
        return SimpleNamespace(action=action)

    events = [event(a) for a in ("auth.sign_in", "auth.sign_out", "auth.sign_in",
                                 "record.updated", "auth.sign_in", "auth.sign_in")]
    grouped = group_repeats(events)
    assert [(e.action, n) for e, n in grouped] == [
        ("auth.sign_in", 2), ("record.updated", 0), ("auth.sign_in", 2)]
