"""The demo's presentation days (issue 10 part 4) are dated in each cohort's own year: a
finished cohort's invitations went out a month before its day, replies came before the
day, and its running order was published the week before; the running cohort's
invitations are dated within its year, never after the demo's today."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.cohorts.models import Cohort
from app.demo.residentials import DEMO_TODAY, PAST
from app.extensions import db
from app.residentials import presentation
from app.residentials.models import Invitation, PresentationDay


def test_presentation_day_invitations_are_dated_in_the_cohorts_year(app):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        for cohort in db.session.scalars(select(Cohort)):
            invs = db.session.scalars(
                select(Invitation).where(Invitation.cohort_id == cohort.id)
            ).all()
            if not invs:
                continue
            on = presentation.day_of(cohort.id)
            for inv in invs:
                sent = inv.sent_at.date()
                assert cohort.programme_start <= sent <= min(on, DEMO_TODAY), cohort.name
                if cohort.name in PAST:
                    assert sent == on - timedelta(days=30)
                if inv.replied_at is not None:
                    assert sent <= inv.replied_at.date() < on
            day = db.session.scalar(
                select(PresentationDay).where(PresentationDay.cohort_id == cohort.id)
            )
            if cohort.name in PAST:
                assert day.published_at.date() == on - timedelta(days=7)
                assert any(i.replied_at for i in invs)
            else:
                assert day.published_at is None
