"""Selection: programme staff review, score, shortlist and decide; the applicant profile report."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from app.applications import services
from app.applications.models import Application, AppStatus, ServiceArea
from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.navigation import register_nav
from app.core.pagination import parse_page
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.selection import queries, report
from app.selection.forms import OUTCOMES, DecisionForm, ReviewForm

bp = Blueprint("selection", __name__, url_prefix="/selection")

DECIDED = {
    AppStatus.SHORTLISTED: "{name} has been shortlisted.",
    AppStatus.AWARDED: "{name} has been awarded a place. They have been emailed.",
    AppStatus.WAITLISTED: "{name} is on the waiting list. They have been emailed.",
    AppStatus.DECLINED: "{name}'s application has been declined. They have been emailed.",
}


def _me():
    return current_user._get_current_object()


@bp.route("/")
@roles(Role.STAFF)
def cohort_list():
    page = queries.cohort_page(parse_page(request.args.get("page")))
    counts = queries.status_counts([c.id for c in page.items])
    return render_template(
        "selection/cohort_list.html", page=page, counts=counts, statuses=queries.LISTED
    )


@bp.route("/cohorts/<int:cohort_id>")
@roles(Role.STAFF)
def cohort_detail(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    filters = queries.ApplicationFilters.from_args(request.args)
    counts = queries.status_counts([cohort.id])[cohort.id]
    return render_template(
        "selection/cohort_detail.html",
        cohort=cohort,
        filters=filters,
        page=queries.list_applications(cohort, _me(), filters, total=sum(counts.values())),
        counts=counts,
        awarded=counts.get(AppStatus.AWARDED, 0),
        employers=queries.cohort_employers(cohort.id),
        statuses=queries.LISTED,
        service_areas=list(ServiceArea),
        sign_off_choices=queries.SIGN_OFF_CHOICES,
        sorts=queries.SORTS,
        default_dir=queries.DEFAULT_DIR,
        action_form=ActionForm(),
    )


@bp.route("/cohorts/<int:cohort_id>/reveal-scores", methods=["POST"])
@roles(Role.STAFF)
def reveal_scores(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    if ActionForm().validate_on_submit():
        try:
            services.reveal_scores(cohort, _me())
        except services.ApplicationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Scores are revealed: every reviewer now sees everyone's scores.", "success")
    return redirect(url_for("selection.cohort_detail", cohort_id=cohort_id))


# One application ----------------------------------------------------------------------


def _allowed_outcomes(app: Application) -> list[str]:
    """The decisions the status allows (services.ALLOWED is the one source)."""
    return [value for value, _ in OUTCOMES if AppStatus(value) in services.ALLOWED[app.status]]


def _render_application(app: Application, review_form=None, decision_form=None, status=200):
    me = _me()
    reviews = services.visible_reviews(app, me)
    mine = next((r for r in reviews if r.reviewer_id == me.id), None)
    if review_form is None:
        review_form = ReviewForm(formdata=None)
        if mine is not None:
            review_form.score.data, review_form.notes.data = str(mine.score), mine.notes
    allowed = _allowed_outcomes(app)
    if decision_form is None:
        decision_form = DecisionForm(allowed, formdata=None)
    scores = [r.score for r in reviews]
    return (
        render_template(
            "selection/application.html",
            app=app,
            record=app.current_sign_off,
            endorsed=services.valid_endorsement(app),
            earlier=[s for s in app.sign_offs if s is not app.current_sign_off],
            reviews=reviews,
            mean=(sum(scores) / len(scores)) if scores and app.cohort.scores_revealed else None,
            can_review=app.status in services.CONSIDERED,
            review_form=review_form,
            decision_form=decision_form,
            allowed=allowed,
            awarded=services.awarded_count(app.cohort_id),
            form=review_form if review_form.errors else decision_form,
        ),
        status,
    )


def _listed(app: Application) -> bool:
    return app.status != AppStatus.DRAFT


def _application_or_404(application_id: int) -> Application:
    """The application with everything its page shows loaded (drafts are not listed)."""
    app = queries.application_for_review(application_id)
    if app is None or not _listed(app):
        abort(404)
    return app


@bp.route("/applications/<int:application_id>")
@roles(Role.STAFF)
def application_detail(application_id: int):
    return _render_application(_application_or_404(application_id))


@bp.route("/applications/<int:application_id>/review", methods=["POST"])
@roles(Role.STAFF)
def review(application_id: int):
    app = get_or_404(Application, application_id, _listed)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_application(app, review_form=form)
    try:
        services.record_review(app, _me(), form.score_value, form.notes.data or "")
    except services.ApplicationError as exc:
        db.session.rollback()
        form.score.errors = [str(exc)]
        return _render_application(app, review_form=form)
    db.session.commit()
    flash("Your review has been saved.", "success")
    return redirect(url_for("selection.application_detail", application_id=app.id) + "#review")


def _would_refuse(app: Application, outcome: AppStatus) -> bool:
    """No "are you sure?" for a decision the service will refuse (it says why instead)."""
    if app.status not in services.CONSIDERED or not services.valid_endorsement(app):
        return True
    places = app.cohort.places
    return outcome == AppStatus.AWARDED and services.awarded_count(app.cohort_id) >= places


@bp.route("/applications/<int:application_id>/decision", methods=["POST"])
@roles(Role.STAFF)
def decide(application_id: int):
    app = get_or_404(Application, application_id, _listed)
    form = DecisionForm(_allowed_outcomes(app))
    if not form.validate_on_submit():
        return _render_application(app, decision_form=form)
    outcome, message = form.outcome_value, (form.message.data or "").strip()
    if not services.ALLOWED[app.status]:  # awarded, declined or withdrawn: final
        form.outcome.errors = [
            f"This application is {app.status.label.lower()}, so no further decision can be made."
        ]
        return _render_application(app, decision_form=form)
    if form.cancelled:
        return _render_application(app, decision_form=form)
    if form.needs_confirming and not _would_refuse(app, outcome):
        return render_template(
            "selection/confirm_decision.html",
            app=app,
            form=form,
            outcome=outcome,
            awarded=services.awarded_count(app.cohort_id),
        )
    try:
        seen = form.seen_status
        if outcome == AppStatus.SHORTLISTED:
            services.shortlist(app, _me(), message, seen=seen)
        else:
            services.decide(app, _me(), outcome, message, seen=seen)
    except services.ApplicationError as exc:
        db.session.rollback()
        form.outcome.errors = [str(exc)]
        return _render_application(app, decision_form=form)
    db.session.commit()
    deliver_pending()
    flash(DECIDED[outcome].format(name=app.applicant.name), "success")
    return redirect(url_for("selection.application_detail", application_id=app.id))


# The applicant profile report -----------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/profile")
@roles(Role.STAFF)
def profile(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    population = report.parse_population(request.args.get("population"))
    return render_template(
        "selection/profile.html",
        profile=report.build_profile(cohort, population),
        populations=report.POPULATIONS,
    )


@bp.route("/cohorts/<int:cohort_id>/profile.csv")
@roles(Role.STAFF)
def profile_csv(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    data = report.build_profile(cohort, report.parse_population(request.args.get("population")))
    return Response(
        stream_with_context(report.csv_lines(data)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{report.csv_filename(data)}"',
            "Cache-Control": "no-store",
        },
    )


# Home page and navigation ----------------------------------------------------------------


@register_cards
def _staff_cards(user) -> list[Card]:
    if not user.has_role(Role.STAFF):
        return []
    cards = []
    for cohort_id, cohort_name, waiting, unscored in queries.waiting_for_review(user):
        noun = "application" if waiting == 1 else "applications"
        cards.append(
            Card(
                f"{waiting} {noun} waiting for review in {cohort_name}",
                f"Signed off by a PSW and not yet decided. You have not scored {unscored}.",
                url_for("selection.cohort_detail", cohort_id=cohort_id),
                waiting=waiting,
            )
        )
    if not cards:
        cards.append(
            Card(
                "Selection",
                "No applications are waiting for review. Review, score and award applications.",
                url_for("selection.cohort_list"),
            )
        )
    return cards


register_nav(30, "Selection", "selection.cohort_list")
