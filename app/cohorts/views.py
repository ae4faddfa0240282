"""Cohorts: staff set them up; anyone can read a cohort's public page; PSWs publish
their authority's priority research areas."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from werkzeug.routing import BuildError

from app.cohorts import services
from app.cohorts.forms import CohortForm, EventForm, PriorityAreaForm
from app.cohorts.models import Cohort, EventKind, PriorityArea, RecruitmentEvent
from app.core.access import get_or_404, public, roles
from app.core.clock import today
from app.core.formatting import format_date, format_datetime, to_london
from app.core.forms import ActionForm
from app.core.navigation import register_nav
from app.core.pagination import paginate, parse_page
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.organisations.models import Organisation

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")


def _me():
    return current_user._get_current_object()


# --- public pages ----------------------------------------------------------------


@bp.route("/")
@public
def index():
    return render_template(
        "cohorts/index.html", cohorts=services.open_cohorts(today()), today=today()
    )


@bp.route("/<int:cohort_id>")
@public
def show(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    now = today()
    upcoming = [e for e in cohort.events if to_london(e.ends_at).date() >= now]
    past = [e for e in cohort.events if to_london(e.ends_at).date() < now]
    return render_template(
        "cohorts/show.html",
        cohort=cohort,
        today=now,
        state=cohort.window_state(now),
        days_left=(cohort.applications_close - now).days,
        upcoming=upcoming,
        past=past,
        areas_by_authority=_published_areas(cohort),
        apply_url=_apply_url(cohort),
        can_apply=current_user.is_authenticated
        and current_user.has_role(Role.APPLICANT, Role.AWARD_HOLDER),
    )


def _published_areas(cohort: Cohort) -> list[tuple[Organisation, list[PriorityArea]]]:
    areas = db.session.scalars(
        select(PriorityArea)
        .join(Organisation, Organisation.id == PriorityArea.organisation_id)
        .where(PriorityArea.cohort_id == cohort.id, PriorityArea.is_withdrawn.is_(False))
        .options(contains_eager(PriorityArea.organisation))
        .order_by(Organisation.name, PriorityArea.title)
    )
    return [(org, list(items)) for org, items in groupby(areas, key=lambda a: a.organisation)]


def _apply_url(cohort: Cohort) -> str:
    """The applicant's page listing open cohorts, each with a 'Start' button."""
    try:
        return url_for("applications.index")
    except BuildError:  # the application feature is not registered
        return "/applications/"


# --- programme staff: set up cohorts ------------------------------------------------


@bp.route("/manage")
@roles(Role.STAFF)
def manage():
    stmt = select(Cohort).order_by(Cohort.programme_start.desc(), Cohort.id.desc())
    page = paginate(stmt, parse_page(request.args.get("page")), current_app.config["PER_PAGE"])
    return render_template("cohorts/manage.html", page=page, cohorts=page.items, today=today())


