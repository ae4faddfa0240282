"""The application form: drafts in sections, check your answers, submit, withdraw.

An applicant sees only their own applications: anyone else's id answers 404.
Rules live in services (start, save_section, submit, reopen, withdraw); these
views load, check, validate, call one service, commit, then send the email.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import User, UserRole, UserStatus
from app.accounts.services import AccountError, invite_user, normalise_email
from app.applications import services
from app.applications.forms import (
    FORMS,
    LIMITS,
    DeclarationsForm,
    EmploymentForm,
    PeopleForm,
    ResearchForm,
    WithdrawForm,
    answers,
)
from app.applications.models import Application, AppStatus, SignOffDecision
from app.applications.sections import SECTION_BY_SLUG, SECTIONS, missing_answers
from app.applications.services import ApplicationError
from app.cohorts.models import Cohort
from app.cohorts.services import open_cohorts, priority_areas_for
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.formatting import format_date
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.navigation import register_nav
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.organisations.models import Membership, Organisation, OrgKind

bp = Blueprint("applications", __name__, url_prefix="/applications")

APPLICANTS = (Role.APPLICANT, Role.AWARD_HOLDER)
S = AppStatus
EMPLOYER_KINDS = (OrgKind.LOCAL_AUTHORITY, OrgKind.NHS_TRUST, OrgKind.THIRD_SECTOR)
# model field -> (form field, role of the person chosen there)
PEOPLE = {"line_manager_id": ("line_manager", Role.LINE_MANAGER), "psw_id": ("psw", Role.PSW)}


# Loading and rules -----------------------------------------------------------------


def _me() -> User:
    return current_user._get_current_object()


def _is_mine(application: Application) -> bool:
    return application.applicant_id == current_user.id


def _load(application_id: int) -> Application:
    return get_or_404(Application, application_id, _is_mine)


def _mine(user) -> list[Application]:
    """The applicant's applications, newest first, with the cohort and PSW the list and the
    home page cards name."""
    return list(
        db.session.scalars(
            select(Application)
            .options(
                joinedload(Application.cohort),
                joinedload(Application.psw).lazyload(User.role_links),
            )
            .where(Application.applicant_id == user.id)
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )


def can_withdraw(application: Application) -> bool:
    return S.WITHDRAWN in services.ALLOWED[application.status]


def can_reopen(application: Application) -> bool:
    """services.reopen's rule, asked before showing the button."""
    return S.DRAFT in services.ALLOWED[application.status] and application.cohort.window_is_open(
        today()
    )


def _locked_message(application: Application) -> str:
    if application.status == S.WITHDRAWN:
        return "This application has been withdrawn, so it can no longer be changed."
    if can_reopen(application):
        return (
            "Your application has been submitted, so it cannot be changed. To change it, "
            "choose 'Change my application'."
        )
    return "Your application has been submitted and can no longer be changed."


def _commit_and_mail() -> None:
    db.session.commit()
    deliver_pending()


def _to_overview(application: Application):
    return redirect(url_for(".overview", application_id=application.id))


def _section_url(application: Application, slug: str, field: str | None = None) -> str:
    anchor = PEOPLE[field][0] if field in PEOPLE else field
    url = url_for(".section", application_id=application.id, slug=slug)
    return f"{url}#{anchor}" if anchor else url


def _section_of(field: str | None) -> str | None:
    return next((s.slug for s in SECTIONS if field in s.fields), None)


# Choices offered on the form -------------------------------------------------------


def _employers(user: User, application: Application) -> tuple[list[Organisation], bool]:
    """The applicant's own employers (shown as radios) or, failing those, every active
    employer (a select). The current answer is always offered."""
    orgs = [o for o in user.organisations if o.is_employer and o.is_active]
    as_select = not orgs
    if as_select:
        orgs = list(
            db.session.scalars(
                select(Organisation)
                .where(Organisation.is_active.is_(True), Organisation.kind.in_(EMPLOYER_KINDS))
                .order_by(Organisation.name)
            )
        )
    if application.employer is not None and application.employer not in orgs:
        orgs.append(application.employer)
    return orgs, as_select


