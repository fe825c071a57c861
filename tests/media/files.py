"""Small media files made by the tests: WAV with the standard library, the other formats with
Debian's ffmpeg (scripts/install.sh --test installs it), images with Pillow."""

from __future__ import annotations

import functools
import io
import math
import shutil
import struct
import subprocess
import tempfile
import wave
import zipfile
import zlib
from pathlib import Path

from PIL import Image

DURATION_SECONDS = 2
# format → (ffmpeg codec arguments, file suffix, stored codec, served Content-Type)
ENCODED = {
    "mp3": (["-c:a", "libmp3lame", "-b:a", "32k"], ".mp3", "mp3", "audio/mpeg"),
    "flac": (["-c:a", "flac"], ".flac", "flac", "audio/flac"),
    "ogg": (["-c:a", "libvorbis", "-q:a", "0"], ".ogg", "vorbis", "audio/ogg"),
    "opus": (["-c:a", "libopus", "-b:a", "16k"], ".opus", "opus", "audio/ogg"),
    "m4a": (["-c:a", "aac", "-b:a", "32k"], ".m4a", "aac", "audio/mp4"),
}


def wav_bytes(seconds: float = DURATION_SECONDS, rate: int = 8000, channels: int = 1) -> bytes:
    """A 440 Hz tone, 16-bit PCM."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        frames = bytearray()
        for n in range(int(seconds * rate)):
            sample = int(8000 * math.sin(2 * math.pi * 440 * n / rate))
            frames += struct.pack("<h", sample) * channels
        wav.writeframes(bytes(frames))
    return out.getvalue()


@functools.cache
def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="webadmin-media-fixtures-"))


@functools.cache
def encoded(fmt: str) -> bytes:
    """``wav_bytes()`` encoded to ``fmt`` with ffmpeg (cached for the run)."""
    if fmt == "wav":
        return wav_bytes()
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RuntimeError("ffmpeg is missing: run scripts/install.sh --test")
    args, suffix, _codec, _type = ENCODED[fmt]
    source = _workdir() / "tone.wav"
    source.write_bytes(wav_bytes(rate=48000 if fmt == "opus" else 22050))
    target = _workdir() / f"tone{suffix}"
    subprocess.run([ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-i", str(source), *args,
                    "-map_metadata", "-1", str(target)], check=True, timeout=60)
    return target.read_bytes()


def png_with_gps() -> bytes:
    """A PNG whose EXIF holds a GPS position (latitude 48°51′N)."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif)
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (600, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A few hundred bytes claiming width × height pixels (a decompression bomb's header)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + _chunk(b"IEND", b""))


def html_bytes() -> bytes:
    return b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("song.mp3", b"not really")
    return out.getvalue()
