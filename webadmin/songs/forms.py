"""The song form: duration typed as m:ss (or h:mm:ss), ISRC validated and normalised."""

from __future__ import annotations

import re
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from ..admin.forms import AdminForm, RelatedField, strip
from ..admin.text import format_duration
from ..models import SongStatus
from ..models.song import MAX_DURATION_SECONDS, MAX_TRACK_NUMBER
from ..sources import ALBUM_SOURCE, ARTIST_SOURCE, GENRE_SOURCE

ISRC_PATTERN = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{2}[0-9]{5}$")
DURATION_PATTERN = re.compile(r"^(?:(\d{1,2}):)?(\d{1,4}):(\d{2})$")


def parse_duration(text: str) -> int:
    """Seconds from "m:ss" or "h:mm:ss"; ValueError with a message a person understands."""
    match = DURATION_PATTERN.match(text.strip())
    if not match:
        raise ValueError("Type the duration as minutes:seconds, e.g. 3:45 (or 1:02:30).")
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    if seconds >= 60:
        raise ValueError("Seconds go from 00 to 59.")
    if match.group(1) is not None and minutes >= 60:
        raise ValueError("Minutes go from 00 to 59 when hours are given.")
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ValueError("A song lasts at least one second.")
    if total > MAX_DURATION_SECONDS:
        raise ValueError("A song lasts at most 24 hours.")
    return total


def normalize_isrc(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


class DurationField(StringField):
    """Seconds in the database, m:ss on the page."""

    def __init__(self, *args: Any, required_message: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.required_message = required_message
        if required_message:
            self.flags.required = True
        self.raw_text: str | None = None
        self.parse_error: str | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_text = str(valuelist[0]) if valuelist else ""
        self.data = None
        self.parse_error = None
        if not self.raw_text.strip():
            return
        try:
            self.data = parse_duration(self.raw_text)
        except ValueError as exc:
            self.parse_error = str(exc)

    def _value(self) -> str:
        if self.raw_text is not None:
            return self.raw_text
        return format_duration(self.data) if isinstance(self.data, int) else ""

    def pre_validate(self, form: Any) -> None:
        if self.parse_error:
            raise StopValidation(self.parse_error)
        if self.required_message and self.data is None:
            raise StopValidation(self.required_message)


class IsrcField(StringField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]) if valuelist else ""
        self.data = normalize_isrc(raw) or None

    def _value(self) -> str:
        return self.data or ""

    def pre_validate(self, form: Any) -> None:
        if self.data and not ISRC_PATTERN.match(self.data):
            raise ValidationError("An ISRC looks like US-RC1-24-00001: country (2 letters), "
                                  "registrant (3 letters or digits), year (2 digits), "
                                  "number (5 digits).")


class EnumSelectField(SelectField):
    """A select whose unknown submitted value reads as a plain "choose from the list"."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            self.data = None
            raise ValueError("Not a valid choice: pick one from the list.") from exc


class SongForm(AdminForm):
    title = StringField("Title", filters=[strip],
                        validators=[DataRequired("Enter a title."), Length(max=200)])
    artist = RelatedField("Artist", source=ARTIST_SOURCE, select_limit=50,
                          description="The singer who performs this song.")
    genre = RelatedField("Genre", source=GENRE_SOURCE)
    duration_seconds = DurationField("Duration", required_message="Enter the duration, e.g. 3:45.",
                                     description="minutes:seconds, e.g. 3:45")
    release_date = DateField("Release date", validators=[Optional()])
    isrc = IsrcField("ISRC", validators=[Optional(), Length(max=20)],
                     description="Optional, e.g. US-RC1-24-00001 (dashes optional).")
    status = EnumSelectField("Status", choices=[SelectChoice(s.value, s.value.capitalize())
                                            for s in SongStatus],
                         coerce=lambda value: SongStatus(value) if value else None,
                         default=SongStatus.draft.value)
    album = RelatedField("Album", source=ALBUM_SOURCE, required=False,
                         placeholder="— no album —",
                         description="One of this artist's albums.")
    track_number = IntegerField("Track number", validators=[
        Optional(), NumberRange(1, MAX_TRACK_NUMBER, "A track number goes from 1 to 999.")],
        description="The song's place on the album.")
    is_explicit = BooleanField("Explicit lyrics")
    lyrics = TextAreaField("Lyrics", filters=[strip], validators=[Optional(), Length(max=20000)])
