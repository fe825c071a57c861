from __future__ import annotations

from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..admin.forms import AdminForm, RelatedField, strip
from ..sources import ARTIST_SOURCE


class AlbumForm(AdminForm):
    title = StringField("Title", filters=[strip],
                        validators=[DataRequired("Enter a title."), Length(max=200)])
    artist = RelatedField("Artist", source=ARTIST_SOURCE, select_limit=50,
                          description="The singer whose album this is.")
    release_date = DateField("Release date", validators=[Optional()])
    description = TextAreaField("Description", filters=[strip],
                                validators=[Optional(), Length(max=5000)])
