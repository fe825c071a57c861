"""GET /: a card per section the user may use (capped counts) and their recent actions."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, render_template, url_for
from sqlalchemy import select

from ..auth.permissions import allow
from ..db import session as db_session
from ..models import AuditEvent, UserRole
from .query import capped_count
from .site import site
from .views import user

bp = Blueprint("dashboard", __name__)
RECENT_ACTIONS = 10
SESSION_ACTIONS = frozenset({"auth.sign_in", "auth.sign_out"})


@bp.get("/")
@allow(UserRole.superadmin, UserRole.singer)
def index():
    me, session = user(), db_session()
    cards = []
    for admin in site.admins_for(me.role):
        if not admin.dashboard_card:
            continue
        stmt = admin.base_query(me)
        count = capped_count(session, stmt, estimate_table=(
            admin.model_cls.__tablename__ if admin.unscoped_for(me) else None))
        cards.append({"label": admin.label, "count": count,
                      "url": url_for(f"{admin.name}.list"),
                      "add_url": url_for(f"{admin.name}.create")
                      if admin.form is not None and admin.can_create else None,
                      "singular": admin.singular})
    recent = session.scalars(
        select(AuditEvent).where(AuditEvent.actor_user_id == me.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(RECENT_ACTIONS * 5)).all()
    recent = group_repeats(recent)[:RECENT_ACTIONS]
    links = {}
    for event, _times in recent:
        admin = next((a for a in site.admins_for(me.role)
                      if a.model_cls.__tablename__ == event.target_type), None)
        if admin is not None and event.target_public_id:
            links[event.id] = url_for(f"{admin.name}.history",
                                      public_id=event.target_public_id)
    return render_template("admin/dashboard.html", cards=cards, recent=recent, links=links,
                           page_title="Dashboard")


def group_repeats(events: Sequence[AuditEvent]) -> list[tuple[AuditEvent, int]]:
    """(event, sign-ins): a run of consecutive sign-ins and sign-outs folds into its newest
    event with the number of sign-ins in it (0: not a folded run), so a day of sessions reads
    "Signed in ×5" instead of pushing the real changes off the dashboard."""
    grouped: list[tuple[AuditEvent, int]] = []
    run_open = False
    for event in events:
        if event.action in SESSION_ACTIONS and run_open:
            newest, sign_ins = grouped[-1]
            grouped[-1] = (newest, sign_ins + (event.action == "auth.sign_in"))
            continue
        run_open = event.action in SESSION_ACTIONS
        grouped.append((event, int(event.action == "auth.sign_in") if run_open else 0))
    return grouped
