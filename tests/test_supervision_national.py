"""The national data set's supervision family at a small scale: every award holder of a
running or finished cohort has a current supervisor and coach from their cohort's pool,
replacements keep their history, meetings sit inside the programme year and before
today, and the contact report flags someone; the staff pages answer at that scale."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.clock import today
from app.extensions import db
from app.supervision import report
from app.supervision.models import (
    Allocation,
    Attendee,
    Meeting,
    OnboardingItem,
    OnboardingTick,
    PoolKind,
    PoolMember,
)
from tests.test_national_data import NOW, TODAY, _load


def test_allocations_meetings_and_ticks_keep_the_rules(app):
    _load(app)
    with app.app_context():
        pools = {p.id: p for p in db.session.scalars(select(PoolMember))}
        allocations = db.session.scalars(select(Allocation)).all()
        awards = {a.id: a for a in db.session.scalars(select(Award))}
        current = Counter((a.award_id, a.kind) for a in allocations if a.ended_on is None)
        started = [
            a
            for a in awards.values()
            if a.cohort.programme_start <= TODAY and a.id in {x.award_id for x in allocations}
        ]
        assert started and all(
            current[(a.id, k)] == 1 for a in started for k in PoolKind
        )  # one current supervisor and coach each
        for x in allocations:
            assert pools[x.pool_id].cohort_id == awards[x.award_id].cohort_id
            assert pools[x.pool_id].user_id == x.user_id and pools[x.pool_id].kind == x.kind
        assert any(x.ended_on and x.end_reason for x in allocations)  # a replacement
        for m in db.session.scalars(select(Meeting)):
            c = db.session.get(Cohort, m.cohort_id)
            assert c.programme_start <= m.held_on <= min(c.programme_end, TODAY)
            assert m.created_at <= NOW
        holder_rows = db.session.scalars(select(Attendee).where(Attendee.award_id.is_not(None)))
        assert all(awards[r.award_id].holder_id == r.user_id for r in holder_rows)
        items = {(t.award_id, t.item) for t in db.session.scalars(select(OnboardingTick))}
        for award_id, item in items:
            if item is OnboardingItem.LIBRARY_GRANTED:
                assert (award_id, OnboardingItem.LIBRARY_REQUESTED) in items


def test_the_contact_report_flags_someone_and_the_pages_answer(app, browser, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    _load(app)
    with app.app_context():
        running = [
            c
            for c in db.session.scalars(select(Cohort))
            if c.programme_start <= today() <= c.programme_end
        ]
        flagged = sum(report.flagged_count(c, today()) for c in running)
        assert flagged > 0
        cohort_id = next(c.id for c in running if report.flagged_count(c, today()))
        staff = db.session.scalar(
            select(User.email).where(User.email == "national-staff@bench.test")
        )
    browser.sign_in(staff, password="demo-password")
    for page in ("", "/contact", "/contact?show=flagged", "/onboarding", "/contact.csv"):
        resp = browser.get(f"/supervision/cohorts/{cohort_id}{page}")
        assert resp.status_code == 200, page
        resp.get_data()  # the CSV is streamed: read it before the next request
    assert "No supervision contact for" in browser.get(
        f"/supervision/cohorts/{cohort_id}/contact?show=flagged"
    ).get_data(as_text=True)
