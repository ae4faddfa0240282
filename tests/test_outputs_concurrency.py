"""Outputs under 20 parallel requests (both databases; run with TEST_DATABASE_URL for
PostgreSQL): an output accepted by twenty people at once is accepted once (one audit
entry, one email), and twenty uploads at once make twenty numbered versions."""

from __future__ import annotations

from io import BytesIO

from sqlalchemy import func, select

from app.awards.models import AwardOutput, OutputKind, OutputStatus
from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.outputs.models import OutputVersion
from tests.test_concurrency import PARALLEL, _at_once, _signed_in
from tests.test_outputs import PDF


def _report(app, award_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(AwardOutput.id).where(
                AwardOutput.award_id == award_id, AwardOutput.kind == OutputKind.REPORT
            )
        )


def test_twenty_parallel_acceptances_make_one(app, make, browser_factory):
    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    oid = _report(app, award.id)
    with app.test_request_context():
        from app.outputs import services

        o = db.session.get(AwardOutput, oid)
        services.add_version(o, o.award.holder, PDF, "report.pdf", None)
        services.submit(o, o.award.holder)
        db.session.commit()
        holder_email = o.award.holder.email
    url = f"/outputs/{oid}"
    browsers, token = _signed_in(browser_factory, staff.email, PARALLEL, url)
    responses = _at_once(
        [
            lambda b=b: b.post(url + "/feedback", data={"csrf_token": token, "decision": "accept"})
            for b in browsers
        ]
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [302] + [400] * (PARALLEL - 1)
    with app.app_context():
        assert db.session.get(AwardOutput, oid).status == OutputStatus.ACCEPTED
        audits = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "outputs.feedback_accept")
        )
        mails = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.to_address == holder_email,
                OutboxMessage.template == "output_feedback",
            )
        )
    assert audits == 1
    assert mails == 1


def test_twenty_parallel_uploads_are_twenty_versions(app, make, browser_factory):
    award = make.award(cohort=make.running_cohort())
    oid = _report(app, award.id)
    with app.app_context():
        from app.awards.models import Award

        email = db.session.get(Award, award.id).holder.email
    url = f"/outputs/{oid}"
    browsers, token = _signed_in(browser_factory, email, PARALLEL, url)
    responses = _at_once(
        [
            lambda b=b, n=n: b.post(
                url + "/versions",
                data={"csrf_token": token, "upload": (BytesIO(PDF + bytes([n])), f"r{n}.pdf")},
                content_type="multipart/form-data",
            )
            for n, b in enumerate(browsers)
        ]
    )
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert {r.status_code for r in responses} == {302}
    with app.app_context():
        numbers = db.session.scalars(
            select(OutputVersion.number).where(OutputVersion.output_id == oid)
        ).all()
    assert sorted(numbers) == list(range(1, PARALLEL + 1))
