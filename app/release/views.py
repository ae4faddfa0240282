"""The release ledger pages: the award holder's ledger and requests, the line manager's
approvals and delegations. The at-risk view, calendars and the CSV export are in
oversight_views.py, on the same blueprint.

Who may read a ledger is `services.can_view`; what each person may do to a day is the
service's decision (the buttons shown here follow the same rules)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from app.accounts.models import User, UserRole, UserStatus
from app.awards.models import Award
from app.awards.services import holder_awards
from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles, signed_in
from app.core.clock import today
from app.core.formatting import format_date
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.navigation import register_nav
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.organisations.models import Membership
from app.release import services
from app.release.forms import (
    APPROVE,
    CALLED_BACK,
    HALF,
    ONE,
    RANGE,
    TAKEN,
    ApprovalForm,
    CancelForm,
    ConfirmForm,
    DelegationForm,
    RequestForm,
)
from app.release.models import DayKind, DayStatus, Delegation, ReleaseDay
from app.release.services import ReleaseError

bp = Blueprint("release", __name__, url_prefix="/release")

PLAN_KEY = "release_plan"  # what the last request booked and skipped, shown once


def _me() -> User:
    return current_user._get_current_object()


def long_date(d: date) -> str:
    """'Thursday 14 January 2027'."""
    return f"{d:%A} {format_date(d)}"


def _days_text(n: float) -> str:
    return f"{n:g} day" if n == 1 else f"{n:g} days"


# What the ledger pages read of an award, loaded with it (and no roles for the people).
AWARD_PAGE = (
    joinedload(Award.holder).lazyload(User.role_links),
    joinedload(Award.line_manager).lazyload(User.role_links),
    joinedload(Award.cohort),
    joinedload(Award.employer),
)


def _award_or_404(award_id: int) -> Award:
    user, now = _me(), today()
    return get_or_404(
        Award, award_id, lambda a: services.can_view(user, a, now), options=AWARD_PAGE
    )


def _may_cancel(row: ReleaseDay, holder: bool, manages: bool, now: date) -> bool:
    """Buttons only: the service makes the decision. Residential days are programme
    staff's to record, so neither the holder nor the manager cancels them here."""
    if row.kind != DayKind.STUDY:
        return False
    if holder:
        return row.status == DayStatus.REQUESTED or (
            row.status == DayStatus.APPROVED and row.day > now
        )
    return manages and row.status == DayStatus.APPROVED and row.day > now


def _may_confirm(row: ReleaseDay, holder: bool, now: date) -> bool:
    return holder and row.status == DayStatus.APPROVED and row.day <= now


# Award holder ---------------------------------------------------------------------------


def _holder_awards(user: User) -> list[Award]:
    return list(
        db.session.scalars(
            select(Award)
            .join(Cohort, Cohort.id == Award.cohort_id)
            .options(joinedload(Award.cohort))
            .where(Award.holder_id == user.id)
            .order_by(Cohort.programme_start.desc())
        )
    )


def _current(awards: list[Award], now: date) -> Award | None:
    if len(awards) == 1:
        return awards[0]
    running = [a for a in awards if a.cohort.programme_start <= now <= a.cohort.programme_end]
    return running[0] if len(running) == 1 else None


@bp.route("/")
@roles(Role.AWARD_HOLDER)
def my_ledger():
    awards = _holder_awards(_me())
    current = _current(awards, today())
    if current is not None:
        return redirect(url_for("release.ledger", award_id=current.id))
    return render_template("release/my_awards.html", awards=awards)


@bp.route("/awards/<int:award_id>")
@signed_in
def ledger(award_id: int):
    award = _award_or_404(award_id)
    user, now = _me(), today()
    holder = services.is_holder(user, award)
    manages = services.acting_for(user, award, now) is not None
    rows = list(
        db.session.scalars(
            select(ReleaseDay)
            .options(
                joinedload(ReleaseDay.decided_by).lazyload(User.role_links),
                joinedload(ReleaseDay.decided_for).lazyload(User.role_links),
            )
            .where(ReleaseDay.award_id == award.id)
            .order_by(ReleaseDay.day, ReleaseDay.id)
        )
    )
    cancellers = {r.cancelled_by_id for r in rows if r.cancelled_by_id}
    people = (
        {
            u.id: u
            for u in db.session.scalars(
                select(User).where(User.id.in_(cancellers)).options(lazyload(User.role_links))
            )
        }
        if cancellers
        else {}
    )
    plan = session.get(PLAN_KEY)
    if plan and plan.get("award") == award.id and holder:
        session.pop(PLAN_KEY)
    else:
        plan = None
    open_statuses = (DayStatus.REQUESTED, DayStatus.APPROVED)
    current = [r for r in rows if r.day >= now or r.status in open_statuses]
    sums = services.balances_for([award.id])[award.id]  # one GROUP BY for balance and pace
    return render_template(
        "release/ledger.html",
        award=award,
        rows=rows,
        current=current,
        earlier=[r for r in rows if r not in current],
        people=people,
        balances=services.balance(award, sums),
        pace=services.pace(award, now, sums),
        today=now,
        holder=holder,
        manages=manages,
        may_cancel=lambda r: _may_cancel(r, holder, manages, now),
        may_confirm=lambda r: _may_confirm(r, holder, now),
        to_confirm=sum(1 for r in rows if _may_confirm(r, holder, now)),
        plan=_plan_for_display(plan),
        long_date=long_date,
    )


