"""The onboarding checklist (who ticks which item, once, dated and audited; items read
from allocations and residential replies; the cohort view of who is incomplete) and a
line manager's delegate seeing the three-way status of the holders they cover."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import OrgKind
from app.release.models import Delegation
from app.residentials.models import Attendance, Mark, Registration, Workshop
from app.supervision import onboarding
from app.supervision.models import OnboardingItem, OnboardingTick, PoolKind, PoolMember
from app.supervision.onboarding import AlreadyDone
from app.supervision.services import SupervisionError
from tests.helpers import text

I = OnboardingItem  # noqa: E741


class Setting:
    def __init__(self, app, make, holders: int = 2):
        self.app, self.make = app, make
        self.cohort = make.running_cohort()
        self.employer = make.org()
        self.awards = [
            make.award(cohort=self.cohort, employer=self.employer) for _ in range(holders)
        ]
        self.staff = make.user(Role.STAFF)
        self.director = make.user(Role.ASSISTANT_DIRECTOR, orgs=[self.employer])

    def award(self, i=0) -> Award:
        return db.session.get(Award, self.awards[i].id)

    def user(self, obj) -> User:
        return db.session.get(User, obj.id)


def _ticks() -> int:
    return db.session.scalar(select(func.count()).select_from(OnboardingTick))


def _audits(action) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


# Who ticks what -------------------------------------------------------------------------


def test_each_item_is_ticked_by_the_people_it_belongs_to(app, make):
    s = Setting(app, make, holders=1)
    other_manager = make.user(Role.LINE_MANAGER, orgs=[s.employer])
    sup = make.user(Role.SUPERVISOR, orgs=[make.org(kind=OrgKind.UNIVERSITY)])
    with app.app_context():
        a = s.award()
        holder, manager = a.holder, a.line_manager
        staff, director = s.user(s.staff), s.user(s.director)
        assert all(onboarding.can_tick(staff, a, i) for i in I)
        assert [i for i in I if onboarding.can_tick(holder, a, i)] == [I.LIBRARY_REQUESTED]
        assert {i for i in I if onboarding.can_tick(manager, a, i)} == {
            I.HANDBOOK,
            I.LEARNING_AGREEMENT,
        }
        assert [i for i in I if onboarding.can_tick(director, a, i)] == [I.LEARNING_AGREEMENT]
        for nobody in (s.user(other_manager), s.user(sup)):
            assert not any(onboarding.can_tick(nobody, a, i) for i in I)
        assert onboarding.can_see(director, a, today())
        assert not onboarding.can_see(s.user(sup), a, today())
        assert not onboarding.can_see(s.user(other_manager), a, today())


def test_a_tick_is_dated_audited_and_made_once(app, make):
    s = Setting(app, make, holders=1)
    with app.app_context():
        a = s.award()
        row = onboarding.tick(a, I.HANDBOOK, a.line_manager, today())
        db.session.commit()
        assert (row.done_on, row.ticked_by_id) == (today(), a.line_manager_id)
        assert _audits("supervision.onboarding_ticked") == 1
        with pytest.raises(AlreadyDone, match="already ticked by .* Nothing was changed"):
            onboarding.tick(a, I.HANDBOOK, s.user(s.staff), today())
        db.session.rollback()
        assert _ticks() == 1 and _audits("supervision.onboarding_ticked") == 1


def test_the_wrong_person_or_order_changes_nothing(app, make):
    s = Setting(app, make, holders=1)
    with app.app_context():
        a = s.award()
        with pytest.raises(SupervisionError, match="Only programme staff can tick"):
            onboarding.tick(a, I.BACKFILL, a.holder, today())
        with pytest.raises(SupervisionError, match="requested before recording it granted"):
            onboarding.tick(a, I.LIBRARY_GRANTED, s.user(s.staff), today())
        db.session.rollback()
        assert _ticks() == 0 and _audits("supervision.onboarding_ticked") == 0


def test_untick_keeps_the_order_and_the_audit(app, make):
    s = Setting(app, make, holders=1)
    with app.app_context():
        a, staff = s.award(), s.user(s.staff)
        onboarding.tick(a, I.LIBRARY_REQUESTED, a.holder, today())
        onboarding.tick(a, I.LIBRARY_GRANTED, staff, today())
        db.session.commit()
        with pytest.raises(SupervisionError, match="Untick that first"):
            onboarding.untick(a, I.LIBRARY_REQUESTED, a.holder)
        db.session.rollback()
        onboarding.untick(a, I.LIBRARY_GRANTED, staff)
        db.session.commit()
        with pytest.raises(AlreadyDone, match="is not ticked"):
            onboarding.untick(a, I.LIBRARY_GRANTED, staff)
        db.session.rollback()
        assert _ticks() == 1 and _audits("supervision.onboarding_unticked") == 1


def _workshops(s, n: int) -> list[int]:
    ids = []
    for i in range(n):
        day = s.cohort.programme_start + timedelta(days=30 * (i + 1))
        w = Workshop(
            cohort_id=s.cohort.id,
            number=i + 1,
            venue="Hall",
            starts_on=day,
            ends_on=day + timedelta(days=1),
            arrival_time=time(9),
            departure_time=time(16),
        )
        db.session.add(w)
        db.session.flush()
        ids.append(w.id)
    return ids


def test_allocation_and_registration_are_read_from_their_records(app, make):
    s = Setting(app, make, holders=2)
    coach = make.user(Role.COACH)
    with app.test_request_context():
        first, second = s.award(0), s.award(1)
        workshops = _workshops(s, 2)
        for w in workshops:  # the first holder replied for both workshops
            db.session.add(Registration(workshop_id=w, award_id=first.id, attending=True))
        db.session.add(Registration(workshop_id=workshops[0], award_id=second.id, attending=False))
        m = PoolMember(cohort_id=s.cohort.id, user_id=coach.id, kind=PoolKind.COACH, capacity=3)
        db.session.add(m)
        db.session.commit()
        from app.supervision import services

        services.allocate(first, m, s.user(s.staff), reason="", override_reason="", today=today())
        db.session.commit()
        one, two = onboarding.checklists([first, second])
        done = {c.key for c in one.checks if c.done}
        assert done == {"coach", "residential"}
        assert {c.key for c in two.checks if c.done} == set()  # one reply of two
        counts = onboarding.outstanding_counts(s.cohort.id)
        assert counts["coach"] == 1 and counts["residential"] == 1 and counts["supervisor"] == 2
        assert counts["any"] == 2 and counts["total"] == 2
        for key in onboarding.KEYS:
            q = select(func.count(Award.id)).where(
                Award.cohort_id == s.cohort.id, onboarding.missing(key)
            )
            assert db.session.scalar(q) == counts[key], key
        # marked on the second workshop's register: that counts as registered too
        db.session.add(
            Attendance(
                workshop_id=workshops[1],
                award_id=second.id,
                day=s.cohort.programme_start + timedelta(days=60),
                mark=Mark.PRESENT,
            )
        )
        db.session.commit()
        _, two = onboarding.checklists([first, second])
        assert {c.key for c in two.checks if c.done} == {"residential"}
        assert onboarding.outstanding_counts(s.cohort.id)["residential"] == 0


# Over HTTP --------------------------------------------------------------------------------


def test_holder_and_manager_tick_and_staff_see_who_is_incomplete(app, make, browser_factory):
    s = Setting(app, make, holders=2)
    with app.app_context():
        a = s.award(0)
        holder, manager, name = a.holder.email, a.line_manager.email, a.holder.name
        other_name = s.award(1).holder.name
    url = f"/supervision/awards/{s.awards[0].id}/onboarding"

    b = browser_factory()
    b.sign_in(holder)
    page = text(b.get(url))
    assert "Your onboarding checklist" in page and "0 of 8 done" in page
    resp = b.post(f"{url}/library_requested/tick", token_from=url, follow_redirects=True)
    assert "University library access requested: ticked" in text(resp)
    # the holder cannot record backfill agreed: clear message, nothing changed
    resp = b.post(f"{url}/backfill/tick", token_from=url, follow_redirects=True)
    assert "Only programme staff can tick this item" in text(resp)
    assert b.post(f"{url}/nonsense/tick", token_from=url).status_code == 404

    m = browser_factory()
    m.sign_in(manager)
    resp = m.post(f"{url}/handbook/tick", token_from=url, follow_redirects=True)
    assert "2 of 8 done" in text(resp)

    staff = browser_factory()
    staff.sign_in(s.staff.email)
    cohort_url = f"/supervision/cohorts/{s.cohort.id}/onboarding"
    page = text(staff.get(cohort_url))
    assert "0 of 2 award holders have everything in place" in page
    only = text(staff.get(cohort_url + "?missing=handbook"))
    assert other_name in only and name not in only
    assert name in text(staff.get(cohort_url + "?missing=backfill"))
    assert "Showing 1 to 2" in text(staff.get(cohort_url + "?missing=not-a-key"))  # ignored
    with app.app_context():
        assert _ticks() == 2


def test_supervisors_and_other_holders_do_not_see_the_checklist(app, make, browser_factory):
    s = Setting(app, make, holders=2)
    with app.app_context():
        other = s.award(1).holder.email
    b = browser_factory()
    b.sign_in(other)
    url = f"/supervision/awards/{s.awards[0].id}/onboarding"
    assert b.get(url).status_code == 404
    assert b.post(f"{url}/library_requested/tick", token_from="/supervision/").status_code == 404
    with app.app_context():
        assert _ticks() == 0


# A line manager's delegate ------------------------------------------------------------------


def test_a_delegate_sees_the_three_way_status_of_the_holders_they_cover(app, make, browser_factory):
    s = Setting(app, make, holders=1)
    colleague = make.user(Role.LINE_MANAGER, orgs=[s.employer])
    with app.app_context():
        a = s.award()
        name, manager_id = a.holder.name, a.line_manager_id
        d = Delegation(
            manager_id=manager_id,
            delegate_id=colleague.id,
            starts_on=today() - timedelta(days=1),
            ends_on=today() + timedelta(days=5),
        )
        db.session.add(d)
        db.session.commit()
        delegation_id = d.id
    b = browser_factory()
    b.sign_in(colleague.email)
    home = text(b.get("/supervision/"))
    assert name in home and "Meeting 1 due by" in home  # the next three-way meeting
    page = b.get(f"/supervision/awards/{s.awards[0].id}")
    assert page.status_code == 200 and "Three-way meetings" in text(page)
    with app.app_context():
        db.session.get(Delegation, delegation_id).ends_on = today() - timedelta(days=1)
        db.session.commit()
    assert name not in text(b.get("/supervision/"))
    assert b.get(f"/supervision/awards/{s.awards[0].id}").status_code == 404


def test_an_assistant_director_sees_each_holders_checklist(app, make, browser):
    s = Setting(app, make, holders=1)
    with app.app_context():
        a = s.award()
        onboarding.tick(a, I.LEARNING_AGREEMENT, s.user(s.director), today())
        db.session.commit()
    browser.sign_in(s.director.email)
    page = text(browser.get("/supervision/"))
    assert "Onboarding" in page and "1 of 8 done" in page
    url = f"/supervision/awards/{s.awards[0].id}/onboarding"
    assert "Learning agreement signed" in text(browser.get(url))
