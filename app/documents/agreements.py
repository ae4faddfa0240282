"""Learning agreements: what is agreed (built from the award, its people, residentials,
supervision and money, plus what staff and the holder write), its SHA-256, and the three
electronic signatures on exactly that content.

A signature holds the hash of what its signatory read. When the content changes (an
edit, a new supervisor, another residential date) the live signatures are voided, the
version goes up and the three are asked again; a signature is only ever made on the
content as it is at that moment, and on what the signatory was shown."""

from __future__ import annotations

import json
import re
import secrets
from hashlib import sha256

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, lazyload

from app.accounts.models import User
from app.awards.models import Award
from app.core import audit, clock, state
from app.core.db import utcnow
from app.core.formatting import format_date, format_pence
from app.core.mail import external_url, queue_email
from app.core.roles import Role
from app.documents.models import (
    AgreementStatus,
    LearningAgreement,
    SignatoryRole,
    Signature,
)
from app.documents.policy import signatory_roles
from app.documents.services import Changed, DocumentError, output_dates
from app.extensions import db
from app.money.models import BackfillPlan
from app.organisations.models import Membership
from app.residentials.models import Workshop
from app.supervision import onboarding
from app.supervision.models import Allocation, OnboardingItem, PoolKind, PoolMember
from app.supervision.queries import windows

EDITABLE = (
    "research_question",
    "study_day_pattern",
    "protection",
    "backfill_arrangements",
    "meeting_plan",
)

DEFAULT_PATTERN = (
    "One study day a week, on the same day where possible, booked in the service and "
    "approved by the line manager. Days are moved, not lost, when work makes one "
    "impossible."
)
DEFAULT_PROTECTION = (
    "Study days are treated like annual leave:\n"
    "- the award holder is not contacted about casework on a study day\n"
    "- duty rotas and meetings are planned around study days\n"
    "- a day called back to work is recorded and rebooked"
)
DEFAULT_MEETINGS = (
    "The supervisor arranges each three-way meeting; the line manager makes time for it."
)


def _assistant_director(award: Award):
    from app.accounts.models import User, UserRole

    return db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            Membership.organisation_id == award.employer_id,
            UserRole.role == Role.ASSISTANT_DIRECTOR,
        )
        .order_by(User.name, User.id)
        .limit(1)
    )


def prepare(award: Award, actor, notify: bool = True) -> LearningAgreement:
    """The award holder's agreement, started from their application and the defaults."""
    existing = db.session.scalar(
        select(LearningAgreement).where(LearningAgreement.award_id == award.id)
    )
    if existing is not None:
        return existing
    director = _assistant_director(award)
    agreement = LearningAgreement(
        award=award,
        assistant_director_id=director.id if director else None,
        research_question=award.application.research_question or "",
        study_day_pattern=DEFAULT_PATTERN,
        protection=DEFAULT_PROTECTION,
        backfill_arrangements="",
        meeting_plan=DEFAULT_MEETINGS,
    )
    db.session.add(agreement)
    db.session.flush()
    agreement.content_hash = content_hash(content(agreement))
    audit.record(
        "agreement.prepared",
        agreement,
        actor=actor,
        summary=f"Learning agreement for {award.holder.name}"[:300],
    )
    if notify:
        _ask_to_sign(agreement, "Please read and sign your learning agreement")
    return agreement


def _current(award: Award) -> dict[PoolKind, Allocation]:
    """The award holder's current supervisor and coach allocations, with the person and
    the supervisor's university, in one query (their roles are not needed)."""
    rows = db.session.scalars(
        select(Allocation)
        .where(Allocation.award_id == award.id, Allocation.ended_on.is_(None))
        .options(
            joinedload(Allocation.user).lazyload(User.role_links),
            joinedload(Allocation.pool).joinedload(PoolMember.university),
        )
        .order_by(Allocation.id)
    )
    return {PoolKind(a.kind): a for a in rows}


