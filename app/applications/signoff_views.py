"""Principal Social Worker sign-off of applications (routes on the applications blueprint).

A PSW sees their own employer's applications: those waiting for sign-off first, then
those their authority has decided. The sign-off page shows the whole application and,
while it waits, a form to endorse (two explicit confirmations) or decline (with a
reason the applicant sees). Once made, a sign-off is shown read-only, never edited.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, load_only
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.accounts.models import User
from app.applications import services
from app.applications.models import Application, AppStatus, SignOff
from app.applications.views import bp
from app.cohorts.models import Cohort
from app.cohorts.services import psw_organisations
from app.core.access import get_or_404, roles
from app.core.forms import BaseForm, choices
from app.core.mail import deliver_pending
from app.core.navigation import register_nav
from app.core.pagination import paginate, parse_page
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.organisations.models import Membership, Organisation

ENDORSE, DECLINE = "endorse", "decline"
REASON_MAX = 2000


class SignOffForm(BaseForm):
    """Endorse (both statements confirmed, each by its own checkbox) or decline with a reason.

    The statements are the exact words the PSW confirms; they come from the application's
    cohort and employer (services.statements) and label the two checkboxes.
    """

    decision = RadioField(
        "Do you endorse this application?",
        choices=choices([(ENDORSE, "Endorse"), (DECLINE, "Do not endorse")]),
        validators=[InputRequired("Select whether you endorse the application")],
    )
    confirm_release = BooleanField()
    confirm_strategic = BooleanField()
    reason = TextAreaField(
        "Why are you not endorsing the application?",
        description="The applicant will see this reason.",
        validators=[
            Length(max=REASON_MAX, message=f"Reason must be {REASON_MAX} characters or fewer")
        ],
    )

    def __init__(self, release_statement: str, strategic_statement: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.confirm_release.label.text = release_statement
        self.confirm_strategic.label.text = strategic_statement

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.decision.data == ENDORSE:
            if not self.confirm_release.data:
                self.confirm_release.errors.append("Confirm the release from work to endorse")
                ok = False
            if not self.confirm_strategic.data:
                self.confirm_strategic.errors.append(
                    "Confirm the question's strategic importance to endorse"
                )
                ok = False
        elif self.decision.data == DECLINE and not (self.reason.data or "").strip():
            self.reason.errors.append("Give a reason for not endorsing the application")
            ok = False
        return ok


# Queries ------------------------------------------------------------------------------


def _employer_ids(user: User) -> list[int]:
    """The employers whose applications this PSW may read."""
    return [o.id for o in psw_organisations(user)]


def _waiting(ids: list[int]):
    return (Application.employer_id.in_(ids or [-1]), Application.status == AppStatus.SUBMITTED)


def _employers(user: User) -> list[Organisation]:
    """`psw_organisations` in one query (the memberships, then each organisation)."""
    if not user.has_role(Role.PSW):
        return []
    orgs = db.session.scalars(
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.id)
    )
    return [o for o in orgs if o.is_employer]


def waiting_for(user: User, page: int, ids: list[int] | None = None):
    """One page of submitted applications from the PSW's employers (`ids`, if known),
    oldest first: the page's rows with their applicant and cohort in one query, and a
    plain COUNT."""
    ids = _employer_ids(user) if ids is None else ids
    stmt = (
        select(Application)
        .options(
            load_only(
                Application.id,
                Application.current_role,
                Application.team,
                Application.submitted_at,
            ),
            joinedload(Application.applicant)
            .load_only(User.id, User.name)
            .lazyload(User.role_links),
            joinedload(Application.cohort).load_only(Cohort.id, Cohort.name),
        )
        .where(*_waiting(ids))
        .order_by(Application.submitted_at, Application.id)
    )
    count = select(func.count(Application.id)).where(*_waiting(ids))
    per_page = current_app.config["PER_PAGE"]
    result = paginate(stmt, page, per_page, count_stmt=count)
    if not result.items and result.total and page > result.pages:  # past the end: the last
        result = paginate(stmt, result.pages, per_page, count_stmt=count)
    return result


def waiting_count(user: User) -> int:
    ids = _employer_ids(user)
    if not ids:
        return 0
    return (
        db.session.scalar(
            select(func.count(Application.id)).where(
                Application.employer_id.in_(ids), Application.status == AppStatus.SUBMITTED
            )
        )
        or 0
    )


def decided_by_employer(user: User, page: int, ids: list[int] | None = None):
    """Sign-offs made for the PSW's employers (by them or a colleague), newest first."""
    ids = (_employer_ids(user) if ids is None else ids) or [-1]
    stmt = (
        select(SignOff)
        .join(Application, SignOff.application_id == Application.id)
        .options(
            contains_eager(SignOff.application)
            .load_only(Application.id, Application.status, Application.version)
            .joinedload(Application.applicant)
            .load_only(User.id, User.name)
            .lazyload(User.role_links),
            joinedload(SignOff.psw).load_only(User.id, User.name).lazyload(User.role_links),
        )
        .where(SignOff.employer_id.in_(ids))
        .order_by(SignOff.signed_at.desc(), SignOff.id.desc())
    )
    # every sign-off has its application: the COUNT needs neither the join nor the columns
    count = select(func.count(SignOff.id)).where(SignOff.employer_id.in_(ids))
    return paginate(stmt, page, 20, count_stmt=count)


