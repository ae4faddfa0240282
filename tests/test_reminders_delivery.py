"""Reminders (issue 15): what becomes of a reminder (emailed once, held for a digest,
skipped with a reason staff can read), several sweeps and digest runs at once, a mail
server that is down, and the pages: notifications with the unread count, choices, and
staff's list and per-cohort settings."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import func, select

from app.accounts.models import User, UserStatus
from app.awards.models import AwardOutput
from app.cohorts.models import Cohort
from app.core import mail
from app.core.audit import AuditEntry
from app.core.mail import MailStatus, OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.money.models import Category, ItemStatus, SpendingItem
from app.release.models import DayKind, DayStatus, ReleaseDay
from app.reminders import services
from app.reminders.models import Reminder
from app.reminders.registry import kinds
from tests.test_mail_delivery import fake_smtp  # noqa: F401  (a fixture)
from tests.test_reminders import at_once

MONDAY = date(2026, 6, 8)
DUE = date(2026, 7, 1)
SWEEP_DAY = date(2026, 6, 17)  # 14 days before DUE; study days asked on MONDAY are late


def _output_due(app, award, due=DUE) -> int:
    with app.app_context():
        out = db.session.scalar(select(AwardOutput).where(AwardOutput.award_id == award.id))
        out.due_date = due
        db.session.commit()
        return out.id


def _study_days(app, award):
    with app.app_context():
        db.session.add(
            ReleaseDay(
                award_id=award.id,
                day=date(2026, 7, 6),
                half_days=2,
                kind=DayKind.STUDY,
                status=DayStatus.REQUESTED,
                requested_at=datetime.combine(MONDAY, time(9)),
            )
        )
        db.session.commit()


def _sweep(app, today=SWEEP_DAY) -> int:
    with app.app_context():
        return services.sweep(today)


def _reminder(app, rule: str, user_id: int | None = None) -> Reminder:
    with app.app_context():
        stmt = select(Reminder).where(Reminder.rule == rule)
        if user_id is not None:
            stmt = stmt.where(Reminder.user_id == user_id)
        r = db.session.scalar(stmt)
        db.session.expunge(r)
        return r


def _mail(app, template="reminder") -> list[OutboxMessage]:
    with app.app_context():
        msgs = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == template)
        ).all()
        for m in msgs:
            db.session.expunge(m)
        return msgs


def _prefs(app, user_id, digest=False, muted=()):
    with app.app_context():
        services.save_preferences(db.session.get(User, user_id), digest, set(muted))
        db.session.commit()


# Skipped, with a reason ------------------------------------------------------------------


def test_no_email_and_person_left_are_skipped_with_a_reason_once(app, make):
    award = make.award()
    _output_due(app, award)
    _study_days(app, award)
    with app.app_context():
        db.session.get(User, award.holder_id).email = ""
        db.session.get(User, award.line_manager_id).status = UserStatus.DEACTIVATED
        db.session.commit()
    assert _sweep(app) == 0
    assert _sweep(app) == 0
    out = _reminder(app, "output_due")
    assert out.skip_reason.endswith("has no email address") and out.outbox_message_id is None
    late = _reminder(app, "study_days_pending")
    assert "has left" in late.skip_reason
    with app.app_context():
        assert db.session.scalar(select(func.count(Reminder.id))) == 2
    assert _mail(app) == [] and _mail(app, "reminder_study_days_pending") == []


def test_staff_see_the_skipped_reminder_and_why(app, make, browser):
    staff = make.user(Role.STAFF)
    award = make.award()
    _output_due(app, award)
    with app.app_context():
        db.session.get(User, award.holder_id).email = ""
        db.session.commit()
    _sweep(app)
    browser.sign_in(staff.email)
    page = browser.get("/reminders/?state=skipped").get_data(as_text=True)
    assert "has no email address" in page and "Not sent" in page
    assert "Nothing found" in browser.get("/reminders/?state=emailed").get_data(as_text=True)


# Preferences -----------------------------------------------------------------------------


def test_a_person_turns_off_a_kind_that_is_not_mandatory_but_not_a_mandatory_one(app, make):
    award = make.award()
    _output_due(app, award)
    _study_days(app, award)
    _prefs(app, award.holder_id, muted={"output_due"})
    _prefs(app, award.line_manager_id, muted={"study_days_pending"})  # mandatory: refused
    _sweep(app)
    assert _reminder(app, "output_due").skip_reason.endswith("turned these reminders off")
    assert _reminder(app, "study_days_pending").skip_reason is None
    assert len(_mail(app, "reminder_study_days_pending")) == 1 and _mail(app) == []
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.action == "reminders.preferences"
                )
            )
            == 2
        )


def test_a_weekly_digest_instead_of_single_emails_sent_once(app, make):
    award = make.award()
    _output_due(app, award)
    _prefs(app, award.holder_id, digest=True)
    assert _sweep(app) == 1
    _sweep(app, date(2026, 6, 28))  # 3 days before: a second one held
    assert _mail(app) == []
    held = _reminder(app, "output_due")
    assert held.digest and held.sent_at is None and held.skip_reason is None
    with app.app_context():
        assert services.send_digests() == 1
        assert services.send_digests() == 0
    [digest] = _mail(app, "reminder_digest")
    assert digest.to_user_id == award.holder_id
    assert digest.subject == "Your weekly reminders: 2 waiting"
    assert digest.body.count("/outputs/") == 2 and "/reminders/notifications" in digest.body
    with app.app_context():
        assert all(
            r.sent_at and r.digest_message_id == digest.id
            for r in db.session.scalars(select(Reminder))
        )


def test_a_digest_skips_what_was_deleted_meanwhile(app, make):
    staff = make.user(Role.STAFF)
    award = make.award()
    with app.app_context():
        item = SpendingItem(
            award_id=award.id,
            category=Category.BOOKS,
            description="A book",
            spent_on=MONDAY,
            amount_pence=1000,
            status=ItemStatus.SUBMITTED,
            submitted_at=datetime.combine(MONDAY, time(9)),
        )
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    _prefs(app, staff.id, digest=True)
    _sweep(app)
    with app.app_context():
        db.session.delete(db.session.get(SpendingItem, item_id))
        db.session.commit()
        assert services.send_digests() == 0
    r = _reminder(app, "award_items_pending", staff.id)
    assert r.skip_reason == "What it was about was deleted before the digest went"
    assert _mail(app, "reminder_digest") == []


def test_a_digest_leaves_out_what_was_resolved_meanwhile(app, make):
    staff = make.user(Role.STAFF)
    award = make.award()
    with app.app_context():
        items = [
            SpendingItem(
                award_id=award.id,
                category=Category.BOOKS,
                description=f"Book {n}",
                spent_on=MONDAY,
                amount_pence=1000,
                status=ItemStatus.SUBMITTED,
                submitted_at=datetime.combine(MONDAY, time(9)),
            )
            for n in (1, 2)
        ]
        db.session.add_all(items)
        db.session.commit()
        ids = [i.id for i in items]
    _prefs(app, staff.id, digest=True)
    _sweep(app)
    assert len(_all_reminders(app, "award_items_pending", staff.id)) == 2
    with app.app_context():
        approved = db.session.get(SpendingItem, ids[0])
        approved.status = ItemStatus.APPROVED
        approved.decided_by_id = staff.id
        db.session.commit()
        assert services.send_digests() == 1
    [digest] = _mail(app, "reminder_digest")
    assert digest.subject == "Your weekly reminders: 1 waiting"
    by_item = {r.subject_id: r for r in _all_reminders(app, "award_items_pending", staff.id)}
    assert by_item[ids[0]].skip_reason == services.RESOLVED
    assert by_item[ids[1]].skip_reason is None and by_item[ids[1]].sent_at is not None


def _all_reminders(app, rule, user_id):
    with app.app_context():
        rows = db.session.scalars(
            select(Reminder).where(Reminder.rule == rule, Reminder.user_id == user_id)
        ).all()
        db.session.expunge_all()
        return rows


def test_four_digest_runs_at_once_send_each_digest_once(app, make):
    awards = [make.award() for _ in range(3)]
    for award in awards:
        _output_due(app, award)
        _prefs(app, award.holder_id, digest=True)
    _sweep(app)
    results = at_once(app, lambda: services.send_digests())
    assert sum(results) == 3
    assert len(_mail(app, "reminder_digest")) == 3


# Exactly once, every kind ----------------------------------------------------------------


def test_four_sweeps_at_once_record_and_email_each_reminder_once(app, make):
    make.user(Role.STAFF)
    for _ in range(3):
        award = make.award()
        _output_due(app, award)
        _study_days(app, award)
    results = at_once(app, lambda: services.sweep(SWEEP_DAY))
    with app.app_context():
        rows = db.session.scalar(select(func.count(Reminder.id)))
        emails = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.template.like("reminder%"))
        )
    assert rows == 6 and emails == 6 and sum(results) == 6


def test_a_mail_server_that_is_down_keeps_the_reminder_and_sends_it_once(
    app,
    make,
    fake_smtp,  # noqa: F811
):
    award = make.award()
    _output_due(app, award)
    fake_smtp.down = True
    _sweep(app)
    with app.app_context():
        assert mail.send_queued() == 0
        [msg] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "reminder")
        ).all()
        assert msg.status == MailStatus.QUEUED and msg.attempts == 1
    _sweep(app)  # the next sweep does not queue it again
    fake_smtp.down = False
    with app.app_context():
        msg = db.session.get(OutboxMessage, msg.id)
        msg.next_attempt_at = None  # the retry is due
        db.session.commit()
        assert mail.send_queued() == 1
    assert len(fake_smtp.sent) == 1 and len(_mail(app)) == 1


def test_the_weekly_digest_is_a_scheduled_job(app):
    from app.scheduler import build_scheduler

    job = build_scheduler(app).get_job("send-digests")
    assert "day_of_week='mon'" in str(job.trigger) and "hour='7'" in str(job.trigger)
    assert job.max_instances == 1


# Pages -----------------------------------------------------------------------------------


def test_notifications_with_the_unread_count_and_mark_read(app, make, browser):
    award = make.award()
    _output_due(app, award)
    _sweep(app)
    _sweep(app, date(2026, 6, 28))
    browser.sign_in(make.reload(User, award.holder_id).email)
    home = browser.get("/").get_data(as_text=True)
    assert "Notifications" in home and 'app-count">2<' in home
    page = browser.get("/reminders/notifications").get_data(as_text=True)
    assert "is due 1 July 2026" in page and page.count("Mark as read") == 2
    first = _reminder(app, "output_due")
    browser.post(f"/reminders/notifications/{first.id}/read", token_from="/reminders/notifications")
    assert 'app-count">1<' in browser.get("/").get_data(as_text=True)
    browser.post("/reminders/notifications/read-all", token_from="/reminders/notifications")
    assert "app-count" not in browser.get("/").get_data(as_text=True)


def test_another_persons_notification_is_a_404(app, make, browser):
    award = make.award()
    _output_due(app, award)
    _sweep(app)
    mine = _reminder(app, "output_due")
    browser.sign_in(make.reload(User, award.line_manager_id).email)
    resp = browser.post(
        f"/reminders/notifications/{mine.id}/read", token_from="/reminders/notifications"
    )
    assert resp.status_code == 404
    assert _reminder(app, "output_due").read_at is None


def test_choices_page_saves_a_digest_and_a_muted_kind(app, make, browser):
    user = make.user(Role.AWARD_HOLDER)
    browser.sign_in(user.email)
    page = browser.get("/reminders/preferences").get_data(as_text=True)
    assert "always sent" in page
    optional = [k.name for k in kinds() if not k.mandatory and k.name != "output_due"]
    resp = browser.post(
        "/reminders/preferences",
        {"how": "digest", "on": optional},
        token_from="/reminders/preferences",
    )
    assert resp.status_code == 302
    with app.app_context():
        from app.reminders.models import ReminderPreference

        pref = db.session.get(ReminderPreference, user.id)
        assert pref.weekly_digest and pref.muted_kinds == {"output_due"}
    resp = browser.post(
        "/reminders/preferences", {"how": "weekly?"}, token_from="/reminders/preferences"
    )
    assert resp.status_code == 200 and "nhsuk-error-summary" in resp.get_data(as_text=True)


def test_staff_turn_a_kind_off_for_a_cohort(app, make, browser):
    staff = make.user(Role.STAFF)
    award = make.award()
    _output_due(app, award)
    browser.sign_in(staff.email)
    url = f"/reminders/cohorts/{award.cohort_id}"
    keep = [k.name for k in kinds() if k.name != "output_due"]
    assert browser.post(url, {"on": keep}, token_from=url).status_code == 302
    _sweep(app)
    with app.app_context():
        assert "output_due" not in services.cohort_kinds_on(award.cohort_id)
        assert db.session.scalar(select(func.count(Reminder.id))) == 0
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "reminders.cohort_setting")
        )
        assert entry.object_id == award.cohort_id and entry.changes == {"output_due": ["on", "off"]}
    assert browser.get("/reminders/cohorts/999999").status_code == 404
    with app.app_context():
        assert db.session.get(Cohort, award.cohort_id) is not None


def test_staff_filter_by_person_and_kind(app, make, browser):
    staff = make.user(Role.STAFF)
    a, b = make.award(), make.award()
    _output_due(app, a)
    _output_due(app, b)
    _sweep(app)
    browser.sign_in(staff.email)
    ha, hb = make.reload(User, a.holder_id), make.reload(User, b.holder_id)
    page = browser.get(f"/reminders/?person={ha.email}").get_data(as_text=True)
    assert ha.name in page and hb.name not in page
    page = browser.get("/reminders/?kind=three_way").get_data(as_text=True)
    assert "Nothing found" in page
    assert browser.get("/reminders/?kind=nonsense&page=abc").status_code == 200


def test_the_cli_sends_digests(app, make):
    award = make.award()
    _output_due(app, award)
    _prefs(app, award.holder_id, digest=True)
    _sweep(app)
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert "Queued 1 digest(s)." in result.output
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert "Queued 0 digest(s)." in result.output


def test_staff_download_the_filtered_list_as_csv(app, make, browser):
    staff = make.user(Role.STAFF)
    award = make.award()
    _output_due(app, award)
    with app.app_context():
        db.session.get(User, award.holder_id).name = "=HYPERLINK(evil)"
        db.session.commit()
    _sweep(app)
    browser.sign_in(staff.email)
    resp = browser.get("/reminders/reminders.csv?kind=output_due")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.get_data(as_text=True)
    assert text.splitlines()[0].startswith("Recorded (UTC),Person,Email,Reminder")
    assert "'=HYPERLINK(evil)" in text and "Output due in 14 days" in text
    assert len(text.splitlines()) == 2
    empty = browser.get("/reminders/reminders.csv?kind=three_way").get_data(as_text=True)
    assert len(empty.splitlines()) == 1


def test_staff_see_each_reminders_email_as_the_outbox_has_it(app, make, browser):
    staff = make.user(Role.STAFF)
    award = make.award()
    _output_due(app, award)
    _sweep(app)
    browser.sign_in(staff.email)
    page = browser.get("/reminders/?kind=output_due").get_data(as_text=True)
    assert "Email: held" in page  # no mail server in tests: held in the outbox
    with app.app_context():
        msg = db.session.get(OutboxMessage, _reminder(app, "output_due").outbox_message_id)
        msg.status = MailStatus.FAILED
        db.session.commit()
    page = browser.get("/reminders/?kind=output_due").get_data(as_text=True)
    assert "Email: failed" in page
