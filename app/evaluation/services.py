"""Cohort evaluation services: staff send a survey (invitations to the cohort's award
holders, line managers, PSWs and supervisors), a respondent answers once while it is
open (a guarded UPDATE of their invitation), and the results, per cohort, side by side
and as CSV, hide any group of fewer than five. Nothing written when someone answers
leads from the answers back to them."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from flask import current_app
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import joinedload

from app.accounts.models import User, UserStatus
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core import audit
from app.core.csv import safe_cell
from app.core.mail import external_url, queue_email
from app.core.state import Conflict
from app.evaluation.models import Answer, Group, Invitation, Response, Survey, SurveyKind
from app.evaluation.questions import FREE, LEVELS, PRINCIPLES, SCALED, Question
from app.extensions import db
from app.supervision.models import Allocation, PoolKind

SMALLEST_GROUP = 5
TEXT_MAX = 2000


class EvaluationError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class AlreadyAnswered(EvaluationError, Conflict):
    pass


def _people(cohort: Cohort) -> set[tuple[int, Group]]:
    awards = db.session.execute(
        select(Award.id, Award.holder_id, Award.line_manager_id, Award.psw_id).where(
            Award.cohort_id == cohort.id
        )
    ).all()
    people: set[tuple[int, Group]] = set()
    for _id, holder, manager, psw in awards:
        people.add((holder, Group.HOLDER))
        if manager:
            people.add((manager, Group.MANAGER))
        if psw:
            people.add((psw, Group.PSW))
    supervisors = db.session.scalars(
        select(Allocation.user_id)
        .join(Award, Award.id == Allocation.award_id)
        .where(Award.cohort_id == cohort.id, Allocation.kind == PoolKind.SUPERVISOR)
        .distinct()
    )
    people.update((s, Group.SUPERVISOR) for s in supervisors)
    return people


def send_survey(
    cohort: Cohort, actor, kind: SurveyKind, opens_on: date, closes_on: date, today: date
) -> Survey:
    if closes_on < opens_on:
        raise EvaluationError("The closing date must be on or after the opening date", "closes_on")
    if closes_on < today:
        raise EvaluationError("The closing date must be today or later", "closes_on")
    exists = db.session.scalar(
        select(Survey.id).where(Survey.cohort_id == cohort.id, Survey.kind == kind)
    )
    if exists:
        raise EvaluationError(
            f"Cohort {cohort.name} already has its '{kind.label.lower()}' survey", "kind"
        )
    survey = Survey(
        cohort=cohort, kind=kind, opens_on=opens_on, closes_on=closes_on, created_by_id=actor.id
    )
    db.session.add(survey)
    db.session.flush()
    people = sorted(_people(cohort))
    invitations = [Invitation(survey_id=survey.id, user_id=u, group=g) for u, g in people]
    db.session.add_all(invitations)
    db.session.flush()
    _email_invitations(survey, invitations)
    audit.record(
        "evaluation.survey_sent",
        survey,
        actor=actor,
        changes={"kind": [None, kind], "closes_on": [None, closes_on]},
        summary=f"{kind.label} survey for cohort {cohort.name}: {len(people)} invited",
    )
    db.session.flush()
    return survey


def _email_invitations(survey: Survey, invitations: list[Invitation]) -> None:
    """Each person invited is emailed a link to their own invitation (queued with the
    survey, sent after the commit). The link is to the invitation, never to a response:
    nothing in the email or the outbox joins a person to their answers."""
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({i.user_id for i in invitations}))
        )
    }
    for inv in invitations:
        person = users.get(inv.user_id)
        if person is None or person.status != UserStatus.ACTIVE or not person.email:
            continue
        queue_email(
            person.email,
            f"Your views on cohort {survey.cohort.name}: the programme's evaluation survey",
            "evaluation_survey",
            user=person,
            person=person,
            survey=survey,
            group=inv.group,
            url=external_url("evaluation.answer", invitation_id=inv.id),
        )


def open_invitations(user, today: date) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .join(Survey, Survey.id == Invitation.survey_id)
            .where(
                Invitation.user_id == user.id,
                Invitation.answered.is_(False),
                Survey.opens_on <= today,
                Survey.closes_on >= today,
            )
            .options(joinedload(Invitation.survey).joinedload(Survey.cohort))
            .order_by(Survey.closes_on, Invitation.id)
        )
    )


def answer(
    invitation: Invitation,
    user,
    scores: dict[str, int],
    texts: dict[str, str],
    anonymous: bool,
    today: date,
) -> None:
    """Record one person's answers, once, while the survey is open. The invitation is
    marked answered (no time kept); the response carries the person's name only when
    they chose not to be anonymous."""
    if invitation.user_id != user.id:
        raise EvaluationError("This survey was sent to someone else.")
    survey = invitation.survey
    if today < survey.opens_on:
        raise EvaluationError("This survey is not open yet.")
    if today > survey.closes_on:
        raise EvaluationError("This survey has closed: answers can no longer be sent.")
    for q in SCALED:
        if scores.get(q.key) not in (1, 2, 3, 4, 5):
            raise EvaluationError("Answer every statement from 1 to 5", q.key)
    for q in FREE:
        if len(texts.get(q.key, "")) > TEXT_MAX:
            raise EvaluationError(f"Answers must be {TEXT_MAX:,} characters or fewer", q.key)
    taken = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise AlreadyAnswered("You have already answered this survey: thank you.")
    response = Response(
        survey_id=survey.id,
        group=invitation.group,
        respondent_name=None if anonymous else user.name,
    )
    db.session.add(response)
    db.session.flush()
    for q in SCALED:
        db.session.add(Answer(response_id=response.id, question=q.key, score=scores[q.key]))
    for q in FREE:
        text = texts.get(q.key, "").strip()
        if text:
            db.session.add(Answer(response_id=response.id, question=q.key, text=text))
    # the invitation, never the response: the trail says who answered, not what
    audit.record(
        "evaluation.answered",
        invitation,
        actor=user,
        changes={"answered": [False, True]},
        summary=f"Answered the {survey.kind.label.lower()} survey",
    )
    db.session.flush()


# --- results ---------------------------------------------------------------------------


@dataclass
class GroupResult:
    label: str
    responses: int
    scores: dict[str, Counter] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.responses >= SMALLEST_GROUP

    totals: dict[str, tuple[int, int]] = field(default_factory=dict)  # (sum, count)

    def mean(self, key: str) -> float | None:
        c = self.scores.get(key)
        if c:
            total, n = sum(k * v for k, v in c.items()), sum(c.values())
        else:
            total, n = self.totals.get(key, (0, 0))
        if not self.shown or not n:
            return None
        return round(total / n, 1)

    @cached_property
    def means(self) -> dict[str, float | None]:
        """Every statement's mean, worked out once for a page that shows them all."""
        return {q.key: self.mean(q.key) for q in SCALED}


