"""Helpers for browser tests: accessibility checks, screenshots and form filling.

Feature tests use the `page` fixture (tests/browser/conftest.py) and, after every page
load, call `check_page(page, "name")` (screenshot + axe) or at least `check_a11y(page)`.
When a click loads a new page, wrap it in `page.expect_navigation()` (or use
`click_and_wait`) so the check runs against the new document, not the old one.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urldefrag

from playwright.sync_api import Page, Response

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENS = ROOT / "test-artifacts" / "screens"

DEMO_PASSWORD = "demo-password"

# Known, accepted browser complaints (each one a decision, not an accident). None
# today: the CSS is built without the Frutiger font faces on https://assets.nhs.uk
# (styles/nhsuk.scss), which the app's CSP blocked, so every console is clean.
KNOWN_PROBLEMS: list[re.Pattern[str]] = []


def _known(message: str) -> bool:
    return any(p.search(message) for p in KNOWN_PROBLEMS)


@cache
def axe_source() -> str:
    if not AXE_JS.exists():
        raise AssertionError(
            f"axe-core is missing ({AXE_JS}). Run `npm install` in {ROOT} to install it."
        )
    return AXE_JS.read_text(encoding="utf-8")


# --- the guard: every document checked, no script errors, no broken resources -------


class PageGuard:
    """Watches one page. `verify()` fails the test if a loaded document went unchecked,
    a script threw, the browser reported an error (CSP violations are reported on the
    console) or a stylesheet, script, image or font failed to load."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.current: str | None = None
        self.checked = True
        self.unchecked: list[str] = []
        self.problems: list[str] = []

    def problem(self, message: str) -> None:
        if not _known(message):
            self.problems.append(message)

    # listeners
    def on_navigated(self, frame) -> None:
        if frame.parent_frame is not None:
            return
        url = frame.url
        if (
            self.current is not None
            and urldefrag(url)[0] == urldefrag(self.current)[0]
            and self.checked
        ):
            # The same document (a #fragment link): nothing new to check.
            self.current = url
            return
        if not self.checked and self.current:
            self.unchecked.append(self.current)
        self.current, self.checked = url, False

    def on_console(self, msg) -> None:
        if msg.type != "error":
            return
        # Failed loads are reported (with their URL) by on_response; a 404 document is
        # reported here too and is expected on the "page not found" page.
        if msg.text.startswith("Failed to load resource"):
            return
        self.problem(f"console error on {self.page.url}: {msg.text}")

    def on_page_error(self, error) -> None:
        self.problem(f"uncaught script error on {self.page.url}: {error}")

    def on_response(self, response: Response) -> None:
        # A page may answer 403/404 on purpose (tests check its status); 500 never.
        document = response.request.resource_type == "document"
        if response.status >= 500 or (not document and response.status >= 400):
            self.problem(
                f"{response.request.resource_type} {response.url} answered {response.status}"
            )

    def on_request_failed(self, request) -> None:
        # ERR_ABORTED: cancelled by the browser, usually because the page navigated away
        # (a blocked stylesheet or script is also reported on the console).
        if request.failure and "ERR_ABORTED" in request.failure:
            return
        self.problem(f"{request.resource_type} {request.url} failed: {request.failure}")

    # checks
    def mark_checked(self) -> None:
        self.checked = True

    def verify(self) -> None:
        messages = list(self.problems)
        missed = self.unchecked + ([self.current] if self.current and not self.checked else [])
        if missed:
            messages.append(
                "these pages were loaded but never checked with check_page()/check_a11y(): "
                + ", ".join(missed)
            )
        if messages:
            raise AssertionError("Browser problems:\n  " + "\n  ".join(messages))


def attach_guard(page: Page) -> PageGuard:
    guard = PageGuard(page)
    page.on("framenavigated", guard.on_navigated)
    page.on("console", guard.on_console)
    page.on("pageerror", guard.on_page_error)
    page.on("response", guard.on_response)
    page.on("requestfailed", guard.on_request_failed)
    page._prp_guard = guard  # type: ignore[attr-defined]
    return guard


def _guard(page: Page) -> PageGuard | None:
    return getattr(page, "_prp_guard", None)


# --- accessibility --------------------------------------------------------------------


_RUN_AXE = """
async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}
"""


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page's current document and return its violations.

    The app's Content-Security-Policy forbids inline scripts, so axe is evaluated
    through the DevTools protocol (`page.evaluate`), which CSP does not govern.
    """
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object' && !!window.axe.run"):
        page.evaluate(axe_source())
        assert page.evaluate("() => typeof window.axe === 'object' && !!window.axe.run"), (
            "axe-core did not load into the page"
        )
    return page.evaluate(_RUN_AXE, AXE_TAGS)


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:200]}")
            if node.get("summary"):
                summary = node["summary"].replace("\n", "\n        ")
                lines.append(f"        {summary}")
    return "\n".join(lines)


def check_a11y(page: Page) -> None:
    """Fail with every axe-core violation (WCAG 2.0/2.1 A and AA, WCAG 2.2 AA)."""
    violations = axe_violations(page)
    guard = _guard(page)
    if guard:
        guard.mark_checked()
    if violations:
        raise AssertionError(format_violations(page.url, violations))


def screenshot(page: Page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_page(page: Page, name: str | None) -> None:
    """Screenshot the page to test-artifacts/screens/<name>.png (unless name is None),
    then check it with axe."""
    page.wait_for_load_state("load")
    if name:
        screenshot(page, name)
    check_a11y(page)


# --- doing things ---------------------------------------------------------------------


def visit(page: Page, path: str, name: str | None, status: int = 200) -> Response:
    """Open a page, expect its status, screenshot it and check it with axe."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path} answered {response.status}, not {status}"
    check_page(page, name)
    return response


def click_and_wait(page: Page, locator) -> None:
    """Click something that loads a new page, and wait for that page to load."""
    with page.expect_navigation():
        locator.click()


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD, name: str | None = None):
    """Sign in through the real form. Checks the sign-in page on the way (screenshot
    only if `name` is given). The caller checks the page it lands on."""
    visit(page, "/account/sign-in", name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    click_and_wait(page, page.get_by_role("button", name="Sign in", exact=True))


def sign_out(page: Page) -> None:
    """Sign out with the header button."""
    header = page.locator("header")
    click_and_wait(
        page,
        header.get_by_role("navigation", name="Your account").get_by_role(
            "button", name="Sign out"
        ),
    )
