"""Bridging: pathway steps (dates checked, stage changes compare-and-set), review slots
(published in the future, booked once, even by parallel requests; cancelled only by
the person who booked), the pipeline, and someone else's pathway is a 404."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.bridging import services
from app.bridging.models import PathwayStep, ReviewSlot, Stage, StepKind
from app.bridging.services import BridgingError, Changed, StepData
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from tests.helpers import text
from tests.test_concurrency import PARALLEL, _at_once, _signed_in
from tests.test_impact import TODAY, finished


def step(**kw):
    values = dict(
        kind=StepKind.PLAF, stage=Stage.EXPLORING, mentor="Dr Asha Patel", started_on=TODAY
    )
    values.update(kw)
    return StepData(**values)


def _step(app, award, data=None) -> int:
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        s = services.add_step(a, a.holder, data or step(), TODAY)
        db.session.commit()
        return s.id


def _slot(app, make, hours=48) -> int:
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        s = services.add_slot(
            db.session.get(User, staff.id),
            utcnow() + timedelta(hours=hours),
            60,
            "Dr Sam Okafor, NIHR Academy",
            "Microsoft Teams",
            "",
        )
        db.session.commit()
        return s.id


def test_the_issues_steps_and_stages():
    assert [k.value for k in StepKind] == ["sparc", "plaf", "dlaf", "alaf", "phd", "bid", "lead"]
    assert [s.label for s in Stage] == [
        "Exploring",
        "Preparing",
        "Submitted",
        "Awarded",
        "Not funded",
    ]


def test_a_step_is_dated_within_the_award_and_audited(make, app):
    award = finished(make, app)
    for bad, field in [
        (step(started_on=TODAY + timedelta(days=1)), "started_on"),
        (step(started_on=date(2022, 12, 31)), "started_on"),
        (step(deadline=TODAY - timedelta(days=1)), "deadline"),
    ]:
        with pytest.raises(BridgingError) as exc:
            _step(app, award, bad)
        assert exc.value.field == field
    step_id = _step(app, award, step(deadline=TODAY))
    with app.app_context():
        assert db.session.scalar(select(func.count(PathwayStep.id))) == 1
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "bridging.step_added")
        )
        assert entry.object_id == step_id


def test_a_stage_changes_only_from_the_stage_the_person_saw(make, app):
    award = finished(make, app)
    step_id = _step(app, award)
    with app.test_request_context():
        s = db.session.get(PathwayStep, step_id)
        services.update_step(s, s.award.holder, Stage.EXPLORING, step(stage=Stage.SUBMITTED), TODAY)
        db.session.commit()
    with app.test_request_context():
        s = db.session.get(PathwayStep, step_id)
        with pytest.raises(Changed, match="now submitted"):
            services.update_step(
                s, s.award.holder, Stage.EXPLORING, step(stage=Stage.NOT_FUNDED), TODAY
            )
        db.session.rollback()
        assert db.session.get(PathwayStep, step_id).stage == Stage.SUBMITTED


def test_a_slot_is_booked_once_and_cancelled_only_by_its_booker(make, app):
    first, second = finished(make, app), finished(make, app)
    slot_id = _slot(app, make)
    with app.test_request_context():
        slot = db.session.get(ReviewSlot, slot_id)
        a1, a2 = db.session.get(Award, first.id), db.session.get(Award, second.id)
        services.book(slot, a1, a1.holder)
        db.session.commit()
        with pytest.raises(Changed, match="someone has just booked"):
            services.book(slot, a2, a2.holder)
        with pytest.raises(Changed):
            services.cancel(slot, a2, a2.holder)
        db.session.rollback()
        assert db.session.get(ReviewSlot, slot_id).booked_award_id == first.id
        services.cancel(slot, a1, a1.holder)
        services.book(slot, a2, a2.holder)
        db.session.commit()
        assert db.session.get(ReviewSlot, slot_id).booked_award_id == second.id


def test_slots_are_in_the_future(make, app):
    staff = make.user(Role.STAFF)
    award = finished(make, app)
    with app.test_request_context():
        with pytest.raises(BridgingError, match="future"):
            services.add_slot(db.session.get(User, staff.id), utcnow(), 60, "Reviewer", "Teams", "")
        past = ReviewSlot(
            starts_at=utcnow() - timedelta(minutes=1), minutes=60, reviewer="R", where="W"
        )
        db.session.add(past)
        db.session.flush()
        a = db.session.get(Award, award.id)
        with pytest.raises(BridgingError, match="already started"):
            services.book(past, a, a.holder)


def test_twenty_parallel_bookings_of_one_slot_make_one(app, make, browser_factory):
    award = finished(make, app)
    slot_id = _slot(app, make)
    with app.app_context():
        email = db.session.get(Award, award.id).holder.email
    browsers, token = _signed_in(browser_factory, email, PARALLEL, "/bridging/reviews")
    url = f"/bridging/reviews/{slot_id}/book"
    responses = _at_once([lambda b=b: b.post(url, data={"csrf_token": token}) for b in browsers])
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert {r.status_code for r in responses} == {302}
    with app.app_context():
        assert db.session.get(ReviewSlot, slot_id).booked_award_id == award.id
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "bridging.slot_booked")
            )
            == 1
        )
        # one booking, so one email to the alumnus and one to who published the review
        mail = db.session.execute(
            select(OutboxMessage.to_user_id, OutboxMessage.subject).where(
                OutboxMessage.template == "bridging_review_booked"
            )
        ).all()
        slot = db.session.get(ReviewSlot, slot_id)
        assert sorted(u for u, _ in mail) == sorted([award.holder_id, slot.created_by_id])
    page = text(browsers[0].get("/bridging/reviews"))
    assert "Booked by you" in page


def test_pages_and_someone_elses_pathway(app, make, browser_factory, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    award, other = finished(make, app), finished(make, app)
    step_id = _step(app, award)
    with app.app_context():
        mine = db.session.get(Award, award.id).holder.email
        theirs = db.session.get(Award, other.id).holder.email
    b = browser_factory()
    b.sign_in(theirs)
    assert b.get(f"/bridging/awards/{award.id}").status_code == 404
    assert b.get(f"/bridging/steps/{step_id}").status_code == 404
    b = browser_factory()
    b.sign_in(mine)
    url = f"/bridging/steps/{step_id}"
    form = {
        "kind": "plaf",
        "stage": "submitted",
        "mentor": "Dr Asha Patel",
        "started_on-day": "1",
        "started_on-month": "11",
        "started_on-year": "2026",
        "expected": "exploring",
    }
    bad = b.post(url, {**form, "started_on-year": "2027"})
    assert bad.status_code == 400 and "today or in the past" in text(bad)
    assert b.post(url, form).status_code == 302
    stale = b.post(url, {**form, "stage": "awarded"})  # the page said exploring
    assert stale.status_code == 400 and "Someone changed this step first" in text(stale)
    page = text(b.get(f"/bridging/awards/{award.id}"))
    assert "Submitted" in page and "Dr Asha Patel" in page
    staff = make.user(Role.STAFF)
    s = browser_factory()
    s.sign_in(staff.email)
    page = text(s.get("/bridging/"))
    assert "By cohort" in page and "NIHR pre-doctoral local authority fellowship (PLAF)" in page
    with app.app_context():
        p = services.pipeline()
        assert p.total == {Stage.SUBMITTED: 1}


def test_staff_publish_a_slot(app, make, browser_factory):
    staff = make.user(Role.STAFF)
    b = browser_factory()
    b.sign_in(staff.email)
    later = (datetime.now() + timedelta(days=30)).date()
    form = {
        "day-day": str(later.day),
        "day-month": str(later.month),
        "day-year": str(later.year),
        "at": "14:00",
        "minutes": "60",
        "reviewer": "Dr Sam Okafor",
        "where": "Microsoft Teams",
    }
    bad = b.post("/bridging/reviews/new", {**form, "minutes": "5"})
    assert bad.status_code == 400 and "between 15 and 480" in text(bad)
    assert b.post("/bridging/reviews/new", form).status_code == 302
    with app.app_context():
        slot = db.session.scalar(select(ReviewSlot))
        assert slot.reviewer == "Dr Sam Okafor"