def content(agreement: LearningAgreement) -> dict:
    """Everything the agreement says, as plain values: what is shown, hashed and signed."""
    award = agreement.award
    cohort = award.cohort
    employer = award.employer.name
    current = _current(award)
    supervisor, coach = current.get(PoolKind.SUPERVISOR), current.get(PoolKind.COACH)
    university = supervisor.pool.university if supervisor and supervisor.pool else None
    # the line manager and assistant director in one query, held here so the relationships
    # below find them in the session (and without their roles, which are not shown)
    # (none when the caller loaded both with the agreement, as the agreement page does)
    people = [
        uid
        for obj, name, uid in (
            (award, "line_manager", award.line_manager_id),
            (agreement, "assistant_director", agreement.assistant_director_id),
        )
        if uid is not None and name in inspect(obj).unloaded
    ]
    held = (  # noqa: F841 - kept alive for the identity map
        list(
            db.session.scalars(
                select(User).where(User.id.in_(people)).options(lazyload(User.role_links))
            )
        )
        if people
        else []
    )
    director = agreement.assistant_director
    workshops = list(
        db.session.scalars(
            select(Workshop).where(Workshop.cohort_id == cohort.id).order_by(Workshop.number)
        )
    )
    plan = db.session.scalar(select(BackfillPlan).where(BackfillPlan.award_id == award.id))

    def person(role, user, organisation):
        return {
            "role": role,
            "name": user.name if user else "",
            "organisation": organisation if user else "",
        }

    return {
        "people": [
            person("Award holder", award.holder, employer),
            person("Line manager", award.line_manager, employer),
            person("Assistant director", director, employer),
            person(
                "Academic supervisor",
                supervisor.user if supervisor else None,
                university.name if university else "",
            ),
            person("Coach", coach.user if coach else None, "Programme team"),
        ],
        "cohort": cohort.name,
        "programme": f"{format_date(cohort.programme_start)} to "
        f"{format_date(cohort.programme_end)}",
        "research_question": agreement.research_question,
        "release": {
            "total": award.residential_days + award.study_days,
            "residential": award.residential_days,
            "study": award.study_days,
            "workshops": [
                {
                    "title": w.title,
                    "dates": f"{format_date(w.starts_on)} to {format_date(w.ends_on)}",
                }
                for w in workshops
            ],
            "pattern": agreement.study_day_pattern,
        },
        "protection": agreement.protection,
        "money": {
            "personal_award": format_pence(award.personal_award_cap_pence),
            "backfill": format_pence(award.backfill_pence),
            "team_budget": plan.team_budget if plan else "",
            "arrangements": agreement.backfill_arrangements,
        },
        "meetings": {
            "windows": [f"{format_date(s)} to {format_date(e)}" for s, e in windows(cohort)],
            "plan": agreement.meeting_plan,
        },
        "outputs": [
            {"label": d.label, "due": format_date(d.on)} for d in output_dates(cohort, workshops)
        ],
    }


def content_hash(value: dict) -> str:
    return sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def live_signatures(agreement: LearningAgreement) -> list[Signature]:
    return [s for s in agreement.signatures if s.voided_at is None]


def required_roles(agreement: LearningAgreement) -> list[SignatoryRole]:
    return list(SignatoryRole)


def _void(agreement: LearningAgreement, actor, reason: str) -> None:
    """New content: live signatures voided, version up, status back to awaiting."""
    now = utcnow()
    voided = live_signatures(agreement)
    for s in voided:
        s.voided_at, s.void_reason = now, reason[:300]
    before = {"status": agreement.status, "version": agreement.version}
    agreement.version += 1
    agreement.status = AgreementStatus.AWAITING
    agreement.updated_at = now
    audit.record(
        "agreement.voided",
        agreement,
        actor=actor,
        summary=f"{reason}: {len(voided)} signature(s) voided"[:300],
        changes=audit.diff(before, {"status": agreement.status, "version": agreement.version}),
    )
    if voided:
        _ask_to_sign(agreement, "Your learning agreement changed: please read and sign it again")


def refresh(agreement: LearningAgreement, actor) -> str:
    """The current hash; when the content moved on since it was last recorded (another
    supervisor, new residential dates), the signatures on the old content are voided."""
    current = content_hash(content(agreement))
    if current != agreement.content_hash:
        _void(agreement, actor, "The agreement's content changed")
        agreement.content_hash = current
    return current


