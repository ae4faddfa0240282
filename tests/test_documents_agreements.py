"""Learning agreements: the content (people, release, money, meetings, outputs), its hash,
the three electronic signatures, voiding on any change, the PDF with its verification
references, and every refusal (not a signatory, twice, a voided version, not yours)."""

from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.roles import Role
from app.documents import agreements, render
from app.documents.models import AgreementStatus, LearningAgreement, SignatoryRole, Signature
from app.extensions import db
from app.organisations.models import OrgKind
from app.residentials.models import Workshop
from app.supervision import services as supervision
from app.supervision.models import OnboardingItem, OnboardingTick, PoolKind
from tests.helpers import last_email, link_in, text
from tests.test_documents import HOSTILE_TEXT
from tests.test_documents_render import pdf_text


def words(resp) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text(resp)).split())


@pytest.fixture
def agreement(make, app):
    """An award holder with line manager, assistant director, supervisor and coach, and
    their prepared agreement. Returns a dict of emails and ids."""
    org = make.org(name="Mersey Borough Council")
    director = make.user(Role.ASSISTANT_DIRECTOR, orgs=[org], name="Dana Director")
    award = make.award(cohort=make.running_cohort(), employer=org)
    uni = make.org(name="University of the North West", kind=OrgKind.UNIVERSITY)
    supervisor = make.user(Role.SUPERVISOR, orgs=[uni], name="Sam Supervisor")
    coach = make.user(Role.COACH, name="Cai Coach")
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        boss = db.session.get(User, staff.id)
        for person, kind, university in (
            (supervisor, PoolKind.SUPERVISOR, uni.id),
            (coach, PoolKind.COACH, None),
        ):
            member = supervision.add_to_pool(
                a.cohort,
                boss,
                db.session.get(User, person.id),
                kind,
                capacity=3,
                expertise="",
                university_id=university,
                today=today(),
            )
            supervision.allocate(a, member, boss, reason="", override_reason="", today=today())
        agreements.prepare(a, boss)
        db.session.commit()
        return {
            "award_id": a.id,
            "url": f"/documents/agreements/{a.id}",
            "holder": (a.holder.email, a.holder.name),
            "manager": (a.line_manager.email, a.line_manager.name),
            "director": (director.email, director.name),
            "supervisor": supervisor.email,
            "staff": staff.email,
            "psw": a.psw.email,
            "cohort_id": a.cohort_id,
        }


def _signed_in(browser_factory, email):
    b = browser_factory()
    b.sign_in(email)
    return b


def _sign(b, ag, name, content_hash=None):
    page = b.get(ag["url"])
    if content_hash is None:
        m = re.search(r'name="content_hash" value="([0-9a-f]{64})"', page.get_data(as_text=True))
        content_hash = m.group(1) if m else ""
    return b.post(
        ag["url"] + "/sign",
        {"content_hash": content_hash, "confirm": "y", "name": name},
        token_from=ag["url"],
    )


def _state(app, award_id):
    with app.app_context():
        a = db.session.scalar(
            select(LearningAgreement).where(LearningAgreement.award_id == award_id)
        )
        sigs = list(db.session.scalars(select(Signature).order_by(Signature.id)))
        for s in sigs:
            db.session.expunge(s)
        return a.status, a.version, sigs


def test_the_agreement_names_everyone_and_reads_the_year_from_their_records(
    agreement, browser_factory, app
):
    b = _signed_in(browser_factory, agreement["holder"][0])
    page = words(b.get(agreement["url"]))
    assert "Dana Director, Mersey Borough Council" in page
    assert "Sam Supervisor, University of the North West" in page
    assert "Cai Coach, Programme team" in page
    assert f"{agreement['manager'][1]}, Mersey Borough Council" in page
    assert "How do carers experience hospital discharge planning?" in page
    assert "36 days' release: 6 days at residential workshops and 30 study days" in page
    assert "Study days are treated like annual leave" in page
    assert "Personal award of up to £4,000.00" in page and "Backfill funding of £5,000.00" in page
    assert "Research report" in page