def _plan_for_display(plan: dict | None) -> dict | None:
    if not plan:
        return None
    return {
        "requested": [date.fromisoformat(d) for d in plan["requested"]],
        "half": plan["half"],
        "skipped": [(date.fromisoformat(d), why) for d, why in plan["skipped"]],
        "manager": plan.get("manager"),
    }


def _candidates(form: RequestForm) -> list[date]:
    if form.how.data == ONE:
        return [form.day.data]
    if form.how.data == RANGE:
        return services.dates_for_range(form.start.data, form.end.data)
    return services.dates_for_pattern(
        form.pattern_start.data, form.weeks.data, int(form.every.data)
    )


@bp.route("/awards/<int:award_id>/request", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def request_days(award_id: int):
    user, now = _me(), today()
    award = get_or_404(Award, award_id, lambda a: services.is_holder(user, a))
    cohort = award.cohort
    form = RequestForm(cohort.programme_start, cohort.programme_end)
    if form.validate_on_submit():
        try:
            rows, plan = services.request_days(
                award,
                user,
                _candidates(form),
                half_day=form.length.data == HALF,
                note=form.note.data or "",
                today=now,
            )
            db.session.commit()
        except ReleaseError as exc:
            db.session.rollback()
            field = {"start": form.first_field, None: form.first_field}.get(exc.field, exc.field)
            form.add_error(field, str(exc))
        else:
            deliver_pending()
            session[PLAN_KEY] = {
                "award": award.id,
                "requested": [d.isoformat() for d in plan.dates],
                "half": form.length.data == HALF,
                "skipped": [[d.isoformat(), why] for d, why in plan.skipped],
                "manager": award.line_manager.name if award.line_manager else None,
            }
            return redirect(url_for("release.ledger", award_id=award.id) + "#requested")
    return render_template(
        "release/request.html",
        award=award,
        form=form,
        balance=services.balance(award)[DayKind.STUDY],
    )


@bp.route("/days/<int:day_id>/cancel", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER, Role.LINE_MANAGER)
def cancel(day_id: int):
    user, now = _me(), today()
    row = get_or_404(ReleaseDay, day_id)
    holder = services.is_holder(user, row.award)
    manages = services.acting_for(user, row.award, now) is not None
    if not (holder or manages):
        abort(404)
    back = url_for("release.ledger", award_id=row.award_id)
    form = CancelForm(reason_required=not holder)
    if not form.is_submitted():
        form.seen.data = row.status.value
    if form.validate_on_submit():
        when = long_date(row.day)
        try:
            if row.kind != DayKind.STUDY:
                raise ReleaseError("Residential workshop days are recorded by programme staff.")
            services.cancel(
                row,
                user,
                reason=form.reason.data or "",
                today=now,
                seen=form.seen_status(services.CANCELLABLE),
            )
            db.session.commit()
        except ReleaseError as exc:
            db.session.rollback()
            flash(f"{when}: {exc} Nothing was changed.", "error")
        else:
            deliver_pending()
            flash(
                f"The study day on {when} has been cancelled and returned to the balance.",
                "success",
            )
        return redirect(back)
    return render_template(
        "release/cancel.html",
        row=row,
        form=form,
        holder=holder,
        allowed=_may_cancel(row, holder, manages, now),
        back=back,
        long_date=long_date,
    )


@bp.route("/days/<int:day_id>/confirm", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def confirm(day_id: int):
    user, now = _me(), today()
    row = get_or_404(ReleaseDay, day_id, lambda r: services.is_holder(user, r.award))
    back = url_for("release.ledger", award_id=row.award_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        when = long_date(row.day)
        taken = form.outcome.data == TAKEN
        try:
            services.confirm(row, user, taken=taken, reason=form.reason.data or "", today=now)
            db.session.commit()
        except ReleaseError as exc:
            db.session.rollback()
            flash(f"{when}: {exc} Nothing was changed.", "error")
        else:
            flash(
                f"You took your study day on {when}."
                if taken
                else f"You were called back to work on {when}. "
                "The day has been returned to your balance.",
                "success",
            )
        return redirect(back)
    return render_template(
        "release/confirm.html",
        row=row,
        form=form,
        allowed=_may_confirm(row, True, now),
        back=back,
        long_date=long_date,
        CALLED_BACK=CALLED_BACK,
    )


# Line manager ---------------------------------------------------------------------------


def _covering(user: User, now: date) -> dict[int, Delegation]:
    """{manager_id: delegation} for managers `user` is approving for today."""
    rows = db.session.scalars(
        select(Delegation)
        .options(joinedload(Delegation.manager).lazyload(User.role_links))
        .where(
            Delegation.delegate_id == user.id,
            Delegation.starts_on <= now,
            Delegation.ends_on >= now,
            Delegation.revoked_at.is_(None),
        )
    )
    return {d.manager_id: d for d in rows}


def _team(user: User, now: date) -> list[dict]:
    """Every award `user` manages (or covers) with its pending days, balance and pace."""
    # services.managed_award_ids, with the delegations read once for both
    covering = _covering(user, now)
    awards = db.session.scalars(
        select(Award)
        .options(joinedload(Award.holder).lazyload(User.role_links), joinedload(Award.cohort))
        .where(Award.line_manager_id.in_([user.id, *covering]))
    ).all()
    ids = [a.id for a in awards]
    if not ids:
        return []
    pending: dict[int, list[ReleaseDay]] = defaultdict(list)
    for row in db.session.scalars(
        select(ReleaseDay)
        .where(ReleaseDay.award_id.in_(ids), ReleaseDay.status == DayStatus.REQUESTED)
        .order_by(ReleaseDay.day, ReleaseDay.id)
    ):
        pending[row.award_id].append(row)
    sums = services.balances_for(ids)
    team = [
        {
            "award": a,
            "pending": pending[a.id],
            "balance": services.balance(a, sums[a.id]),
            "pace": services.pace(a, now, sums[a.id]),
            "covering": covering.get(a.line_manager_id) if a.line_manager_id != user.id else None,
            "running": a.cohort.programme_start <= now <= a.cohort.programme_end,
            "ended": a.cohort.programme_end < now,
        }
        for a in awards
    ]
    return sorted(team, key=lambda t: (t["ended"], t["award"].holder.name.lower(), t["award"].id))


def pending_count(user: User, now: date) -> int:
    ids = services.managed_award_ids(user, now)
    if not ids:
        return 0
    return (
        db.session.scalar(
            select(func.count(ReleaseDay.id)).where(
                ReleaseDay.award_id.in_(ids), ReleaseDay.status == DayStatus.REQUESTED
            )
        )
        or 0
    )


@bp.route("/approvals", methods=["GET", "POST"])
@roles(Role.LINE_MANAGER)
def approvals():
    user, now = _me(), today()
    form = ApprovalForm()
    if form.validate_on_submit():
        done = _decide(form, user, now)
        if done:
            return redirect(url_for("release.approvals"))
    team = _team(user, now)
    waiting = [t for t in team if t["pending"]]
    if waiting:
        form.days.anchor = f"days-{waiting[0]['award'].id}"
    return render_template(
        "release/approvals.html",
        form=form,
        waiting=waiting,
        team=[t for t in team if not t["ended"]],
        chosen=set(form.days.data or []),
        today=now,
        long_date=long_date,
    )


def _decide(form: ApprovalForm, user: User, now: date) -> bool:
    """Decide every selected day, or none of them: if someone else has decided or
    cancelled one meanwhile, nothing changes and the message names that day. One email
    per award holder, listing the days this decision changed."""
    approve = form.action.data == APPROVE
    ids = set(form.days.data)
    rows = db.session.scalars(
        select(ReleaseDay)
        .where(
            ReleaseDay.id.in_(ids),
            ReleaseDay.award_id.in_(services.managed_award_ids(user, now) or [-1]),
        )
        .order_by(ReleaseDay.day, ReleaseDay.id)  # one locking order for every request
    ).all()
    if len(rows) != len(ids):
        form.add_error(
            "days",
            "You can only decide study days for your own staff, or for staff you are "
            "covering. Nothing was changed.",
        )
        return False
    by_award: dict[int, list[ReleaseDay]] = defaultdict(list)
    reason = form.reason.data or ""
    try:
        for row in rows:
            try:
                services.decide(row, user, approve=approve, reason=reason, today=now)
            except ReleaseError as exc:
                exc.args = (f"{long_date(row.day)} for {row.award.holder.name}: {exc}",)
                raise
            by_award[row.award_id].append(row)
        for award_rows in by_award.values():
            services.notify_decisions(award_rows[0].award, award_rows, user)
        db.session.commit()
    except ReleaseError as exc:
        db.session.rollback()
        form.add_error("reason" if exc.field == "reason" else "days", f"{exc} Nothing was changed.")
        return False
    deliver_pending()
    verb = "approved" if approve else "declined"
    parts = [
        f"{_days_text(sum(r.days for r in award_rows))} for {award_rows[0].award.holder.name}"
        for award_rows in by_award.values()
    ]
    flash(f"You {verb} {' and '.join(parts)}. They have been emailed.", "success")
    return True


# Delegation -------------------------------------------------------------------------------


def _colleagues(user: User) -> list[User]:
    """Active line managers who share an organisation with `user`."""
    org_ids = [m.organisation_id for m in user.memberships]
    if not org_ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                Membership.organisation_id.in_(org_ids),
                UserRole.role == Role.LINE_MANAGER,
                User.roles_confirmed(),
                User.status == UserStatus.ACTIVE,
                User.id != user.id,
            )
            .distinct()
            .order_by(User.name)
        )
    )


