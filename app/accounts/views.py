"""Accounts: sign in and out, registration, invitations, passwords, staff administration."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.accounts import queries, services, twofactor
from app.accounts.forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    InviteForm,
    RegisterForm,
    SetPasswordForm,
    SignInForm,
    UserAccessForm,
)
from app.accounts.models import SignInMethod, TokenPurpose, User
from app.core.access import get_or_404, public, roles, signed_in
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.roles import Role
from app.core.security import safe_next, start_session
from app.extensions import db
from app.organisations.queries import organisation_choices, organisations_by_ids

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _commit_and_mail() -> None:
    db.session.commit()
    deliver_pending()


def _sign_in(user: User) -> None:
    session.clear()  # a new session on sign-in
    login_user(user)
    start_session()


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    form = SignInForm()
    error = None
    if session.pop("expired", False):
        flash("You were signed out because you had not used the service for a while.", "info")
    if form.validate_on_submit():
        try:
            user = services.check_password(form.email.data, form.password.data, request.remote_addr)
        except services.Unconfirmed as exc:
            services.resend_confirmation(form.email.data)
            _commit_and_mail()
            error = str(exc)
        except services.AccountError as exc:
            error = str(exc)
        else:
            db.session.commit()
            target = safe_next(request.args.get("next")) or url_for("home.index")
            if twofactor.is_on(user):
                return twofactor_views.start_second_step(user, target)
            return twofactor_views.finish_sign_in(user, SignInMethod.PASSWORD, target)
        form.password.data = ""
    return render_template("accounts/sign_in.html", form=form, error=error)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index"))
    services.sign_out(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        services.register_applicant(form.name.data, form.email.data, form.password.data)
        _commit_and_mail()
        return render_template(
            "accounts/check_email.html", email=services.normalise_email(form.email.data)
        )
    return render_template("accounts/register.html", form=form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    state, _ = services.token_state(token, TokenPurpose.CONFIRM_EMAIL)
    form = ActionForm()
    if state != "ok":
        return _bad_link(state, resend=True)
    if form.validate_on_submit():  # a POST confirms: GET never changes data
        services.confirm_email(token)
        db.session.commit()
        flash("Your email address is confirmed. You can now sign in.", "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/confirm_email.html", form=form)


@bp.route("/confirm/resend", methods=["GET", "POST"])
@public
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        _commit_and_mail()
        return render_template(
            "accounts/check_email.html", email=services.normalise_email(form.email.data)
        )
    return render_template(
        "accounts/email_form.html",
        form=form,
        title="Get a new confirmation link",
        button="Send link",
    )


def _bad_link(state: str, resend: bool = False):
    return (
        render_template(
            "accounts/bad_link.html",
            message=services.TOKEN_MESSAGES[state],
            state=state,
            resend=resend,
        ),
        410 if state in ("used", "expired") else 404,
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    state, tok = services.token_state(token, TokenPurpose.INVITATION)
    if state != "ok" or tok is None:
        return _bad_link(state)
    form = SetPasswordForm()
    form.person = (tok.user.name, tok.user.email)
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.password.data)
        except services.AccountError as exc:
            flash(str(exc), "error")
            return redirect(url_for("accounts.sign_in"))
        db.session.commit()
        _sign_in(user)
        flash("Your account is ready. Welcome to the programme.", "success")
        return redirect(url_for("home.index"))
    return render_template("accounts/accept_invitation.html", form=form, invited=tok.user)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        _commit_and_mail()
        return render_template(
            "accounts/reset_sent.html", email=services.normalise_email(form.email.data)
        )
    return render_template(
        "accounts/email_form.html",
        form=form,
        title="Reset your password",
        button="Send reset link",
        lede="Enter the email address you use to sign in. If it has an account, "
        "we will email you a link to choose a new password.",
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    state, tok = services.token_state(token, TokenPurpose.PASSWORD_RESET)
    if state != "ok" or tok is None:
        return _bad_link(state)
    form = SetPasswordForm()
    form.person = (tok.user.name, tok.user.email)
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.AccountError as exc:
            flash(str(exc), "error")
            return redirect(url_for("accounts.sign_in"))
        db.session.commit()
        logout_user()
        session.clear()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/", methods=["GET"])
@signed_in
def account():
    return render_template("accounts/account.html", user=current_user)


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current.data, form.password.data)
        except services.AccountError as exc:
            form.current.errors = [str(exc)]
        else:
            _commit_and_mail()
            _sign_in(user)  # this session carries on; every other one has ended
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form, error=error)


# Staff: people -------------------------------------------------------------


@bp.route("/people")
@roles(Role.STAFF)
def user_list():
    filters = queries.UserFilters.from_args(request.args)
    page = queries.list_users(filters)
    return render_template(
        "accounts/user_list.html",
        page=page,
        filters=filters,
        roles=list(Role),
        statuses=queries.STATUS_CHOICES,
    )


@bp.route("/people/<int:user_id>")
@roles(Role.STAFF)
def user_detail(user_id: int):
    user = get_or_404(User, user_id)
    return render_template("accounts/user_detail.html", user=user, action_form=ActionForm())


@bp.route("/people/invite", methods=["GET", "POST"])
@roles(Role.STAFF)
def invite():
    form = InviteForm(organisation_choices())
    if form.validate_on_submit():
        try:
            user = services.invite_user(
                current_user._get_current_object(),
                form.name.data,
                form.email.data,
                [Role(v) for v in form.roles.data],
                organisations_by_ids(form.organisations.data),
            )
        except services.AccountError as exc:
            form.email.errors = [str(exc)]
        else:
            _commit_and_mail()
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for("accounts.user_detail", user_id=user.id))
    return render_template("accounts/invite.html", form=form)


@bp.route("/people/<int:user_id>/access", methods=["GET", "POST"])
@roles(Role.STAFF)
def edit_access(user_id: int):
    user = get_or_404(User, user_id)
    form = UserAccessForm(organisation_choices())
    if request.method == "GET":
        form.roles.data = [r.value for r in user.granted_roles]
        form.organisations.data = [o.id for o in user.organisations]
    if form.validate_on_submit():
        try:
            services.update_user_access(
                current_user._get_current_object(),
                user,
                [Role(v) for v in form.roles.data],
                organisations_by_ids(form.organisations.data),
            )
        except services.AccountError as exc:
            form.roles.errors = [str(exc)]
        else:
            db.session.commit()
            flash(f"Roles and organisations updated for {user.name}.", "success")
            return redirect(url_for("accounts.user_detail", user_id=user.id))
    return render_template("accounts/edit_access.html", form=form, user=user)


def _staff_action(user_id: int, action, done: str):
    user = get_or_404(User, user_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            action(current_user._get_current_object(), user)
        except services.AccountError as exc:
            flash(str(exc), "error")
        else:
            _commit_and_mail()
            flash(done.format(name=user.name), "success")
    return redirect(url_for("accounts.user_detail", user_id=user.id))


@bp.route("/people/<int:user_id>/deactivate", methods=["POST"])
@roles(Role.STAFF)
def deactivate(user_id: int):
    return _staff_action(
        user_id, services.deactivate_user, "{name} has been deactivated and signed out everywhere."
    )


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
@roles(Role.STAFF)
def reactivate(user_id: int):
    return _staff_action(user_id, services.reactivate_user, "{name} has been reactivated.")


@bp.route("/people/<int:user_id>/resend-invitation", methods=["POST"])
@roles(Role.STAFF)
def resend_invitation(user_id: int):
    return _staff_action(
        user_id, services.resend_invitation, "A new invitation has been sent to {name}."
    )


# Two-factor sign-in, device alerts and recent sign-ins: routes on this blueprint.
from app.accounts import twofactor_views  # noqa: E402
