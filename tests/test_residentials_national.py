"""The national data set's residentials keep the rules: workshops inside their cohort's
year without overlaps, every present mark pointing at that holder's residential day in the
ledger, needs cleared 30 days after a workshop, one invitation per person and a published
running order for finished cohorts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.cohorts.models import Cohort
from app.demo import national
from app.extensions import db
from app.release.models import DayKind, ReleaseDay
from app.residentials.models import (
    NEEDS_KEPT_DAYS,
    Attendance,
    Invitation,
    Mark,
    PresentationDay,
    PresentationSlot,
    ProgrammeStatus,
    Registration,
    Workshop,
)
from tests.test_national_data import SCALE, TODAY


def test_national_residentials_keep_the_rules(app):
    with app.app_context():
        summary = national.generate(scale=SCALE, today=TODAY, privacy=False)
        assert summary.counts["workshop"] and summary.counts["workshop_attendance"]
        for w in db.session.scalars(select(Workshop)):
            c = db.session.get(Cohort, w.cohort_id)
            assert c.programme_start <= w.starts_on <= w.ends_on <= c.programme_end
        present = db.session.execute(
            select(Attendance, ReleaseDay)
            .join(ReleaseDay, ReleaseDay.id == Attendance.release_day_id)
            .where(Attendance.mark == Mark.PRESENT)
        ).all()
        assert present
        for a, r in present:
            assert (r.award_id, r.day, r.kind) == (a.award_id, a.day, DayKind.RESIDENTIAL)
        assert not db.session.scalar(
            select(func.count(Attendance.id)).where(
                Attendance.mark == Mark.PRESENT, Attendance.release_day_id.is_(None)
            )
        )
        assert not db.session.scalar(
            select(func.count(Attendance.id)).where(Attendance.day >= TODAY)
        )
        stale = TODAY - timedelta(days=NEEDS_KEPT_DAYS + 1)
        kept = db.session.scalar(
            select(func.count(Registration.id))
            .join(Workshop, Workshop.id == Registration.workshop_id)
            .where(Workshop.ends_on < stale, Registration.dietary != "")
        )
        assert kept == 0
        days = db.session.scalars(select(PresentationDay)).all()
        assert days and all(d.status == ProgrammeStatus.PUBLISHED for d in days)
        assert db.session.scalar(select(func.count(PresentationSlot.id)))
        assert db.session.scalar(select(func.count(Invitation.id)))
