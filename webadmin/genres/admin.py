"""Genres (superadmin): unique live names and slugs, an optional parent, no cycles; a genre that
still has songs or subgenres cannot be deleted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..admin import Column, FieldError, Impact, ModelAdmin, site
from ..admin.filters import RelatedFilter
from ..models import Genre, Song, User, live
from ..services.seed import slugify
from .forms import GENRE_SOURCE, GenreForm

MAX_DEPTH = 100


@site.register
class GenreAdmin(ModelAdmin):
    model = Genre
    name = "genres"
    nav_order = 30
    list_display = (Column("name", link=True), "slug", Column("parent.name", "Parent"),
                    Column("created_at", "Added"))
    sortable = {"name": "name", "created_at": "created_at"}
    ordering = "name"
    search_fields = ("name", "slug")
    search_hint = "Name or slug"
    list_filters = (RelatedFilter("parent", GENRE_SOURCE, "Parent"),)
    form = GenreForm
    constraint_messages = {
        "uq_genre_name_live": ("name", "A genre named “{name}” already exists."),
        "uq_genre_slug_live": ("slug", "The slug “{slug}” is already used by another genre."),
        "ck_genre_not_own_parent": ("parent", "A genre can't be its own parent."),
    }

    def populate(self, obj: Genre, form: Any, user: User) -> None:
        super().populate(obj, form, user)
        obj.description = obj.description or ""

    def validate_object(self, session: Session, obj: Genre, user: User) -> None:
        if not obj.slug:
            obj.slug = self.free_slug(session, obj)
        ancestor, depth = obj.parent, 0
        while ancestor is not None and depth < MAX_DEPTH:
            if ancestor is obj or (obj.id is not None and ancestor.id == obj.id):
                raise FieldError("parent", "A genre can't be its own ancestor: choose a "
                                 "parent outside this genre's subgenres.")
            ancestor, depth = ancestor.parent, depth + 1

    def free_slug(self, session: Session, obj: Genre) -> str:
        base = slugify(obj.name)[:90]
        taken = set(session.scalars(select(Genre.slug).where(
            live(Genre), Genre.slug.like(f"{base}%"),
            Genre.id != (obj.id or -1))))
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def delete_impact(self, session: Session, obj: Genre, user: User) -> list[Impact]:
        songs = session.scalar(select(func.count()).select_from(Song).where(
            Song.genre_id == obj.id, live(Song))) or 0
        children = session.scalar(select(func.count()).select_from(Genre).where(
            Genre.parent_genre_id == obj.id, live(Genre))) or 0
        impact = []
        if songs:
            impact.append(Impact("Songs in this genre", songs, blocks=True, message=(
                f"This genre has {songs:,} song{'s' if songs != 1 else ''}; "
                "move or delete them first.")))
        if children:
            impact.append(Impact("Subgenres", children, blocks=True, message=(
                f"This genre has {children:,} subgenre{'s' if children != 1 else ''}; "
                "move or delete them first.")))
        return impact
