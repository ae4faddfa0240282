"""The onboarding counts' statement is built once and shared by every request (its
eleven EXISTS clauses cost more to build than to run): each cohort still gets its own
counts, and a tick shows in the next count."""

from __future__ import annotations

from app.core.clock import today
from app.extensions import db
from app.supervision import onboarding
from app.supervision.models import OnboardingItem, OnboardingTick
from tests.helpers import text
from tests.test_supervision_onboarding import Setting


def test_each_cohort_gets_its_own_counts_from_the_shared_statement(app, make, browser):
    two, three = Setting(app, make, holders=2), Setting(app, make, holders=3)
    with app.app_context():
        assert onboarding.outstanding_counts(two.cohort.id)["total"] == 2
        assert onboarding.outstanding_counts(three.cohort.id)["total"] == 3
        before = onboarding.outstanding_counts(three.cohort.id)["handbook"]
        db.session.add(
            OnboardingTick(
                award_id=three.awards[0].id, item=OnboardingItem("handbook"), done_on=today()
            )
        )
        db.session.commit()
        assert onboarding.outstanding_counts(three.cohort.id)["handbook"] == before - 1
        assert onboarding.outstanding_counts(two.cohort.id)["handbook"] == 2
    browser.sign_in(two.staff.email)
    for s, shown in ((two, 2), (three, 2)):
        page = text(browser.get(f"/supervision/cohorts/{s.cohort.id}/onboarding?missing=handbook"))
        assert f"Showing 1 to {shown}" in page
