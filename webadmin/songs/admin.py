"""Songs: superadmins see every song; a singer sees, creates and edits only their own, and the
artist of a singer's song is always the singer (the ``owner`` option)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from ..admin import Column, FieldError, ModelAdmin, Owner, site
from ..admin.filters import BooleanFilter, ChoiceFilter, DateRangeFilter, RelatedFilter
from ..admin.text import format_duration
from ..admin.types import BulkAction
from ..media.fields import AudioField, ImageField
from ..models import Song, SongStatus, User, UserRole
from ..sources import ALBUM_SOURCE, ARTIST_SOURCE, GENRE_SOURCE
from .forms import ISRC_PATTERN, SongForm, normalize_isrc
from .import_views import register as register_pages


def status_change(status: SongStatus) -> Any:
    """A bulk action's new values: ``status``; a song already there is skipped, named."""

    def values(song: Song) -> dict[str, Any]:
        if song.status is status:
            raise ValueError(f"it is already {status.value}.")
        return {"status": status}

    return values


@site.register
class SongAdmin(ModelAdmin):
    model = Song
    name = "songs"
    roles = {UserRole.superadmin, UserRole.singer}
    owner = Owner("artist", role=UserRole.singer)
    nav_order = 20
    list_display = (Column("title", link=True), Column("cover", "Cover"),
                    Column("artist.display_name", "Artist", sort="artist"),
                    Column("genre.name", "Genre", sort="genre"),
                    Column("duration", sort="duration", numeric=True),
                    "status", Column("is_explicit", "Explicit", secondary=True),
                    Column("release_date", "Released", sort="release"),
                    Column("created_at", "Added", sort="created", secondary=True))
    csv_columns = ("title", Column("artist.display_name", "Artist"), Column("genre.name", "Genre"),
                   "duration", "isrc", "status", Column("is_explicit", "Explicit"),
                   "release_date", "created_at", Column("album.title", "Album"), "track_number")
    sortable = {"title": "title", "created": "created_at", "release": "release_date",
                "duration": "duration_seconds",
                "artist": "artist.display_name", "genre": "genre.name"}  # joined, by name
    search_fields = ("title", "isrc", "artist.display_name")
    search_hint = "Title, artist or ISRC"
    list_filters = (RelatedFilter("artist", ARTIST_SOURCE, "Artist"),
                    RelatedFilter("genre", GENRE_SOURCE, "Genre"),
                    RelatedFilter("album", ALBUM_SOURCE, "Album"),
                    ChoiceFilter("status", SongStatus, "Status"),
                    BooleanFilter("is_explicit", "Explicit"),
                    DateRangeFilter("release_date", "Released"))
    bulk_actions = ("delete", BulkAction("publish", "Publish…", "published",
                                         values=status_change(SongStatus.published)),
                    BulkAction("archive", "Archive…", "archived",
                               values=status_change(SongStatus.archived)), "export")
    list_deferred = ("lyrics",)  # the list never shows lyrics (up to 20,000 characters a song)
    form = SongForm
    change_formats = {"duration_seconds": format_duration}
    media = (AudioField(), ImageField())  # audio sets the duration; both served via /media/
    constraint_messages = {
        "uq_song_artist_title_live": ("title", "This artist already has a song titled “{title}”."),
        "uq_song_isrc_live": ("isrc", "Another song already uses the ISRC {isrc}."),
        "ck_song_duration_positive": ("duration_seconds", "A song lasts 0:01 to 24:00:00."),
        "ck_song_isrc_length": ("isrc", "An ISRC has 12 letters and digits."),
        "uq_song_album_track_live": ("track_number", "Another song of this album already has "
                                     "track number {track_number}."),
        "fk_song_album_id_album": ("album", "Choose one of this artist's albums."),
    }

    def search_clause(self, term: str) -> Any:
        """A term shaped like an ISRC finds that song through its unique index (fast on any
        catalogue size); anything else searches titles and ISRCs."""
        isrc = normalize_isrc(term)
        if ISRC_PATTERN.match(isrc):
            return Song.isrc == isrc
        return super().search_clause(term)

    def duration(self, song: Song) -> str:
        return format_duration(song.duration_seconds)

    def register_views(self, bp: Any) -> None:
        register_pages(bp, self)

    def extra_links(self, user: User) -> Any:
        return () if self.owns(user) else (("Import CSV", url_for("songs.import_songs")),)

    def populate(self, obj: Song, form: Any, user: User) -> None:
        super().populate(obj, form, user)
        obj.lyrics = obj.lyrics or ""

    def validate_object(self, session: Session, obj: Song, user: User) -> None:
        """The album must be the artist's own (the database's composite key says so too)."""
        if obj.album is not None and obj.album.artist_user_id != obj.artist.id:
            raise FieldError("album", f"“{obj.album.title}” is an album of another artist: "
                             "choose one of this artist's albums, or no album.")