def _people(org_id: int | None, role: Role, applicant_id: int) -> list[User]:
    """The employer's people holding `role` who can be named (invited ones too)."""
    if org_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                UserRole.role == role,
                Membership.organisation_id == org_id,
                User.status.in_((UserStatus.ACTIVE, UserStatus.INVITED)),
                User.id != applicant_id,
            )
            .order_by(User.name, User.id)
        )
    )


def _section_form(slug: str, application: Application, user: User):
    """The section's form (bound to the POST, or showing the saved answers) and the
    extra things its page shows."""
    cls = FORMS[slug]
    data = cls.initial(application) if request.method != "POST" else None
    if cls is EmploymentForm:
        orgs, as_select = _employers(user, application)
        form = cls([(o.id, o.name) for o in orgs], data=data)
        return form, {"employer_as_select": as_select}
    if cls is ResearchForm:
        areas = priority_areas_for(application.cohort_id, application.employer_id)
        return cls([(a.id, a.title) for a in areas], data=data), {"areas": areas}
    if cls is PeopleForm:
        managers = _people(application.employer_id, Role.LINE_MANAGER, user.id)
        psws = _people(application.employer_id, Role.PSW, user.id)
        form = cls([(p.id, p.name) for p in managers], [(p.id, p.name) for p in psws], data=data)
        return form, {"managers": managers, "psws": psws}
    if cls is DeclarationsForm:
        return cls(application.cohort, data=data), {}
    return cls(data=data), {}


def _invite(form: PeopleForm, application: Application, actor: User) -> dict[str, User]:
    """Invite the people the applicant named by email: {model field: new user}.
    One person named as both line manager and PSW gets one account with both roles."""
    wanted: dict[str, dict] = {}
    for choice, model, name, email in form.invites():
        entry = wanted.setdefault(normalise_email(email), {"name": name, "models": []})
        entry["models"].append((choice, model))
    invited: dict[str, User] = {}
    for email, entry in wanted.items():
        roles_ = [PEOPLE[model][1] for _c, model in entry["models"]]
        try:
            person = invite_user(actor, entry["name"], email, roles_, [application.employer])
        except AccountError:
            choice, model = entry["models"][0]
            who = "line manager" if model == "line_manager_id" else "Principal Social Worker"
            raise ApplicationError(
                f"Someone with this email address already has an account, so we cannot invite "
                f"them. If they are your {who} at {application.employer.name}, choose them from "
                "the list. If they are not in the list, ask programme staff to add them.",
                f"{choice}_email",
            )
        for _choice, model in entry["models"]:
            invited[model] = person
    return invited


# Pages -----------------------------------------------------------------------------


@bp.route("/")
@roles(*APPLICANTS)
def index():
    mine = _mine(current_user)
    return render_template(
        "applications/index.html",
        applications=mine,
        applied={a.cohort_id: a for a in mine},
        cohorts=open_cohorts(today()),
        today=today(),
        action_form=ActionForm(),
    )


@bp.route("/cohorts/<int:cohort_id>/start", methods=["POST"])
@roles(*APPLICANTS)
def start(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".index"))
    try:
        application = services.start_application(_me(), cohort, today())
        db.session.commit()
    except ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    except IntegrityError:  # a second click raced the first one
        db.session.rollback()
        flash(f"You have already started an application to {cohort.name}.", "error")
        return redirect(url_for(".index"))
    flash(
        f"Your application to {cohort.name} has been started. Your answers are saved as you "
        "go, so you can finish it over several sittings.",
        "success",
    )
    return _to_overview(application)


@bp.route("/<int:application_id>")
@roles(*APPLICANTS)
def overview(application_id: int):
    application = _load(application_id)
    missing = {slug for slug, _f, _m in missing_answers(application)}
    tasks = [
        {
            "section": s,
            "status": (
                "cannot_start"
                if s.slug == "people" and application.employer_id is None
                else ("incomplete" if s.slug in missing else "completed")
            ),
        }
        for s in SECTIONS
    ]
    sign_off = application.current_sign_off
    declined = (
        sign_off
        if sign_off is not None
        and sign_off.decision == SignOffDecision.DECLINED
        and application.status in (S.PSW_DECLINED, S.DRAFT)
        else None
    )
    return render_template(
        "applications/overview.html",
        application=application,
        tasks=tasks,
        completed=sum(t["status"] == "completed" for t in tasks),
        declined=declined,
        history=services.history(application),
        can_withdraw=can_withdraw(application),
        can_reopen=can_reopen(application),
        window=application.cohort.window_state(today()),
    )


