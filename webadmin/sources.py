"""Where related rows come from, shared by every section: the artist, genre, plan, listener and
album pickers and filters. A neutral module: sections import it, it imports no section (the
section a source is scoped by is named, never imported), so no section imports another."""

from __future__ import annotations

from .admin.related import RelatedSource
from .models import Album, Genre, SubscriptionPlan, User, UserRole

ARTIST_SOURCE = RelatedSource(
    User, label=lambda u: f"{u.display_name} ({u.email})", match=("email", "display_name"),
    search=("display_name", "email"), order_by="display_name", section="users",
    where=lambda: User.role == UserRole.singer)

LISTENER_SOURCE = RelatedSource(
    User, label=lambda u: f"{u.display_name} ({u.email})", match=("email",),
    search=("display_name", "email"), order_by="display_name", section="users",
    where=lambda: User.role == UserRole.listener)

GENRE_SOURCE = RelatedSource(Genre, label=lambda g: g.name, match=("name", "slug"),
                             search=("name", "slug"), order_by="name", section="genres")

PLAN_SOURCE = RelatedSource(SubscriptionPlan, label=str, match=("code",),
                            search=("name", "code"), order_by="name", section="plans")

# Scoped by the albums section: a singer picks among their own albums only.
ALBUM_SOURCE = RelatedSource(Album, label=lambda a: a.title, match=("title",), search=("title",),
                             order_by="title", section="albums")
