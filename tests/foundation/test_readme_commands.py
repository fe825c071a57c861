"""Must-show 6: every command of the README's table runs as printed, from a fresh shell with no
activated virtualenv and no settings (``--help`` appended: the test checks that the command
exists and starts, not what it does). And ``flask --app wsgi`` without SECRET_KEY says so on one
line instead of a traceback, while ``--help`` still lists the commands."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRESH_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"),
             "LANG": "C.UTF-8"}  # no VIRTUAL_ENV, no SECRET_KEY, no WEBADMIN_ENV


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    table = text.split("## Commands", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\| `([^`]+)` \|", table, re.M)
    return [re.sub(r"\s*\[[^\]]*\]", "", command) for command in commands]


def run(command: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=ROOT, env=FRESH_ENV, text=True,
                          capture_output=True, timeout=timeout, check=False)


def test_the_table_lists_the_commands_a_newcomer_needs():
    commands = readme_commands()
    assert "bash scripts/run.sh" in commands and "bash scripts/test.sh" in commands
    assert all(not c.startswith(("alembic", "flask")) for c in commands), commands


@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_runs_as_printed(command):
    result = run(f"{command} --help")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output and output.strip(), output


def test_flask_without_secret_key_prints_one_line_and_help_still_lists_commands():
    result = run(".venv/bin/flask --app wsgi seed")
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and "SECRET_KEY is not set" in lines[0], lines
    listing = run(".venv/bin/flask --app wsgi --help")
    assert listing.returncode == 0 and "Traceback" not in listing.stderr
    for name in ("seed", "create-superadmin"):
        assert re.search(rf"^\s+{name}\s", listing.stdout, re.M), listing.stdout


def test_no_file_of_the_repository_points_outside_it():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, text=True, capture_output=True,
                             check=True).stdout.split()
    outside = ("../" + "shared", "/work/" + "shared")  # spelled apart: this file is tracked too
    for name in tracked:
        if name.endswith((".md", ".py", ".html", ".sh", ".toml", ".ini", ".conf")):
            text = (ROOT / name).read_text(errors="replace")
            assert not any(path in text for path in outside), name
