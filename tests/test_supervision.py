"""Supervision and coaching: pools, allocation at and over capacity, replacement with its
history, meetings (who may log them, dates, who reads the notes) and three-way status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import OrgKind
from app.supervision import queries, services
from app.supervision.models import Allocation, Meeting, MeetingKind, PoolKind, PoolMember
from app.supervision.services import SupervisionError
from tests.helpers import text


class Setting:
    """A running cohort, `holders` award holders, a university, staff and helpers."""

    def __init__(self, app, make, holders: int = 3):
        self.app, self.make = app, make
        self.cohort = make.running_cohort()
        self.awards = [make.award(cohort=self.cohort) for _ in range(holders)]
        self.uni = make.org(kind=OrgKind.UNIVERSITY)
        self.staff = make.user(Role.STAFF)

    def supervisor(self, **kw):
        return self.make.user(Role.SUPERVISOR, orgs=[self.uni], **kw)

    def coach(self):
        return self.make.user(Role.COACH)


def _get(model, obj):
    return db.session.get(model, obj.id)


def _pool(s: Setting, person, kind=PoolKind.SUPERVISOR, capacity=2) -> PoolMember:
    member = services.add_to_pool(
        _get(Cohort, s.cohort),
        _get(User, s.staff),
        _get(User, person),
        kind,
        capacity=capacity,
        expertise="Adult safeguarding",
        university_id=s.uni.id if kind is PoolKind.SUPERVISOR else None,
        today=today(),
    )
    db.session.commit()
    return member


def _allocate(s: Setting, award, member, reason="", override="", on=None) -> Allocation:
    return services.allocate(
        _get(Award, award),
        member,
        _get(User, s.staff),
        reason=reason,
        override_reason=override,
        today=on or today(),
    )


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# Pools ----------------------------------------------------------------------------------


def test_only_confirmed_supervisors_join_the_pool(app, make):
    s = Setting(app, make, holders=0)
    not_one = make.user(Role.LINE_MANAGER, orgs=[s.uni])
    invited = s.supervisor()
    with app.test_request_context():
        with pytest.raises(SupervisionError, match="is not an academic supervisor"):
            _pool(s, not_one)
        invited = _get(User, invited)
        invited.invited_by_id = s.staff.id  # an applicant's invitation, not yet confirmed
        db.session.commit()
        with pytest.raises(SupervisionError, match="is not an academic supervisor"):
            _pool(s, invited)
        assert _count(PoolMember) == 0


def test_a_supervisors_university_is_one_of_their_organisations(app, make):
    s = Setting(app, make, holders=0)
    elsewhere = make.user(Role.SUPERVISOR, orgs=[make.org(kind=OrgKind.UNIVERSITY)])
    person = s.supervisor()
    with app.test_request_context():
        with pytest.raises(SupervisionError, match="Choose the university"):
            _pool(s, elsewhere)
        _pool(s, person)
        with pytest.raises(SupervisionError, match="already in this cohort"):
            _pool(s, person)
        assert _count(PoolMember) == 1


# Allocation -----------------------------------------------------------------------------


def test_capacity_exactly_at_the_limit_then_one_over_needs_an_override(app, make):
    s = Setting(app, make, holders=3)
    with app.test_request_context():
        member = _pool(s, s.supervisor(), capacity=2)
        _allocate(s, s.awards[0], member)
        _allocate(s, s.awards[1], member)  # exactly at capacity: allowed
        db.session.commit()
        with pytest.raises(
            SupervisionError, match="already has 2 award holders and capacity for 2"
        ):
            _allocate(s, s.awards[2], member)
        db.session.rollback()
        assert _count(Allocation) == 2
        new = _allocate(s, s.awards[2], member, override="Only supervisor with this expertise")
        db.session.commit()
        assert new.override_reason == "Only supervisor with this expertise"
        assert services.loads([member.id]) == {member.id: 3}
        entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
        assert entry.action == "supervision.allocated" and "over capacity" in entry.summary


def test_an_override_inside_capacity_is_not_kept(app, make):
    s = Setting(app, make, holders=1)
    with app.test_request_context():
        member = _pool(s, s.supervisor(), capacity=1)
        assert _allocate(s, s.awards[0], member, override="just in case").override_reason == ""


def test_replacing_a_supervisor_keeps_history_and_tells_everyone(app, make):
    s = Setting(app, make, holders=1)
    first, second = s.supervisor(name="Dr First"), s.supervisor(name="Dr Second")
    with app.test_request_context():
        m1, m2 = _pool(s, first), _pool(s, second)
        _allocate(s, s.awards[0], m1, on=today() - timedelta(days=30))
        db.session.commit()
        with pytest.raises(SupervisionError, match="Say why Dr First is being replaced"):
            _allocate(s, s.awards[0], m2)
        db.session.rollback()
        before_mail = _count(OutboxMessage)
        _allocate(s, s.awards[0], m2, reason="Long-term sick leave")
        db.session.commit()
        rows = db.session.scalars(select(Allocation).order_by(Allocation.id)).all()
        assert [(r.user_id, r.ended_on, r.end_reason) for r in rows] == [
            (first.id, today(), "Long-term sick leave"),
            (second.id, None, ""),
        ]
        assert rows[1].reason == "Long-term sick leave"
        award = _get(Award, s.awards[0])
        sent = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id > 0).order_by(OutboxMessage.id)
        ).all()[before_mail:]
        assert {(m.to_address, m.template) for m in sent} == {
            (award.holder.email, "supervision_allocated"),
            (award.line_manager.email, "supervision_allocated"),
            (second.email, "supervision_allocated"),
            (first.email, "supervision_ended"),
        }
        assert "replaced Dr First" in sent[0].body and "Long-term sick leave" in sent[0].body
        with pytest.raises(SupervisionError, match="already"):
            _allocate(s, s.awards[0], m2, reason="again")


def test_bad_allocations_change_nothing(app, make):
    s = Setting(app, make, holders=1)
    other = make.running_cohort()
    ended = make.award(
        cohort=make.cohort(
            applications_open=today() - timedelta(days=700),
            applications_close=today() - timedelta(days=650),
            programme_start=today() - timedelta(days=500),
            programme_end=today() - timedelta(days=1),
        )
    )
    person = s.supervisor()
    with app.test_request_context():
        member = _pool(s, person)
        mail = _count(OutboxMessage)
        elsewhere = services.add_to_pool(
            _get(Cohort, other),
            _get(User, s.staff),
            _get(User, person),
            PoolKind.SUPERVISOR,
            capacity=2,
            expertise="",
            university_id=s.uni.id,
            today=today(),
        )
        db.session.commit()
        with pytest.raises(SupervisionError, match="from cohort"):
            _allocate(s, s.awards[0], elsewhere)
        with pytest.raises(SupervisionError, match="programme year ended"):
            _allocate(s, ended, member)
        u = _get(User, person)
        u.role_links.clear()  # no longer a supervisor
        db.session.flush()
        with pytest.raises(SupervisionError, match="no longer a academic supervisor|no longer"):
            _allocate(s, s.awards[0], member)
        db.session.rollback()
        assert _count(Allocation) == 0
        assert _count(OutboxMessage) == mail


# Meetings -------------------------------------------------------------------------------


def _details(kind, award_ids, held_on=None, minutes=60):
    return services.MeetingDetails(
        kind,
        held_on or today() - timedelta(days=2),
        minutes,
        "Talked ethics",
        "Draft form",
        award_ids,
    )


def _allocated(app, make, holders=2):
    s = Setting(app, make, holders=holders)
    sup, coach = s.supervisor(), s.coach()
    with app.test_request_context():
        ms = _pool(s, sup, capacity=5)
        mc = _pool(s, coach, PoolKind.COACH, capacity=5)
        for a in s.awards:
            _allocate(s, a, ms, on=s.cohort.programme_start)
            _allocate(s, a, mc, on=s.cohort.programme_start)
        db.session.commit()
    return s, sup, coach


def test_a_supervisor_logs_only_for_their_own_supervisees(app, make):
    s, sup, _coach = _allocated(app, make, holders=1)
    stranger = make.award(cohort=s.cohort)
    with app.test_request_context():
        me = _get(User, sup)
        with pytest.raises(SupervisionError, match="is not allocated to you"):
            services.log_meeting(me, _details(MeetingKind.SUPERVISION, [stranger.id]), today())
        with pytest.raises(SupervisionError, match="cannot log that kind"):
            services.log_meeting(me, _details(MeetingKind.COACHING, [s.awards[0].id]), today())
        m = services.log_meeting(me, _details(MeetingKind.SUPERVISION, [s.awards[0].id]), today())
        db.session.commit()
        assert {a.role for a in m.attendees} == {"award_holder", "supervisor"}
        assert _count(Meeting) == 1


def test_meeting_dates_today_or_earlier_inside_the_programme(app, make):
    s, sup, _ = _allocated(app, make, holders=1)
    ids = [s.awards[0].id]
    with app.test_request_context():
        me = _get(User, sup)
        with pytest.raises(SupervisionError, match="today or in the past"):
            services.log_meeting(
                me, _details(MeetingKind.SUPERVISION, ids, today() + timedelta(days=1)), today()
            )
        with pytest.raises(SupervisionError, match="inside the programme year"):
            services.log_meeting(
                me,
                _details(MeetingKind.SUPERVISION, ids, s.cohort.programme_start - timedelta(1)),
                today(),
            )
        services.log_meeting(me, _details(MeetingKind.SUPERVISION, ids, today()), today())
        services.log_meeting(
            me, _details(MeetingKind.SUPERVISION, ids, s.cohort.programme_start), today()
        )
        assert _count(Meeting) == 2


def test_group_coaching_lists_several_holders(app, make):
    s, _sup, coach = _allocated(app, make, holders=2)
    ids = [a.id for a in s.awards]
    with app.test_request_context():
        me = _get(User, coach)
        with pytest.raises(SupervisionError, match="at least two"):
            services.log_meeting(me, _details(MeetingKind.GROUP_COACHING, ids[:1]), today())
        with pytest.raises(SupervisionError, match="Choose one award holder"):
            services.log_meeting(me, _details(MeetingKind.COACHING, ids), today())
        m = services.log_meeting(me, _details(MeetingKind.GROUP_COACHING, ids), today())
        assert sorted(a.award_id for a in m.attendees if a.award_id) == sorted(ids)


def test_notes_are_for_the_people_in_the_meeting_and_staff(app, make, browser_factory):
    s, sup, coach = _allocated(app, make, holders=2)
    with app.test_request_context():
        m = services.log_meeting(
            _get(User, sup), _details(MeetingKind.SUPERVISION, [s.awards[0].id]), today()
        )
        db.session.commit()
        award = _get(Award, s.awards[0])
        holder, manager = award.holder.email, award.line_manager.email
        other = _get(Award, s.awards[1]).holder.email
        url, award_id = f"/supervision/meetings/{m.id}", award.id
    for email, code in [
        (s.staff.email, 200),
        (holder, 200),
        (sup.email, 200),
        (coach.email, 404),  # the holder's coach was not in this meeting
        (manager, 404),
        (other, 404),
    ]:
        b = browser_factory()
        b.sign_in(email)
        resp = b.get(url)
        assert resp.status_code == code, email
        if code == 200:
            assert "Talked ethics" in text(resp)
    b = browser_factory()
    b.sign_in(manager)
    page = text(b.get(f"/supervision/awards/{award_id}"))
    assert "Supervision, " in page and "Talked ethics" not in page


def test_the_holder_confirms_once(app, make, browser_factory):
    s, sup, _ = _allocated(app, make, holders=1)
    with app.test_request_context():
        m = services.log_meeting(
            _get(User, sup), _details(MeetingKind.SUPERVISION, [s.awards[0].id]), today()
        )
        db.session.commit()
        holder = _get(Award, s.awards[0]).holder.email
        url = f"/supervision/meetings/{m.id}"
    b = browser_factory()
    b.sign_in(holder)
    assert "Confirm this meeting" in text(b.get(url))
    resp = b.post(url + "/confirm", token_from=url, follow_redirects=True)
    assert "You have confirmed this meeting" in text(resp)
    assert "Confirm this meeting" not in text(resp)
    again = b.post(url + "/confirm", token_from=url, follow_redirects=True)
    assert "You confirmed this meeting already" in text(again)
    with app.app_context():
        confirmed = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "supervision.meeting_confirmed")
        ).all()
        assert len(confirmed) == 1


def test_a_holder_logs_their_own_meeting_with_their_supervisor(app, make):
    s, sup, _ = _allocated(app, make, holders=1)
    with app.test_request_context():
        award = _get(Award, s.awards[0])
        holder = award.holder
        assert holder.has_role(Role.AWARD_HOLDER)
        m = services.log_meeting(holder, _details(MeetingKind.THREE_WAY, [award.id]), today())
        assert {(a.user_id, a.confirmed_at is not None) for a in m.attendees} == {
            (holder.id, True),
            (sup.id, False),
            (award.line_manager_id, False),
        }


# Three-way meetings ---------------------------------------------------------------------


def _cohort(start: date, end: date) -> Cohort:
    return Cohort(programme_start=start, programme_end=end)


def test_three_windows_cover_the_year():
    c = _cohort(date(2026, 9, 1), date(2027, 8, 31))
    w = queries.windows(c)
    assert w[0][0] == c.programme_start and w[-1][1] == c.programme_end
    assert all(w[i][1] + timedelta(days=1) == w[i + 1][0] for i in range(2))


def test_three_way_status_at_the_edges():
    c = _cohort(date(2026, 9, 1), date(2027, 8, 31))
    (s1, e1), (s2, e2), _ = queries.windows(c)
    assert [w.status for w in queries.three_way_status(c, [], s1 - timedelta(1))] == [
        "upcoming"
    ] * 3
    assert queries.three_way_status(c, [], s1)[0].status == "due"  # first day of the window
    assert queries.three_way_status(c, [], e1)[0].status == "due"  # last day of the window
    assert queries.three_way_status(c, [], e1 + timedelta(1))[0].status == "overdue"
    # a late first meeting catches up window 1; window 2 is then due
    late = queries.three_way_status(c, [s2 + timedelta(3)], s2 + timedelta(5))
    assert [w.status for w in late] == ["done", "due", "upcoming"]
    done = queries.three_way_status(c, [s1, s2, e2 + timedelta(1)], c.programme_end)
    assert [w.status for w in done] == ["done"] * 3
    assert queries.next_three_way(done) is None


# Journeys over HTTP ----------------------------------------------------------------------


def test_staff_allocate_over_capacity_only_with_a_reason(app, make, browser):
    s = Setting(app, make, holders=2)
    coach = s.coach()
    with app.test_request_context():
        member = _pool(s, coach, PoolKind.COACH, capacity=1)
        _allocate(s, s.awards[0], member)
        db.session.commit()
        member_id = member.id
    browser.sign_in(s.staff.email)
    url = f"/supervision/awards/{s.awards[1].id}/allocate/coach"
    page = text(browser.get(url))
    assert "Load 1 of 1: full." in page
    resp = browser.post(url, {"member": str(member_id)})
    assert resp.status_code == 200
    body = text(resp)
    assert "There is a problem" in body and "give a reason for going over capacity" in body
    resp = browser.post(url, {"member": str(member_id), "override_reason": "Group of two"})
    assert resp.status_code == 302
    page = text(browser.get(f"/supervision/cohorts/{s.cohort.id}/pool"))
    assert "2 of 1" in page and "1 over" in page


def test_staff_add_to_the_pool_through_the_form(app, make, browser):
    s = Setting(app, make, holders=0)
    person = s.supervisor(name="Dr Grace Hill")
    browser.sign_in(s.staff.email)
    url = f"/supervision/cohorts/{s.cohort.id}/pool/new/supervisor"
    resp = browser.post(url, {"person": str(person.id), "capacity": "99", "university": "0"})
    assert "Capacity must be between 0 and 50" in text(resp)
    resp = browser.post(
        url,
        {
            "person": str(person.id),
            "capacity": "3",
            "university": str(s.uni.id),
            "expertise": "Ethnography",
        },
    )
    assert resp.status_code == 302
    assert "Dr Grace Hill" in text(browser.get(f"/supervision/cohorts/{s.cohort.id}/pool"))


def test_a_supervisor_logs_a_meeting_and_sees_their_supervisees(app, make, browser):
    s, sup, _ = _allocated(app, make, holders=1)
    browser.sign_in(sup.email)
    home = text(browser.get("/supervision/"))
    with app.app_context():
        name = _get(Award, s.awards[0]).holder.name
    assert name in home and "Meeting 1" in home
    held = today() - timedelta(days=1)
    form = {
        "kind": "supervision",
        "award_ids": str(s.awards[0].id),
        "held_on-day": str(held.day),
        "held_on-month": str(held.month),
        "held_on-year": str(held.year),
        "minutes": "45",
        "notes": "Agreed the interview schedule",
    }
    future = today() + timedelta(days=3)
    bad = dict(
        form,
        **{
            "held_on-day": str(future.day),
            "held_on-month": str(future.month),
            "held_on-year": str(future.year),
        },
    )
    resp = browser.post("/supervision/meetings/new", bad)
    assert resp.status_code == 200 and "must be today or in the past" in text(resp)
    resp = browser.post("/supervision/meetings/new", form, follow_redirects=True)
    assert "Agreed the interview schedule" in text(resp)
    assert "1 supervision" in text(browser.get("/supervision/"))