def results(survey: Survey) -> list[GroupResult]:
    """Each respondent group, then everyone together. A group under five is counted but
    its answers are not given; and 'everyone' leaves the hidden groups out unless
    together they are five or more, so subtracting the groups shown from it never
    reveals a small group's answers. Counted in the database: the responses per group,
    then each (group, question, score or text) once with how many gave it."""
    groups = {g: GroupResult(g.label, 0) for g in Group}
    has_answers = select(Answer.response_id).where(Answer.response_id == Response.id).exists()
    for group, n in db.session.execute(
        select(Response.group, func.count())
        .where(Response.survey_id == survey.id, has_answers)
        .group_by(Response.group)
    ):
        groups[group].responses = n
    pooled = _pooled({g: r.responses for g, r in groups.items()})
    everyone = GroupResult("Everyone", sum(groups[g].responses for g in pooled))
    rows = db.session.execute(
        select(Response.group, Answer.question, Answer.score, Answer.text, func.count())
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.survey_id == survey.id)
        .group_by(Response.group, Answer.question, Answer.score, Answer.text)
    )
    for group, question, score, text, n in rows:
        for result in (groups[group], everyone) if group in pooled else (groups[group],):
            if score is not None:
                result.scores.setdefault(question, Counter())[score] += n
            if text:
                result.texts.setdefault(question, []).extend([text] * n)
    out = [*groups.values(), everyone]
    for r in out:
        if not r.shown:
            r.scores, r.texts = {}, {}
        for texts in r.texts.values():
            texts.sort()  # an order that says nothing about who wrote what, or when
    return out


def _pooled(responses: dict[Group, int]) -> set[Group]:
    """The groups counted in 'everyone': those shown, and the hidden ones only when
    together they make five or more."""
    hidden = sum(n for n in responses.values() if n < SMALLEST_GROUP)
    return {g for g, n in responses.items() if n >= SMALLEST_GROUP or hidden >= SMALLEST_GROUP}


def invited_counts(survey: Survey) -> tuple[int, int]:
    invited, answered = db.session.execute(
        select(func.count(), func.count(case((Invitation.answered.is_(True), 1)))).where(
            Invitation.survey_id == survey.id
        )
    ).one()
    return invited, answered


