"""Hypothesis profiles for the fuzz suite, and the count of examples it ran.

``HYPOTHESIS_PROFILE=ci`` (default) runs ≥ 2,000 examples per database run in about two minutes;
``HYPOTHESIS_PROFILE=long`` (bench/fuzz_long.sh) ten times as many. Examples per target are set
here (forms and lists get more than the other pages) and printed at the end of the run.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

from tests.admin.fixtures import admin_browser, singer_browser

__all__ = ["admin_browser", "singer_browser"]

settings.register_profile(
    "ci", deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "long", deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)

# Examples per target in the ci profile; the long profile multiplies them.
PER_TARGET = {"forms": 40, "lists": 50, "pages": 10}
SCALE = {"ci": 1, "long": 10}.get(PROFILE, 1)
EXAMPLES: Counter[str] = Counter()


def examples_for(target) -> int:
    view = target.endpoint.split(".")[-1]
    kind = "forms" if target.method == "POST" else (
        "lists" if view in {"list", "export"} else "pages")
    return PER_TARGET[kind] * SCALE


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not EXAMPLES:
        return
    backend = "postgresql" if (os.environ.get("TEST_DATABASE_URL") or "").startswith(
        "postgresql") else "sqlite"
    total = sum(EXAMPLES.values())
    parts = ", ".join(f"{kind} {count:,}" for kind, count in sorted(EXAMPLES.items()))
    terminalreporter.write_line(
        f"fuzz ({backend}, profile {PROFILE}): {total:,} examples ({parts}); every one: no 5xx, "
        "a refused request changed nothing")
