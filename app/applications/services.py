"""Application rules: drafts, submission, PSW sign-off, review, selection and award.

Every status change goes through `_transition`, which checks the allowed moves,
records the history the applicant sees and writes the audit entry. Views commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import User
from app.applications.models import (
    Application,
    ApplicationEvent,
    AppStatus,
    Review,
    SignOff,
    SignOffDecision,
)
from app.applications.sections import CONTENT_FIELDS, SECTION_BY_SLUG, missing_answers
from app.awards.services import create_award
from app.cohorts.models import Cohort
from app.core import audit, state
from app.core.db import utcnow
from app.core.formatting import format_date
from app.core.mail import external_url, queue_email
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Membership


class ApplicationError(Exception):
    """A rule refused the action; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ApplicationChanged(ApplicationError, state.Conflict):
    """Someone else moved the application on first; nothing was written."""


S = AppStatus
ALLOWED: dict[AppStatus, set[AppStatus]] = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.ENDORSED, S.PSW_DECLINED, S.WITHDRAWN, S.DRAFT},
    S.ENDORSED: {S.SHORTLISTED, S.AWARDED, S.DECLINED, S.WAITLISTED, S.WITHDRAWN, S.DRAFT},
    S.PSW_DECLINED: {S.DRAFT, S.WITHDRAWN},
    S.SHORTLISTED: {S.AWARDED, S.DECLINED, S.WAITLISTED, S.WITHDRAWN},
    S.WAITLISTED: {S.AWARDED, S.DECLINED, S.WITHDRAWN, S.SHORTLISTED},
    S.AWARDED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}
CONSIDERED = {S.ENDORSED, S.SHORTLISTED, S.WAITLISTED}
SIGN_OFF_NEEDED = (
    "A decision needs a current sign-off from the applicant's Principal Social Worker."
)

# What happened to an application, for the person whose change came second.
_HAPPENED = {
    S.DRAFT: "returned to draft",
    S.SUBMITTED: "submitted",
    S.ENDORSED: "signed off",
    S.PSW_DECLINED: "not endorsed",
    S.SHORTLISTED: "shortlisted",
    S.WAITLISTED: "put on the waiting list",
    S.AWARDED: "awarded a place",
    S.DECLINED: "turned down",
    S.WITHDRAWN: "withdrawn",
}
JUST_NOW = timedelta(minutes=10)


def _moved_on(app: Application, actor: User, doing: str) -> str:
    """ "This application was withdrawn by Priya Shah a moment ago, so it can no longer be
    signed off." `app` was just read again, so it shows what the other change left."""
    last = db.session.scalar(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == app.id)
        .order_by(ApplicationEvent.id.desc())
        .limit(1)
    )
    if last is None or last.to_status != app.status or last.actor is None:
        return f"This application is {app.status.label.lower()}, so it can no longer be {doing}."
    who = "you" if last.actor_id == actor.id else last.actor.name
    when = " a moment ago" if utcnow() - last.at < JUST_NOW else ""
    return (
        f"This application was {_HAPPENED[app.status]} by {who}{when}, "
        f"so it can no longer be {doing}."
    )


def _claim(app: Application, expected: Iterable[AppStatus], actor: User, doing: str) -> AppStatus:
    """Lock the application and check it is still in one of `expected` (a compare-and-set,
    see app/core/state.py); if someone else moved it on first, change nothing and say so."""
    return state.claim(
        app, tuple(expected), lambda a: ApplicationChanged(_moved_on(a, actor, doing))
    )


def _from(new: AppStatus) -> list[AppStatus]:
    """The statuses an application may move to `new` from."""
    return [old for old, moves in ALLOWED.items() if new in moves]


def _transition(app: Application, new: AppStatus, actor: User, message: str = "") -> None:
    old = app.status
    if new not in ALLOWED[old]:
        raise ApplicationError(
            f"This application is {old.label.lower()}, so it cannot be moved to "
            f"'{new.label.lower()}'."
        )
    app.status = new
    app.updated_at = utcnow()
    db.session.add(
        ApplicationEvent(
            application=app, actor_id=actor.id, from_status=old, to_status=new, message=message
        )
    )
    audit.record(
        "application.status_changed",
        app,
        actor=actor,
        changes={"status": [old, new]},
        summary=message[:300],
    )


