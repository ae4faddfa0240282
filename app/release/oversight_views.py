"""At-risk view, calendar feeds, CSV export and residential days (routes on the release
blueprint)."""

from __future__ import annotations

from flask import (
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
from sqlalchemy.exc import IntegrityError

from app.cohorts.models import Cohort
from app.core.access import get_or_404, public, roles
from app.core.clock import today
from app.core.forms import ActionForm
from app.core.navigation import register_nav
from app.core.pagination import parse_page
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.release import calendar, oversight, services
from app.release.oversight_forms import ResidentialForm
from app.release.views import bp

OVERSEERS = (Role.STAFF, Role.PSW)
FEED_USERS = (Role.AWARD_HOLDER, Role.LINE_MANAGER)


def _me():
    return current_user._get_current_object()


# Award holders behind with their days ------------------------------------------------


@bp.route("/at-risk")
@roles(*OVERSEERS)
def at_risk():
    scope = oversight.scope_for(_me())
    cohorts = oversight.cohorts_with_awards(scope)
    filters = oversight.RiskFilters.from_args(request.args, cohorts)
    now = today()
    return render_template(
        "release/risk.html",
        result=oversight.at_risk_list(scope, filters, now, cohorts),
        filters=filters,
        cohorts=cohorts,
        running=[c for c in cohorts if c.programme_start <= now <= c.programme_end],
        chosen=next((c for c in cohorts if c.id == filters.cohort_id), None),
        sorts=oversight.SORTS,
        default_dir=oversight.DEFAULT_DIR,
        staff_view=scope.everyone,
        linked=scope.everyone or bool(scope.employer_ids),
        today=now,
    )


# A cohort's ledger: balances, CSV, residential days ------------------------------------


def _cohort_for(cohort_id: int) -> tuple[Cohort, oversight.Scope]:
    scope = oversight.scope_for(_me())
    cohort = get_or_404(Cohort, cohort_id, lambda c: oversight.can_view_cohort(scope, c))
    return cohort, scope


@bp.route("/cohorts/<int:cohort_id>")
@roles(*OVERSEERS)
def cohort_ledger(cohort_id: int):
    cohort, scope = _cohort_for(cohort_id)
    now = today()
    return render_template(
        "release/export_cohort.html",
        cohort=cohort,
        page=oversight.cohort_balances(scope, cohort, parse_page(request.args.get("page")), now),
        staff_view=scope.everyone,
        today=now,
    )


@bp.route("/cohorts/<int:cohort_id>/ledger.csv")
@roles(*OVERSEERS)
def cohort_ledger_csv(cohort_id: int):
    cohort, scope = _cohort_for(cohort_id)
    return Response(
        stream_with_context(oversight.ledger_csv_lines(scope, cohort)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{oversight.csv_filename(cohort)}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/cohorts/<int:cohort_id>/residential", methods=["GET", "POST"])
@roles(Role.STAFF)
def residential_new(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    form = ResidentialForm(oversight.awards_in_cohort(cohort))
    if form.validate_on_submit():
        award = form.chosen
        try:
            row = services.record_residential(
                award, _me(), form.date.data, half_day=form.half_day, today=today()
            )
            db.session.commit()
        except services.ReleaseError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        except IntegrityError:  # the same date recorded a moment ago
            db.session.rollback()
            form.add_error("date", "This date is already in the award holder's ledger")
        else:
            flash(
                f"{'Half' if row.half_days == 1 else 'Whole'} residential day on "
                f"{row.day:%A} {row.day.day} {row.day:%B %Y} recorded for {award.holder.name}.",
                "success",
            )
            return redirect(url_for("release.cohort_ledger", cohort_id=cohort.id))
    return render_template("release/residential.html", cohort=cohort, form=form)


# Calendar feeds ------------------------------------------------------------------------


def _scopes(user) -> list[str]:
    return [s for s in (calendar.SELF, calendar.TEAM) if calendar.can_have_feed(user, s)]


def _calendar_page(new_scope: str | None = None, new_url: str | None = None):
    me = _me()
    feeds = {s: calendar.active_feed(me, s) for s in _scopes(me)}
    return render_template(
        "release/calendar.html",
        feeds=feeds,
        new_scope=new_scope,
        new_url=new_url,
        action_form=ActionForm(),
    )


@bp.route("/calendar")
@roles(*FEED_USERS)
def calendar_page():
    return _calendar_page()


@bp.route("/calendar/<scope>/new", methods=["POST"])
@roles(*FEED_USERS)
def calendar_create(scope: str):
    me = _me()
    if scope not in _scopes(me):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        secret = calendar.create_feed(me, scope)
    except services.ReleaseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("release.calendar_page"))
    db.session.commit()
    # The address is shown once, on this page: only its hash is kept.
    return _calendar_page(new_scope=scope, new_url=calendar.feed_url(secret))


@bp.route("/calendar/<scope>/revoke", methods=["POST"])
@roles(*FEED_USERS)
def calendar_revoke(scope: str):
    me = _me()
    if scope not in _scopes(me):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        calendar.revoke_feed(me, scope)
        db.session.commit()
    except services.ReleaseError as exc:
        db.session.rollback()
        flash(str(exc), "info")
    else:
        flash(calendar.REVOKED, "success")
    return redirect(url_for("release.calendar_page"))


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    """The secret is the credential: no session, 404 unless it is live."""
    feed = calendar.find_feed(token)
    if feed is None:
        abort(404)
    return calendar.ics_response(calendar.build_calendar(feed), "research-days.ics")


# Home page and navigation --------------------------------------------------------------


@register_cards
def _risk_cards(user) -> list[Card]:
    if not user.has_role(*OVERSEERS):
        return []
    scope = oversight.scope_for(user)
    if not scope.everyone and not scope.employer_ids:
        return []
    behind, holders = oversight.at_risk_count(scope, today())
    if not holders:
        return []
    where = "" if scope.everyone else " from your authority"
    if behind:
        noun = "award holder is" if behind == 1 else "award holders are"
        return [
            Card(
                f"{behind} {noun} behind with their research days",
                f"Out of {holders}{where} in their programme year now. "
                "See who, and how many days behind a steady pace they are.",
                url_for("release.at_risk", at_risk="1"),
                waiting=behind,
            )
        ]
    who = (
        f"The award holder{where} is" if holders == 1 else f"All {holders} award holders{where} are"
    )
    return [
        Card(
            "Research days on track",
            f"{who} keeping pace with their release days.",
            url_for("release.at_risk"),
        )
    ]


@register_cards
def _calendar_cards(user) -> list[Card]:
    """Offer a calendar address to award holders and managers who have not made one."""
    scopes = _scopes(user)
    if not scopes or any(calendar.active_feed(user, s) for s in scopes):
        return []
    whose = "your team's" if scopes == [calendar.TEAM] else "your"
    return [
        Card(
            f"Add {whose} research days to your calendar",
            "Approved days appear in Outlook or Google Calendar and stay up to date.",
            url_for("release.calendar_page"),
        )
    ]


register_nav(35, "At risk", "release.at_risk")
