"""The national data set's documents (issue 14): every cohort's two handbooks from the
standard sections, a learning agreement for every award holder whose year has started
(finished years signed by all three, running years about two in three fully signed and
the rest part-way), and the managers' handbook sent to each running holder's line
manager and PSW, most of whom have read it. Rendered PDFs are not made here: the first
download renders and caches one, as in production.

The content hash a signature covers is the hash of the agreement's content as the app
builds it; making that for every agreement would cost the ORM a dozen queries each, so
only the named award holder's agreement carries its real hash (its page shows its
signatures, as the demo's does); the others carry a stand-in, and their pages say the
agreement changed since it was signed, which costs the same to show."""

from __future__ import annotations

from datetime import timedelta
from hashlib import sha256

from app.core.roles import Role
from app.documents.agreements import (
    ALPHABET,
    DEFAULT_MEETINGS,
    DEFAULT_PATTERN,
    DEFAULT_PROTECTION,
)
from app.documents.models import (
    AgreementStatus,
    HandbookKind,
    HandbookReceipt,
    HandbookSection,
    LearningAgreement,
    SignatoryRole,
    Signature,
)
from app.documents.standard import STANDARD

SIGNED_RUNNING = 2 / 3  # running holders whose agreement all three have signed
READ = 0.7  # managers' handbooks acknowledged


def _reference(n: int) -> str:
    """A unique verification reference per signature ("LA-" and ten letters, as
    agreements.new_reference makes them, but from the row's id so the data is repeatable)."""
    chars = []
    for _ in range(10):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    return "LA-" + "".join(reversed(chars))


def add_documents(b) -> None:
    from app.demo.national import HISTORIC, RUNNING

    staff_id = b.staff[0]["id"]
    sections = []
    for cohort in b.cohorts:
        at = b.at_day(cohort["programme_start"] - timedelta(days=60))
        for kind in HandbookKind:
            for position, (heading, body) in enumerate(STANDARD[kind]):
                sections.append(
                    {
                        "cohort_id": cohort["id"],
                        "kind": kind,
                        "position": position,
                        "heading": heading,
                        "body": body,
                        "updated_at": at,
                        "updated_by_id": staff_id,
                    }
                )
    b.assign_ids(HandbookSection.__table__, sections)
    b.insert(HandbookSection.__table__, sections)

    questions = {a["id"]: a.get("research_question") or "" for a in b.applications}
    directors: dict[int, int | None] = {}
    for (org_id, role), people in b.people.items():
        if role == Role.ASSISTANT_DIRECTOR and people:
            directors[org_id] = min(people, key=lambda u: (u["name"], u["id"]))["id"]
    named = b.named.get("holder")
    named_award = None
    agreements, signatures, receipts = [], [], []
    for n, award in enumerate(b.awards):
        cohort = award["_cohort"]
        phase = cohort["_phase"]
        if phase not in (HISTORIC, RUNNING):
            continue
        start = cohort["programme_start"]
        director = directors.get(award["employer_id"])
        agreement = {
            "award_id": award["id"],
            "assistant_director_id": director,
            "research_question": questions.get(award["application_id"], ""),
            "study_day_pattern": DEFAULT_PATTERN,
            "protection": DEFAULT_PROTECTION,
            "backfill_arrangements": "",
            "meeting_plan": DEFAULT_MEETINGS,
            "version": 1,
            "content_hash": sha256(f"national-agreement-{award['id']}-1".encode()).hexdigest(),
            "status": AgreementStatus.AWAITING,
            "created_at": b.at_day(start - timedelta(days=14)),
            "updated_at": b.at_day(start - timedelta(days=14)),
            "_award": award,
        }
        agreements.append(agreement)
        if named and award["holder_id"] == named["id"]:
            named_award = award["id"]
        signers = {
            SignatoryRole.HOLDER: award["holder_id"],
            SignatoryRole.LINE_MANAGER: award["line_manager_id"],
            SignatoryRole.ASSISTANT_DIRECTOR: director,
        }
        if phase == HISTORIC or n % 3 < 3 * SIGNED_RUNNING:
            signing = list(SignatoryRole)
        else:
            signing = [SignatoryRole.HOLDER, SignatoryRole.LINE_MANAGER][: n % 2 + 1]
        for k, role in enumerate(signing):
            if signers[role] is None:
                continue
            signatures.append(
                {
                    "_agreement": agreement,
                    "version": 1,
                    "role": role,
                    "user_id": signers[role],
                    "typed_name": "",
                    "content_hash": agreement["content_hash"],
                    "signed_at": b.at_day(start + timedelta(days=3 + 4 * k)),
                    "voided_at": None,
                    "void_reason": "",
                }
            )
        if len(signing) == len(SignatoryRole) and all(signers.values()):
            agreement["status"] = AgreementStatus.SIGNED
        if phase == RUNNING:
            sent = b.at_day(start - timedelta(days=7))
            for role, user_id in (
                ("line_manager", award["line_manager_id"]),
                ("psw", award["psw_id"]),
            ):
                if user_id is None:
                    continue
                read = b.rng.random() < READ and not (named and award["holder_id"] == named["id"])
                receipts.append(
                    {
                        "award_id": award["id"],
                        "user_id": user_id,
                        "role": role,
                        "sent_at": sent,
                        "acknowledged_at": b.at_day(start + timedelta(days=10)) if read else None,
                    }
                )
    b.assign_ids(LearningAgreement.__table__, agreements)
    b.insert(LearningAgreement.__table__, agreements)
    names = {u["id"]: u["name"] for u in b.users}
    for s in signatures:
        s["agreement_id"] = s["_agreement"]["id"]
        s["typed_name"] = names.get(s["user_id"], "")[:120]
    b.assign_ids(Signature.__table__, signatures)
    for s in signatures:
        s["reference"] = _reference(s["id"])
    b.insert(Signature.__table__, signatures)
    # one row per award holder and person (a line manager who is also the PSW gets one)
    seen, unique = set(), []
    for r in receipts:
        if (r["award_id"], r["user_id"]) not in seen:
            seen.add((r["award_id"], r["user_id"]))
            unique.append(r)
    b.assign_ids(HandbookReceipt.__table__, unique)
    b.insert(HandbookReceipt.__table__, unique)
    if named_award is not None:
        _real_hash(b, named_award)


def _real_hash(b, award_id: int) -> None:
    """The named award holder's agreement and signatures carry the hash of the content the
    app builds (read through the ORM on the same connection, inside the load's
    transaction), so their agreement page shows the signatures as valid."""
    from sqlalchemy import select, update

    from app.documents import agreements as made
    from app.extensions import db

    agreement = db.session.scalar(
        select(LearningAgreement).where(LearningAgreement.award_id == award_id)
    )
    digest = made.content_hash(made.content(agreement))
    for table, key in (
        (LearningAgreement, LearningAgreement.id),
        (Signature, Signature.agreement_id),
    ):
        b.conn.execute(update(table).where(key == agreement.id).values(content_hash=digest))
    db.session.expire_all()
