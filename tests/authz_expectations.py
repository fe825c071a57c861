"""Who may use which endpoint: the table behind tests/auth/test_authorization_matrix.py.

The matrix test walks every rule of ``app.url_map`` (every method it allows) for five visitors —
anonymous, a listener holding a session, a singer, another singer, a superadmin — and checks the
answer against ``EXPECTATIONS[endpoint]``. An endpoint without a row here fails the test, so a new
route cannot escape it. Adding a section is a few lines, e.g.::

    "genres.list": SUPERADMIN_ONLY,
    "genres.edit": SUPERADMIN_ONLY.at(lambda rows: {"public_id": rows.genre.public_id}),
    "songs.list": SIGNED_IN,
    "songs.edit": OWN_ROWS.at(lambda rows: {"public_id": rows.singer_song.public_id}),

Outcomes:
  ALLOWED    GET: 200 (or a redirect that is not to the sign-in page); POST (sent with a valid
             CSRF token and no other data): 200/400/409/422 (a validation answer) or a redirect
             that is not to the sign-in page.
  SIGN_IN    302 to /login?next=…  (anonymous visitors; a listener's session counts as
             anonymous: the user loader refuses listeners, so they are sent to sign in, not 403).
  FORBIDDEN  403 (signed in, role not allowed).
  NOT_FOUND  404 (a row outside the user's scope, answered exactly like a missing row).

Vocabulary:
  PUBLIC           everyone ALLOWED.
  SIGNED_IN        any back-office role (superadmin, singer); anonymous and listener → SIGN_IN.
  SUPERADMIN_ONLY  like SIGNED_IN, singers → FORBIDDEN.
  OWN_ROWS         like SIGNED_IN for a row owned by ``singer``: other_singer → NOT_FOUND.
Use ``.at(builder)`` for rules with URL arguments (builder(rows) → {argument: value}),
``.but(role=OUTCOME)`` for an exception, ``.posting(builder)`` to send form data with POSTs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from tests import factories
from tests.helpers import TestUsers
from webadmin.models import Song, User

ALLOWED = "allowed"
SIGN_IN = "sign-in redirect"
FORBIDDEN = "403"
NOT_FOUND = "404"
OUTCOMES = frozenset({ALLOWED, SIGN_IN, FORBIDDEN, NOT_FOUND})

VISITORS = ("anonymous", "listener", "singer", "other_singer", "superadmin")


class Rows:
    """Rows the URL builders point at, created on first use inside the test's transaction."""

    def __init__(self, session: Session, users: TestUsers) -> None:
        self.session = session
        self.users = users

    def user(self, visitor: str) -> User:
        """One of the standard accounts as a row of this session."""
        return self.session.get(User, getattr(self.users, visitor).id)

    @cached_property
    def singer_song(self) -> Song:
        """A song whose artist is ``singer`` (other_singer must get 404 for it)."""
        return factories.make_song(self.session, artist=self.user("singer"))

    @cached_property
    def singer_album(self):
        """An album whose artist is ``singer`` (other_singer must get 404 for it)."""
        return factories.make_album(self.session, artist=self.user("singer"))

    @cached_property
    def subscription(self):
        return factories.make_subscription(self.session, listener=self.user("listener"))

    @cached_property
    def singer_song_with_cover(self) -> Song:
        """``singer_song`` with a cover stored, so its media URLs answer its owner 200."""
        import io

        from tests.media.files import jpeg_bytes
        from webadmin.media.fields import ImageField
        from webadmin.media.services import ObjectChanges, attach
        from webadmin.media.storage import get_storage

        song = self.singer_song
        changes = ObjectChanges(get_storage())
        attach(self.session, changes, ImageField(), song, io.BytesIO(jpeg_bytes((32, 32))),
               "cover.jpg", self.user("singer"), max_bytes=1 << 20, max_pixels=1 << 20)
        return song

    @cached_property
    def genre(self):
        return factories.make_genre(self.session)

    @cached_property
    def plan(self):
        return factories.make_plan(self.session)

    @cached_property
    def localization_string(self):
        return factories.make_string(self.session)

    @cached_property
    def config_entry(self):
        return factories.make_config(self.session)


UrlValues = Callable[[Rows], Mapping[str, Any]]


def _no_values(_rows: Rows) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Expect:
    outcomes: Mapping[str, str]
    url_values: UrlValues | None = None
    post_data: UrlValues = field(default=_no_values)

    def __post_init__(self) -> None:
        if set(self.outcomes) != set(VISITORS):
            raise ValueError(f"outcomes must name exactly {VISITORS}")
        if not set(self.outcomes.values()) <= OUTCOMES:
            raise ValueError(f"unknown outcome in {dict(self.outcomes)}")
        object.__setattr__(self, "outcomes", MappingProxyType(dict(self.outcomes)))

    def at(self, url_values: UrlValues) -> Expect:
        return replace(self, url_values=url_values)

    def but(self, **outcomes: str) -> Expect:
        return replace(self, outcomes={**self.outcomes, **outcomes})

    def posting(self, post_data: UrlValues) -> Expect:
        return replace(self, post_data=post_data)


