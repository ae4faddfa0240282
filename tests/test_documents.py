"""Handbooks: content staff write (plain text only), the figures and dates read from the
cohort, the PDF cached by content (rendered once), the page shown while another worker
renders, and the managers' handbook sent to line managers and PSWs who acknowledge it."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.audit import AuditEntry
from app.core.db import utcnow
from app.core.roles import Role
from app.documents import cache, render, services
from app.documents.models import (
    HandbookKind,
    HandbookReceipt,
    HandbookSection,
    RenderedDocument,
    RenderStatus,
)
from app.extensions import db
from app.residentials.models import Workshop
from app.supervision.models import OnboardingItem, OnboardingTick
from tests.helpers import last_email, link_in, text
from tests.test_documents_render import HOSTILE, pdf_text

HOSTILE_TEXT = (
    '<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://127.0.0.1:1/x">\n'
    '<style>p{background:url(file:///etc/passwd)}</style> <a href="http://127.0.0.1:1/x">x</a>'
)


@pytest.fixture
def renders(monkeypatch):
    """How many PDFs were really rendered (not served from the cache)."""
    made = []
    real = render.html_to_pdf

    def counted(html, seconds=None):
        made.append(html)
        return real(html, seconds)

    monkeypatch.setattr(render, "html_to_pdf", counted)
    return made


@pytest.fixture
def fetched(monkeypatch):
    calls = []
    real = render.fetch_allowed

    def spy(fetcher, url, headers=None):
        calls.append(url)
        return real(fetcher, url, headers)

    monkeypatch.setattr(render, "fetch_allowed", spy)
    return calls


def words(resp) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(resp)).split())


def _setup(make, app, **cohort_fields):
    award = make.award(**cohort_fields)
    staff = make.user(Role.STAFF)
    with app.app_context():
        db.session.add_all(
            [
                Workshop(
                    cohort_id=award.cohort_id,
                    number=n,
                    venue=f"Venue {n}",
                    starts_on=date(2027, 2 * n, 10),
                    ends_on=date(2027, 2 * n, 11),
                    arrival_time=time(9),
                    departure_time=time(16),
                )
                for n in (1, 2, 3)
            ]
        )
        db.session.commit()
    return award, staff


def _add(app, cohort_id, staff_id, kind, heading, body):
    with app.test_request_context():
        c = db.session.get(Cohort, cohort_id)
        s = services.add_section(c, kind, db.session.get(User, staff_id), heading, body)
        db.session.commit()
        return s.id


# Content ------------------------------------------------------------------------------


def test_the_handbook_reads_dates_figures_and_residentials_from_the_cohort(make, app, browser):
    award, staff = _setup(make, app, personal_award_cap_pence=350_000, study_days=28)
    _add(app, award.cohort_id, staff.id, HandbookKind.MANAGERS, "Models of time", "- A\n- B")
    browser.sign_in(staff.email)
    resp = browser.get(f"/documents/cohorts/{award.cohort_id}/handbooks/managers.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = " ".join(pdf_text(resp.get_data()).split())
    assert "Handbook for managers and senior leaders" in pdf
    assert "34 days: 6 residential workshop days and 28 study days" in pdf
    assert "Up to £3,500.00 for each award holder" in pdf
    assert "Residential workshop 3 10 June 2027 to 11 June 2027 Venue 3" in pdf
    assert "Presentation day 11 June 2027" in pdf
    assert "Models of time A B" in pdf
    assert "Research report" in pdf


def test_typed_content_never_fetches_or_becomes_markup(make, app, browser, fetched):
    award, staff = _setup(make, app)
    # straight through the service: the form refuses it (below), the PDF must hold anyway
    _add(
        app,
        award.cohort_id,
        staff.id,
        HandbookKind.HOLDER,
        HOSTILE[0] + " " + HOSTILE[1],
        HOSTILE_TEXT,
    )
    browser.sign_in(staff.email)
    resp = browser.get(f"/documents/cohorts/{award.cohort_id}/handbooks/holder.pdf")
    assert resp.status_code == 200
    assert fetched == []  # nothing was even asked for
    pdf = pdf_text(resp.get_data()).replace("\n", "")
    assert '<img src="file:///etc/passwd">' in pdf
    assert b"root:x:0:0" not in resp.get_data()


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src="http://127.0.0.1:1/x">',
        "see url(file:///etc/passwd)",
        "@import 'x.css';",
        "file:///etc/passwd",
        "javascript:alert(1)",
    ],
)
def test_the_section_form_refuses_markup_and_file_addresses(make, app, browser, body):
    award, staff = _setup(make, app)
    browser.sign_in(staff.email)
    url = f"/documents/cohorts/{award.cohort_id}/handbooks/holder/sections/new"
    resp = browser.post(url, {"heading": "Hello", "body": body})
    assert resp.status_code == 200
    assert "Text must be plain text" in text(resp)
    with app.app_context():
        assert db.session.scalar(select(func.count(HandbookSection.id))) == 0


def test_staff_add_edit_and_remove_sections_with_audit(make, app, browser):
    award, staff = _setup(make, app)
    browser.sign_in(staff.email)
    base = f"/documents/cohorts/{award.cohort_id}"
    resp = browser.post(f"{base}/handbooks/holder/standard", token_from=base)
    assert resp.status_code == 302
    resp = browser.post(f"{base}/handbooks/holder/standard", token_from=base, follow_redirects=True)
    assert "already has sections" in text(resp)
    with app.app_context():
        first = db.session.scalar(
            select(HandbookSection).order_by(HandbookSection.position).limit(1)
        )
        count = db.session.scalar(select(func.count(HandbookSection.id)))
    assert first.heading == "Welcome" and count == 6
    resp = browser.post(
        f"/documents/sections/{first.id}/edit", {"heading": "Hello", "body": "New words"}
    )
    assert resp.status_code == 302
    resp = browser.post(
        f"/documents/sections/{first.id}/remove", token_from=f"/documents/sections/{first.id}/edit"
    )
    assert resp.status_code == 302
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("handbook.section_added") == 6
    assert "handbook.section_changed" in actions and "handbook.section_removed" in actions


def test_an_empty_heading_gets_the_error_summary(make, app, browser):
    award, staff = _setup(make, app)
    browser.sign_in(staff.email)
    url = f"/documents/cohorts/{award.cohort_id}/handbooks/managers/sections/new"
    resp = browser.post(url, {"heading": "", "body": ""})
    page = text(resp)
    assert "There is a problem" in page and "Enter a heading" in page and "Enter the text" in page


# Caching -------------------------------------------------------------------------------


def test_an_unchanged_handbook_is_rendered_once(make, app, browser, renders):
    award, staff = _setup(make, app)
    browser.sign_in(staff.email)
    url = f"/documents/cohorts/{award.cohort_id}/handbooks/holder.pdf"
    first = browser.get(url)
    first_pdf = first.get_data()  # streamed: read each before the next request
    second = browser.get(url)
    assert first.status_code == second.status_code == 200
    assert first_pdf == second.get_data()
    assert len(renders) == 1
    # a change to the content is a new document
    _add(app, award.cohort_id, staff.id, HandbookKind.HOLDER, "Library", "Ask early.")
    assert "Library" in pdf_text(browser.get(url).get_data())
    assert len(renders) == 2
    # and the cohort's own figures are content too
    with app.app_context():
        db.session.get(Cohort, award.cohort_id).study_days = 29
        db.session.commit()
    browser.get(url)
    assert len(renders) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count(RenderedDocument.id))) == 3


def test_while_another_worker_renders_the_person_is_told_and_the_page_refreshes(
    make, app, browser, renders
):
    award, staff = _setup(make, app)
    browser.sign_in(staff.email)
    url = f"/documents/cohorts/{award.cohort_id}/handbooks/holder.pdf"
    with app.test_request_context():
        html = services.handbook_html(db.session.get(Cohort, award.cohort_id), HandbookKind.HOLDER)
        db.session.add(
            RenderedDocument(key=cache.document_key(html), status=RenderStatus.RENDERING)
        )
        db.session.commit()
    resp = browser.get(url)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert "is being prepared" in text(resp)
    assert resp.headers["Refresh"] == f"3; url={url}"
    assert renders == []  # nobody rendered it twice
    # a claim abandoned long ago (a worker killed mid-render) is taken over
    with app.app_context():
        row = db.session.scalar(select(RenderedDocument))
        row.claimed_at = utcnow() - timedelta(minutes=10)
        db.session.commit()
    resp = browser.get(url)
    assert resp.mimetype == "application/pdf" and len(renders) == 1


def test_a_failed_render_says_so_and_the_next_request_tries_again(make, app, browser, monkeypatch):
    award, staff = _setup(make, app)
    browser.sign_in(staff.email)
    url = f"/documents/cohorts/{award.cohort_id}/handbooks/holder.pdf"

    def too_slow(html, seconds=None):
        raise render.RenderError("The document took longer than 20 seconds to make")

    monkeypatch.setattr(render, "html_to_pdf", too_slow)
    resp = browser.get(url)
    assert resp.status_code == 503 and "took longer than 20 seconds" in text(resp)
    monkeypatch.undo()
    pdf = browser.get(url)
    # read the streamed file: an unread stream is closed by the garbage collector later,
    # outside any app context, and fails whichever test is running then
    assert pdf.mimetype == "application/pdf" and pdf.get_data().startswith(b"%PDF")


def test_a_handbook_is_for_the_people_around_the_cohorts_award_holders(make, app, browser_factory):
    award, staff = _setup(make, app)
    with app.app_context():
        a = db.session.get(Award, award.id)
        holder, manager, psw = a.holder.email, a.line_manager.email, a.psw.email
    other = make.award()
    url = f"/documents/cohorts/{award.cohort_id}/handbooks/managers"
    for email in (holder, manager, psw):
        b = browser_factory()
        b.sign_in(email)
        assert b.get(url).status_code == 200, email
    with app.app_context():
        outsider = db.session.get(Award, other.id).line_manager.email
    b = browser_factory()
    b.sign_in(outsider)
    assert b.get(url).status_code == 404
    assert b.get(url + ".pdf").status_code == 404


# The managers' handbook: sent and acknowledged ----------------------------------------


def test_line_managers_and_psws_are_sent_the_handbook_once_and_acknowledge_it(
    make, app, browser, browser_factory
):
    award, staff = _setup(make, app)
    with app.app_context():
        a = db.session.get(Award, award.id)
        manager, psw = a.line_manager.email, a.psw.email
    browser.sign_in(staff.email)
    page = f"/documents/cohorts/{award.cohort_id}/acknowledgements"
    resp = browser.post(f"{page}/send", token_from=page, follow_redirects=True)
    assert "sent to 2 people" in text(resp)
    resp = browser.post(f"{page}/send", token_from=page, follow_redirects=True)
    assert "already has the handbook" in text(resp)
    assert "2 of 2 have not said they have read it yet" in words(resp)

    mail = last_email(app, manager)
    assert "Handbook for managers" in mail.subject and "&#39;" not in mail.body
    link = link_in(mail.body, "/documents/cohorts/")
    m = browser_factory()
    m.sign_in(manager)
    reader = m.get(link)
    assert "I have read the handbook" in text(reader)
    with app.app_context():
        receipt = db.session.scalar(
            select(HandbookReceipt).where(HandbookReceipt.role == "line_manager")
        )
    ack = f"/documents/receipts/{receipt.id}/acknowledge"
    resp = m.post(ack, token_from=link, follow_redirects=True)
    assert "programme staff can see you have read the handbook" in text(resp)
    resp = m.post(ack, token_from=link, follow_redirects=True)
    assert "already told us" in text(resp)
    # someone else's receipt is a 404
    p = browser_factory()
    p.sign_in(psw)
    assert p.post(ack, token_from=link).status_code == 404
    resp = browser.get(page)
    assert "1 of 2 have not said they have read it yet" in words(resp)
    with app.app_context():
        acks = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "handbook.acknowledged")
        )
    assert acks == 1
    # the line manager's acknowledgement ticks the onboarding checklist's handbook item
    with app.app_context():
        ticks = {
            (t.item, t.ticked_by_id)
            for t in db.session.scalars(
                select(OnboardingTick).where(OnboardingTick.award_id == award.id)
            )
        }
        manager_id = db.session.scalar(select(User.id).where(User.email == manager))
    assert ticks == {(OnboardingItem.HANDBOOK, manager_id)}


def test_a_psws_acknowledgement_leaves_the_line_managers_checklist_item_alone(make, app):
    award, staff = _setup(make, app)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        services.send_managers_handbook(a.cohort, db.session.get(User, staff.id))
        receipt = db.session.scalar(select(HandbookReceipt).where(HandbookReceipt.role == "psw"))
        services.acknowledge(receipt, a.psw)
        db.session.commit()
        assert db.session.scalar(select(func.count(OnboardingTick.id))) == 0
