"""A ModelAdmin's options are checked when the class is defined: typos fail at import."""

from __future__ import annotations

import pytest

from webadmin.admin import Column, ModelAdmin
from webadmin.admin.filters import BooleanFilter, ChoiceFilter, RelatedFilter
from webadmin.genres.forms import GENRE_SOURCE, GenreForm
from webadmin.models import Genre, Song, SongStatus, UserRole

VALID = {"model": Song, "name": "songs_test", "list_display": ("title",),
         "sortable": {"title": "title", "created": "created_at"}, "ordering": "-created"}


def define(**options):
    return type("TestAdmin", (ModelAdmin,), {**VALID, **options})


def test_a_valid_declaration_passes():
    admin = define(list_display=(Column("title", link=True), "artist.display_name",
                                 "genre.parent.name"),
                   list_filters=(ChoiceFilter("status", SongStatus),
                                 RelatedFilter("genre", GENRE_SOURCE)))
    assert admin.label == "Songs test"
    assert admin.roles == frozenset({UserRole.superadmin})


@pytest.mark.parametrize(("options", "message"), [
    ({"name": "Bad Name"}, "name must match"),
    ({"roles": set()}, "roles"),
    ({"roles": {"superadmin"}}, "roles"),
    ({"list_display": ("titel",)}, "has no attribute 'titel'"),
    ({"list_display": ("artist.nope",)}, "User has no attribute 'nope'"),
    ({"list_display": ("title.length",)}, "is not a relationship"),
    ({"list_display": ("artist.password_hash",)}, "may not be exposed"),
    ({"list_display": (Column("title", sort="nope"),)}, "sort key 'nope'"),
    ({"sortable": {"title": "titel"}, "ordering": "title"}, "no column 'titel'"),
    ({"ordering": "-nope"}, "ordering"),
    ({"search_fields": ("lyric",)}, "search_fields"),
    ({"list_filters": (BooleanFilter("explicit"),)}, "no column 'explicit'"),
    ({"list_filters": (RelatedFilter("title", GENRE_SOURCE),)}, "not a many-to-one"),
    ({"list_filters": ("status",)}, "Filter objects"),
    ({"list_filters": (ChoiceFilter("status", SongStatus), ChoiceFilter("status", SongStatus))},
     "used twice"),
    ({"per_page": 1000}, "per_page"),
    ({"eager_loads": ("albums",)}, "eager_loads"),
    ({"form": dict}, "FlaskForm"),
    ({"constraint_messages": {"uq_song_titel": ("title", "x")}}, "no constraint or index"),
    ({"model": Genre, "form": GenreForm, "sortable": {"created": "created_at"},
      "list_display": ("name",), "constraint_messages": {"uq_genre_name_live": ("nam", "x")}},
     "no field 'nam'"),
    ({"bulk_actions": ("explode",)}, "unknown action"),
])
def test_typos_fail_when_the_class_is_defined(options, message):
    with pytest.raises(TypeError, match=message):
        define(**options)