@bp.route("/<int:application_id>/<slug>", methods=["GET", "POST"])
@roles(*APPLICANTS)
def section(application_id: int, slug: str):
    application = _load(application_id)
    section = SECTION_BY_SLUG.get(slug)
    if section is None:
        abort(404)
    if application.status != S.DRAFT:
        flash(_locked_message(application), "info")
        return _to_overview(application)
    if slug == "people" and application.employer_id is None:
        flash(
            "Tell us who your employer is first. You can then choose your line manager and "
            "Principal Social Worker from the people who work there.",
            "info",
        )
        return redirect(url_for(".section", application_id=application.id, slug="employment"))
    me = _me()
    form, context = _section_form(slug, application, me)
    problem = None
    if form.validate_on_submit():
        invited: dict[str, User] = {}
        try:
            data = form.to_data()
            if isinstance(form, PeopleForm):
                invited = _invite(form, application, me)
                data.update({model: person.id for model, person in invited.items()})
            services.save_section(application, slug, data, me)
            db.session.commit()
        except ApplicationError as exc:
            db.session.rollback()
            name = PEOPLE[exc.field][0] if exc.field in PEOPLE else exc.field
            if name and name in form:
                form[name].errors = [str(exc)]
            else:
                problem = str(exc)
        else:
            deliver_pending()
            for person in {p.id: p for p in invited.values()}.values():
                flash(f"We have emailed an invitation to {person.name} ({person.email}).", "info")
            if "later" in request.form:
                flash(
                    "Your answers have been saved. You can come back and finish your "
                    f"application at any time before applications close on "
                    f"{format_date(application.cohort.applications_close)}.",
                    "success",
                )
                return redirect(url_for(".index"))
            flash(f"{section.title}: your answers have been saved.", "success")
            return _to_overview(application)
    return render_template(
        f"applications/section_{slug}.html",
        application=application,
        section=section,
        form=form,
        problem=problem,
        error=problem,
        limits=LIMITS,
        **context,
    )


@bp.route("/<int:application_id>/check-answers", methods=["GET", "POST"])
@roles(*APPLICANTS)
def check_answers(application_id: int):
    application = _load(application_id)
    form = ActionForm()
    problem, items = None, []
    if request.method == "POST":
        if application.status != S.DRAFT:
            flash(_locked_message(application), "info")
            return _to_overview(application)
        if form.validate_on_submit():
            try:
                services.submit(application, _me(), today())
                db.session.commit()
            except ApplicationError as exc:
                db.session.rollback()
                problem, items = str(exc), _submit_problems(application, exc)
            else:
                deliver_pending()
                return redirect(url_for(".submitted", application_id=application.id))
    has_areas = bool(priority_areas_for(application.cohort_id, application.employer_id))
    return render_template(
        "applications/check_answers.html",
        application=application,
        sections=answers(application, has_areas),
        action_form=form,
        problem=problem,
        errors=items,
        editable=application.status == S.DRAFT,
    )


def _submit_problems(application: Application, exc: ApplicationError) -> list[dict]:
    """The error summary's items: each missing answer, linking to its question."""
    if exc.field:
        slug = _section_of(exc.field) or "people"
        return [{"text": str(exc), "href": _section_url(application, slug, exc.field)}]
    if not application.cohort.window_is_open(today()):
        return []
    return [
        {"text": message, "href": _section_url(application, slug, field)}
        for slug, field, message in missing_answers(application)
    ]


@bp.route("/<int:application_id>/submitted")
@roles(*APPLICANTS)
def submitted(application_id: int):
    application = _load(application_id)
    if application.status != S.SUBMITTED:
        return _to_overview(application)
    return render_template("applications/submitted.html", application=application)


@bp.route("/<int:application_id>/withdraw", methods=["GET", "POST"])
@roles(*APPLICANTS)
def withdraw(application_id: int):
    application = _load(application_id)
    if not can_withdraw(application):
        flash(
            f"This application is {application.status.label.lower()}, so it cannot be withdrawn.",
            "info",
        )
        return _to_overview(application)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(application, _me(), form.reason.data)
            _commit_and_mail()
        except ApplicationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(f"Your application to {application.cohort.name} has been withdrawn.", "success")
        return _to_overview(application)
    return render_template(
        "applications/withdraw.html", application=application, form=form, limits=LIMITS
    )