@bp.route("/delegations", methods=["GET", "POST"])
@roles(Role.LINE_MANAGER)
def delegations():
    user, now = _me(), today()
    form = DelegationForm(_colleagues(user), now)
    if form.validate_on_submit():
        colleague = form.chosen
        try:
            services.add_delegation(user, colleague, form.starts_on.data, form.ends_on.data)
            db.session.commit()
        except ReleaseError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(
                f"{colleague.name} can approve study days for your staff from "
                f"{long_date(form.starts_on.data)} until {long_date(form.ends_on.data)}.",
                "success",
            )
            return redirect(url_for("release.delegations"))
    mine = db.session.scalars(
        select(Delegation)
        .options(joinedload(Delegation.delegate))
        .where(Delegation.manager_id == user.id)
        .order_by(Delegation.starts_on.desc(), Delegation.id.desc())
    ).all()
    to_me = db.session.scalars(
        select(Delegation)
        .options(joinedload(Delegation.manager).lazyload(User.role_links))
        .where(
            Delegation.delegate_id == user.id,
            Delegation.revoked_at.is_(None),
            Delegation.ends_on >= now,
        )
        .order_by(Delegation.starts_on)
    ).all()
    return render_template(
        "release/delegations.html",
        form=form,
        mine=mine,
        to_me=to_me,
        today=now,
        action_form=ActionForm(),
        long_date=long_date,
    )


