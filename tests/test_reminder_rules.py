"""Reminders (issue 15): every rule in the registry at its edges, with frozen time.
Each test counts the rows of its own kind, so a rule that fires too early, too late or
twice fails here."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.awards.models import Award, AwardOutput, OutputKind, OutputStatus
from app.cohorts.models import Cohort
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.documents.models import LearningAgreement, SignatoryRole, Signature
from app.extensions import db
from app.money.models import Category, ItemStatus, SpendingItem
from app.release.models import DayKind, DayStatus, ReleaseDay
from app.reminders import services
from app.reminders.models import Reminder
from app.reminders.registry import kinds
from app.residentials.models import Workshop

MONDAY = date(2026, 6, 8)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9))


def _sweep(app, today: date) -> int:
    with app.app_context():
        return services.sweep(today)


def _rows(app, rule: str) -> list[tuple[str, int | None, str | None]]:
    """(period, user id, skip reason) of a kind's reminders, oldest first."""
    with app.app_context():
        return [
            (r.period, r.user_id, r.skip_reason)
            for r in db.session.scalars(
                select(Reminder).where(Reminder.rule == rule).order_by(Reminder.id)
            )
        ]


def _update(app, model, ident, **values):
    with app.app_context():
        obj = db.session.get(model, ident)
        for k, v in values.items():
            setattr(obj, k, v)
        db.session.commit()


def test_every_kind_is_registered_with_an_audience_and_a_template(app):
    names = {k.name for k in kinds()}
    assert names == {
        "study_days_pending",
        "psw_signoff_pending",
        "psw_signoff_overdue",
        "behind_pace",
        "residential_soon",
        "output_due",
        "three_way",
        "award_items_pending",
        "agreement_unsigned",
        "impact_yearly",
    }
    for k in kinds():
        assert k.label and k.audience
        app.jinja_env.get_template(f"email/{k.template}.txt")
    assert {k.name for k in kinds() if k.mandatory} == {
        "study_days_pending",
        "psw_signoff_pending",
        "psw_signoff_overdue",
    }


def test_psw_sign_off_after_3_and_7_working_days_the_second_copied_to_staff(app, make):
    staff = make.user(Role.STAFF)
    application = make.application(make.cohort(), status="submitted")
    _update(app, type(application), application.id, submitted_at=_at(MONDAY))
    assert _sweep(app, date(2026, 6, 10)) == 0  # two working days
    _sweep(app, date(2026, 6, 11))
    assert _rows(app, "psw_signoff_pending") == [("v1", application.psw_id, None)]
    _sweep(app, date(2026, 6, 16))  # six working days: nothing new
    assert _rows(app, "psw_signoff_overdue") == []
    _sweep(app, date(2026, 6, 17))
    assert sorted(_rows(app, "psw_signoff_overdue"), key=lambda r: r[1]) == sorted(
        [("v1", application.psw_id, None), ("v1", staff.id, None)], key=lambda r: r[1]
    )
    _sweep(app, date(2026, 6, 18))
    assert len(_rows(app, "psw_signoff_pending")) == 1
    assert len(_rows(app, "psw_signoff_overdue")) == 2
    with app.app_context():
        copy = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_user_id == staff.id))
        assert "waited 7 working days" in copy.body
        assert f"/selection/applications/{application.id}" in copy.body


