"""What an uploaded file really is, read from its content (never its name or Content-Type).

Audio is parsed with mutagen; images are decoded and re-encoded with Pillow, so only pixels
survive (no EXIF, GPS, comments or ICC payloads), and a decompression bomb is refused before its
pixels are decoded. Anything else raises ``Rejected`` with a message for the form.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any, BinaryIO

from ..models.song import MAX_DURATION_SECONDS

AUDIO_HINT = "MP3, FLAC, Ogg (Vorbis or Opus), M4A (AAC) or WAV"
IMAGE_HINT = "JPEG, PNG or WebP"
COVER_MAX_EDGE = 3000  # larger covers are scaled down when re-encoded
THUMBNAIL_EDGE = 256  # shown at 128 CSS px (sharp on 2x screens) in forms, smaller in lists


class Rejected(Exception):
    """The file is not what the field accepts; ``message`` says so in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Nameless:
    """The upload seen without a file name: mutagen scores types partly by extension, and a
    renamed file must not look like what its name says."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()


@dataclass(frozen=True)
class AudioInfo:
    format: str  # "MP3", "FLAC", …
    content_type: str
    extension: str
    codec: str
    duration_ms: int
    bitrate: int | None
    sample_rate: int | None
    channels: int | None

    @property
    def duration_seconds(self) -> int:
        return max(1, round(self.duration_ms / 1000))


def _audio_types() -> dict[type, tuple[str, str, str, str]]:
    from mutagen.flac import FLAC
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis
    from mutagen.wave import WAVE

    # type → (format, Content-Type served, extension, codec)
    return {MP3: ("MP3", "audio/mpeg", ".mp3", "mp3"),
            FLAC: ("FLAC", "audio/flac", ".flac", "flac"),
            OggVorbis: ("Ogg Vorbis", "audio/ogg", ".ogg", "vorbis"),
            OggOpus: ("Ogg Opus", "audio/ogg", ".opus", "opus"),
            MP4: ("M4A", "audio/mp4", ".m4a", "aac"),
            WAVE: ("WAV", "audio/wav", ".wav", "pcm")}


def probe_audio(stream: BinaryIO) -> AudioInfo:
    import mutagen

    types = _audio_types()
    stream.seek(0)
    try:
        parsed = mutagen.File(_Nameless(stream), options=list(types))
    except Exception as error:  # noqa: BLE001 - any parser failure on untrusted bytes is a refusal
        raise Rejected(f"This file could not be read as audio. Upload {AUDIO_HINT}.") from error
    finally:
        stream.seek(0)
    if parsed is None or type(parsed) not in types:
        raise Rejected(f"This file is not audio in a supported format. Upload {AUDIO_HINT}.")
    label, content_type, extension, codec = types[type(parsed)]
    info: Any = parsed.info
    if label == "MP3" and getattr(info, "sketchy", False):
        raise Rejected(f"This file does not look like a real MP3. Upload {AUDIO_HINT}.")
    if label == "M4A":
        raw_codec = str(getattr(info, "codec", "") or "")
        if not raw_codec.startswith(("mp4a", "alac")):
            raise Rejected(f"This MP4 file has no AAC audio. Upload {AUDIO_HINT}.")
        codec = "alac" if raw_codec.startswith("alac") else "aac"
    length = float(getattr(info, "length", 0) or 0)
    if not length > 0:
        raise Rejected("This audio file has no length: it holds no sound to play.")
    if length > MAX_DURATION_SECONDS:
        raise Rejected("This recording is longer than 24 hours; a song lasts at most 24 hours.")

    def positive(name: str) -> int | None:
        value = getattr(info, name, None)
        return int(value) if isinstance(value, int | float) and value > 0 else None

    # Opus always decodes at 48 kHz (the header's "input sample rate" is only informative).
    sample_rate = 48000 if codec == "opus" else positive("sample_rate")
    return AudioInfo(format=label, content_type=content_type, extension=extension, codec=codec,
                     duration_ms=round(length * 1000), bitrate=positive("bitrate"),
                     sample_rate=sample_rate, channels=positive("channels"))


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    extension: str
    data: bytes
    width: int
    height: int
    thumbnail: bytes
    thumbnail_width: int
    thumbnail_height: int


IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


def process_image(stream: BinaryIO, max_pixels: int) -> ImageInfo:
    """Decode, check and re-encode an image; the stored bytes are ours, not the uploader's."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream, formats=sorted(IMAGE_FORMATS))
            width, height = image.size
            if width * height > max_pixels:
                raise Rejected(f"This image is {width} × {height} pixels; the limit is "
                               f"{max_pixels / 1_000_000:g} megapixels. Upload a smaller one.")
            image.load()
    except Rejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Rejected("This image is far larger than it looks (a decompression bomb) "
                       "and was refused.") from error
    except UnidentifiedImageError as error:
        raise Rejected(f"This file is not an image in a supported format. Upload {IMAGE_HINT}."
                       ) from error
    except Exception as error:  # noqa: BLE001 - a truncated or corrupt image from anyone
        raise Rejected(f"This image could not be read (damaged or incomplete). Upload "
                       f"{IMAGE_HINT}.") from error
    finally:
        stream.seek(0)

    image = ImageOps.exif_transpose(image)  # keep what the camera meant, then drop the EXIF
    alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P"
                                                   and "transparency" in image.info)
    mode, fmt, content_type, extension = (("RGBA", "PNG", "image/png", ".png") if alpha
                                          else ("RGB", "JPEG", "image/jpeg", ".jpg"))
    pixels = image.convert(mode)
    pixels.thumbnail((COVER_MAX_EDGE, COVER_MAX_EDGE))
    clean = Image.new(mode, pixels.size)  # a fresh image: no info, EXIF or ICC from the upload
    clean.paste(pixels)
    thumb = clean.copy()
    thumb.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    return ImageInfo(content_type=content_type, extension=extension,
                     data=_encode(clean, fmt), width=clean.width, height=clean.height,
                     thumbnail=_encode(thumb, fmt), thumbnail_width=thumb.width,
                     thumbnail_height=thumb.height)


def _encode(image: Any, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=88, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()
