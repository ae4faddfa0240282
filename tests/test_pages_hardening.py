"""What a person sees: pages that said the wrong thing, showed raw markup, or promised
what does not exist (the hardening issue, part 4)."""

from __future__ import annotations

from datetime import date

from tests.test_release_journey import approved, prog  # noqa: F401 (a fixture)

# --- the award holder's ledger ------------------------------------------------------------


def test_days_to_confirm_are_shown_as_markup_not_escaped(prog, browser, app):  # noqa: F811
    approved(app, prog, date(2027, 1, 6))  # approved and passed: the holder confirms it
    browser.sign_in(prog.holder.email)
    page = browser.get(prog.ledger).get_data(as_text=True)
    assert "&lt;p&gt;" not in page and "&lt;strong&gt;" not in page
    assert "<p>You have <strong>1 day</strong> to confirm." in page