# Drafts --------------------------------------------------------------------------


def start_application(applicant: User, cohort: Cohort, today: date) -> Application:
    if today > cohort.applications_close:
        raise ApplicationError(
            f"Applications for {cohort.name} closed on {format_date(cohort.applications_close)}."
        )
    existing = db.session.scalar(
        select(Application).where(
            Application.cohort_id == cohort.id, Application.applicant_id == applicant.id
        )
    )
    if existing is not None:
        raise ApplicationError(f"You have already started an application to {cohort.name}.")
    app = Application(cohort=cohort, applicant=applicant, status=S.DRAFT)
    # Pre-fill the employer when the applicant belongs to exactly one.
    employers = [o for o in applicant.organisations if o.is_employer]
    if len(employers) == 1:
        app.employer_id = employers[0].id
    db.session.add(app)
    db.session.flush()
    db.session.add(
        ApplicationEvent(
            application=app,
            actor_id=applicant.id,
            from_status=None,
            to_status=S.DRAFT,
            message="Application started",
        )
    )
    audit.record("application.started", app, actor=applicant, summary=cohort.name)
    return app


def _check_people(app: Application, data: dict[str, Any]) -> None:
    """The line manager and PSW must belong to the applicant's employer and have the role
    (confirmed or not: naming someone is the applicant's claim, which staff check before
    the role carries any authority)."""
    for field, role, label in (
        ("line_manager_id", Role.LINE_MANAGER, "line manager"),
        ("psw_id", Role.PSW, "Principal Social Worker"),
    ):
        if field not in data or data[field] is None:
            continue
        person = db.session.get(User, data[field])
        if (
            person is None
            or role not in person.granted_roles
            or app.employer_id is None
            or not any(m.organisation_id == app.employer_id for m in person.memberships)
        ):
            raise ApplicationError(f"Choose a {label} from your employer", field)
        if person.id == app.applicant_id:
            raise ApplicationError(f"You cannot be your own {label}", field)


def save_section(app: Application, slug: str, data: dict[str, Any], actor: User) -> None:
    """Save one section of a draft. Only that section's fields are written."""
    _claim(app, [S.DRAFT], actor, "changed")
    section = SECTION_BY_SLUG[slug]
    clean = {k: v for k, v in data.items() if k in section.fields}
    if slug == "employment" and clean.get("employer_id") != app.employer_id:
        # a new employer means the people and priority area must be chosen again
        app.line_manager_id = app.psw_id = app.priority_area_id = None
    if slug == "people":
        _check_people(app, clean)
    if slug == "research" and clean.get("priority_area_id") is not None:
        from app.cohorts.models import PriorityArea

        area = db.session.get(PriorityArea, clean["priority_area_id"])
        if (
            area is None
            or area.cohort_id != app.cohort_id
            or area.organisation_id != app.employer_id
        ):
            raise ApplicationError(
                "Choose one of your employer's priority areas", "priority_area_id"
            )
    before = {k: getattr(app, k) for k in clean}
    for key, value in clean.items():
        setattr(app, key, value)
    app.updated_at = utcnow()
    changes = audit.diff(before, {k: getattr(app, k) for k in clean})
    if changes:
        audit.record(
            "application.section_saved",
            app,
            actor=actor,
            summary=section.title,
            changes={k: [_short(v[0]), _short(v[1])] for k, v in changes.items()},
        )


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 120:
        return value[:117] + "..."
    return value


