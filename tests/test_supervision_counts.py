"""The staff cohort pages take their list's length from figures they read anyway (the
cohort's holders, the flagged count, the onboarding counts) instead of a COUNT of the
list: the pager still says how many each filter shows, and an unknown cohort is a 404."""

from __future__ import annotations

from app.supervision import onboarding
from app.supervision.models import MeetingKind
from tests.helpers import text
from tests.test_supervision_report import Setting


def test_each_filter_pages_its_own_count(app, make, browser):
    s = Setting(app, make, holders=3)
    s.meeting(s.awards[0], MeetingKind.SUPERVISION, 3)
    browser.sign_in(s.staff.email)
    base = f"/supervision/cohorts/{s.cohort.id}"
    assert "Showing 1 to 3 of 3" in text(browser.get(base))
    assert "Showing 1 to 3 of 3" in text(browser.get(f"{base}/contact"))
    assert "Showing 1 to 2 of 2" in text(browser.get(f"{base}/contact?show=flagged"))
    with app.app_context():
        counts = onboarding.outstanding_counts(s.cohort.id)
    assert counts["total"] == 3 and counts["supervisor"] == 0 and counts["coach"] == 3
    assert counts["any"] == 3
    assert "Showing 1 to 3 of 3" in text(browser.get(f"{base}/onboarding?missing=coach"))
    assert "Showing 1 to 3 of 3" in text(browser.get(f"{base}/onboarding?missing=any"))
    assert "Showing" not in text(browser.get(f"{base}/onboarding?missing=supervisor"))


def test_an_unknown_cohort_is_not_found(app, make, browser):
    s = Setting(app, make, holders=1)
    browser.sign_in(s.staff.email)
    for cohort_id in (s.cohort.id + 1000, 2**31):
        for suffix in ("", "/contact", "/onboarding"):
            assert browser.get(f"/supervision/cohorts/{cohort_id}{suffix}").status_code == 404
