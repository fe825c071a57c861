"""The Content-Security-Policy allows no inline script or style; no template may need them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webadmin import PROJECT_ROOT

TEMPLATES = sorted((Path(PROJECT_ROOT) / "templates").rglob("*.html"))
FORBIDDEN = {
    "inline <script> block": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "resource from another host": re.compile(
        r"(<link[^>]*\shref|\ssrc)\s*=\s*[\"'](https?:)?//", re.I),
}


def test_there_are_templates_to_check():
    assert any(path.name == "login.html" for path in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_template_needs_no_inline_script_or_style(path: Path):
    text = path.read_text(encoding="utf-8")
    for what, pattern in FORBIDDEN.items():
        match = pattern.search(text)
        assert match is None, f"{what} in {path.name}: {match.group(0) if match else ''!r}"