def may_see(user: User, app: Application) -> bool:
    """A PSW of the applicant's employer (the rule in services.can_sign) may see it."""
    return services.can_sign(user, app)


# Views --------------------------------------------------------------------------------


@bp.route("/sign-off")
@roles(Role.PSW)
def sign_off_list():
    user = current_user._get_current_object()
    employers = _employers(user)
    ids = [o.id for o in employers]
    return render_template(
        "applications/sign_off_list.html",
        waiting=waiting_for(user, parse_page(request.args.get("waiting_page")), ids),
        decided=decided_by_employer(user, parse_page(request.args.get("page")), ids),
        employers=employers,
    )


@bp.route("/<int:application_id>/sign-off", methods=["GET", "POST"])
@roles(Role.PSW)
def sign_off(application_id: int):
    user = current_user._get_current_object()
    app = get_or_404(Application, application_id, lambda a: may_see(user, a))
    record = app.current_sign_off
    release, strategic = services.statements(app)
    form = SignOffForm(release, strategic)
    if request.method == "POST":
        refusal = _refusal(app, record)
        if refusal:
            flash(refusal, "error")
            return redirect(url_for("applications.sign_off", application_id=app.id))
        if form.validate_on_submit():
            endorse = form.decision.data == ENDORSE
            try:
                services.sign_off(
                    app,
                    user,
                    endorse=endorse,
                    confirmed_release=endorse and form.confirm_release.data,
                    confirmed_strategic=endorse and form.confirm_strategic.data,
                    reason="" if endorse else form.reason.data,
                )
            except services.ApplicationError as exc:
                db.session.rollback()
                flash(str(exc), "error")
                return redirect(url_for("applications.sign_off", application_id=app.id))
            db.session.commit()
            deliver_pending()
            flash(
                f"You have endorsed {app.applicant.name}'s application."
                if endorse
                else f"You have not endorsed {app.applicant.name}'s application. "
                "They have been sent your reason.",
                "success",
            )
            return redirect(url_for("applications.sign_off", application_id=app.id))
    return render_template(
        "applications/sign_off.html",
        app=app,
        form=form,
        record=record,
        earlier=[s for s in app.sign_offs if s is not record],
        refusal=_refusal(app, record),
        show_content=app.status != AppStatus.DRAFT and app.version > 0,
    )


def _refusal(app: Application, record: SignOff | None) -> str | None:
    """Why this application cannot be signed off now (the service enforces the same)."""
    if record is not None:
        who = record.psw.name if record.psw else "a Principal Social Worker"
        return (
            f"This application was already signed off by {who}. "
            "A sign-off is a record and cannot be changed."
        )
    if app.status == AppStatus.DRAFT:
        return "This application is a draft. It can be signed off once the applicant submits it."
    if app.status == AppStatus.WITHDRAWN:
        return "This application has been withdrawn, so it cannot be signed off."
    if app.status != AppStatus.SUBMITTED:
        return f"This application is {app.status.label.lower()}, so it cannot be signed off."
    return None


# Home page and navigation ----------------------------------------------------------------


@register_cards
def _psw_cards(user) -> list[Card]:
    if not user.has_role(Role.PSW):
        return []
    n = waiting_count(user)
    if n == 0:
        heading = "No applications waiting for your sign-off"
    elif n == 1:
        heading = "1 application waiting for your sign-off"
    else:
        heading = f"{n} applications waiting for your sign-off"
    return [
        Card(
            heading,
            "Read each application and endorse or decline it.",
            url_for("applications.sign_off_list"),
            waiting=n,
        )
    ]


register_nav(20, "Sign-offs", "applications.sign_off_list")
