"""The rules of required outputs: the cohort's output types, uploading versions,
submitting, feedback (accept or request changes), extensions, showcase consent, a
cohort's showcase page and completion.

Every status change claims the output row first (compare-and-set, app.core.state), so
two decisions at once give one change and a clear message to the other. Each change
writes one audit entry and queues its email in the same transaction; the caller commits
and only then delivers mail.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import func, select

from app.awards.models import Award, AwardOutput, OutputKind, OutputStatus
from app.cohorts.models import Cohort
from app.core import audit, state, storage
from app.core.db import utcnow
from app.core.formatting import format_date
from app.core.mail import external_url, queue_email
from app.extensions import db
from app.outputs import policy
from app.outputs.models import (
    DEFAULT_GUIDANCE,
    Decision,
    DueDateChange,
    OutputFeedback,
    OutputType,
    OutputVersion,
    ShowcasePage,
)
from app.release.models import DayStatus, ReleaseDay

OUTPUT_FILE_TYPES = storage.ALL_KINDS  # PDF, PNG, JPEG, PowerPoint, Word
ACCEPT = ".pdf,.pptx,.docx,.png,.jpg,.jpeg," + ",".join(OUTPUT_FILE_TYPES)


class OutputError(Exception):
    """A rule refused the action; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class OutputChanged(OutputError, state.Conflict):
    """Someone else changed the output first; nothing was written."""


def max_bytes() -> int:
    return int(current_app.config.get("OUTPUT_MAX_BYTES") or storage.DEFAULT_MAX_BYTES)


# Output types ---------------------------------------------------------------------


def cohort_types(cohort: Cohort) -> list[OutputType]:
    """The cohort's output types in kind order; unsaved defaults where staff have set
    none (every kind, due at the end of the programme, the standard guidance)."""
    saved = {
        t.kind: t
        for t in db.session.scalars(select(OutputType).where(OutputType.cohort_id == cohort.id))
    }
    return [
        saved.get(kind)
        or OutputType(
            cohort_id=cohort.id,
            kind=kind,
            due_date=cohort.programme_end,
            guidance=DEFAULT_GUIDANCE[kind],
        )
        for kind in OutputKind
    ]


def output_types(cohort: Cohort) -> list[tuple[OutputKind, date]]:
    """(kind, due date) of the outputs an award in `cohort` owes (read at award)."""
    return [(t.kind, t.due_date) for t in cohort_types(cohort)]


def guidance_for_kind(kind: OutputKind) -> str:
    return DEFAULT_GUIDANCE[kind]


def guidance_for(output: AwardOutput) -> str:
    found = db.session.scalar(
        select(OutputType.guidance).where(
            OutputType.cohort_id == output.award.cohort_id, OutputType.kind == output.kind
        )
    )
    return found if found is not None else DEFAULT_GUIDANCE[output.kind]


def _check_due(cohort: Cohort, due: date, field: str = "due_date") -> None:
    if due < cohort.programme_start:
        raise OutputError(
            f"The due date must be on or after the programme starts, "
            f"{format_date(cohort.programme_start)}",
            field,
        )


def save_type(cohort: Cohort, kind: OutputKind, due: date, guidance: str, actor) -> OutputType:
    """Set a cohort's due date and guidance for one kind of output. Holders whose output
    of that kind is still due on the old date (no extension, not accepted) move with it."""
    _check_due(cohort, due)
    state.lock(cohort)
    row = db.session.scalar(
        select(OutputType).where(OutputType.cohort_id == cohort.id, OutputType.kind == kind)
    )
    if row is None:
        row = OutputType(
            cohort_id=cohort.id,
            kind=kind,
            due_date=cohort.programme_end,
            guidance=DEFAULT_GUIDANCE[kind],
        )
        db.session.add(row)
    before = {"due_date": row.due_date, "guidance": row.guidance}
    old_due = row.due_date
    row.due_date, row.guidance = due, guidance
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    moved = 0
    if due != old_due:
        outputs = db.session.scalars(
            select(AwardOutput)
            .join(Award, Award.id == AwardOutput.award_id)
            .where(
                Award.cohort_id == cohort.id,
                AwardOutput.kind == kind,
                AwardOutput.due_date == old_due,
                AwardOutput.status != OutputStatus.ACCEPTED,
            )
        )
        for output in outputs:
            output.due_date = due
            moved += 1
    db.session.flush()
    audit.record(
        "outputs.type_saved",
        row,
        actor=actor,
        summary=f"{cohort.name}: {kind.label} ({moved} award holders' due dates moved)",
        changes=audit.diff(before, {"due_date": row.due_date, "guidance": row.guidance}),
    )
    return row


# Versions ---------------------------------------------------------------------------


def versions_of(output: AwardOutput) -> list[OutputVersion]:
    """Newest first: the first is the current version."""
    return list(
        db.session.scalars(
            select(OutputVersion)
            .where(OutputVersion.output_id == output.id)
            .order_by(OutputVersion.number.desc())
        )
    )