def test_three_signatures_then_signed_with_hash_audit_and_a_pdf_showing_them(
    agreement, browser_factory, app
):
    for who in ("holder", "manager", "director"):
        email, name = agreement[who]
        b = _signed_in(browser_factory, email)
        resp = _sign(b, agreement, f"  {name.upper()} ")
        assert resp.status_code == 302, words(resp)[:3000]
    status, version, sigs = _state(app, agreement["award_id"])
    assert status == AgreementStatus.SIGNED and version == 1
    assert [s.role for s in sigs] == list(SignatoryRole)
    with app.app_context():
        # the onboarding checklist's item is ticked from the agreement, by the last signer
        ticks = [
            (t.item, t.ticked_by.email)
            for t in db.session.scalars(
                select(OnboardingTick).where(OnboardingTick.award_id == agreement["award_id"])
            )
        ]
    assert ticks == [(OnboardingItem.LEARNING_AGREEMENT, agreement["director"][0])]
    with app.test_request_context():
        a = db.session.scalar(select(LearningAgreement))
        expected = agreements.content_hash(agreements.content(a))
    assert {s.content_hash for s in sigs} == {expected}
    assert all(re.fullmatch(r"LA-[A-Z2-9]{10}", s.reference) for s in sigs)
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("agreement.signed") == 3 and actions.count("agreement.completed") == 1

    staff = _signed_in(browser_factory, agreement["staff"])
    pdf = staff.get(agreement["url"] + ".pdf")
    assert pdf.mimetype == "application/pdf"
    body = " ".join(pdf_text(pdf.get_data()).split())
    for s in sigs:
        assert s.reference in body
    assert "Assistant director, signed electronically on" in body
    assert expected in body.replace(" ", "") or expected[:32] in body.replace(" ", "")
    # staff check a reference in the app
    resp = staff.get(f"/documents/verify?reference={sigs[2].reference.lower()}")
    page = words(resp)
    assert "Valid signature" in page and "Assistant director" in page and "Dana Director" in page
    resp = staff.get("/documents/verify?reference=LA-AAAAAAAAAA")
    assert "No signature has this reference" in words(resp)
    resp = staff.get("/documents/verify?reference=")
    assert "Enter the verification reference" in words(resp)


def test_a_change_voids_the_signatures_and_asks_again(agreement, browser_factory, app):
    holder = _signed_in(browser_factory, agreement["holder"][0])
    assert _sign(holder, agreement, agreement["holder"][1]).status_code == 302
    manager = _signed_in(browser_factory, agreement["manager"][0])
    old_page = manager.get(agreement["url"]).get_data(as_text=True)
    old_hash = re.search(r'name="content_hash" value="([0-9a-f]{64})"', old_page).group(1)

    staff = _signed_in(browser_factory, agreement["staff"])
    edit = agreement["url"] + "/edit"
    form = {
        "research_question": "How do carers experience discharge from hospital?",
        "study_day_pattern": "Every Thursday",
        "protection": "Like annual leave",
        "backfill_arrangements": "",
        "meeting_plan": "The supervisor arranges them",
    }
    assert staff.post(edit, form).status_code == 302
    status, version, sigs = _state(app, agreement["award_id"])
    assert version == 2 and status == AgreementStatus.AWAITING
    assert sigs[0].voided_at is not None and "edited" in sigs[0].void_reason
    assert "sign it again" in last_email(app, agreement["holder"][0]).subject

    # the manager signs what they read before the change: refused, nothing written
    resp = _sign(manager, agreement, agreement["manager"][1], content_hash=old_hash)
    assert resp.status_code == 400 and "changed after you opened it" in words(resp)
    assert len(_state(app, agreement["award_id"])[2]) == 1
    # the same edit again changes nothing and voids nothing
    assert staff.post(edit, form).status_code == 302
    assert _state(app, agreement["award_id"])[1] == 2


