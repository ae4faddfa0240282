"""Plain-text emails read as plain text: names with apostrophes and ampersands arrive
as typed, never as HTML entities.

The real services queue the emails of these journeys; every template in
templates/email/, sent here or not, is rendered with real-looking data and compared
with its expected text in tests/test_email_texts.py (a new template fails there).
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.accounts import services as accounts
from app.accounts.models import User
from app.applications import services as applications
from app.applications.models import Application
from app.awards.models import Award
from app.core.clock import today
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.release import services as release
from tests.factories import PASSWORD

PERSON = "Siobhán O'Neill & Co"
TEAM = "Children's assessment team"
ORGANISATION = "Brent & Harrow"
MANAGER = "Mary D'Arcy & Partner"
PSW = "Pádraig O'Brien"
COHORT = "Brent & Harrow's <2026>"
TRICKY = (PERSON, TEAM, ORGANISATION, MANAGER, PSW, COHORT)
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


# What the journeys below send (the other templates are in tests/test_email_texts.py).
JOURNEY_TEMPLATES = {
    "application_decision",
    "application_submitted",
    "bridging_review_booked",
    "evaluation_survey",
    "impact_decided",
    "impact_suggested",
    "confirm_email",
    "invitation",
    "line_manager_told",
    "money_decided",
    "password_changed",
    "password_reset",
    "psw_application_withdrawn",
    "psw_decision",
    "psw_sign_off_request",
    "register_existing",
    "release_cancelled",
    "release_decided",
    "release_requested",
    "supervision_allocated",
    "supervision_ended",
}


def _send_every_email(app, make) -> None:
    employer = make.org(name=ORGANISATION)
    applicant = make.user(Role.APPLICANT, name=PERSON, orgs=[employer])
    psw = make.user(Role.PSW, name=PSW, orgs=[employer])
    manager = make.user(Role.LINE_MANAGER, name=MANAGER, orgs=[employer])
    staff = make.user(Role.STAFF, name="Programme & Co's team")
    cohort = make.running_cohort(name=COHORT)
    people = {"employer": employer, "psw": psw, "manager": manager}
    # submitted, PSW asked, line manager told, endorsed, awarded
    application = make.application(
        cohort,
        applicant=applicant,
        status="awarded",
        team=TEAM,
        current_role="Practice lead & educator",
        research_question="What's the effect of <early help> & family support?",
        **people,
    )
    make.application(
        cohort,
        applicant=make.user(Role.APPLICANT, name="Ciarán O'Dea & Co", orgs=[employer]),
        status="psw_declined",
        team=TEAM,
        **people,
    )
    leaver = make.application(
        cohort,
        applicant=make.user(Role.APPLICANT, name="Nóra O'Shea & Co", orgs=[employer]),
        status="submitted",
        team=TEAM,
        **people,
    )
    from app.organisations.models import OrgKind

    uni = make.org(name="St Mary's & All Saints University", kind=OrgKind.UNIVERSITY)
    supervisors = [
        make.user(Role.SUPERVISOR, name=n, orgs=[uni]) for n in ("Dr Aoife O'Connor", "Dr Ben & Co")
    ]
    with app.test_request_context():
        # withdrawn after submitting
        app_ = db.session.get(Application, leaver.id)
        applications.withdraw(app_, app_.applicant, "I've moved to a new role & team")

        # study days: requested, one declined, one approved, then cancelled
        award = db.session.scalar(select(Award).where(Award.application_id == application.id))
        holder, boss = award.holder, award.line_manager
        start = today() + timedelta(days=7)
        rows, _ = release.request_days(
            award,
            holder,
            release.dates_for_range(start, start + timedelta(days=6)),
            half_day=False,
            note="I'll be at the library & archive",
            today=today(),
        )
        release.decide(rows[0], boss, approve=False, reason="We're short & busy", today=today())
        release.decide(rows[1], boss, approve=True, reason="", today=today())
        release.notify_decisions(award, rows[:2], boss)
        release.cancel(rows[1], boss, reason="Cover's fallen through & sorry", today=today())

        # accounts: registration, an address already taken, invitation, passwords
        accounts.register_applicant(PERSON, "new.person@example.test", PASSWORD)
        accounts.register_applicant("Anyone", applicant.email, PASSWORD)
        inviter = db.session.get(User, staff.id)
        accounts.invite_user(
            inviter, MANAGER, "invited@example.test", [Role.LINE_MANAGER], [award.employer]
        )
        accounts.change_password(holder, PASSWORD, "another-horse-battery")
        accounts.request_password_reset(holder.email)

        # supervision: allocated, then replaced mid-year (the old supervisor is told)
        _supervisors_for(award, db.session.get(User, staff.id), uni, supervisors)
        # personal award: one item rejected, one approved and paid
        _spending_for(award, db.session.get(User, staff.id))
        # after the programme: a suggested impact, a survey, a review booked
        _after_programme_for(award, db.session.get(User, staff.id))
        db.session.commit()


def _after_programme_for(award, staff) -> None:
    from datetime import datetime, time

    from app.bridging import services as bridging
    from app.evaluation import services as evaluation
    from app.evaluation.models import SurveyKind
    from app.impact import services as impact
    from app.impact.models import Category, Reach

    entry = impact.add_entry(
        award,
        award.line_manager,
        impact.EntryData(Category.TOOL, today(), "The O'Neill & Co <early help> tool", Reach.TEAM),
        today(),
    )
    impact.decide(entry, award.holder, confirm=True)
    evaluation.send_survey(
        award.cohort, staff, SurveyKind.END, today(), today() + timedelta(days=30), today()
    )
    slot = bridging.add_slot(
        staff,
        datetime.combine(today() + timedelta(days=20), time(10)),
        60,
        "Prof Dún & O'Hara",
        "Room 2 & online",
        "",
    )
    bridging.book(slot, award, award.holder)


def _spending_for(award, staff) -> None:
    from app.money import services as money
    from app.money.models import Category

    for n, description in enumerate(("Lunch for the team & me", "O'Reilly's methods book")):
        item = money.record(
            award,
            award.holder,
            money.ItemDetails(
                category=Category.BOOKS,
                description=description,
                supplier="Smith & Sons",
                spent_on=award.cohort.programme_start,
                amount_pence=2_550,
            ),
        )
        money.add_receipt(item, award.holder, b"%PDF-1.4 " + description.encode(), "r.pdf", None)
        money.submit(item, award.holder)
        if n == 0:
            money.reject(item, staff, "It isn't research spending & can't be paid")
        else:
            money.approve(item, staff)
            money.pay(item, staff, "PO-O'NEILL-1")


def _supervisors_for(award, staff, uni, supervisors) -> None:
    from app.supervision import services as supervision
    from app.supervision.models import PoolKind

    first, second = (db.session.get(User, s.id) for s in supervisors)
    members = [
        supervision.add_to_pool(
            award.cohort,
            staff,
            person,
            PoolKind.SUPERVISOR,
            capacity=3,
            expertise="",
            university_id=uni.id,
            today=today(),
        )
        for person in (first, second)
    ]
    supervision.allocate(award, members[0], staff, reason="", override_reason="", today=today())
    supervision.allocate(
        award,
        members[1],
        staff,
        reason="Dr O'Connor's long-term sick leave",
        override_reason="",
        today=today(),
    )


def test_every_email_reads_as_plain_text(app, make):
    _send_every_email(app, make)
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert {m.template for m in messages} >= JOURNEY_TEMPLATES
        for m in messages:
            assert not ENTITY.search(m.body), f"{m.template} has HTML entities:\n{m.body}"
            assert not ENTITY.search(m.subject), f"{m.template} subject: {m.subject}"
            assert any(name in m.body for name in TRICKY), f"{m.template}:\n{m.body}"
            assert "Dear ," not in m.body, f"{m.template} has no name:\n{m.body}"
        by_template: dict[str, str] = {}
        for m in messages:
            by_template.setdefault(m.template, m.body)  # the first of each
    request = by_template["psw_sign_off_request"]
    assert f"{PERSON} (Practice lead & educator, {TEAM})" in request
    assert f"strategic importance to {ORGANISATION}, or decline" in request
    assert "What's the effect of <early help> & family support?" in request
    assert f"Dear {PERSON}," in by_template["application_submitted"]
    assert f"the {COHORT} Practitioner" in by_template["application_decision"]
    assert 'Their note: "I\'ll be at the library & archive"' in by_template["release_requested"]
    assert '("We\'re short & busy")' in by_template["release_decided"]
    assert f"{MANAGER} has cancelled" in by_template["release_cancelled"]
    assert f"{MANAGER} has suggested" in by_template["impact_suggested"]
    assert "The O'Neill & Co <early help> tool" in by_template["impact_suggested"]
    assert f"cohort {COHORT} of the" in by_template["evaluation_survey"]
    assert "Reviewer: Prof Dún & O'Hara" in by_template["bridging_review_booked"]


def test_html_pages_still_escape_names(browser, make):
    """Only plain text is left unescaped: on a page, a name cannot become markup."""
    staff = make.user(Role.STAFF)
    person = make.user(Role.APPLICANT, name="<b>Bold</b> O'Neill & Co")
    browser.sign_in(staff.email)
    page = browser.get(f"/account/people/{person.id}").get_data(as_text=True)
    assert "<b>Bold</b>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt; O&#39;Neill &amp; Co" in page
