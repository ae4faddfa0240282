"""Demo documents: handbook sections for every cohort, learning agreements signed by all
three for the finished cohorts, and the running cohort's agreements part-way (holder@demo
.test's waits for the assistant director); the managers' handbook sent to the running
cohort's line managers and PSWs, some of whom have read it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core import audit
from app.documents import agreements, services
from app.documents.models import (
    AgreementStatus,
    HandbookKind,
    HandbookReceipt,
    HandbookSection,
    LearningAgreement,
    SignatoryRole,
    Signature,
)
from app.extensions import db


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _signers(agreement: LearningAgreement) -> dict[SignatoryRole, User | None]:
    award = agreement.award
    return {
        SignatoryRole.HOLDER: award.holder,
        SignatoryRole.LINE_MANAGER: award.line_manager,
        SignatoryRole.ASSISTANT_DIRECTOR: agreement.assistant_director,
    }


def _sign(agreement: LearningAgreement, roles: list[SignatoryRole], first_day) -> None:
    """Signatures as `agreements.sign` makes them (on the content as prepared), dated in the
    programme's first fortnight a few days apart; written directly, as the demo's history,
    so loading it does not rebuild the content for every signature."""
    people = _signers(agreement)
    for n, role in enumerate(roles):
        person = people[role]
        if person is None:
            continue
        signature = Signature(
            agreement=agreement,
            version=agreement.version,
            role=role,
            user_id=person.id,
            typed_name=person.name,
            content_hash=agreement.content_hash,
            reference=agreements.new_reference(),
            signed_at=datetime.combine(first_day + timedelta(days=3 + 4 * n), time(10)),
        )
        db.session.add(signature)
        audit.record(
            "agreement.signed",
            agreement,
            actor=person,
            summary=f"{role.label} signed version {agreement.version} ({signature.reference})",
        )
    if set(roles) >= set(SignatoryRole):
        agreement.status = AgreementStatus.SIGNED


def load_documents() -> int:
    """Returns how many learning agreements were prepared."""
    staff = _user("staff@demo.test")
    if staff is None:
        return 0
    prepared = 0
    cohorts = list(db.session.scalars(select(Cohort).order_by(Cohort.programme_start)))
    for cohort in cohorts:
        for kind in HandbookKind:
            has = db.session.scalar(
                select(HandbookSection.id)
                .where(HandbookSection.cohort_id == cohort.id, HandbookSection.kind == kind)
                .limit(1)
            )
            if has is None:
                services.add_standard_sections(cohort, kind, staff)
        awards = list(
            db.session.scalars(select(Award).where(Award.cohort_id == cohort.id).order_by(Award.id))
        )
        if not awards or cohort.name == "2027-28":
            continue  # the open cohort's year has not started
        done = set(db.session.scalars(select(LearningAgreement.award_id)))
        running = cohort.name == "2026-27"
        for k, award in enumerate(awards):
            if award.id in done:
                continue
            agreement = agreements.prepare(award, staff, notify=False)
            prepared += 1
            if not running:
                _sign(agreement, list(SignatoryRole), cohort.programme_start)
            elif award.holder.email == "holder@demo.test":
                # waiting for the assistant director: the named demo sign-in
                director = _user("director@demo.test")
                if director is not None:
                    agreement.assistant_director = director
                    db.session.flush()
                    agreement.content_hash = agreements.content_hash(agreements.content(agreement))
                _sign(
                    agreement,
                    [SignatoryRole.HOLDER, SignatoryRole.LINE_MANAGER],
                    cohort.programme_start,
                )
            elif k % 2:
                _sign(agreement, list(SignatoryRole), cohort.programme_start)
        if running and not db.session.scalar(
            select(HandbookReceipt.id)
            .join(Award, Award.id == HandbookReceipt.award_id)
            .where(Award.cohort_id == cohort.id)
            .limit(1)
        ):
            services.send_managers_handbook(cohort, staff)
            db.session.flush()
            for receipt in db.session.scalars(
                select(HandbookReceipt).where(HandbookReceipt.role == "line_manager")
            ):
                # manager@demo.test still has it to read (their checklist item waits too)
                if receipt.user.email != "manager@demo.test":
                    services.acknowledge(receipt, receipt.user)
    db.session.flush()
    return prepared