def test_a_change_in_the_records_voids_the_signatures_too(agreement, browser_factory, app):
    holder = _signed_in(browser_factory, agreement["holder"][0])
    assert _sign(holder, agreement, agreement["holder"][1]).status_code == 302
    with app.app_context():
        db.session.add(
            Workshop(
                cohort_id=agreement["cohort_id"],
                number=1,
                venue="Lakes",
                starts_on=date(2027, 3, 1),
                ends_on=date(2027, 3, 2),
                arrival_time=time(9),
                departure_time=time(16),
            )
        )
        db.session.commit()
    page = words(holder.get(agreement["url"]))
    assert "has changed since it was last signed" in page
    assert "Award holder : not signed yet" in page.replace("Award holder: ", "Award holder : ")
    assert _sign(holder, agreement, agreement["holder"][1]).status_code == 302
    status, version, sigs = _state(app, agreement["award_id"])
    assert version == 2 and sigs[0].voided_at is not None and sigs[1].voided_at is None


def test_refusals_change_nothing(agreement, browser_factory, app):
    holder = _signed_in(browser_factory, agreement["holder"][0])
    # the wrong name
    resp = _sign(holder, agreement, "Someone Else")
    assert resp.status_code == 400 and "Type your full name as it is on your account" in words(resp)
    # no confirmation
    resp = holder.post(
        agreement["url"] + "/sign", {"name": agreement["holder"][1]}, token_from=agreement["url"]
    )
    assert "Confirm you have read the agreement" in words(resp)
    assert _state(app, agreement["award_id"])[2] == []
    # twice
    assert _sign(holder, agreement, agreement["holder"][1]).status_code == 302
    with app.test_request_context():
        a = db.session.scalar(select(LearningAgreement))
        current = agreements.content_hash(agreements.content(a))
    resp = _sign(holder, agreement, agreement["holder"][1], content_hash=current)
    assert resp.status_code == 400 and "You signed this version of the agreement on" in words(resp)
    # a supervisor may read it but is not a signatory
    sup = _signed_in(browser_factory, agreement["supervisor"])
    assert sup.get(agreement["url"]).status_code == 200
    resp = _sign(sup, agreement, "Sam Supervisor", content_hash=current)
    assert resp.status_code == 400 and "Only the award holder, their line manager" in words(resp)
    # staff neither
    staff = _signed_in(browser_factory, agreement["staff"])
    resp = _sign(staff, agreement, "x", content_hash=current)
    assert "Only the award holder" in words(resp)
    assert len(_state(app, agreement["award_id"])[2]) == 1
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "agreement.signed")
            )
            == 1
        )


def test_someone_elses_agreement_is_a_404(agreement, make, browser_factory, app):
    other = make.award(cohort=make.running_cohort())
    with app.app_context():
        a = db.session.get(Award, other.id)
        outsiders = [a.holder.email, a.line_manager.email]
    for email in outsiders:
        b = _signed_in(browser_factory, email)
        assert b.get(agreement["url"]).status_code == 404
        assert b.get(agreement["url"] + ".pdf").status_code == 404
        assert (
            b.post(agreement["url"] + "/sign", {"csrf_token": b.token("/documents/")}).status_code
            == 404
        )
    # the holder may change their own agreement, not another's
    holder = _signed_in(browser_factory, agreement["holder"][0])
    assert holder.get(agreement["url"] + "/edit").status_code == 200
    assert holder.get(f"/documents/agreements/{other.id}/edit").status_code == 404


def test_typed_fields_reaching_the_pdf_are_escaped_and_fetch_nothing(
    agreement, browser_factory, app, monkeypatch
):
    fetched = []
    real = render.fetch_allowed
    monkeypatch.setattr(
        render, "fetch_allowed", lambda f, u, h=None: (fetched.append(u), real(f, u, h))[1]
    )
    with app.test_request_context():
        a = db.session.scalar(select(LearningAgreement))
        staff = db.session.scalar(select(User).where(User.email == agreement["staff"]))
        # straight through the service: the form would refuse these
        agreements.update(a, staff, {k: HOSTILE_TEXT for k in agreements.EDITABLE})
        a.award.holder.name = '<img src="file:///etc/passwd">'
        db.session.commit()
    b = _signed_in(browser_factory, agreement["staff"])
    resp = b.get(agreement["url"] + ".pdf")
    assert resp.mimetype == "application/pdf"
    assert fetched == []
    body = pdf_text(resp.get_data()).replace("\n", "")
    assert '<img src="file:///etc/passwd">' in body
    assert b"root:x:0:0" not in resp.get_data()
    # and the form refuses them with a message
    resp = b.post(agreement["url"] + "/edit", {k: HOSTILE_TEXT for k in agreements.EDITABLE})
    assert "Research question must be plain text" in words(resp)


