from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..admin.forms import AdminForm, RelatedField, strip
from ..admin.related import RelatedSource
from ..models import Genre

GENRE_SOURCE = RelatedSource(Genre, label=lambda g: g.name, match=("name", "slug"),
                             search=("name", "slug"), order_by="name", section="genres")
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class GenreForm(AdminForm):
    name = StringField("Name", filters=[strip],
                       validators=[DataRequired("Enter a name."), Length(max=100)])
    slug = StringField("Slug", filters=[strip], description="Lowercase letters, digits and "
                       "dashes, used in URLs. Leave blank to make one from the name.",
                       validators=[Optional(), Length(max=100),
                                   Regexp(SLUG_PATTERN, message="Use lowercase letters, digits "
                                          "and single dashes, e.g. indie-rock.")])
    parent = RelatedField("Parent genre", source=GENRE_SOURCE, required=False,
                          placeholder="— none (top level) —")
    description = TextAreaField("Description", filters=[strip],
                                validators=[Optional(), Length(max=2000)])
