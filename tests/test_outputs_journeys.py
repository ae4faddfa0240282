"""Outputs over HTTP: uploads (disguised and oversize files refused), feedback by the
supervisor and staff only, line managers read, someone else's output is a 404,
extensions, the showcase with consent and its withdrawal, completion, and query counts."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from app.awards.models import Award, AwardOutput, OutputKind, OutputStatus
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from app.outputs.models import DueDateChange, OutputFeedback, OutputVersion
from tests.helpers import last_email
from tests.helpers import text as _html
from tests.test_outputs import DOCX, EXE, HTML, PDF, PPTX, supervised_award


def text(resp) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(resp)))


def _ids(app, award_id, kind=OutputKind.REPORT) -> int:
    with app.app_context():
        return db.session.scalar(
            select(AwardOutput.id).where(AwardOutput.award_id == award_id, AwardOutput.kind == kind)
        )


def _status(app, output_id):
    with app.app_context():
        return db.session.get(AwardOutput, output_id).status


def _versions(app, output_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(OutputVersion.id)).where(OutputVersion.output_id == output_id)
        )


def _upload(browser, output_id, data: bytes, name: str):
    from io import BytesIO

    url = f"/outputs/{output_id}"
    return browser.post(
        f"{url}/versions",
        {"upload": (BytesIO(data), name)},
        token_from=url,
        content_type="multipart/form-data",
    )


def _holder_email(app, award):
    with app.app_context():
        return db.session.get(Award, award.id).holder.email


def _as_holder(app, award, browser_factory):
    b = browser_factory()
    b.sign_in(_holder_email(app, award))
    return b


# Versions ----------------------------------------------------------------------------


def test_holder_uploads_versions_and_downloads_them_as_attachments(app, make, browser):
    award = make.award(cohort=make.running_cohort())
    oid = _ids(app, award.id, OutputKind.PRESENTATION)
    browser.sign_in(_holder_email(app, award))
    assert _upload(browser, oid, PPTX, "talk.pptx").status_code == 302
    assert _upload(browser, oid, PDF, "talk-v2.pdf").status_code == 302
    page = text(browser.get(f"/outputs/{oid}"))
    assert "Version 2: talk-v2.pdf" in page and "(current)" in page
    assert "Version 1: talk.pptx" in page
    assert _status(app, oid) == OutputStatus.DRAFT
    with app.app_context():
        v1 = db.session.scalar(select(OutputVersion).where(OutputVersion.number == 1))
        assert v1.uploaded_by_id == award.holder_id
    resp = browser.get(f"/outputs/versions/{v1.id}/file")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.mimetype.endswith("presentationml.presentation")
    assert resp.data == PPTX


def test_disguised_wrong_and_oversize_files_are_refused_and_nothing_changes(app, make, browser):
    award = make.award(cohort=make.running_cohort())
    oid = _ids(app, award.id)
    browser.sign_in(_holder_email(app, award))
    for data, name in ((EXE, "report.pdf"), (HTML, "report.docx"), (b"hello", "notes.txt")):
        resp = _upload(browser, oid, data, name)
        assert resp.status_code == 400, name
        assert "must be a PDF, PNG, JPEG, PowerPoint or Word" in text(resp)
        assert "There is a problem" in text(resp)
    app.config["OUTPUT_MAX_BYTES"] = 1000
    try:
        resp = _upload(browser, oid, PDF + b"x" * 1000, "big.pdf")
        assert resp.status_code == 400 and "must be smaller than" in text(resp)
    finally:
        app.config["OUTPUT_MAX_BYTES"] = 10 * 1024 * 1024
    resp = _upload(browser, oid, b"", "")
    assert "Select a file to upload" in text(resp)
    assert _versions(app, oid) == 0
    assert _status(app, oid) == OutputStatus.NOT_STARTED
    assert _upload(browser, oid, DOCX, "report.docx").status_code == 302


# Feedback ----------------------------------------------------------------------------


def _submitted(app, make, browser_factory):
    award, sup = supervised_award(make, app)
    oid = _ids(app, award.id)
    holder = _as_holder(app, award, browser_factory)
    assert _upload(holder, oid, PDF, "report.pdf").status_code == 302
    holder.post(f"/outputs/{oid}/submit", token_from=f"/outputs/{oid}")
    assert _status(app, oid) == OutputStatus.SUBMITTED
    return award, sup, oid, holder


def test_supervisor_requests_changes_then_accepts_and_the_holder_is_emailed(
    app, make, browser_factory
):
    award, sup, oid, holder = _submitted(app, make, browser_factory)
    b = browser_factory()
    b.sign_in(sup.email)
    url = f"/outputs/{oid}"
    resp = b.post(f"{url}/feedback", {"decision": "changes"}, token_from=url)
    assert resp.status_code == 400 and "Enter your comments" in text(resp)
    assert _status(app, oid) == OutputStatus.SUBMITTED
    resp = b.post(
        f"{url}/feedback",
        {"decision": "changes", "comment": "Add the recommendations for policy."},
        token_from=url,
    )
    assert resp.status_code == 302
    assert _status(app, oid) == OutputStatus.CHANGES_REQUESTED
    mail = last_email(app, _holder_email(app, award))
    assert "Changes requested" in mail.subject
    assert "Add the recommendations for policy." in mail.body
    assert f"/outputs/{oid}" in mail.body
    # the holder uploads version 2 and submits it; the supervisor accepts
    assert _upload(holder, oid, PDF + b"2", "report-2.pdf").status_code == 302
    holder.post(f"{url}/submit", token_from=url)
    resp = b.post(f"{url}/feedback", {"decision": "accept", "comment": ""}, token_from=url)
    assert resp.status_code == 302
    assert _status(app, oid) == OutputStatus.ACCEPTED
    assert "has been accepted" in last_email(app, _holder_email(app, award)).subject
    with app.app_context():
        fb = db.session.scalars(select(OutputFeedback).order_by(OutputFeedback.id)).all()
        assert [f.version.number for f in fb] == [1, 2]
    # an accepted output takes no more uploads
    assert _upload(holder, oid, PDF + b"3", "late.pdf").status_code == 400
    assert _versions(app, oid) == 2


def test_feedback_by_someone_who_is_not_the_supervisor_is_refused(app, make, browser_factory):
    award, _sup, oid, _holder = _submitted(app, make, browser_factory)
    other = make.user(Role.SUPERVISOR)
    b = browser_factory()
    b.sign_in(other.email)
    assert b.get(f"/outputs/{oid}").status_code == 404
    resp = b.post(
        f"/outputs/{oid}/feedback",
        {"decision": "accept"},
        token_from="/account/",
    )
    assert resp.status_code == 404
    # the line manager reads but cannot give feedback
    with app.app_context():
        manager = db.session.get(Award, award.id).line_manager
    lm = browser_factory()
    lm.sign_in(manager.email)
    assert lm.get(f"/outputs/{oid}").status_code == 200
    assert "Give feedback" not in text(lm.get(f"/outputs/{oid}"))
    resp = lm.post(f"/outputs/{oid}/feedback", {"decision": "accept"}, token_from="/account/")
    assert resp.status_code == 403
    assert _status(app, oid) == OutputStatus.SUBMITTED


def test_accepting_an_output_with_no_version_is_refused(app, make, app_staff=None):
    from app.accounts.models import User
    from app.outputs import services
    from app.outputs.models import Decision

    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    oid = _ids(app, award.id)
    with app.test_request_context():
        o = db.session.get(AwardOutput, oid)
        try:
            services.give_feedback(o, db.session.get(User, staff.id), Decision.ACCEPT, "", None)
        except services.OutputError as exc:
            assert "no version to accept" in str(exc)
        else:
            raise AssertionError("accepted with no version")
        db.session.rollback()
        assert db.session.get(AwardOutput, oid).status == OutputStatus.NOT_STARTED


def test_another_holders_output_is_a_404(app, make, browser_factory):
    mine = make.award(cohort=make.running_cohort())
    theirs = make.award(cohort=make.running_cohort())
    b = _as_holder(app, mine, browser_factory)
    oid = _ids(app, theirs.id)
    assert b.get(f"/outputs/{oid}").status_code == 404
    assert b.get(f"/outputs/awards/{theirs.id}").status_code == 404
    assert _upload(b, oid, PDF, "x.pdf").status_code == 404
    assert b.get("/outputs/99999999999").status_code == 404


# Extensions --------------------------------------------------------------------------


def test_staff_extend_a_due_date_with_a_reason_and_overdue_is_flagged(app, make, browser):
    award = make.award(cohort=make.running_cohort())
    oid = _ids(app, award.id)
    with app.app_context():
        start = db.session.get(Award, award.id).cohort.programme_start
        db.session.execute(update(AwardOutput).where(AwardOutput.id == oid).values(due_date=start))
        db.session.commit()
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    assert "Overdue" in text(browser.get(f"/outputs/cohorts/{award.cohort_id}"))
    assert "1 output overdue" in text(browser.get(f"/outputs/cohorts/{award.cohort_id}"))
    url = f"/outputs/{oid}/due-date"
    before = start - timedelta(days=1)
    resp = browser.post(
        url,
        {
            "new_due-day": before.day,
            "new_due-month": before.month,
            "new_due-year": before.year,
            "reason": "Illness",
        },
    )
    assert resp.status_code == 200 and "on or after the programme starts" in text(resp)
    resp = browser.post(url, {"new_due-day": "", "new_due-month": "", "new_due-year": ""})
    assert "Enter the reason" in text(resp)
    new = start + timedelta(days=500)
    resp = browser.post(
        url,
        {
            "new_due-day": new.day,
            "new_due-month": new.month,
            "new_due-year": new.year,
            "reason": "Illness: agreed with the supervisor",
        },
    )
    assert resp.status_code == 302
    with app.app_context():
        (change,) = db.session.scalars(select(DueDateChange)).all()
        assert (change.old_due, change.new_due) == (start, new)
        assert db.session.get(AwardOutput, oid).due_date == new
    page = text(browser.get(f"/outputs/{oid}"))
    assert "Due date history" in page and "Illness: agreed with the supervisor" in page
    assert "1 output overdue" not in text(browser.get(f"/outputs/cohorts/{award.cohort_id}"))


def test_overdue_shows_to_the_holder_and_the_supervisor(app, make, browser_factory):
    award, sup = supervised_award(make, app)
    oid = _ids(app, award.id, OutputKind.POSTER)
    with app.app_context():
        start = db.session.get(Award, award.id).cohort.programme_start
        db.session.execute(update(AwardOutput).where(AwardOutput.id == oid).values(due_date=start))
        db.session.commit()
    holder = _as_holder(app, award, browser_factory)
    assert "Overdue" in text(holder.get(f"/outputs/awards/{award.id}"))
    b = browser_factory()
    b.sign_in(sup.email)
    page = text(b.get("/outputs/people"))
    assert "Overdue" in page


# Showcase ------------------------------------------------------------------------------


def _accepted(app, make, title="Vicarious trauma in children's teams", **kw):
    from app.accounts.models import User
    from app.outputs import services
    from app.outputs.models import Decision

    award = make.award(cohort=make.running_cohort(), **kw)
    staff = make.user(Role.STAFF)
    oid = _ids(app, award.id, OutputKind.SUMMARY)
    with app.test_request_context():
        o = db.session.get(AwardOutput, oid)
        services.add_version(o, o.award.holder, PDF + title.encode(), "summary.pdf", None)
        services.give_feedback(o, db.session.get(User, staff.id), Decision.ACCEPT, "", None)
        db.session.commit()
    return award, oid


def test_showcase_shows_accepted_outputs_only_with_consent_and_withdrawal_removes_at_once(
    app, make, browser_factory
):
    award, oid = _accepted(app, make)
    reader_org = make.org("Kent County Council")
    reader = browser_factory()
    reader.sign_in(make.user(Role.LINE_MANAGER, orgs=[reader_org]).email)
    # accepted but not consented: not in the showcase
    assert "Vicarious" not in text(reader.get("/outputs/showcase"))
    assert reader.get(f"/outputs/showcase/{oid}").status_code == 404
    holder = _as_holder(app, award, browser_factory)
    url = f"/outputs/{oid}/showcase"
    resp = holder.post(url, {"share": "yes", "title": "", "contact": "no"})
    assert resp.status_code == 200 and "Enter a title" in text(resp)
    resp = holder.post(url, {"title": "x", "contact": "no"})
    assert "Select whether to share" in text(resp)
    holder.post(
        url,
        {
            "share": "yes",
            "title": "Vicarious trauma in children's teams",
            "topic": "wellbeing",
            "contact": "no",
        },
    )
    page = text(reader.get("/outputs/showcase"))
    assert "Vicarious trauma in children's teams" in page
    entry = text(reader.get(f"/outputs/showcase/{oid}"))
    assert "has not asked to be contacted" in entry
    assert _holder_email(app, award) not in entry
    file = reader.get(f"/outputs/showcase/{oid}/file")
    assert file.status_code == 200 and file.headers["Content-Disposition"].startswith("attachment")
    assert file.data.startswith(b"%PDF")
    # search by topic, and by a filter that leaves it out
    assert "Vicarious" in text(reader.get("/outputs/showcase?q=WELLBEING"))
    assert "Vicarious" not in text(reader.get("/outputs/showcase?q=housing"))
    assert "Vicarious" not in text(reader.get("/outputs/showcase?service_area=children_families"))
    assert "Vicarious" in text(reader.get(f"/outputs/showcase?employer={award.employer_id}"))
    # contact agreed: shown
    resp = holder.post(url, {"share": "yes", "title": "Vicarious trauma", "contact": "yes"})
    assert resp.status_code == 302, text(resp)
    assert _holder_email(app, award) in text(reader.get(f"/outputs/showcase/{oid}"))
    # withdrawn: gone at once, file too
    holder.post(url, {"share": "no", "title": "Vicarious trauma", "contact": "yes"})
    assert "Vicarious" not in text(reader.get("/outputs/showcase"))
    assert reader.get(f"/outputs/showcase/{oid}").status_code == 404
    assert reader.get(f"/outputs/showcase/{oid}/file").status_code == 404
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("outputs.consent%"))
        ).all()
        assert actions.count("outputs.consent_withdrawn") == 1


def test_people_of_no_participating_organisation_do_not_see_the_showcase(app, make, browser):
    _accepted(app, make)
    browser.sign_in(make.user(Role.APPLICANT).email)
    assert browser.get("/outputs/showcase").status_code == 404


def test_summaries_come_first(app, make, browser):
    from app.accounts.models import User
    from app.outputs import services
    from app.outputs.models import Decision

    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        s = db.session.get(User, staff.id)
        for o in db.session.get(Award, award.id).outputs:
            services.add_version(o, o.award.holder, PDF + o.kind.encode(), "f.pdf", None)
            services.give_feedback(o, s, Decision.ACCEPT, "", None)
            services.set_consent(
                o, o.award.holder, showcase=True, contact=False, title=f"A {o.kind}", topic=""
            )
        db.session.commit()
    browser.sign_in(staff.email)
    page = text(browser.get("/outputs/showcase"))
    assert page.index("A summary") < page.index("A poster")


def test_staff_publish_a_cohorts_showcase_page(app, make, browser_factory):
    award, oid = _accepted(app, make)
    org = make.org()
    reader = browser_factory()
    reader.sign_in(make.user(Role.PSW, orgs=[org]).email)
    url = f"/outputs/showcase/cohorts/{award.cohort_id}"
    assert reader.get(url).status_code == 404
    staff = browser_factory()
    staff.sign_in(make.user(Role.STAFF).email)
    edit = f"/outputs/cohorts/{award.cohort_id}/showcase-page"
    resp = staff.post(edit, {"introduction": "Our first cohort"})
    assert "Select whether to publish" in text(resp)
    resp = staff.post(edit, {"publish": "yes", "introduction": "Our first cohort"})
    assert resp.status_code == 302
    assert "Our first cohort" in text(reader.get(url))


# Completion ------------------------------------------------------------------------------


def test_the_cohort_page_shows_completion_at_a_glance(app, make, browser):
    from tests.test_outputs import accept_all

    award = make.award(cohort=make.running_cohort())
    make.award(cohort=make.running_cohort())  # another cohort: not counted
    staff = make.user(Role.STAFF)
    accept_all(app, award.id, staff.id)
    browser.sign_in(staff.email)
    page = text(browser.get(f"/outputs/cohorts/{award.cohort_id}"))
    assert "1 of 1 award holders complete" in page
    assert "Complete" in page
    resp = browser.get(f"/outputs/cohorts/{award.cohort_id}.csv")
    assert resp.headers["Content-Disposition"].startswith("attachment")
    lines = resp.get_data(as_text=True).splitlines()
    assert lines[0].startswith("Award holder,Output,Status")
    assert len(lines) == 1 + len(OutputKind)
    assert all(",Accepted," in line for line in lines[1:])


def test_staff_edit_guidance_as_plain_text_shown_escaped(app, make, browser_factory):
    award = make.award(cohort=make.running_cohort())
    staff = browser_factory()
    staff.sign_in(make.user(Role.STAFF).email)
    url = f"/outputs/cohorts/{award.cohort_id}/types/report"
    with app.app_context():
        end = db.session.get(Award, award.id).cohort.programme_end
    resp = staff.post(
        url,
        {
            "due_date-day": end.day,
            "due_date-month": end.month,
            "due_date-year": end.year,
            "guidance": "Sections: background\n<script>alert(1)</script>",
        },
    )
    assert resp.status_code == 302
    assert staff.get(f"/outputs/cohorts/{award.cohort_id}/types/nonsense").status_code == 404
    holder = _as_holder(app, award, browser_factory)
    body = holder.get(f"/outputs/{_ids(app, award.id)}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    assert "Sections: background<br>" in body