def test_staff_prepare_agreements_and_the_signatories_are_emailed(make, app, browser_factory):
    org = make.org()
    director = make.user(Role.ASSISTANT_DIRECTOR, orgs=[org])
    award = make.award(employer=org)
    staff = make.user(Role.STAFF)
    b = _signed_in(browser_factory, staff.email)
    listing = f"/documents/cohorts/{award.cohort_id}/agreements"
    assert "Not prepared" in words(b.get(listing))
    resp = b.post(listing + "/prepare", token_from=listing, follow_redirects=True)
    assert "1 learning agreements prepared" in words(resp)
    assert "Waiting for signatures" in words(resp)
    mail = last_email(app, director.email)
    assert link_in(mail.body, "/documents/agreements/") == f"/documents/agreements/{award.id}"


def test_the_cohort_list_pages_its_holders_and_names_who_signed(
    make, app, browser_factory, monkeypatch
):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    org = make.org()
    make.user(Role.ASSISTANT_DIRECTOR, orgs=[org])
    cohort = make.running_cohort()
    ids = [make.award(cohort=cohort, employer=org).id for _ in range(3)]
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        award = db.session.get(Award, ids[0])
        a = agreements.prepare(award, db.session.get(User, staff.id), notify=False)
        agreements.sign(a, award.holder, award.holder.name, a.content_hash)
        db.session.commit()
    b = _signed_in(browser_factory, staff.email)
    listing = f"/documents/cohorts/{cohort.id}/agreements"
    first = words(b.get(listing))
    assert "Waiting for signatures Signed by Award holder" in first
    assert first.count("Not prepared") == 1
    assert "Prepare the missing agreements" in first
    assert "Showing 1 to 2 of 3" in first
    second = words(b.get(listing + "?page=2"))
    assert second.count("Not prepared") == 1 and "Showing 3 to 3 of 3" in second
    past = b.get(listing + "?page=9")  # past the end: still counted, still offered
    assert past.status_code == 200 and "Prepare the missing agreements" in words(past)
    with app.test_request_context():
        for award_id in ids[1:]:
            agreements.prepare(
                db.session.get(Award, award_id), db.session.get(User, staff.id), notify=False
            )
        db.session.commit()
    assert "Prepare the missing agreements" not in words(b.get(listing))


def test_a_certificate_only_once_the_award_holder_is_marked_complete(
    agreement, make, browser_factory, app
):
    url = f"/documents/certificates/{agreement['award_id']}.pdf"
    holder = _signed_in(browser_factory, agreement["holder"][0])
    assert holder.get(url).status_code == 404
    with app.app_context():
        db.session.get(Award, agreement["award_id"]).completed_at = datetime(2027, 7, 1, 12)
        db.session.commit()
    resp = holder.get(url)
    assert resp.mimetype == "application/pdf"
    body = " ".join(pdf_text(resp.get_data()).split())
    assert "Certificate of completion" in body and agreement["holder"][1] in body
    assert "of Mersey Borough Council" in body and "Completed on 1 July 2027" in body
    assert "Download your certificate" in words(holder.get("/documents/"))
    other = make.award(cohort=make.running_cohort())
    with app.app_context():
        outsider = db.session.get(Award, other.id).holder.email
    assert _signed_in(browser_factory, outsider).get(url).status_code == 404


def test_signatories_see_a_home_card_until_they_sign(agreement, browser_factory):
    director = _signed_in(browser_factory, agreement["director"][0])
    assert "1 learning agreement to sign" in words(director.get("/"))
    assert _sign(director, agreement, agreement["director"][1]).status_code == 302
    assert "learning agreement to sign" not in words(director.get("/"))
    sup = _signed_in(browser_factory, agreement["supervisor"])
    assert "learning agreement to sign" not in words(sup.get("/"))