@bp.route("/manage/new", methods=["GET", "POST"])
@roles(Role.STAFF)
def create():
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(_me(), form.cohort_data())
            db.session.commit()
        except services.CohortError as exc:
            _refused(form, exc)
        except IntegrityError:  # another member of staff took the name a moment ago
            db.session.rollback()
            form.add_error("name", "A cohort with this name already exists")
        else:
            flash(f"Cohort {cohort.name} has been set up.", "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None)


@bp.route("/manage/<int:cohort_id>")
@roles(Role.STAFF)
def detail(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    return render_template(
        "cohorts/detail.html",
        cohort=cohort,
        today=today(),
        areas_by_authority=_published_areas(cohort),
        action_form=ActionForm(),
    )


@bp.route("/manage/<int:cohort_id>/edit", methods=["GET", "POST"])
@roles(Role.STAFF)
def edit(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    form = CohortForm(obj=cohort)
    if form.validate_on_submit():
        try:
            services.update_cohort(_me(), cohort, form.cohort_data())
            db.session.commit()
        except services.CohortError as exc:
            _refused(form, exc)
        except IntegrityError:
            db.session.rollback()
            form.add_error("name", "A cohort with this name already exists")
        else:
            flash(f"Cohort {cohort.name} has been updated.", "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort)


@bp.route("/manage/<int:cohort_id>/events/new", methods=["GET", "POST"])
@roles(Role.STAFF)
def add_event(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    form = EventForm()
    if form.validate_on_submit():
        try:
            services.add_event(
                _me(),
                cohort,
                EventKind(form.kind.data),
                form.starts_at,
                form.ends_at,
                form.joining_details.data,
            )
        except services.CohortError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash("The session has been added.", "success")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/event_form.html", form=form, cohort=cohort)


@bp.route("/manage/<int:cohort_id>/events/<int:event_id>/remove", methods=["POST"])
@roles(Role.STAFF)
def remove_event(cohort_id: int, event_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    event = get_or_404(RecruitmentEvent, event_id, check=lambda e: e.cohort_id == cohort.id)
    if ActionForm().validate_on_submit():
        services.remove_event(_me(), event)
        db.session.commit()
        flash("The session has been removed.", "success")
    return redirect(url_for("cohorts.detail", cohort_id=cohort.id))


def _refused(form, exc: services.CohortError) -> None:
    db.session.rollback()
    if not form.add_error(exc.field, str(exc)):
        flash(str(exc), "error")


# --- Principal Social Workers: priority research areas -----------------------------


@bp.route("/<int:cohort_id>/priorities", methods=["GET", "POST"])
@roles(Role.PSW)
def priorities(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    organisations = services.psw_organisations(_me())
    form = PriorityAreaForm(organisations)
    if organisations and form.validate_on_submit():
        try:
            area = services.publish_priority_area(
                _me(),
                cohort,
                form.chosen_organisation,
                form.title.data,
                form.description.data,
                today(),
            )
        except services.CohortError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(f"'{area.title}' is published for {cohort.name}.", "success")
            return redirect(url_for("cohorts.priorities", cohort_id=cohort.id))
    areas = db.session.scalars(
        select(PriorityArea)
        .where(
            PriorityArea.cohort_id == cohort.id,
            PriorityArea.organisation_id.in_([o.id for o in organisations]),
        )
        .order_by(PriorityArea.is_withdrawn, PriorityArea.title)
    ).all()
    return render_template(
        "cohorts/priorities.html",
        cohort=cohort,
        organisations=organisations,
        areas=areas,
        form=form,
        action_form=ActionForm(),
        closed=services.publishing_closed(cohort, today()),
    )


@bp.route("/<int:cohort_id>/priorities/<int:area_id>/withdraw", methods=["POST"])
@roles(Role.PSW)
def withdraw_priority(cohort_id: int, area_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    own = {o.id for o in services.psw_organisations(_me())}
    area = get_or_404(
        PriorityArea,
        area_id,
        check=lambda a: a.cohort_id == cohort.id and a.organisation_id in own,
    )
    if ActionForm().validate_on_submit():
        try:
            services.withdraw_priority_area(_me(), area)
        except services.CohortError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"'{area.title}' has been withdrawn.", "success")
    return redirect(url_for("cohorts.priorities", cohort_id=cohort.id))


# --- home cards and navigation -----------------------------------------------------


@register_cards
def _cards(user) -> list[Card]:
    if not user.has_role(Role.STAFF, Role.PSW):
        return []
    now = today()
    current = services.open_cohorts(now)
    cards: list[Card] = []
    if user.has_role(Role.STAFF):
        for c in current:
            cards.append(
                Card(
                    f"Cohort {c.name}: {_window_summary(c, now).lower().rstrip('.')}",
                    f"{c.places} places. Applications are open from "
                    f"{format_date(c.applications_open)} to {format_date(c.applications_close)}.",
                    url_for("cohorts.detail", cohort_id=c.id),
                )
            )
        if not current:
            cards.append(
                Card(
                    "Set up the next cohort",
                    "No cohort is taking applications. Set one up with its dates and places.",
                    url_for("cohorts.create"),
                )
            )
    if user.has_role(Role.PSW):
        for c in current:
            cards.append(
                Card(
                    f"Publish your authority's priority research areas for {c.name}",
                    "Applicants can link their research question to one of them. "
                    + _window_summary(c, now),
                    url_for("cohorts.priorities", cohort_id=c.id),
                )
            )
    return cards


@bp.context_processor
def _template_helpers() -> dict:
    return {"session_time": _session_time}


def _session_time(event: RecruitmentEvent) -> str:
    """'3 March 2026 at 2:00pm to 3:30pm', in UK time."""
    start, end = format_datetime(event.starts_at), format_datetime(event.ends_at)
    if to_london(event.starts_at).date() == to_london(event.ends_at).date():
        end = end.rpartition(" at ")[2]
    return f"{start} to {end}"


def _window_summary(cohort: Cohort, now) -> str:
    if now < cohort.applications_open:
        return f"Applications open on {format_date(cohort.applications_open)}."
    days = (cohort.applications_close - now).days
    if days == 0:
        return "Applications close today."
    return f"Applications close in {days} day{'s' if days != 1 else ''}."


register_nav(40, "Cohorts", "cohorts.manage")
