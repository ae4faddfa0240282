"""Browser tests: the real app in its own process, driven by Debian's chromium.

- `live_server` (session): a fresh SQLite database built by the migrations, the demo
  programme loaded, served on a free 127.0.0.1 port by `tests/browser/server.py`
  (`.url`, `.database`, `.log`). It shares nothing with the `app` fixture in
  tests/conftest.py.
- `chromium` (session): Playwright (sync API) driving /usr/bin/chromium.
- `page` (per test): a fresh browser context (no cookies) whose relative URLs go to
  the live server. Every document the page loads must be passed to `check_page` or
  `check_a11y` (tests/browser/helpers.py) before the test ends, or the test fails;
  so must JavaScript errors and Content-Security-Policy violations.

Chromium missing fails the run with a clear message; set SKIP_BROWSER=1 to skip.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PageGuard,
    attach_guard,
    axe_source,
)

ROOT = Path(__file__).resolve().parents[2]
READY_RE = re.compile(r"^READY (\d+)$", re.MULTILINE)
START_TIMEOUT = 240  # the demo grows with each feature; a loaded CI machine builds it slowly


def _skip_requested() -> bool:
    return os.environ.get("SKIP_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    if not _skip_requested():
        return
    skip = pytest.mark.skip(reason="SKIP_BROWSER=1: browser tests skipped")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@dataclass(frozen=True)
class LiveServer:
    url: str  # e.g. http://127.0.0.1:41234
    database: Path  # the SQLite file (read it to find, say, an emailed link)
    log: Path  # the server's output: request log and any tracebacks

    def __str__(self) -> str:
        return self.url


@pytest.fixture(scope="session")
def live_server() -> LiveServer:
    """The real app, started once per session in a subprocess."""
    css = ROOT / "app" / "static" / "build" / "nhsuk.min.css"
    if not css.exists():
        pytest.fail(f"{css.relative_to(ROOT)} is missing: `make install` builds it.", pytrace=False)
    with tempfile.TemporaryDirectory(prefix="prp-browser-") as d:
        workdir = Path(d)
        log_path = workdir / "server.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "TEST_DATABASE_URL", "MAIL_SERVER", "SECRET_KEY")
        }
        env["PYTHONUNBUFFERED"] = "1"
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.browser.server", str(workdir)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            port = _wait_for_ready(proc, log_path)
            yield LiveServer(f"http://127.0.0.1:{port}", workdir / "browser.db", log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _wait_for_ready(proc: subprocess.Popen, log_path: Path) -> int:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        m = READY_RE.search(text)
        if m:
            return int(m.group(1))
        if proc.poll() is not None:
            pytest.fail(
                f"The app server exited (code {proc.returncode}) before it was "
                f"ready. Its output:\n{text}",
                pytrace=False,
            )
        time.sleep(0.05)
    proc.kill()
    pytest.fail(
        f"The app server was not ready within {START_TIMEOUT}s. Its output:\n"
        f"{log_path.read_text(errors='replace')}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium under Playwright. Never downloads a browser."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM}, and it is not there. Install it "
            "(Debian/Ubuntu: `apt-get install chromium`), or set SKIP_BROWSER=1 to skip "
            "the browser tests.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh context (own cookies) and page; relative URLs go to the live server."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 800},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    # A speed-up only: axe is compiled once per document here instead of being sent
    # over the DevTools connection by every check_a11y() call. Like page.evaluate,
    # init scripts are not subject to the page's CSP. check_a11y() injects axe
    # itself into any page that lacks it.
    context.add_init_script(script=axe_source())
    pg = context.new_page()
    guard: PageGuard = attach_guard(pg)
    try:
        yield pg
        guard.verify()
    finally:
        context.close()