def test_behind_pace_weekly_to_holder_and_manager_from_the_ledgers_own_pace(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", date(2026, 6, 10))
    cohort = make.running_cohort()
    behind = make.award(cohort=cohort)
    on_pace = make.award(cohort=cohort)
    with app.app_context():
        start = cohort.programme_start
        for i in range(12):  # 12 days approved: on pace 100 days into the year
            db.session.add(
                ReleaseDay(
                    award_id=on_pace.id,
                    day=start + timedelta(days=i * 7),
                    half_days=2,
                    kind=DayKind.STUDY,
                    status=DayStatus.APPROVED,
                    requested_at=_at(start),
                )
            )
        db.session.commit()
        from app.release.services import pace

        assert pace(db.session.get(Award, behind.id), date(2026, 6, 10)).at_risk
        assert not pace(db.session.get(Award, on_pace.id), date(2026, 6, 10)).at_risk
    _sweep(app, date(2026, 6, 10))
    rows = _rows(app, "behind_pace")
    assert sorted(u for _p, u, _r in rows) == sorted([behind.holder_id, behind.line_manager_id])
    assert {p for p, _u, _r in rows} == {"2026-W24"}
    _sweep(app, date(2026, 6, 12))  # same week: nothing more
    assert len(_rows(app, "behind_pace")) == 2
    _sweep(app, date(2026, 6, 15))  # next week: again
    assert len(_rows(app, "behind_pace")) == 4


def test_residential_workshop_in_14_days_and_in_2_days_with_the_timetable(app, make):
    award = make.award()
    with app.app_context():
        w = Workshop(
            cohort_id=award.cohort_id,
            number=1,
            venue="Hollins Hall",
            starts_on=date(2026, 7, 1),
            ends_on=date(2026, 7, 2),
            arrival_time=time(9, 30),
            departure_time=time(16),
        )
        db.session.add(w)
        db.session.commit()
    assert _rows(app, "residential_soon") == []
    _sweep(app, date(2026, 6, 16))  # 15 days before
    assert _rows(app, "residential_soon") == []
    _sweep(app, date(2026, 6, 17))
    _sweep(app, date(2026, 6, 28))  # 3 days before: nothing new
    assert _rows(app, "residential_soon") == [("2026-07-01:14", award.holder_id, None)]
    _sweep(app, date(2026, 6, 29))
    assert [p for p, _u, _r in _rows(app, "residential_soon")] == [
        "2026-07-01:14",
        "2026-07-01:2",
    ]
    with app.app_context():
        msg = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.to_user_id == award.holder_id, OutboxMessage.template == "reminder"
            )
        )
        assert "Hollins Hall" in msg.body and "/residentials/mine" in msg.body
        assert "timetable" in msg.body


def test_output_due_in_14_and_3_days_and_overdue_and_an_extension_starts_again(app, make):
    award = make.award()
    with app.app_context():
        out = db.session.scalar(
            select(AwardOutput).where(
                AwardOutput.award_id == award.id, AwardOutput.kind == OutputKind.REPORT
            )
        )
        out.due_date = date(2026, 7, 1)
        out_id = out.id
        db.session.commit()
    _sweep(app, date(2026, 6, 16))
    assert _rows(app, "output_due") == []
    for day in (date(2026, 6, 17), date(2026, 6, 27), date(2026, 6, 28), date(2026, 7, 1)):
        _sweep(app, day)
    _sweep(app, date(2026, 7, 2))
    _sweep(app, date(2026, 7, 3))
    assert [p for p, _u, _r in _rows(app, "output_due")] == [
        "2026-07-01:14",
        "2026-07-01:3",
        "2026-07-01:overdue",
    ]
    _update(app, AwardOutput, out_id, due_date=date(2026, 7, 20))  # extended
    _sweep(app, date(2026, 7, 6))
    assert _rows(app, "output_due")[-1][0] == "2026-07-20:14"
    _update(app, AwardOutput, out_id, status=OutputStatus.ACCEPTED)
    _sweep(app, date(2026, 7, 21))
    assert len(_rows(app, "output_due")) == 4


