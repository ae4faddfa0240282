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
    with app.app_context():
        from app.awards.models import AwardOutput, OutputKind

        due = [db.session.get(AwardOutput, r.subject_id) for r in rows if r.rule == "output_due"]
        # an oral presentation is due on its presentation day, which the demo leaves alone
        assert due and all(o.kind != OutputKind.PRESENTATION for o in due)
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    with app.app_context():
        assert len(db.session.scalars(select(Reminder)).all()) == len(rows)


def test_each_kinds_link_opens_for_the_person_it_went_to(app, browser_factory):
    """One reminder of each kind in the demo: its recipient signs in and its link answers
    200 (a link to a page the person cannot reach would be a reminder they cannot act on)."""
    from urllib.parse import urlsplit

    from app.accounts.models import User

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        picked = {}
        for r in db.session.scalars(
            select(Reminder).where(Reminder.skip_reason.is_(None)).order_by(Reminder.id)
        ):
            picked.setdefault(r.rule, (db.session.get(User, r.user_id).email, r.link))
    assert len(picked) >= 9
    for rule, (email, link) in picked.items():
        browser = browser_factory()
        browser.sign_in(email, "demo-password")
        parts = urlsplit(link)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        resp = browser.get(path, follow_redirects=True)
        assert resp.status_code == 200, f"{rule}: {email} cannot open {path}"
        assert resp.request.path != "/account/sign-in", f"{rule}: {email} sent to sign in"
