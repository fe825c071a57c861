from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..admin.forms import AdminForm, RelatedField, strip
from ..sources import GENRE_SOURCE

__all__ = ["GENRE_SOURCE", "GenreForm"]
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