@bp.route("/delegations/<int:delegation_id>/end", methods=["POST"])
@roles(Role.LINE_MANAGER)
def end_delegation(delegation_id: int):
    user = _me()
    delegation = get_or_404(Delegation, delegation_id, lambda d: d.manager_id == user.id)
    if ActionForm().validate_on_submit():
        try:
            services.revoke_delegation(user, delegation)
            db.session.commit()
        except ReleaseError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(f"{delegation.delegate.name} can no longer approve for you.", "success")
    return redirect(url_for("release.delegations"))


# Home page and navigation -----------------------------------------------------------------


@register_cards
def _release_cards(user) -> list[Card]:
    cards = []
    now = today()
    if user.has_role(Role.AWARD_HOLDER):
        award = _current(holder_awards(user.id), now)
        if award is not None:
            # balances_for's sums and the approved days to confirm, in one query
            sums: dict[DayKind, dict[DayStatus, int]] = {}
            to_confirm = 0
            for kind, status, total, past in db.session.execute(
                select(
                    ReleaseDay.kind,
                    ReleaseDay.status,
                    func.sum(ReleaseDay.half_days),
                    func.count(ReleaseDay.id).filter(ReleaseDay.day <= now),
                )
                .where(ReleaseDay.award_id == award.id)
                .group_by(ReleaseDay.kind, ReleaseDay.status)
            ):
                sums.setdefault(kind, {})[status] = int(total or 0)
                if status == DayStatus.APPROVED:
                    to_confirm += past
            b = services.balance(award, sums)[DayKind.STUDY]
            p = services.pace(award, now, sums)
            text = f"{_days_text(b.remaining)} of your {b.entitled:g} study days left to plan."
            if p.at_risk:
                text += f" You are {_days_text(p.behind)} behind a steady pace."
            if to_confirm:
                text += f" {_days_text(to_confirm)} to confirm."
            cards.append(
                Card(
                    "Your research days",
                    text,
                    url_for("release.ledger", award_id=award.id),
                    waiting=to_confirm or 0,
                )
            )
    if user.has_role(Role.LINE_MANAGER):
        n = pending_count(user, now)
        heading = (
            "No study days waiting for your approval"
            if n == 0
            else f"{n} study day{'s' if n != 1 else ''} waiting for your approval"
        )
        cards.append(
            Card(
                heading,
                "Approve or decline the study days your staff have asked for.",
                url_for("release.approvals"),
                waiting=n,
            )
        )
    return cards


register_nav(15, "Your research days", "release.my_ledger")
register_nav(16, "Study day approvals", "release.approvals")


# Staff/PSW at-risk view, calendars and exports live beside this module (same blueprint).
from app.release import oversight_views  # noqa: E402,F401