def content_hash(app: Application) -> str:
    """A fingerprint of everything the PSW reads; stored with each sign-off."""
    payload = {f: audit._plain(getattr(app, f)) for f in CONTENT_FIELDS}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def submit(app: Application, actor: User, today: date) -> None:
    cohort = app.cohort
    _claim(app, [S.DRAFT], actor, "submitted")
    if not cohort.window_is_open(today):
        if today < cohort.applications_open:
            raise ApplicationError(
                f"Applications open on {format_date(cohort.applications_open)}. "
                "Your draft is saved."
            )
        raise ApplicationError(
            f"Applications closed on {format_date(cohort.applications_close)}. "
            "Late applications cannot be accepted."
        )
    missing = missing_answers(app)
    if missing:
        raise ApplicationError(f"There are {len(missing)} answers still needed.")
    _check_people(app, {"line_manager_id": app.line_manager_id, "psw_id": app.psw_id})
    app.version += 1
    app.submitted_at = utcnow()
    _transition(app, S.SUBMITTED, actor, "Submitted for Principal Social Worker sign-off")
    link = external_url("applications.sign_off", application_id=app.id)
    queue_email(
        app.psw.email,
        f"Sign-off needed: {app.applicant.name}'s application",
        "psw_sign_off_request",
        user=app.psw,
        psw=app.psw,
        app=app,
        url=link,
    )
    queue_email(
        app.line_manager.email,
        f"{app.applicant.name} has applied to the programme",
        "line_manager_told",
        user=app.line_manager,
        manager=app.line_manager,
        app=app,
    )
    queue_email(
        app.applicant.email,
        "Your application has been submitted",
        "application_submitted",
        user=app.applicant,
        app=app,
        url=external_url("applications.overview", application_id=app.id),
    )


def reopen(app: Application, actor: User, today: date) -> None:
    """Take a submitted application back to draft to change it; it needs a new sign-off."""
    if not app.cohort.window_is_open(today):
        raise ApplicationError(
            "The application window has closed, so the application cannot be changed."
        )
    _claim(app, (S.SUBMITTED, S.ENDORSED, S.PSW_DECLINED), actor, "changed")
    _transition(
        app, S.DRAFT, actor, "Returned to draft by the applicant; it will need a new sign-off"
    )


# Where a PSW has been asked to sign the application (and so is told it is withdrawn).
SIGN_OFF_ASKED = {S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.WAITLISTED}


def withdraw(app: Application, actor: User, reason: str = "") -> None:
    """Withdraw the application; the PSW who was asked to sign it off is told."""
    before = _claim(app, _from(S.WITHDRAWN), actor, "withdrawn")
    _transition(app, S.WITHDRAWN, actor, reason.strip() or "Withdrawn by the applicant")
    if before in SIGN_OFF_ASKED and app.psw is not None:
        queue_email(
            app.psw.email,
            f"{app.applicant.name} has withdrawn their application",
            "psw_application_withdrawn",
            user=app.psw,
            psw=app.psw,
            app=app,
            reason=reason.strip(),
            waiting=before == S.SUBMITTED,
        )


# PSW sign-off ----------------------------------------------------------------------

RELEASE_STATEMENT = (
    "I confirm that {name} will be released from their job for the "
    "{days} days of the programme ({residential} residential workshop days and "
    "{study} study days)."
)
STRATEGIC_STATEMENT = (
    "I confirm that the research question is of strategic importance to {employer}."
)


def can_sign(user: User, app: Application) -> bool:
    """Any active PSW of the applicant's employer may sign (not only the one named). An
    invited PSW is one only once staff confirm them (User.roles)."""
    return (
        user.is_active
        and user.has_role(Role.PSW)
        and app.employer_id is not None
        and db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == user.id, Membership.organisation_id == app.employer_id
            )
        )
        is not None
    )


def statements(app: Application) -> tuple[str, str]:
    c = app.cohort
    return (
        RELEASE_STATEMENT.format(
            name=app.applicant.name,
            days=c.release_days,
            residential=c.residential_days,
            study=c.study_days,
        ),
        STRATEGIC_STATEMENT.format(employer=app.employer.name if app.employer else "the employer"),
    )


