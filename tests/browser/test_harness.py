"""The browser harness checks what it claims to: axe runs under the app's CSP and
reports violations, and the page guard notices unchecked pages and broken resources."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import PageGuard, attach_guard, axe_violations, check_a11y, visit

pytestmark = pytest.mark.browser


def test_axe_runs_under_the_csp_and_reports_violations(page: Page):
    response = visit(page, "/start", None)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp

    # The page's own CSP still applies: an inline script without the nonce is refused,
    # and the page guard hears about it.
    page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.__inlineRan = true";
        document.body.appendChild(s);
    }""")
    assert page.evaluate("() => window.__inlineRan === undefined")
    guard: PageGuard = page._prp_guard  # type: ignore[attr-defined]
    page.wait_for_timeout(200)  # console events arrive asynchronously
    assert any("Content Security Policy" in p for p in guard.problems), guard.problems
    guard.problems.clear()

    page.evaluate("""() => {
        const img = document.createElement("img");
        img.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
        document.querySelector("main").appendChild(img);
    }""")
    ids = {v["id"] for v in axe_violations(page)}
    assert "image-alt" in ids
    with pytest.raises(AssertionError, match=r"image-alt \[critical\]"):
        check_a11y(page)


def test_guard_reports_unchecked_pages_and_broken_resources(chromium, live_server):
    """Also: without the `page` fixture's init script, axe is injected on demand."""
    context = chromium.new_context(base_url=live_server.url)
    try:
        pg = context.new_page()
        guard: PageGuard = attach_guard(pg)
        pg.goto("/start")
        # This context has no init script: axe is injected by page.evaluate, under CSP.
        assert pg.evaluate("() => typeof window.axe") == "undefined"
        check_a11y(pg)
        assert pg.evaluate("() => typeof window.axe.run") == "function"
        pg.goto("/accessibility")
        with pg.expect_response(lambda r: r.url.endswith("/static/no-such-image.png")):
            pg.evaluate("""() => {
                const img = document.createElement("img");
                img.alt = "";
                img.src = "/static/no-such-image.png";
                document.querySelector("main").appendChild(img);
            }""")
        with pytest.raises(AssertionError) as failure:
            guard.verify()
        message = str(failure.value)
        assert "never checked" in message and "/accessibility" in message
        assert "/start" not in message.split("never checked")[1]
        assert "image http://" in message, message
        assert "no-such-image.png answered 404" in message, message
    finally:
        context.close()
