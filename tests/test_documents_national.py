"""The national data set's documents (issue 14) keep the rules: both handbooks for every
cohort, a learning agreement for every award holder whose year has started, 'signed' only
with all three live signatures on the agreement's version, references a member of staff
can look up, managers' handbooks sent to running holders' line managers and PSWs; the
named award holder's agreement carries the hash of the content the app builds."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.demo import national
from app.documents import agreements
from app.documents.models import (
    AgreementStatus,
    HandbookKind,
    HandbookReceipt,
    HandbookSection,
    LearningAgreement,
    SignatoryRole,
)
from app.extensions import db
from tests.test_national_data import SCALE, TODAY


def test_national_documents_keep_the_rules(app):
    with app.app_context():
        summary = national.generate(scale=SCALE, today=TODAY)
        assert summary.counts["learning_agreement"] and summary.counts["agreement_signature"]
        assert summary.counts["handbook_receipt"]
        kinds = set(
            db.session.execute(select(HandbookSection.cohort_id, HandbookSection.kind)).all()
        )
        cohorts = db.session.scalars(select(Cohort.id)).all()
        assert kinds == {(c, k) for c in cohorts for k in HandbookKind}
        started = db.session.scalar(
            select(func.count(Award.id))
            .join(Cohort, Cohort.id == Award.cohort_id)
            .where(Cohort.programme_start <= TODAY)
        )
        assert summary.counts["learning_agreement"] == started
        statuses = set()
        for a in db.session.scalars(select(LearningAgreement)):
            live = agreements.live_signatures(a)
            assert all(s.version == a.version and s.content_hash == a.content_hash for s in live)
            assert len({s.role for s in live}) == len(live)
            full = {s.role for s in live} == set(SignatoryRole)
            assert (a.status == AgreementStatus.SIGNED) == full
            statuses.add(a.status)
            for s in live:
                assert agreements.find_signature(s.reference).id == s.id
        assert statuses == set(AgreementStatus)  # running years have some waiting
        receipts = db.session.scalars(select(HandbookReceipt)).all()
        assert {r.role for r in receipts} == {"line_manager", "psw"}
        assert any(r.acknowledged_at for r in receipts)
        assert any(r.acknowledged_at is None for r in receipts)
        holder = db.session.scalar(select(User).where(User.email == national.NAMED["holder"]))
        named = db.session.scalar(
            select(LearningAgreement)
            .join(Award, Award.id == LearningAgreement.award_id)
            .where(Award.holder_id == holder.id)
        )
        assert named.content_hash == agreements.content_hash(agreements.content(named))