def sign_off(
    app: Application,
    psw: User,
    *,
    endorse: bool,
    confirmed_release: bool = False,
    confirmed_strategic: bool = False,
    reason: str = "",
) -> SignOff:
    if Role.PSW in psw.pending_roles:  # a kinder answer than can_sign's refusal
        raise ApplicationError(
            "Programme staff need to confirm that you are a Principal Social Worker for "
            f"{app.employer.name if app.employer else 'this employer'} before you can sign off "
            "applications. Programme staff can see that you are waiting."
        )
    if not can_sign(psw, app):
        raise ApplicationError(
            "Only a Principal Social Worker of the applicant's employer can "
            "sign off this application."
        )
    _claim(app, [S.SUBMITTED], psw, "signed off")
    if app.current_sign_off is not None:
        raise ApplicationError("This application has already been signed off.")
    if endorse and not (confirmed_release and confirmed_strategic):
        field = "confirm_release" if not confirmed_release else "confirm_strategic"
        raise ApplicationError("To endorse, confirm both statements", field)
    if not endorse and not reason.strip():
        raise ApplicationError("Give a reason for not endorsing the application", "reason")
    release, strategic = statements(app)
    record = SignOff(
        application=app,
        application_version=app.version,
        psw_id=psw.id,
        employer_id=app.employer_id,
        decision=SignOffDecision.ENDORSED if endorse else SignOffDecision.DECLINED,
        confirmed_release=bool(endorse and confirmed_release),
        confirmed_strategic=bool(endorse and confirmed_strategic),
        release_days=app.cohort.release_days,
        release_statement=release if endorse else "",
        strategic_statement=strategic if endorse else "",
        reason=reason.strip(),
        content_hash=content_hash(app),
    )
    db.session.add(record)
    if endorse:
        _transition(app, S.ENDORSED, psw, "Endorsed by the Principal Social Worker")
    else:
        _transition(app, S.PSW_DECLINED, psw, f"Not endorsed: {reason.strip()}")
    queue_email(
        app.applicant.email,
        "Your application has been signed off" if endorse else "Your application was not endorsed",
        "psw_decision",
        user=app.applicant,
        app=app,
        endorsed=endorse,
        reason=reason.strip(),
        psw=psw,
        url=external_url("applications.overview", application_id=app.id),
    )
    return record


def valid_endorsement(app: Application) -> bool:
    s = app.current_sign_off
    return (
        s is not None
        and s.decision == SignOffDecision.ENDORSED
        and s.content_hash == content_hash(app)
    )


