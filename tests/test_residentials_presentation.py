"""The presentation day: invitations to each award holder's PSW, line manager and
supervisor (one per person), replies through a link that works once per reply and until
the day, and the running order staff arrange and publish to the invitees."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.applications.models import Application
from app.awards.models import Award, AwardOutput, OutputKind
from app.cohorts.models import Cohort
from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import OrgKind
from app.residentials import presentation, running_order, tokens
from app.residentials.models import (
    Invitation,
    PresentationSlot,
    ProgrammeStatus,
    Reply,
    Workshop,
)
from app.residentials.presentation import ReplyRefused
from app.residentials.services import ResidentialError
from app.supervision.models import Allocation, PoolKind, PoolMember
from tests.helpers import last_email, link_in, text
from tests.test_residentials import _workshop_with_holders


@pytest.fixture
def day_world(app, make, monkeypatch):
    """Two award holders (each with their own PSW and line manager) sharing a supervisor;
    the presentation day (the workshop's last day) is ten days away."""
    workshop_id, first, awards, staff = _workshop_with_holders(app, make)
    uni = make.org(kind=OrgKind.UNIVERSITY)
    supervisor = make.user(Role.SUPERVISOR, orgs=[uni])
    with app.test_request_context():
        w = db.session.get(Workshop, workshop_id)
        pool = PoolMember(
            cohort_id=w.cohort_id,
            user_id=supervisor.id,
            kind=PoolKind.SUPERVISOR,
            university_id=uni.id,
            capacity=5,
        )
        db.session.add(pool)
        db.session.flush()
        for a in awards:
            db.session.add(
                Allocation(
                    award_id=a.id,
                    pool_id=pool.id,
                    user_id=supervisor.id,
                    kind=PoolKind.SUPERVISOR,
                    started_on=first - timedelta(days=30),
                )
            )
            app_ = db.session.get(Application, db.session.get(Award, a.id).application_id)
            app_.research_question = "How do  care leavers\nuse peer support?"
        db.session.commit()
        cohort_id, day = w.cohort_id, w.ends_on
    monkeypatch.setitem(app.config, "FROZEN_TODAY", day - timedelta(days=10))
    return cohort_id, day, awards, staff, supervisor


def _get(cohort_id, staff_id):
    return db.session.get(Cohort, cohort_id), db.session.get(User, staff_id)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_each_person_is_invited_once_saying_whose_day_it_is(app, day_world):
    cohort_id, day, (a, b), staff, supervisor = day_world
    with app.test_request_context():
        cohort, s = _get(cohort_id, staff.id)
        people = {i.user.id: i for i in presentation.invitees(cohort_id, day)}
        assert len(people) == 5  # two PSWs, two managers, one supervisor
        both = people[supervisor.id].about
        assert both.count("academic supervisor for") == 2
        today = day - timedelta(days=10)
        before = _count(OutboxMessage)
        assert presentation.send_invitations(cohort, s, today) == 5
        assert _count(OutboxMessage) == before + 5
        assert presentation.send_invitations(cohort, s, today) == 0  # nobody twice
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions.count("residentials.invitations_sent") == 1
        db.session.commit()


def test_invitations_wait_for_workshops_and_stop_after_the_day(app, make, day_world):
    cohort_id, day, _awards, staff, _ = day_world
    empty = make.running_cohort()
    with app.test_request_context():
        cohort, s = _get(cohort_id, staff.id)
        with pytest.raises(ResidentialError, match="has passed"):
            presentation.send_invitations(cohort, s, day + timedelta(days=1))
        presentation.send_invitations(cohort, s, day)  # on the day itself: still fine
        db.session.rollback()
        with pytest.raises(ResidentialError, match="workshops first"):
            presentation.send_invitations(db.session.get(Cohort, empty.id), s, day)
        assert _count(Invitation) == 0


def test_a_link_answers_once_and_the_new_one_changes_the_reply_until_the_day(app, day_world):
    cohort_id, day, _awards, staff, supervisor = day_world
    with app.test_request_context():
        cohort, s = _get(cohort_id, staff.id)
        presentation.send_invitations(cohort, s, day - timedelta(days=10))
        db.session.commit()
        inv = db.session.scalar(select(Invitation).where(Invitation.invitee_id == supervisor.id))
        presentation.reply(inv, 0, Reply.ATTENDING, day)
        assert (inv.reply, inv.reply_count) == (Reply.ATTENDING, 1)
        with pytest.raises(ReplyRefused, match="already been used"):
            presentation.reply(inv, 0, Reply.NOT_ATTENDING, day)
        assert inv.reply == Reply.ATTENDING
        presentation.reply(inv, 1, Reply.NOT_ATTENDING, day)
        assert inv.reply == Reply.NOT_ATTENDING
        with pytest.raises(ResidentialError, match="replies have closed"):
            presentation.reply(inv, 2, Reply.ATTENDING, day + timedelta(days=1))
        assert inv.reply == Reply.NOT_ATTENDING
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions.count("residentials.invitation_replied") == 2


def test_forged_and_foreign_links_are_refused(app, day_world):
    with app.test_request_context():
        good = tokens.invitation_token(1, 0)
        for bad in (good[:-2] + "xx", tokens.check_in_token(1, day_world[1], 1), "nonsense"):
            with pytest.raises(ResidentialError, match="not valid"):
                presentation.read_link(bad)
        with pytest.raises(ResidentialError, match="not valid"):  # no such invitation
            presentation.read_link(tokens.invitation_token(999999, 0))


def test_the_running_order_defaults_and_its_rules(app, day_world):
    cohort_id, _day, (a, b), staff, _ = day_world
    with app.test_request_context():
        talk = db.session.scalar(
            select(AwardOutput).where(
                AwardOutput.award_id == b.id, AwardOutput.kind == OutputKind.PRESENTATION
            )
        )
        talk.title = " Peer support,  in care leavers' words "
        db.session.commit()
        cohort, s = _get(cohort_id, staff.id)
        assert running_order.draft_running_order(cohort, s) == 2
        first, second = running_order.slots(cohort_id)
        titles = {slot.award_id: slot.title for slot in (first, second)}
        # the oral presentation's title when the holder gave one, else the question
        assert titles[b.id] == "Peer support, in care leavers' words"
        assert titles[a.id] == "How do care leavers use peer support?"
        assert (first.starts_at, first.ends_at, second.starts_at) == (
            time(10),
            time(10, 20),
            time(10, 20),
        )
        assert running_order.draft_running_order(cohort, s) == 0
        with pytest.raises(ResidentialError, match="overlaps"):
            running_order.change_slot(second, s, time(10, 10), time(10, 30), "T")
        with pytest.raises(ResidentialError, match="end after it starts"):
            running_order.change_slot(second, s, time(11), time(11), "T")
        running_order.change_slot(second, s, time(9, 40), time(10), "  Peer   support ")
        assert [x.title for x in running_order.slots(cohort_id)][0] == "Peer support"


def test_publishing_once_needs_a_running_order_and_tells_the_invitees(app, day_world):
    cohort_id, day, _awards, staff, supervisor = day_world
    with app.test_request_context():
        cohort, s = _get(cohort_id, staff.id)
        with pytest.raises(ResidentialError, match="Draft the running order"):
            running_order.publish(cohort, s)
        db.session.rollback()
        cohort, s = _get(cohort_id, staff.id)
        presentation.send_invitations(cohort, s, day - timedelta(days=10))
        running_order.draft_running_order(cohort, s)
        sup = db.session.get(User, supervisor.id)
        assert not presentation.can_see_programme(sup, cohort_id)
        assert running_order.publish(cohort, s) == 5
        assert presentation.record_of(cohort_id).status == ProgrammeStatus.PUBLISHED
        assert presentation.can_see_programme(sup, cohort_id)
        with pytest.raises(ResidentialError, match="published already"):
            running_order.publish(cohort, s)


def test_a_published_running_order_can_be_withdrawn_once_and_published_again(app, day_world):
    cohort_id, day, _awards, staff, supervisor = day_world
    with app.test_request_context():
        cohort, s = _get(cohort_id, staff.id)
        presentation.send_invitations(cohort, s, day - timedelta(days=10))
        running_order.draft_running_order(cohort, s)
        db.session.commit()
        with pytest.raises(ResidentialError, match="not published"):
            running_order.unpublish(cohort, s)  # a draft: nothing to withdraw
        db.session.rollback()
        cohort, s = _get(cohort_id, staff.id)
        running_order.publish(cohort, s)
        db.session.commit()
        sup = db.session.get(User, supervisor.id)
        assert presentation.can_see_programme(sup, cohort_id)
        with pytest.raises(ResidentialError, match="programme staff"):
            running_order.unpublish(cohort, sup)
        db.session.rollback()
        cohort, s = _get(cohort_id, staff.id)
        running_order.unpublish(cohort, s)
        db.session.commit()
        record = presentation.record_of(cohort_id)
        assert record.status == ProgrammeStatus.DRAFT and record.published_at is None
        assert not presentation.can_see_programme(db.session.get(User, supervisor.id), cohort_id)
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "residentials.programme_unpublished")
        )
        assert entry.changes["status"] == ["published", "draft"]
        with pytest.raises(ResidentialError, match="not published"):
            running_order.unpublish(cohort, s)  # withdrawn already: refused, nothing changed
        db.session.rollback()
        cohort, s = _get(cohort_id, staff.id)
        assert running_order.publish(cohort, s) == 5  # published again, invitees told again
        assert presentation.record_of(cohort_id).status == ProgrammeStatus.PUBLISHED