def current_version(output: AwardOutput) -> OutputVersion | None:
    return db.session.scalar(
        select(OutputVersion)
        .where(OutputVersion.output_id == output.id)
        .order_by(OutputVersion.number.desc())
        .limit(1)
    )


def _refuse(verb: str):
    def refuse(output: AwardOutput) -> OutputChanged:
        return OutputChanged(
            f"This output cannot be {verb}: it is now {output.status.label.lower()}. "
            "Someone may have changed it at the same moment; read it again."
        )

    return refuse


def add_version(output: AwardOutput, actor, data: bytes, filename: str, declared: str | None):
    """Keep an upload as the output's new current version; the output becomes a draft."""
    if not policy.is_holder(actor, output.award):
        raise OutputError("Only the award holder can upload their outputs")
    before = state.claim(output, policy.UPLOADABLE, _refuse("changed"))
    stored = storage.put(data, filename, declared, allowed=OUTPUT_FILE_TYPES, limit=max_bytes())
    number = (
        db.session.scalar(
            select(func.max(OutputVersion.number)).where(OutputVersion.output_id == output.id)
        )
        or 0
    ) + 1
    version = OutputVersion(
        output_id=output.id,
        number=number,
        file_id=stored.id,
        filename=storage.display_name(filename, stored),
        uploaded_by_id=actor.id,
    )
    db.session.add(version)
    output.status = OutputStatus.DRAFT
    db.session.flush()
    audit.record(
        "outputs.version_added",
        output,
        actor=actor,
        summary=f"{output.kind.label}: version {number}, {version.filename}",
        changes=audit.diff({"status": before}, {"status": output.status}),
    )
    return version


def submit(output: AwardOutput, actor) -> None:
    """The holder sends the current version for feedback."""
    if not policy.is_holder(actor, output.award):
        raise OutputError("Only the award holder can submit their outputs")
    state.claim(output, OutputStatus.DRAFT, _refuse("submitted"))
    if current_version(output) is None:
        raise OutputError("Upload a file before you submit this output")
    output.status = OutputStatus.SUBMITTED
    audit.record(
        "outputs.submitted",
        output,
        actor=actor,
        summary=output.kind.label,
        changes=audit.diff({"status": OutputStatus.DRAFT}, {"status": output.status}),
    )


# Feedback ---------------------------------------------------------------------------


def give_feedback(
    output: AwardOutput, actor, decision: Decision, comment: str, version_id: int | None
) -> OutputFeedback:
    """A comment on the current version, with a decision: accept it, request changes or
    only comment. The holder is emailed. The last acceptance marks the holder complete
    when their release days are reconciled."""
    award = output.award
    if not policy.can_give_feedback(actor, award):
        raise OutputError("Only the award holder's supervisor or programme staff can give feedback")
    before = state.lock(output).status
    version = current_version(output)
    if version is None:
        verb = "accept" if decision == Decision.ACCEPT else "give feedback on"
        raise OutputError(f"There is no version to {verb}: the award holder has not uploaded one")
    if decision != Decision.COMMENT:
        before = state.claim(output, policy.DECIDABLE, _refuse("decided"))
    if version_id is not None and version.id != version_id:
        raise OutputChanged(
            f"The award holder uploaded version {version.number} while you were reading. "
            "Read it, then give your feedback."
        )
    if decision != Decision.ACCEPT and not comment:
        raise OutputError("Enter your comments", "comment")
    feedback = OutputFeedback(
        output_id=output.id,
        version_id=version.id,
        author_id=actor.id,
        decision=decision,
        comment=comment,
    )
    db.session.add(feedback)
    if decision == Decision.ACCEPT:
        output.status, output.accepted_at = OutputStatus.ACCEPTED, utcnow()
    elif decision == Decision.CHANGES:
        output.status = OutputStatus.CHANGES_REQUESTED
    db.session.flush()
    audit.record(
        f"outputs.feedback_{decision.value}",
        output,
        actor=actor,
        summary=f"{output.kind.label}, version {version.number}",
        changes=audit.diff({"status": before}, {"status": output.status}),
    )
    if decision == Decision.ACCEPT:
        complete_if_ready(award, actor)
    holder = award.holder
    subject = {
        Decision.ACCEPT: f"Your {output.kind.short.lower()} has been accepted",
        Decision.CHANGES: f"Changes requested to your {output.kind.short.lower()}",
        Decision.COMMENT: f"New comments on your {output.kind.short.lower()}",
    }[decision]
    queue_email(
        holder.email,
        subject,
        "output_feedback",
        user=holder,
        holder=holder,
        actor=actor,
        output=output,
        version=version,
        feedback=feedback,
        url=external_url("outputs.output", output_id=output.id),
    )
    return feedback


# Extensions -------------------------------------------------------------------------


