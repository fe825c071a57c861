"""Albums: superadmins see every album; a singer sees and edits only their own."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..admin import Column, FieldError, ModelAdmin, Owner, RelatedList, site
from ..admin.filters import DateRangeFilter, RelatedFilter
from ..media.fields import ImageField
from ..models import Album, User, UserRole
from ..sources import ARTIST_SOURCE
from .forms import AlbumForm


@site.register
class AlbumAdmin(ModelAdmin):
    model = Album
    name = "albums"
    roles = {UserRole.superadmin, UserRole.singer}
    owner = Owner("artist", role=UserRole.singer)
    nav_order = 25
    list_display = (Column("title", link=True, sort="title"), Column("cover", "Cover"),
                    Column("artist.display_name", "Artist"),
                    Column("release_date", "Released", sort="release"),
                    Column("created_at", "Added", sort="created", secondary=True))
    sortable = {"title": "title", "release": "release_date", "created": "created_at"}
    search_fields = ("title",)
    list_filters = (RelatedFilter("artist", ARTIST_SOURCE, "Artist"),
                    DateRangeFilter("release_date", "Released"))
    form = AlbumForm
    media = (ImageField(),)  # cover art: uploads, and the list's Column("cover") thumbnail
    constraint_messages = {"uq_album_artist_title_live": (
        "title", "This artist already has an album titled “{title}”.")}
    related_lists = (RelatedList("songs", "album", "Songs, in track order", filter_param="album",
                                 order_by=("track_number", "title"), limit=100,
                                 columns=(Column("track_number", "#"), "title", "duration",
                                          "status"), delete_message=(
                                     "This album has {rows}; move them to another album "
                                     "or to no album first: deleting never takes songs along.")),)

    def validate_object(self, session: Session, obj: Album, user: User) -> None:
        if obj.id is not None and obj.artist.id != obj.artist_user_id and obj.songs:
            raise FieldError("artist", "This album holds songs of its artist: move its songs "
                             "first to give the album to another artist.")