# Over HTTP ------------------------------------------------------------------------------


def test_invite_reply_arrange_and_publish(app, make, browser, day_world):
    cohort_id, day, (a, _b), staff, supervisor = day_world
    browser.sign_in(staff.email)
    page_url = f"/residentials/cohorts/{cohort_id}/presentation-day"
    assert "5 people have not been invited yet" in text(browser.get(page_url))
    resp = browser.post(page_url + "/invite", token_from=page_url, follow_redirects=True)
    assert "5 invitations sent." in text(resp)

    sup = make.reload(User, supervisor.id)
    link = link_in(last_email(app, sup.email).body, "/residentials/presentation/")
    guest = type(browser)(app.test_client())  # no account needed to reply
    page = text(guest.get(link))
    assert "academic supervisor for" in page and "not been published yet" in page
    resp = guest.post(link, {})
    assert "Select whether you will come" in text(resp)
    resp = guest.post(link, {"reply": "attending"})
    assert resp.status_code == 302
    newer = resp.headers["Location"]
    assert "You replied: <strong>attending</strong>" in text(guest.get(newer))
    used = guest.post(link, {"reply": "not_attending"}, token_from=newer)
    assert used.status_code == 400 and "already been used" in text(used)
    assert "already been used" in text(guest.get(link))
    assert newer.split("/")[-1] in last_email(app, sup.email).body  # the new link is emailed
    assert "Attending" in text(browser.get(page_url))

    resp = browser.post(page_url + "/running-order", token_from=page_url, follow_redirects=True)
    assert "2 presentations added to the running order." in text(resp)
    with app.test_request_context():
        slot_id = db.session.scalar(select(PresentationSlot.id).order_by(PresentationSlot.id))
    edit = f"/residentials/presentation-slots/{slot_id}/edit"
    bad = browser.post(edit, {"starts_at": "10:30", "ends_at": "10:20", "title": "T"})
    assert bad.status_code == 200 and "must end after it starts" in text(bad)
    ok = browser.post(edit, {"starts_at": "09:30", "ends_at": "09:50", "title": "Peer support"})
    assert ok.status_code == 302

    psw = make.reload(User, make.reload(Award, a.id).psw_id)
    pb = type(browser)(app.test_client())
    pb.sign_in(psw.email)
    assert pb.get(f"/residentials/presentation-days/{cohort_id}").status_code == 404
    resp = browser.post(page_url + "/publish", token_from=page_url, follow_redirects=True)
    assert "Programme published. 5 invitees emailed." in text(resp)
    again = browser.post(page_url + "/publish", token_from=page_url, follow_redirects=True)
    assert "published already" in text(again)
    assert "Peer support" in text(guest.get(newer))
    assert "See the programme of presentations" in text(pb.get("/residentials/presentation-days"))
    assert "Peer support" in text(pb.get(f"/residentials/presentation-days/{cohort_id}"))
    resp = browser.post(page_url + "/unpublish", token_from=page_url, follow_redirects=True)
    assert "Programme withdrawn: invitees no longer see it." in text(resp)
    assert "Publish to invitees" in text(resp)
    assert pb.get(f"/residentials/presentation-days/{cohort_id}").status_code == 404
    assert "Peer support" not in text(guest.get(newer))
    resp = browser.post(page_url + "/publish", token_from=page_url, follow_redirects=True)
    assert "Programme published. 5 invitees emailed." in text(resp)

    stranger = make.user(Role.PSW)
    sb = type(browser)(app.test_client())
    sb.sign_in(stranger.email)
    assert sb.get(f"/residentials/presentation-days/{cohort_id}").status_code == 404
    assert "not been invited" in text(sb.get("/residentials/presentation-days"))


def test_a_forged_reply_link_changes_nothing(app, browser, day_world):
    resp = browser.post("/residentials/presentation/forged", {"reply": "attending"})
    # no CSRF token on a refused page: take one from the sign-in page
    assert resp.status_code == 400 and "not valid" in text(resp)
    with app.test_request_context():
        assert _count(Invitation) == 0