def extend(output: AwardOutput, actor, new_due: date, reason: str) -> DueDateChange:
    """Programme staff change one holder's due date; the old date stays in the history."""
    if not policy.can_extend(actor):
        raise OutputError("Only programme staff can change a due date")
    cohort = output.award.cohort
    _check_due(cohort, new_due, "new_due")
    state.lock(output)
    if output.due_date == new_due:
        raise OutputError(f"The output is already due on {format_date(new_due)}", "new_due")
    change = DueDateChange(
        output_id=output.id,
        old_due=output.due_date,
        new_due=new_due,
        reason=reason,
        changed_by_id=actor.id,
    )
    db.session.add(change)
    before = output.due_date
    output.due_date = new_due
    db.session.flush()
    audit.record(
        "outputs.due_date_changed",
        output,
        actor=actor,
        summary=f"{output.award.holder.name}, {output.kind.label}: {reason}"[:300],
        changes=audit.diff({"due_date": before}, {"due_date": new_due}),
    )
    return change


def due_history(output: AwardOutput) -> list[DueDateChange]:
    return list(
        db.session.scalars(
            select(DueDateChange)
            .where(DueDateChange.output_id == output.id)
            .order_by(DueDateChange.id.desc())
        )
    )


# Showcase consent -------------------------------------------------------------------


def set_consent(
    output: AwardOutput, actor, *, showcase: bool, contact: bool, title: str, topic: str
) -> None:
    """The holder's consent to show this output in the showcase, and to be contacted.
    Withdrawing it takes the output out of the showcase at once (the showcase reads
    this column on every request)."""
    if not policy.can_consent(actor, output):
        raise OutputError("Only the award holder can share their outputs")
    state.lock(output)
    if showcase and not title:
        raise OutputError("Enter a title for the showcase", "title")
    before = {
        "showcase_consent": output.showcase_consent,
        "contact_consent": output.contact_consent,
        "title": output.title,
        "topic": output.topic,
    }
    output.showcase_consent = showcase
    output.contact_consent = contact and showcase
    output.title, output.topic = title, topic
    output.consent_changed_at = utcnow()
    after = {
        "showcase_consent": output.showcase_consent,
        "contact_consent": output.contact_consent,
        "title": output.title,
        "topic": output.topic,
    }
    audit.record(
        "outputs.consent_given" if showcase else "outputs.consent_withdrawn",
        output,
        actor=actor,
        summary=output.kind.label,
        changes=audit.diff(before, after),
    )


def set_showcase_page(cohort: Cohort, actor, *, publish: bool, introduction: str) -> ShowcasePage:
    """Programme staff publish (or take down) a cohort's showcase page."""
    state.lock(cohort)
    page = db.session.scalar(select(ShowcasePage).where(ShowcasePage.cohort_id == cohort.id))
    if page is None:
        page = ShowcasePage(cohort_id=cohort.id, introduction="")
        db.session.add(page)
    before = {"published": page.published_at is not None, "introduction": page.introduction}
    page.introduction = introduction
    if publish and page.published_at is None:
        page.published_at, page.published_by_id = utcnow(), actor.id
    elif not publish:
        page.published_at = None
    db.session.flush()
    audit.record(
        "outputs.showcase_published" if publish else "outputs.showcase_unpublished",
        page,
        actor=actor,
        summary=cohort.name,
        changes=audit.diff(
            before, {"published": page.published_at is not None, "introduction": introduction}
        ),
    )
    return page


# Completion -------------------------------------------------------------------------

UNRECONCILED = (DayStatus.REQUESTED, DayStatus.APPROVED)


def completion_blockers(award: Award) -> list[str]:
    """Why `award` cannot be marked complete yet (empty: it can)."""
    reasons = []
    waiting = [o.kind.short.lower() for o in award.outputs if o.status != OutputStatus.ACCEPTED]
    if waiting:
        reasons.append(f"Not yet accepted: {', '.join(waiting)}")
    unconfirmed = db.session.scalar(
        select(func.count(ReleaseDay.id)).where(
            ReleaseDay.award_id == award.id, ReleaseDay.status.in_(UNRECONCILED)
        )
    )
    if unconfirmed:
        reasons.append(
            f"{unconfirmed} release day{'s' if unconfirmed != 1 else ''} still waiting for "
            "approval or to be confirmed as taken"
        )
    return reasons


def mark_complete(award: Award, actor) -> None:
    """Mark an award holder complete: every output accepted and the release days
    reconciled (none still requested, or approved but not confirmed). Sets
    `award.completed_at` once (the row is locked; a second request is told)."""
    state.lock(award)
    if award.completed_at is not None:
        raise OutputChanged(
            f"{award.holder.name} was already marked complete on {format_date(award.completed_at)}"
        )
    db.session.expire(award, ["outputs"])
    blockers = completion_blockers(award)
    if blockers:
        raise OutputError(
            f"{award.holder.name} cannot be marked complete yet. " + ". ".join(blockers)
        )
    award.completed_at = utcnow()
    audit.record(
        "award.completed",
        award,
        actor=actor,
        summary=f"{award.holder.name}, {award.cohort.name}",
        changes=audit.diff({"completed_at": None}, {"completed_at": award.completed_at}),
    )


def complete_if_ready(award: Award, actor) -> bool:
    """After an acceptance: mark the holder complete when nothing else is waiting."""
    if award.completed_at is not None:
        return False
    db.session.flush()
    db.session.expire(award, ["outputs"])
    if completion_blockers(award):
        return False
    mark_complete(award, actor)
    return True
