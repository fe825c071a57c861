"""Checked imports waiting for confirmation.

Between "preview" and "confirm" the checked rows wait in a file under the instance folder,
named by a random token and readable only by the person who uploaded them. Files older than
``MAX_AGE`` are swept away. Nothing reaches the database before the confirmation.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

MAX_AGE = 3600
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True)
class StagedImport:
    locale: str
    rows: dict[str, str]
    user_id: int
    filename: str


def _folder(instance_path: str) -> Path:
    folder = Path(instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def stage(instance_path: str, staged: StagedImport) -> str:
    folder = _folder(instance_path)
    _sweep(folder)
    token = secrets.token_urlsafe(32)
    path = folder / f"{token}.json"
    payload = {"locale": staged.locale, "rows": staged.rows, "user_id": staged.user_id,
               "filename": staged.filename}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False)
    return token


def _path(instance_path: str, token: str) -> Path | None:
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return _folder(instance_path) / f"{token}.json"


def load(instance_path: str, token: str, user_id: int) -> StagedImport | None:
    """The staged import, if the token is known, fresh and belongs to ``user_id``."""
    path = _path(instance_path, token)
    if path is None or not path.is_file():
        return None
    try:
        if path.stat().st_mtime < time.time() - MAX_AGE:
            path.unlink(missing_ok=True)
            return None
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("user_id") != user_id:
        return None
    return StagedImport(locale=payload["locale"], rows=dict(payload["rows"]),
                        user_id=payload["user_id"], filename=payload.get("filename", ""))


def discard(instance_path: str, token: str) -> None:
    path = _path(instance_path, token)
    if path is not None:
        path.unlink(missing_ok=True)
