"""The national data set's reminders (issue 15): what the real rules find due on the
set's day is recorded once each, across several kinds, and a sweep that day adds none."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo import national
from app.extensions import db
from app.reminders import services
from app.reminders.models import Reminder
from tests.test_national_data import SCALE, TODAY


def test_national_reminders_are_the_rules_own_and_recorded_once(app):
    with app.app_context():
        summary = national.generate(scale=SCALE, today=TODAY, privacy=False)
        assert summary.counts["reminder"] > 0
        kinds = set(db.session.scalars(select(Reminder.rule).distinct()))
        assert {"three_way", "output_due", "agreement_unsigned"} <= kinds
        before = db.session.scalar(select(func.count(Reminder.id)))
        assert services.sweep(TODAY) == 0
        assert db.session.scalar(select(func.count(Reminder.id))) == before