class SignOffIsFinal(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _sign_offs_are_final(session: Session, _ctx, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, SignOff) and (obj in session.deleted or session.is_modified(obj)):
            raise SignOffIsFinal("A sign-off cannot be altered once made.")


# Review and selection ---------------------------------------------------------------


def record_review(app: Application, reviewer: User, score: int, notes: str) -> Review:
    if app.status not in CONSIDERED:
        raise ApplicationError("Only applications signed off by a PSW can be reviewed.")
    if not 1 <= int(score) <= 5:
        raise ApplicationError("Enter a score from 1 to 5", "score")
    review = db.session.scalar(
        select(Review).where(Review.application_id == app.id, Review.reviewer_id == reviewer.id)
    )
    before = {"score": review.score, "notes": review.notes} if review else {}
    if review is None:
        review = Review(application_id=app.id, reviewer_id=reviewer.id, score=score, notes="")
        db.session.add(review)
    review.score, review.notes, review.updated_at = int(score), notes.strip(), utcnow()
    audit.record(
        "application.reviewed",
        app,
        actor=reviewer,
        changes=audit.diff(before, {"score": review.score, "notes": _short(review.notes)}),
    )
    return review


def visible_reviews(app: Application, viewer: User) -> list[Review]:
    """Each reviewer sees only their own until the cohort's scores are revealed."""
    stmt = (
        select(Review)
        .options(joinedload(Review.reviewer).lazyload(User.role_links))
        .where(Review.application_id == app.id)
    )
    if not app.cohort.scores_revealed:
        stmt = stmt.where(Review.reviewer_id == viewer.id)
    return list(db.session.scalars(stmt.order_by(Review.id)))


def reveal_scores(cohort: Cohort, actor: User) -> None:
    state.claim(
        cohort,
        False,
        lambda _c: ApplicationChanged("Scores for this cohort are already revealed."),
        attr="scores_revealed",
    )
    cohort.scores_revealed = True
    audit.record(
        "cohort.scores_revealed", cohort, actor=actor, changes={"scores_revealed": [False, True]}
    )


def shortlist(
    app: Application, actor: User, message: str = "", seen: AppStatus | None = None
) -> None:
    """The message (optional) goes into the status history the applicant sees. `seen`:
    the status the deciding page showed; the change is made only if it still holds."""
    _claim_for_decision(app, S.SHORTLISTED, actor, "shortlisted", seen)
    _require_endorsed(app)
    _transition(app, S.SHORTLISTED, actor, message.strip() or "Shortlisted")


def _require_endorsed(app: Application) -> None:
    if app.status not in CONSIDERED or not valid_endorsement(app):
        raise ApplicationError(SIGN_OFF_NEEDED)


def _claim_for_decision(
    app: Application,
    outcome: AppStatus,
    actor: User,
    doing: str,
    seen: AppStatus | None = None,
) -> None:
    """Lock the application; one not yet signed off needs a sign-off, one already decided
    (by someone else a moment ago, perhaps) is left as it is. With `seen`, the status the
    person deciding was shown must still be the status now (a waiting-list place given
    while they read the confirmation page is not turned into an award behind their back)."""

    def refuse(a: Application) -> ApplicationError:
        if a.status in (S.DRAFT, S.SUBMITTED, S.PSW_DECLINED):
            return ApplicationError(SIGN_OFF_NEEDED)
        return ApplicationChanged(_moved_on(a, actor, doing))

    allowed = [s for s in _from(outcome) if s in CONSIDERED and seen in (None, s)]
    state.claim(app, allowed, refuse)


def _lock_cohort(cohort_id: int) -> Cohort:
    """Serialise awards in a cohort so two staff cannot both take the last place."""
    return state.lock(db.session.get(Cohort, cohort_id))


def awarded_count(cohort_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Application.id)).where(
                Application.cohort_id == cohort_id, Application.status == S.AWARDED
            )
        )
        or 0
    )


def decide(
    app: Application,
    actor: User,
    outcome: AppStatus,
    message: str,
    seen: AppStatus | None = None,
) -> None:
    """Award, decline or waitlist, with a message to the applicant. `seen`: as `shortlist`."""
    if outcome not in (S.AWARDED, S.DECLINED, S.WAITLISTED):
        raise ApplicationError("Choose award, decline or waiting list", "outcome")
    _claim_for_decision(app, outcome, actor, _DECIDING[outcome], seen)
    _require_endorsed(app)
    if outcome == S.AWARDED:
        cohort = _lock_cohort(app.cohort_id)
        taken = awarded_count(cohort.id)
        if taken >= cohort.places:
            raise ApplicationError(
                f"All {cohort.places} places in {cohort.name} have been awarded. Decline or "
                "waitlist another award first, or add places to the cohort."
            )
    _transition(app, outcome, actor, message.strip())
    app.decided_at = utcnow()
    app.decision_message = message.strip()
    if outcome == S.AWARDED:
        create_award(app, actor)
    queue_email(
        app.applicant.email,
        _DECISION_SUBJECTS[outcome],
        "application_decision",
        user=app.applicant,
        app=app,
        outcome=outcome,
        message=message.strip(),
        url=external_url("applications.overview", application_id=app.id),
    )


_DECIDING = {
    S.AWARDED: "awarded a place",
    S.DECLINED: "turned down",
    S.WAITLISTED: "put on the waiting list",
}
_DECISION_SUBJECTS = {
    S.AWARDED: "You have been awarded a place on the programme",
    S.DECLINED: "Your application to the programme",
    S.WAITLISTED: "You are on the waiting list for the programme",
}


def history(app: Application) -> Iterable[ApplicationEvent]:
    return app.events