# Each survey's 'everyone' on the side-by-side page, kept per process by survey id with
# the version it was counted at: when the survey was made and how many responses it
# has. A response is only ever added (its answers with it, in one transaction) or
# removed with its survey, so that number changes whenever what is counted does, and
# the next page counts that survey again. Off under tests unless REPORT_CACHE says so.
_EVERYONE: dict[int, tuple[tuple, GroupResult]] = {}


def _cache_on() -> bool:
    cfg = current_app.config
    return bool(cfg.get("REPORT_CACHE", cfg.get("APP_ENV") != "testing"))


def _count_everyone(ids: list[int]) -> dict[int, GroupResult]:
    """'Everyone' of each of these surveys (as `results` gives it, without the text),
    counted in the database for all of them at once."""
    if not ids:
        return {}
    has_answers = select(Answer.response_id).where(Answer.response_id == Response.id).exists()
    responses: dict[int, dict[Group, int]] = {i: dict.fromkeys(Group, 0) for i in ids}
    for survey_id, group, n in db.session.execute(
        select(Response.survey_id, Response.group, func.count())
        .where(Response.survey_id.in_(ids), has_answers)
        .group_by(Response.survey_id, Response.group)
    ):
        responses[survey_id][group] = n
    pooled = {i: _pooled(responses[i]) for i in ids}
    out = {i: GroupResult("Everyone", sum(responses[i][g] for g in pooled[i])) for i in ids}
    # a mean needs only the sum and the count of each group's scores
    for survey_id, group, question, total, n in db.session.execute(
        select(
            Response.survey_id,
            Response.group,
            Answer.question,
            func.sum(Answer.score),
            func.count(Answer.score),
        )
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.survey_id.in_(ids), Answer.score.is_not(None))
        .group_by(Response.survey_id, Response.group, Answer.question)
    ):
        everyone = out[survey_id]
        if everyone.shown and group in pooled[survey_id]:
            was = everyone.totals.get(question, (0, 0))
            everyone.totals[question] = (was[0] + int(total), was[1] + n)
    return out


def compare(kind: SurveyKind) -> list[tuple[Survey, GroupResult]]:
    """Every cohort's survey of this kind with everyone's results (as `results` gives
    them, without the free text), oldest first. One query for the surveys and how many
    responses each has; the counting (two queries for all the surveys at once) only for
    those not counted at that number of responses before (see _EVERYONE)."""
    made = select(func.count()).where(Response.survey_id == Survey.id).scalar_subquery()
    rows = db.session.execute(
        select(Survey, made)
        .join(Cohort, Cohort.id == Survey.cohort_id)
        .where(Survey.kind == kind)
        .options(joinedload(Survey.cohort))
        .order_by(Cohort.programme_start, Cohort.id)
    ).all()
    cache = _cache_on()
    versions = {s.id: (s.created_at, n) for s, n in rows}
    found: dict[int, GroupResult] = {}
    if cache:
        for s, _n in rows:
            hit = _EVERYONE.get(s.id)
            if hit is not None and hit[0] == versions[s.id]:
                found[s.id] = hit[1]
    counted = _count_everyone([s.id for s, _n in rows if s.id not in found])
    if cache:
        for survey_id, everyone in counted.items():
            _EVERYONE[survey_id] = (versions[survey_id], everyone)
    found.update(counted)
    return [(s, found[s.id]) for s, _n in rows]


def csv_text(survey: Survey) -> Iterator[str]:
    def line(values) -> str:
        out = io.StringIO()
        csv.writer(out).writerow([safe_cell(v) for v in values])
        return out.getvalue()

    yield line(
        ["Cohort", "Survey", "Group", "Responses", "Principle", "Level", "Question", "Mean"]
        + [f"Answered {n}" for n in range(1, 6)]
        + ["Free-text answer"]
    )
    head = [survey.cohort.name, survey.kind.label]
    for r in results(survey):
        if not r.shown:
            yield line([*head, r.label, r.responses, "", "", "Fewer than 5 responses: not shown"])
            continue
        for q in SCALED:
            c = r.scores.get(q.key, Counter())
            yield line(
                [*head, r.label, r.responses, *_q(q), r.mean(q.key)]
                + [c[n] for n in range(1, 6)]
                + [""]
            )
        for q in FREE:
            for text in r.texts.get(q.key, []):
                yield line([*head, r.label, r.responses, *_q(q), "", "", "", "", "", "", text])


def _q(q: Question) -> list[str]:
    return [PRINCIPLES[q.principle], LEVELS[q.level], q.text]