PUBLIC = Expect({visitor: ALLOWED for visitor in VISITORS})
SIGNED_IN = Expect({"anonymous": SIGN_IN, "listener": SIGN_IN, "singer": ALLOWED,
                    "other_singer": ALLOWED, "superadmin": ALLOWED})
SUPERADMIN_ONLY = SIGNED_IN.but(singer=FORBIDDEN, other_singer=FORBIDDEN)
OWN_ROWS = SIGNED_IN.but(other_singer=NOT_FOUND)


EXPECTATIONS: dict[str, Expect] = {
    # Flask and infrastructure
    "static": PUBLIC.at(lambda rows: {"filename": "css/app.css"}),
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    # Sign-in, sign-out, own password
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.password": SIGNED_IN,
    "auth.sign_out_elsewhere": SIGNED_IN,
    # Dashboard, songs (singers: their own rows only) and genres (superadmin only).
    "dashboard.index": SIGNED_IN,
    **{f"songs.{view}": SIGNED_IN for view in ("list", "create", "bulk", "export")},
    **{f"songs.{view}": OWN_ROWS.at(lambda rows: {"public_id": rows.singer_song.public_id})
       for view in ("edit", "delete", "history")},
    "songs.lookup": SIGNED_IN.at(lambda rows: {"field": "genre"}),
    # Media of a song (webadmin/media): the song's scope decides; others' rows are 404.
    **{f"media.{view}": OWN_ROWS.at(lambda rows: {
        "section": "songs", "public_id": rows.singer_song_with_cover.public_id, "kind": "cover"})
       for view in ("serve", "upload", "remove_media")},
    "songs.import_songs": SUPERADMIN_ONLY,
    "songs.confirm_import_songs": SUPERADMIN_ONLY,
    **{f"genres.{view}": SUPERADMIN_ONLY for view in ("list", "create", "bulk", "export")},
    **{f"genres.{view}": SUPERADMIN_ONLY.at(lambda rows: {"public_id": rows.genre.public_id})
       for view in ("edit", "delete", "history")},
    "genres.lookup": SUPERADMIN_ONLY.at(lambda rows: {"field": "parent"}),
    # Albums: like songs (singers: their own rows). The artist picker is the superadmin's
    # only related field, so singers are not given the lookup route at all.
    **{f"albums.{view}": SIGNED_IN for view in ("list", "create", "bulk", "export")},
    **{f"albums.{view}": OWN_ROWS.at(lambda rows: {"public_id": rows.singer_album.public_id})
       for view in ("edit", "delete", "history")},
    "albums.lookup": SUPERADMIN_ONLY.at(lambda rows: {"field": "artist"}),
    # Subscriptions: superadmin only, with declared actions behind a confirmation.
    **{f"subscriptions.{view}": SUPERADMIN_ONLY
       for view in ("list", "create", "bulk", "export")},
    **{f"subscriptions.{view}": SUPERADMIN_ONLY.at(
        lambda rows: {"public_id": rows.subscription.public_id})
       for view in ("edit", "delete", "history")},
    "subscriptions.lookup": SUPERADMIN_ONLY.at(lambda rows: {"field": "plan"}),
    "subscriptions.action": SUPERADMIN_ONLY.at(
        lambda rows: {"public_id": rows.subscription.public_id, "action": "cancel"}),
    # Sections of helper "sections": superadmin only. Row URLs point at rows no visitor owns.
    **{f"{section}.{view}": SUPERADMIN_ONLY
       for section in ("users", "plans", "localization", "config")
       for view in ("list", "create", "bulk", "export")},
    **{f"{section}.{view}": SUPERADMIN_ONLY.at(row)
       for section, row in (
           ("users", lambda rows: {"public_id": rows.user("listener").public_id}),
           ("plans", lambda rows: {"public_id": rows.plan.public_id}),
           ("localization", lambda rows: {"public_id": rows.localization_string.public_id}),
           ("config", lambda rows: {"public_id": rows.config_entry.public_id}))
       for view in ("edit", "delete", "history")},
    "users.set_password": SUPERADMIN_ONLY.at(
        lambda rows: {"public_id": rows.user("listener").public_id}),
    "users.deactivate": SUPERADMIN_ONLY.at(
        lambda rows: {"public_id": rows.user("listener").public_id}),
    "users.reactivate": SUPERADMIN_ONLY.at(
        lambda rows: {"public_id": rows.user("listener").public_id}),
    "localization.missing": SUPERADMIN_ONLY,
    "localization.import_strings": SUPERADMIN_ONLY,
    "localization.confirm_import": SUPERADMIN_ONLY,
    "localization.export_strings": SUPERADMIN_ONLY,
    # The audit view (issue 9): deleted rows (restore, purge) and the log.
    **{f"audit.{view}": SUPERADMIN_ONLY
       for view in ("deleted", "restore", "purge", "log", "export")},
}