@bp.route("/<int:application_id>/change", methods=["GET", "POST"])
@roles(*APPLICANTS)
def reopen(application_id: int):
    application = _load(application_id)
    if not can_reopen(application):
        if application.status == S.DRAFT:
            return _to_overview(application)
        flash(_locked_message(application), "info")
        return _to_overview(application)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.reopen(application, _me(), today())
            db.session.commit()
        except ApplicationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(
                "Your application is back in draft. Make your changes, then submit it again "
                f"by {format_date(application.cohort.applications_close)}. Your Principal Social "
                "Worker will need to sign it off again.",
                "success",
            )
        return _to_overview(application)
    return render_template("applications/reopen.html", application=application, form=form)


# The home page and the menu ----------------------------------------------------------


def _card(application: Application, day) -> Card | None:
    cohort = application.cohort
    closes = format_date(cohort.applications_close)
    href = url_for("applications.overview", application_id=application.id)
    status = application.status
    if status == S.DRAFT:
        done = len(SECTIONS) - len({slug for slug, _f, _m in missing_answers(application)})
        progress = f"{done} of {len(SECTIONS)} sections complete."
        state = cohort.window_state(day)
        if state == "closed":
            if day >= cohort.programme_start:
                return None
            return Card(
                f"Your application to {cohort.name} was not submitted",
                f"Applications closed on {closes}.",
                href,
            )
        if state == "not_open":
            opens = format_date(cohort.applications_open)
            when = f"You can submit it once applications open on {opens}."
        else:
            when = f"Submit it by {closes}."
        return Card(f"Continue your application to {cohort.name}", f"{progress} {when}", href)
    psw = application.psw.name if application.psw else "Your Principal Social Worker"
    texts = {
        S.SUBMITTED: (
            "Waiting for your PSW to sign off",
            f"{psw} has been asked to sign off your application to {cohort.name}.",
        ),
        S.ENDORSED: (
            f"Your application to {cohort.name} has been signed off",
            f"Programme staff will review it after applications close on {closes}.",
        ),
        S.PSW_DECLINED: (
            "Your PSW did not endorse your application",
            "Read their reason. "
            + (
                f"You can change your application and submit it again until {closes}."
                if cohort.window_is_open(day)
                else ""
            ),
        ),
        S.SHORTLISTED: (
            f"You have been shortlisted for {cohort.name}",
            "Programme staff will tell you their decision.",
        ),
        S.WAITLISTED: (
            f"You are on the waiting list for {cohort.name}",
            "We will tell you if a place becomes available.",
        ),
        S.AWARDED: (
            f"You have been awarded a place on {cohort.name}",
            "Read the message from programme staff.",
        ),
        S.DECLINED: (
            f"Your application to {cohort.name} was not successful",
            "Read the message from programme staff.",
        ),
    }
    if status not in texts:  # withdrawn: nothing is asked of them
        return None
    if status in (S.AWARDED, S.DECLINED) and day >= cohort.programme_start:
        return None  # the programme year has begun: the award's own pages take over
    heading, description = texts[status]
    return Card(heading, description.strip(), href)


@register_cards
def application_cards(user) -> list[Card]:
    """What an applicant is asked to do next, on the home page."""
    if not user.has_role(*APPLICANTS):
        return []
    day = today()
    mine = _mine(user)
    cards = [c for c in (_card(a, day) for a in mine) if c is not None]
    applied = {a.cohort_id for a in mine}
    for cohort in open_cohorts(day):
        if cohort.id not in applied:
            cards.append(
                Card(
                    f"Apply to the {cohort.name} programme",
                    f"Applications close on {format_date(cohort.applications_close)}.",
                    url_for("applications.index"),
                )
            )
    return cards


def _applications_in_header(user) -> bool:
    """Not for someone who registered only to take part in a community (every account
    gets the applicant role) until they start an application; the page stays theirs."""
    from app.home.activity import community_only

    return not community_only(user)


register_nav(10, "Your applications", "applications.index", shown=_applications_in_header)


from app.applications import signoff_views  # noqa: E402,F401  (PSW routes on this blueprint)
