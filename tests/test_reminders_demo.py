"""The demo (issue 15): after `flask demo`, staff see pending reminders of each kind."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.reminders.models import Reminder


def test_the_demo_has_reminders_of_each_kind(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        rows = db.session.scalars(select(Reminder)).all()
        found = {r.rule for r in rows}
    assert found >= {
        "study_days_pending",
        "psw_signoff_pending",
        "psw_signoff_overdue",
        "behind_pace",
        "residential_soon",
        "output_due",
        "three_way",
        "award_items_pending",
        "agreement_unsigned",
    }
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    with app.app_context():
        assert len(db.session.scalars(select(Reminder)).all()) == len(rows)
