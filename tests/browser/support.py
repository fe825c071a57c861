"""What the browser tests share: the chromium binary, the accounts, a Journey (one page with its
problem listeners and a few user-level steps) and the axe-core check.

axe-core (tests/browser/vendor/axe.min.js, from the npm registry) is evaluated into the page by
the test through the DevTools protocol, so the app's strict CSP stays as it is in production.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "browser tests passphrase 42"  # noqa: S105 - test accounts only
ADMIN = "ada@example.test"
SINGER = "sia@example.test"
SINGER_OTHER = "otto@example.test"
AXE_SOURCE = Path(__file__).with_name("vendor") / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")

# Violations per page type and width, printed at the end of the run (conftest's summary hook).
AXE_RESULTS: dict[str, dict[str, int]] = {}

# Every CSP violation also reaches the console listener as an error.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + event.blockedURI);
});
"""


@cache
def axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


@dataclass
class Journey:
    """A page in its own browser context, collecting whatever a user should never meet:
    console errors, uncaught script errors, CSP violations, failed assets, server errors."""

    page: Any
    base: str
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.add_init_script(REPORT_CSP)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # A document answered 4xx (a form error, a 404 the test asked for) is logged by
        # chromium as "Failed to load resource"; _response judges those by resource type.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _response(self, response: Any) -> None:
        document = response.request.resource_type == "document"
        if response.status >= 500 or (response.status >= 400 and not document):
            self.problems.append(f"{response.status} for {response.url}")

    @property
    def width(self) -> int:
        return int(self.page.viewport_size["width"])

    # --- steps ------------------------------------------------------------------------------
    def goto(self, path: str, status: int = 200) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == status, (path, response.status)
        return response

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.goto("/login")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.base + "/")

    def sign_out(self) -> None:
        self.page.locator("summary.usermenu-toggle").click()
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url(re.compile(re.escape(self.base) + r"/login"))

    def save(self, name: str = "Save", status: int | None = None) -> Any:
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=name, exact=True).click()
        response = navigation.value
        if status is not None:
            assert response.status == status, (self.page.url, response.status)
        else:  # a save that should go through: say what the form complained about
            summary = self.page.locator("[data-error-summary]")
            assert not summary.count(), (self.page.url, summary.inner_text())
        return response

    def flash(self) -> str:
        return self.page.locator(".flash").first.inner_text()

    def focused(self) -> dict[str, str]:
        return self.page.evaluate(
            "() => { const e = document.activeElement;"
            " return {tag: e.tagName.toLowerCase(), id: e.id || '', name: e.name || '',"
            " text: (e.innerText || '').trim().slice(0, 80)}; }")

    # --- accessibility ----------------------------------------------------------------------
    def check(self, page_type: str) -> list[dict[str, Any]]:
        """Run axe-core on the current page; record the counts; assert nothing serious."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(axe_source())
        result = self.page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }")
        counts: dict[str, int] = defaultdict(int)
        for violation in result:
            counts[violation["impact"] or "unknown"] += 1
        AXE_RESULTS[f"{page_type} @ {self.width}px"] = dict(counts)
        blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, (page_type, self.width, blocking)
        return result

    def no_horizontal_scroll(self) -> None:
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (self.page.url, self.width, overflow)
