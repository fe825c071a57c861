"""Missing translations: keys of the default locale that another locale lacks.

One NOT EXISTS query, keyset-paged by key (the (locale, key) index serves both sides), so a
page costs the same however many keys there are; nothing loads all keys into Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from ..admin.query import capped_count
from ..models import LocalizationString, live


@dataclass(frozen=True)
class MissingPage:
    rows: list[tuple[str, str]]  # (key, default-locale value)
    next_after: str | None
    total: int
    total_capped: bool


def _missing_statement(default_locale: str, locale: str):  # noqa: ANN202 - a Select
    source = aliased(LocalizationString, name="source")
    target = aliased(LocalizationString, name="target")
    translated = exists().where(and_(target.key == source.key, target.locale == locale,
                                     live(target)))
    return source, (select(source.key, source.value)
                    .where(source.locale == default_locale, live(source),
                           ~translated))


def missing_translations(session: Session, default_locale: str, locale: str, *,
                         after: str | None = None, per_page: int = 50) -> MissingPage:
    source, statement = _missing_statement(default_locale, locale)
    page_statement = statement.order_by(source.key).limit(per_page + 1)
    if after:
        page_statement = page_statement.where(source.key > after)
    rows = [(key, value) for key, value in session.execute(page_statement).all()]
    next_after = rows[per_page - 1][0] if len(rows) > per_page else None
    count = capped_count(session, statement)
    return MissingPage(rows=rows[:per_page], next_after=next_after,
                       total=count.value, total_capped=count.capped)


def known_locales(session: Session, limit: int = 200) -> list[str]:
    """Locales that have at least one live string (a small, bounded list for the picker)."""
    return list(session.scalars(
        select(LocalizationString.locale).distinct()
        .where(live(LocalizationString))
        .order_by(LocalizationString.locale).limit(limit)))