def test_three_way_window_opening_and_overdue(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", date(2026, 6, 10))
    cohort = make.running_cohort()  # started 100 days ago: window 1 of 3 is open
    award = make.award(cohort=cohort)
    _sweep(app, date(2026, 6, 10))
    # no supervisor allocated: that copy is recorded as not sent, with the reason
    assert sorted(_rows(app, "three_way"), key=str) == sorted(
        [
            ("w1:open", award.holder_id, None),
            ("w1:open", award.line_manager_id, None),
            (
                "w1:open:no-supervisor",
                None,
                "The award has no supervisor named, so that copy was not sent",
            ),
        ],
        key=str,
    )
    from app.supervision.queries import windows

    with app.app_context():
        w1, w2, _ = windows(db.session.get(type(cohort), cohort.id))
    _sweep(app, w1[1])  # last day of window 1: still open, nothing new
    assert len(_rows(app, "three_way")) == 3
    _sweep(app, w2[0])  # window 1 missed, window 2 open
    periods = sorted({p.split(":no-")[0] for p, _u, _r in _rows(app, "three_way")})
    assert periods == ["w1:open", "w1:overdue", "w2:open"]
    assert len(_rows(app, "three_way")) == 9  # and nothing twice


def test_three_way_with_no_line_manager_either_records_both_copies_not_sent(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", date(2026, 6, 10))
    cohort = make.running_cohort()
    award = make.award(cohort=cohort)
    _update(app, Award, award.id, line_manager_id=None)
    _sweep(app, date(2026, 6, 10))
    _sweep(app, date(2026, 6, 10))
    rows = _rows(app, "three_way")
    assert ("w1:open", award.holder_id, None) in rows
    skipped = sorted(r for p, u, r in rows if u is None)
    assert skipped == [
        "The award has no line manager named, so that copy was not sent",
        "The award has no supervisor named, so that copy was not sent",
    ]


def test_personal_award_items_after_5_working_days_to_staff(app, make):
    staff = make.user(Role.STAFF)
    award = make.award()
    with app.app_context():
        item = SpendingItem(
            award_id=award.id,
            category=Category.BOOKS,
            description="Research methods textbook",
            spent_on=MONDAY,
            amount_pence=4599,
            status=ItemStatus.SUBMITTED,
            submitted_at=_at(MONDAY),
        )
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    _sweep(app, date(2026, 6, 12))  # four working days
    assert _rows(app, "award_items_pending") == []
    _sweep(app, date(2026, 6, 15))
    staff_ids = {u for _p, u, _r in _rows(app, "award_items_pending")}
    assert staff.id in staff_ids
    assert award.holder_id not in staff_ids
    _update(app, SpendingItem, item_id, status=ItemStatus.REJECTED, rejection_reason="No")
    n = len(_rows(app, "award_items_pending"))
    _sweep(app, date(2026, 6, 16))
    assert len(_rows(app, "award_items_pending")) == n


def test_learning_agreement_after_5_working_days_to_whoever_has_not_signed(app, make):
    award = make.award()
    with app.app_context():
        ag = LearningAgreement(award_id=award.id, updated_at=_at(MONDAY), created_at=_at(MONDAY))
        db.session.add(ag)
        db.session.flush()
        db.session.add(
            Signature(
                agreement_id=ag.id,
                version=1,
                role=SignatoryRole.HOLDER,
                user_id=award.holder_id,
                typed_name="Holder",
                content_hash="x",
                reference="REF-TEST-1",
            )
        )
        db.session.commit()
    _sweep(app, date(2026, 6, 12))
    assert _rows(app, "agreement_unsigned") == []
    _sweep(app, date(2026, 6, 15))
    rows = _rows(app, "agreement_unsigned")
    assert ("v1:line_manager", award.line_manager_id, None) in rows
    # nobody named as assistant director: skipped with a reason staff can read
    assert (
        "v1:assistant_director",
        None,
        "No assistant director is named for the agreement",
    ) in rows
    assert all(p != "v1:holder" for p, _u, _r in rows)  # the holder signed
    _sweep(app, date(2026, 6, 16))
    assert len(_rows(app, "agreement_unsigned")) == 2  # the skipped one is not added again


def test_impact_prompt_one_year_after_completion(app, make):
    award = make.award()
    _update(app, Award, award.id, completed_at=datetime(2025, 6, 15, 12))
    _sweep(app, date(2026, 6, 14))
    assert _rows(app, "impact_yearly") == []
    _sweep(app, date(2026, 6, 15))
    _sweep(app, date(2026, 6, 15))
    assert _rows(app, "impact_yearly") == [("year-1", award.holder_id, None)]


@pytest.mark.parametrize("kind", ["output_due", "study_days_pending"])
def test_a_cohort_can_turn_a_kind_off(app, make, kind):
    staff = make.user(Role.STAFF)
    award = make.award()
    with app.app_context():
        out = db.session.scalar(select(AwardOutput).where(AwardOutput.award_id == award.id))
        out.due_date = date(2026, 7, 1)
        db.session.add(
            ReleaseDay(
                award_id=award.id,
                day=date(2026, 7, 6),
                half_days=2,
                kind=DayKind.STUDY,
                status=DayStatus.REQUESTED,
                requested_at=_at(MONDAY),
            )
        )
        cohort = db.session.get(Cohort, award.cohort_id)
        services.set_cohort_kinds(
            cohort, {k.name for k in kinds()} - {kind}, db.session.get(User, staff.id)
        )
        db.session.commit()
        assert kind not in services.cohort_kinds_on(cohort.id)
    _sweep(app, date(2026, 6, 17))
    assert _rows(app, kind) == []
    other = "study_days_pending" if kind == "output_due" else "output_due"
    assert len(_rows(app, other)) == 1