def update(agreement: LearningAgreement, actor, values: dict[str, str]) -> bool:
    """Change what is written; any change voids the signatures and asks again."""
    state.lock(agreement)
    refresh(agreement, actor)
    before = {k: getattr(agreement, k) for k in EDITABLE}
    after = {k: values.get(k, before[k]) for k in EDITABLE}
    if before == after:
        return False
    for key, value in after.items():
        setattr(agreement, key, value)
    audit.record(
        "agreement.changed",
        agreement,
        actor=actor,
        summary=f"Learning agreement for {agreement.award.holder.name}"[:300],
        changes=audit.diff(before, after),
    )
    _void(agreement, actor, "The agreement was edited")
    agreement.content_hash = content_hash(content(agreement))
    return True


def _same_name(typed: str, name: str) -> bool:
    def norm(s):
        return re.sub(r"\s+", " ", s).strip().casefold()

    return bool(norm(typed)) and norm(typed) == norm(name)


def sign(agreement: LearningAgreement, actor, typed_name: str, seen_hash: str) -> Signature:
    """Sign the version `seen_hash` names, as the first of the actor's roles not yet signed."""
    state.lock(agreement)
    roles = signatory_roles(actor, agreement)
    if not roles:
        raise DocumentError(
            "Only the award holder, their line manager and the assistant director named on "
            "this agreement can sign it"
        )
    current = refresh(agreement, actor)
    if seen_hash != current:
        raise Changed(
            "The agreement changed after you opened it, so that version can no longer be "
            "signed. Read this version, then sign it."
        )
    signed = {s.role for s in live_signatures(agreement)}
    role = next((r for r in roles if r not in signed), None)
    if role is None:
        mine = next(s for s in live_signatures(agreement) if s.role in roles)
        raise DocumentError(
            f"You signed this version of the agreement on {format_date(mine.signed_at)}"
        )
    if not _same_name(typed_name, actor.name):
        raise DocumentError(
            f"Type your full name as it is on your account ({actor.name}) to sign", "name"
        )
    signature = Signature(
        agreement=agreement,
        version=agreement.version,
        role=role,
        user_id=actor.id,
        typed_name=typed_name.strip(),
        content_hash=current,
        reference=new_reference(),
    )
    db.session.add(signature)
    db.session.flush()
    audit.record(
        "agreement.signed",
        agreement,
        actor=actor,
        summary=f"{role.label} signed version {agreement.version} ({signature.reference})",
        changes={"content_hash": [None, current]},
    )
    if {s.role for s in live_signatures(agreement)} >= set(required_roles(agreement)):
        state.claim(
            agreement,
            AgreementStatus.AWAITING,
            lambda a: Changed("The agreement is already signed"),
        )
        agreement.status = AgreementStatus.SIGNED
        audit.record(
            "agreement.completed",
            agreement,
            actor=actor,
            summary=f"All three signed version {agreement.version}",
            changes={"status": [AgreementStatus.AWAITING.value, AgreementStatus.SIGNED.value]},
        )
        onboarding.record_done(
            agreement.award, OnboardingItem.LEARNING_AGREEMENT, actor, clock.today()
        )
    return signature


ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def new_reference() -> str:
    return "LA-" + "".join(secrets.choice(ALPHABET) for _ in range(10))


def find_signature(reference: str) -> Signature | None:
    ref = re.sub(r"\s+", "", reference or "").upper()
    if not re.fullmatch(r"LA-[A-Z0-9]{10}", ref):
        return None
    return db.session.scalar(
        select(Signature)
        .where(Signature.reference == ref)
        .options(joinedload(Signature.agreement), joinedload(Signature.user))
    )


def _ask_to_sign(agreement: LearningAgreement, subject: str) -> None:
    award = agreement.award
    people = [award.holder, award.line_manager, agreement.assistant_director]
    link = external_url("documents.agreement", award_id=award.id)
    for person in {p.id: p for p in people if p is not None}.values():
        queue_email(
            person.email,
            subject,
            "documents_sign_agreement",
            user=person,
            person=person,
            holder=award.holder,
            link=link,
        )
