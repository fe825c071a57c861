"""Songs: superadmins see every song; a singer sees, creates and edits only their own, and the
artist of a singer's song is always the singer (never a form field)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import Select

from ..admin import Column, ModelAdmin, site
from ..admin.filters import BooleanFilter, ChoiceFilter, DateRangeFilter, RelatedFilter
from ..genres.forms import GENRE_SOURCE
from ..models import Song, SongStatus, User, UserRole
from .forms import ARTIST_SOURCE, ISRC_PATTERN, SongForm, format_duration, normalize_isrc


@site.register
class SongAdmin(ModelAdmin):
    model = Song
    name = "songs"
    label = "Songs"
    singular = "song"
    roles = {UserRole.superadmin, UserRole.singer}
    nav_order = 20
    list_display = (Column("title", link=True), Column("artist.display_name", "Artist"),
                    Column("genre.name", "Genre"), Column("duration", sort="duration",
                                                          numeric=True),
                    "status", Column("is_explicit", "Explicit", secondary=True),
                    Column("release_date", "Released", sort="release"),
                    Column("created_at", "Added", sort="created", secondary=True))
    csv_columns = ("title", Column("artist.display_name", "Artist"), Column("genre.name", "Genre"),
                   "duration", "isrc", "status", Column("is_explicit", "Explicit"),
                   "release_date", "created_at")
    sortable = {"title": "title", "created": "created_at", "release": "release_date",
                "duration": "duration_seconds"}
    ordering = "-created"
    search_fields = ("title", "isrc")
    search_hint = "Title or ISRC"
    list_filters = (RelatedFilter("artist", ARTIST_SOURCE, "Artist"),
                    RelatedFilter("genre", GENRE_SOURCE, "Genre"),
                    ChoiceFilter("status", SongStatus, "Status"),
                    BooleanFilter("is_explicit", "Explicit"),
                    DateRangeFilter("release_date", "Released"))
    eager_loads = ("artist", "genre")
    list_deferred = ("lyrics",)  # the list never shows lyrics (up to 20,000 characters a song)
    form = SongForm
    constraint_messages = {
        "uq_song_artist_title_live": ("title", "This artist already has a song titled “{title}”."),
        "uq_song_isrc_live": ("isrc", "Another song already uses the ISRC {isrc}."),
        "ck_song_duration_positive": ("duration_seconds", "A song lasts 0:01 to 24:00:00."),
        "ck_song_isrc_length": ("isrc", "An ISRC has 12 letters and digits."),
    }

    @staticmethod
    def is_singer(user: User) -> bool:
        return user.role is not UserRole.superadmin

    def scope(self, stmt: Select[Any], user: User) -> Select[Any]:
        return stmt.where(Song.artist_user_id == user.id) if self.is_singer(user) else stmt

    def search_clause(self, term: str) -> Any:
        """A term shaped like an ISRC finds that song through its unique index (fast on any
        catalogue size); anything else searches titles and ISRCs."""
        isrc = normalize_isrc(term)
        if ISRC_PATTERN.match(isrc):
            return Song.isrc == isrc
        return super().search_clause(term)

    def duration(self, song: Song) -> str:
        return format_duration(song.duration_seconds)

    def get_list_display(self, user: User) -> tuple[Column, ...]:
        columns = super().get_list_display(user)
        return tuple(c for c in columns if c.path != "artist.display_name") \
            if self.is_singer(user) else columns

    def get_list_filters(self, user: User) -> Any:
        filters = super().get_list_filters(user)
        return [f for f in filters if f.param != "artist"] if self.is_singer(user) else filters

    def register_views(self, bp: Any) -> None:
        from .import_views import register

        register(bp, self)

    def extra_links(self, user: User) -> Any:
        return () if self.is_singer(user) else (("Import CSV", url_for("songs.import_songs")),)

    def prepare_form(self, form: Any, user: User, obj: Any) -> None:
        if self.is_singer(user):
            del form.artist

    def populate(self, obj: Song, form: Any, user: User) -> None:
        super().populate(obj, form, user)
        if self.is_singer(user) and obj.id is None:
            obj.artist = user
        obj.lyrics = obj.lyrics or ""
