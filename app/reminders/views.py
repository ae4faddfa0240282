"""Reminders on the web: each person's notifications (with the unread count in the
header) and their choices; programme staff's list of what was sent, held or skipped, per
person, and each cohort's kinds on or off."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles, signed_in
from app.core.csv import safe_cell
from app.core.forms import ActionForm
from app.core.mail import OutboxMessage
from app.core.navigation import register_nav
from app.core.pagination import Page, paginate, parse_page
from app.core.params import arg_choice, arg_str
from app.core.roles import Role
from app.extensions import db
from app.reminders import services
from app.reminders.forms import CohortKindsForm, PreferencesForm
from app.reminders.models import Reminder, ReminderPreference
from app.reminders.registry import kind, kinds, optional_kinds

bp = Blueprint("reminders", __name__, url_prefix="/reminders")

register_nav(
    75,
    "Reminders",
    "reminders.staff_list",
    secondary="What each person was reminded of, what waits for a digest, and what was not "
    "sent and why.",
)

STATES = {
    "emailed": "Emailed (or in a digest)",
    "digest": "Waiting for the weekly digest",
    "skipped": "Not sent",
}


def _me() -> User:
    return current_user._get_current_object()


@bp.app_context_processor
def _unread():
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(current_user)

    return {"unread_notifications": unread_notifications}


# Everyone's own -------------------------------------------------------------------------


@bp.route("/notifications")
@signed_in
def notifications():
    page = paginate(
        services.notifications_stmt(_me()),
        parse_page(request.args.get("page")),
        current_app.config["PER_PAGE"],
    )
    return render_template(
        "reminders/notifications.html", page=page, kind=kind, action_form=ActionForm()
    )


@bp.route("/notifications/<int:reminder_id>/read", methods=["POST"])
@signed_in
def mark_read(reminder_id: int):
    reminder = get_or_404(
        Reminder, reminder_id, lambda r: r.user_id == current_user.id and not r.skip_reason
    )
    if ActionForm().validate_on_submit():
        services.mark_read(_me(), reminder)
        db.session.commit()
    return redirect(url_for("reminders.notifications", page=request.args.get("page", 1)))


@bp.route("/notifications/read-all", methods=["POST"])
@signed_in
def mark_all_read():
    if ActionForm().validate_on_submit():
        n = services.mark_read(_me())
        db.session.commit()
        flash(f"{n} notification{'s' if n != 1 else ''} marked as read.", "success")
    return redirect(url_for("reminders.notifications"))


@bp.route("/preferences", methods=["GET", "POST"])
@signed_in
def preferences():
    optional = optional_kinds()
    pref = db.session.get(ReminderPreference, current_user.id)
    form = PreferencesForm(optional)
    if request.method == "GET":
        form.how.data = "digest" if pref and pref.weekly_digest else "single"
        muted = pref.muted_kinds if pref else set()
        form.on.data = [k.name for k in optional if k.name not in muted]
    if form.validate_on_submit():
        wanted = set(form.on.data or [])
        services.save_preferences(
            _me(), form.how.data == "digest", {k.name for k in optional} - wanted
        )
        db.session.commit()
        flash("Your reminder choices are saved.", "success")
        return redirect(url_for("reminders.preferences"))
    return render_template(
        "reminders/preferences.html",
        form=form,
        mandatory=[k for k in kinds() if k.mandatory],
    )


# Programme staff ------------------------------------------------------------------------


def _filters() -> tuple[str, str, str]:
    return (
        arg_str("person", 254),
        arg_choice("kind", [k.name for k in kinds()]),
        arg_choice("state", list(STATES)),
    )


def _staff_stmt(who: str, rule: str, state: str):
    stmt = (
        select(Reminder)
        .options(
            joinedload(Reminder.user).load_only(User.id, User.name, User.email),
            joinedload(Reminder.message).load_only(OutboxMessage.id, OutboxMessage.status),
            joinedload(Reminder.digest_message).load_only(OutboxMessage.id, OutboxMessage.status),
        )
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
    )
    if who:
        like = f"%{who.lower()}%"
        stmt = stmt.join(User, User.id == Reminder.user_id).where(
            (func.lower(User.name).like(like)) | (func.lower(User.email).like(like))
        )
    if rule:
        stmt = stmt.where(Reminder.rule == rule)
    if state == "skipped":
        stmt = stmt.where(Reminder.skip_reason.is_not(None))
    elif state == "digest":
        stmt = stmt.where(
            Reminder.skip_reason.is_(None), Reminder.digest.is_(True), Reminder.sent_at.is_(None)
        )
    elif state == "emailed":
        stmt = stmt.where(Reminder.skip_reason.is_(None), Reminder.sent_at.is_not(None))
    return stmt


@bp.route("/")
@roles(Role.STAFF)
def staff_list():
    who, rule, state = _filters()
    stmt = _staff_stmt(who, rule, state)
    page = paginate(stmt, parse_page(request.args.get("page")), current_app.config["PER_PAGE"])
    return render_template(
        "reminders/staff_list.html",
        page=page,
        person=who,
        rule=rule,
        state=state,
        states=STATES,
        kinds=kinds(),
        kind=kind,
        cohorts=db.session.scalars(
            select(Cohort).order_by(Cohort.programme_start.desc()).limit(10)
        ).all(),
    )


@bp.route("/coming-up")
@roles(Role.STAFF)
def coming_up():
    """What the sweep will send over the next 14 days if nothing changes: the rules run
    for each day, nothing written."""
    who, rule, _state = _filters()
    found = services.coming_up(person=who, rule=rule)
    per_page = current_app.config["PER_PAGE"]
    n = parse_page(request.args.get("page"))
    page = Page(
        items=found[(n - 1) * per_page : n * per_page], page=n, per_page=per_page, total=len(found)
    )
    return render_template(
        "reminders/coming_up.html",
        page=page,
        person=who,
        rule=rule,
        kinds=kinds(),
        days=services.COMING_DAYS,
    )


CSV_BATCH = 500
CSV_HEADER = ["Recorded (UTC)", "Person", "Email", "Reminder", "Title", "What happened", "Why"]


def _csv_lines(stmt) -> Iterator[str]:
    def line(cells) -> str:
        out = io.StringIO()
        csv.writer(out).writerow([safe_cell(c) for c in cells])
        return out.getvalue()

    yield line(CSV_HEADER)
    offset = 0
    while True:
        batch = db.session.scalars(stmt.limit(CSV_BATCH).offset(offset)).unique().all()
        if not batch:
            return
        for r in batch:
            k = kind(r.rule)
            yield line(
                [
                    r.created_at.strftime("%Y-%m-%d %H:%M"),
                    r.user.name if r.user else "",
                    r.user.email if r.user else "",
                    k.label if k else r.rule,
                    r.title,
                    r.state,
                    r.skip_reason or "",
                ]
            )
        offset += CSV_BATCH


@bp.route("/reminders.csv")
@roles(Role.STAFF)
def staff_csv():
    """The list as filtered, streamed a batch at a time."""
    return Response(
        stream_with_context(_csv_lines(_staff_stmt(*_filters()))),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="reminders.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@roles(Role.STAFF)
def cohort_settings(cohort_id: int):
    cohort = get_or_404(Cohort, cohort_id)
    every = kinds()
    form = CohortKindsForm(every)
    if request.method == "GET":
        form.on.data = sorted(services.cohort_kinds_on(cohort.id))
    if form.validate_on_submit():
        changed = services.set_cohort_kinds(cohort, set(form.on.data or []), _me())
        db.session.commit()
        flash(
            f"Saved: {len(changed)} reminder{'s' if len(changed) != 1 else ''} changed for "
            f"{cohort.name}."
            if changed
            else "Nothing changed.",
            "success",
        )
        return redirect(url_for("reminders.cohort_settings", cohort_id=cohort.id))
    return render_template("reminders/cohort.html", cohort=cohort, form=form, kinds=every)
