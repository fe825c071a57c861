"""Must-show 4: a ModelAdmin's declaration is checked when the class is defined, and every
problem of the class is reported at once (class and field named), like Django's checks."""

from __future__ import annotations

import pytest
from wtforms import StringField

from webadmin.admin import AdminForm, ModelAdmin, RelatedField
from webadmin.admin.options import DefinitionError, Owner
from webadmin.models import Album, Song, UserRole
from webadmin.songs.admin import SongAdmin
from webadmin.sources import ARTIST_SOURCE

VALID = {"model": Album, "name": "albums_test", "list_display": ("title",),
         "sortable": {"created": "created_at"}, "ordering": "-created"}


def define(name="AlbumsTestAdmin", **options):
    return type(name, (ModelAdmin,), {**VALID, **options})


class TitleForm(AdminForm):
    title = StringField("Title")
    titel = StringField("Typo")


def test_a_form_field_that_maps_to_nothing_fails_naming_class_and_field():
    with pytest.raises(DefinitionError) as caught:
        define("TypoAdmin", form=TitleForm)
    message = str(caught.value)
    assert message.startswith("TypoAdmin:")
    assert "form field 'titel'" in message and "Album has no attribute 'titel'" in message
    assert caught.value.problems == [p for p in caught.value.problems if "titel" in p]


def test_a_form_only_field_is_declared_unmapped():
    admin = define(form=TitleForm, unmapped_fields={"titel"})
    assert admin.unmapped_fields == frozenset({"titel"})
    with pytest.raises(DefinitionError, match="unmapped_fields: the form has no field 'nope'"):
        define(form=TitleForm, unmapped_fields={"titel", "nope"})


def test_three_mistakes_are_reported_together():
    with pytest.raises(DefinitionError) as caught:
        define("ThreeMistakesAdmin", form=TitleForm, list_display=("title", "nme"),
               search_fields=("tittle",))
    problems = caught.value.problems
    assert len(problems) == 3, problems
    message = str(caught.value)
    assert "ThreeMistakesAdmin: 3 problems" in message
    for fragment in ("'titel'", "'nme'", "'tittle'"):
        assert fragment in message


def test_owner_must_be_a_user_relationship_of_a_section_role():
    with pytest.raises(DefinitionError) as caught:
        define("OwnerAdmin", owner=Owner("title", role=UserRole.singer))
    assert len(caught.value.problems) == 2  # not a relationship to User; singer not a role


class ArtistForm(AdminForm):
    title = StringField("Title")
    artist = RelatedField("Artist", source=ARTIST_SOURCE)


def test_lookup_route_only_for_roles_that_have_a_related_field_or_filter():
    owned = define(form=ArtistForm, roles={UserRole.superadmin, UserRole.singer},
                   owner=Owner("artist", role=UserRole.singer))
    assert owned().lookup_roles == frozenset({UserRole.superadmin})
    assert SongAdmin().lookup_roles == frozenset({UserRole.superadmin, UserRole.singer})
    assert SongAdmin().lookup_fields(UserRole.singer) == {"genre", "album"}
    plain = define(model=Song, list_display=("title",))
    assert not plain().has_related_lookups


def test_lookup_routes_in_the_app_follow_the_roles(app):
    from webadmin.auth.permissions import access_of

    def roles(endpoint):
        return access_of(app.view_functions[endpoint]).roles

    assert roles("albums.lookup") == frozenset({UserRole.superadmin})
    assert roles("albums.list") == frozenset({UserRole.superadmin, UserRole.singer})
    assert roles("songs.lookup") == frozenset({UserRole.superadmin, UserRole.singer})


def test_related_lists_are_checked_against_the_other_sections_all_at_once():
    from webadmin.admin.blueprints import bind_related_lists
    from webadmin.admin.site import AdminSite
    from webadmin.admin.types import RelatedList

    board = AdminSite()
    board.register(SongAdmin)
    board.register(define("BrokenAlbumsAdmin", related_lists=(
        RelatedList("nowhere", "album", "A"),
        RelatedList("songs", "genre", "B", order_by=("nope",), filter_param="missing",
                    columns=("titel",)),
    )))
    with pytest.raises(DefinitionError) as caught:
        bind_related_lists(board)
    message = str(caught.value)
    assert message.startswith("BrokenAlbumsAdmin: 5 problems")
    for fragment in ("no section named 'nowhere'", "Song.genre is not a many-to-one "
                     "relationship to Album", "'nope'", "'missing'", "'titel'"):
        assert fragment in message, fragment
