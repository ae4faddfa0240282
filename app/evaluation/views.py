"""Evaluation pages: staff send surveys and read results (per cohort, side by side,
CSV); award holders, line managers, PSWs and supervisors answer the surveys sent to
them, once, while open. Someone else's invitation is a 404."""

from __future__ import annotations

from flask import Response as HttpResponse
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.mail import deliver_pending
from app.core.params import arg_choice
from app.core.roles import Role
from app.evaluation import services
from app.evaluation.blueprint import bp
from app.evaluation.forms import AnswerForm, SendForm
from app.evaluation.models import Invitation, Survey, SurveyKind
from app.evaluation.questions import FREE, LEVELS, PRINCIPLES, SCALE, SCALED
from app.evaluation.services import EvaluationError
from app.extensions import db

RESPONDENTS = (Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.PSW, Role.SUPERVISOR)


def _me():
    return current_user._get_current_object()


@bp.context_processor
def _questions() -> dict:
    return {"principles": PRINCIPLES, "levels": LEVELS, "scaled": SCALED, "free": FREE}


@bp.route("/")
@roles(Role.STAFF)
def surveys():
    rows = db.session.scalars(
        select(Survey)
        .join(Cohort, Cohort.id == Survey.cohort_id)
        .options(joinedload(Survey.cohort))
        .order_by(Cohort.programme_start.desc(), Survey.kind)
    ).all()
    return render_template("evaluation/surveys.html", surveys=rows)


@bp.route("/send", methods=["GET", "POST"])
@roles(Role.STAFF)
def send():
    form = SendForm()
    cohorts = db.session.scalars(select(Cohort).order_by(Cohort.programme_start.desc())).all()
    form.cohort_id.choices = [(c.id, c.name) for c in cohorts]
    if form.validate_on_submit():
        try:
            survey = services.send_survey(
                db.session.get(Cohort, form.cohort_id.data),
                _me(),
                SurveyKind(form.kind.data),
                form.opens_on.data,
                form.closes_on.data,
                today(),
            )
            db.session.commit()
        except EvaluationError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            deliver_pending()
            flash(
                "Sent: everyone invited has been emailed and sees it on their surveys page.",
                "success",
            )
            return redirect(url_for("evaluation.survey", survey_id=survey.id))
    status = 400 if request.method == "POST" else 200
    return render_template("evaluation/send.html", form=form), status


@bp.route("/surveys/<int:survey_id>")
@roles(Role.STAFF)
def survey(survey_id: int):
    s = get_or_404(Survey, survey_id, options=[joinedload(Survey.cohort)])
    invited, answered = services.invited_counts(s)
    return render_template(
        "evaluation/results.html",
        survey=s,
        results=services.results(s),
        invited=invited,
        answered=answered,
        smallest=services.SMALLEST_GROUP,
        scale=SCALE,
    )


@bp.route("/surveys/<int:survey_id>.csv")
@roles(Role.STAFF)
def survey_csv(survey_id: int):
    s = get_or_404(Survey, survey_id, options=[joinedload(Survey.cohort)])
    return HttpResponse(
        "".join(services.csv_text(s)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="evaluation-{s.id}.csv"'},
    )


@bp.route("/compare")
@roles(Role.STAFF)
def compare():
    kind = SurveyKind(arg_choice("kind", [k.value for k in SurveyKind], SurveyKind.END.value))
    return render_template(
        "evaluation/compare.html",
        kind=kind,
        kinds=list(SurveyKind),
        columns=services.compare(kind),
        smallest=services.SMALLEST_GROUP,
    )


@bp.route("/mine")
@roles(*RESPONDENTS)
def mine():
    return render_template(
        "evaluation/mine.html", invitations=services.open_invitations(_me(), today())
    )


@bp.route("/invitations/<int:invitation_id>", methods=["GET", "POST"])
@roles(*RESPONDENTS)
def answer(invitation_id: int):
    me = _me()
    inv = get_or_404(
        Invitation,
        invitation_id,
        lambda i: i.user_id == me.id,
        options=[joinedload(Invitation.survey).joinedload(Survey.cohort)],
    )
    form = AnswerForm()
    if not inv.answered and form.validate_on_submit():
        try:
            services.answer(
                inv,
                me,
                {q.key: int(form[q.key].data) for q in SCALED},
                {q.key: form[q.key].data or "" for q in FREE},
                form.anonymous.data == "yes",
                today(),
            )
            db.session.commit()
        except EvaluationError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("Thank you: your answers are in.", "success")
            return redirect(url_for("evaluation.mine"))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and inv.answered:
        form.add_error(None, "You have already answered this survey: thank you.")
    t = today()
    return render_template(
        "evaluation/answer.html",
        form=form,
        invitation=inv,
        closed=t > inv.survey.closes_on or t < inv.survey.opens_on,
    ), status
