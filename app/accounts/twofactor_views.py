"""Two-factor sign-in pages, sign-in completion (device cookie, alert) and recent sign-ins.

Routes live on the accounts blueprint (`app.accounts.views` imports this module).
The rules are in `app.accounts.twofactor` and `app.accounts.devices`.
"""

from __future__ import annotations

from datetime import datetime

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from app.accounts import devices, services, twofactor
from app.accounts.forms import CodeForm, ConfirmPasswordForm, RecoveryCodeForm
from app.accounts.models import SignInMethod, User
from app.accounts.views import _commit_and_mail, _sign_in, _staff_action, bp
from app.core.access import get_or_404, public, roles, signed_in
from app.core.db import utcnow
from app.core.roles import Role
from app.extensions import db

PENDING = "two_factor_pending"
SET_UP = "two_factor_set_up"


def finish_sign_in(user: User, method: SignInMethod, target: str):
    """The password (and any code) is right: record it, start the session, remember
    this browser, and send someone who must set up a second factor there first."""
    token = devices.complete_sign_in(
        user,
        method,
        request.remote_addr,
        request.user_agent.string,
        request.cookies.get(devices.COOKIE),
    )
    _commit_and_mail()
    _sign_in(user)
    if twofactor.must_set_up(user):
        target = url_for("accounts.two_factor_set_up")
    response = make_response(redirect(target))
    if token:
        devices.set_cookie(response, token)
    return response


def start_second_step(user: User, target: str):
    """After a right password, for someone with two-factor sign-in on: not signed in
    yet; the session only remembers who, for a few minutes."""
    session.clear()
    session[PENDING] = {
        "uid": user.id,
        "v": user.session_version,
        "at": utcnow().isoformat(),
        "next": target,
    }
    return redirect(url_for("accounts.two_factor_code"))


def _pending() -> tuple[User | None, str]:
    data = session.get(PENDING)
    if not isinstance(data, dict):
        return None, ""
    try:
        started = datetime.fromisoformat(data["at"])
        user = db.session.get(User, int(data["uid"]))
    except (KeyError, TypeError, ValueError):
        return None, ""
    if (
        utcnow() - started > current_app.config["TWO_FACTOR_PENDING_LIFETIME"]
        or user is None
        or user.session_version != data.get("v")
        or not user.is_active
        or not twofactor.is_on(user)
    ):
        return None, ""
    return user, data.get("next") or url_for("home.index")


def _second_step(form_class, check, method: SignInMethod, template: str):
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    user, target = _pending()
    if user is None:
        session.pop(PENDING, None)
        flash("Sign in again: it has been too long since you entered your password.", "info")
        return redirect(url_for("accounts.sign_in"))
    form = form_class()
    if form.validate_on_submit():
        try:
            left = check(user, form.code.data, request.remote_addr)
        except services.AccountError as exc:
            db.session.rollback()
            form.code.errors = [str(exc)]
            form.code.data = ""
        else:
            response = finish_sign_in(user, method, target)
            if method == SignInMethod.RECOVERY_CODE:
                flash(
                    f"You signed in with a recovery code. You have {left} left. "
                    "If you have lost your phone, set up two-factor sign-in again.",
                    "info",
                )
            return response
    return render_template(template, form=form)


@bp.route("/two-factor/code", methods=["GET", "POST"])
@public
def two_factor_code():
    return _second_step(
        CodeForm, twofactor.check_code, SignInMethod.CODE, "accounts/two_factor_code.html"
    )


@bp.route("/two-factor/recovery", methods=["GET", "POST"])
@public
def two_factor_recovery():
    return _second_step(
        RecoveryCodeForm,
        twofactor.use_recovery_code,
        SignInMethod.RECOVERY_CODE,
        "accounts/two_factor_recovery.html",
    )


# The person's own settings -------------------------------------------------------------


@bp.route("/two-factor")
@signed_in
def two_factor():
    user = current_user._get_current_object()
    return render_template(
        "accounts/two_factor.html",
        user=user,
        on=twofactor.is_on(user),
        required=twofactor.required_for(user),
        codes_left=twofactor.unused_recovery_codes(user) if twofactor.is_on(user) else 0,
    )


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@signed_in
def two_factor_set_up():
    user = current_user._get_current_object()
    if twofactor.is_on(user):
        return redirect(url_for("accounts.two_factor"))
    pending = session.get(SET_UP)
    # the key lives in this person's signed session only until they prove it with a code
    if not isinstance(pending, dict) or pending.get("uid") != user.id:
        pending = {"uid": user.id, "secret": twofactor.new_secret()}
        session[SET_UP] = pending
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.turn_on(user, pending["secret"], form.code.data, request.remote_addr)
        except services.AccountError as exc:
            db.session.rollback()
            form.code.errors = [str(exc)]
            form.code.data = ""
        else:
            _commit_and_mail()
            _sign_in(user)  # this session carries on; every other one has ended
            return render_template("accounts/recovery_codes.html", codes=codes, first=True)
    secret = pending["secret"]
    return render_template(
        "accounts/two_factor_set_up.html",
        form=form,
        qr=twofactor.qr_svg(twofactor.provisioning_uri(user, secret)),
        key=twofactor.spaced(secret),
        required=twofactor.required_for(user),
    )


@bp.route("/two-factor/recovery-codes", methods=["GET", "POST"])
@signed_in
def two_factor_recovery_codes():
    user = current_user._get_current_object()
    if not twofactor.is_on(user):
        return redirect(url_for("accounts.two_factor"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.new_recovery_codes(user, form.password.data)
        except services.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes, first=False)
    return render_template(
        "accounts/two_factor_confirm.html",
        form=form,
        title="Get new recovery codes",
        lede="Your old recovery codes stop working when you get new ones.",
        button="Get new recovery codes",
    )


@bp.route("/two-factor/turn-off", methods=["GET", "POST"])
@signed_in
def two_factor_turn_off():
    user = current_user._get_current_object()
    if not twofactor.may_turn_off(user):
        return redirect(url_for("accounts.two_factor"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            twofactor.turn_off(user, form.password.data)
        except services.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            _commit_and_mail()
            _sign_in(user)
            flash("Two-factor sign-in is off. You have been signed out everywhere else.", "success")
            return redirect(url_for("accounts.two_factor"))
    return render_template(
        "accounts/two_factor_confirm.html",
        form=form,
        title="Turn off two-factor sign-in",
        lede="You will sign in with your password alone. "
        "Turning it off signs you out on every other device.",
        button="Turn off two-factor sign-in",
        warning=True,
    )


@bp.route("/sign-ins")
@signed_in
def recent_sign_ins():
    page = devices.recent_sign_ins(current_user, request.args.get("page"))
    return render_template("accounts/recent_sign_ins.html", page=page)


# Staff -----------------------------------------------------------------------------


@bp.route("/people/<int:user_id>/reset-two-factor", methods=["POST"])
@roles(Role.STAFF)
def reset_two_factor(user_id: int):
    get_or_404(User, user_id)
    return _staff_action(
        user_id,
        twofactor.staff_reset,
        "Two-factor sign-in has been reset for {name}. They will set it up again "
        "when they next sign in, and have been told by email.",
    )
