"""Supervision and coaching pages: staff keep the pools and allocate; supervisors, coaches,
line managers and assistant directors see the award holders they support; everyone in a
meeting logs, reads and confirms it."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User, UserRole, UserStatus
from app.awards.models import Award
from app.awards.services import holder_awards
from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.forms import ActionForm
from app.core.navigation import register_nav
from app.core.pagination import paginate, parse_page
from app.core.roles import Role
from app.extensions import db
from app.home.dashboard import Card, register_cards
from app.organisations.models import Organisation, OrgKind
from app.supervision import onboarding, policy, queries, services
from app.supervision.blueprint import KIND, SUPPORTERS, bp
from app.supervision.forms import AllocateForm, MeetingForm, PoolEditForm, PoolForm
from app.supervision.models import Allocation, Attendee, Meeting, MeetingKind, PoolKind, PoolMember
from app.supervision.services import SupervisionError


def _me() -> User:
    return current_user._get_current_object()


def _per_page() -> int:
    return current_app.config["PER_PAGE"]


def _supported_awards(me: User):
    """The awards of the holders `me` supports: allocated to them, managed by them (or by
    a manager they cover today), or employed by an organisation they are assistant
    director of."""
    conditions = []
    if me.has_role(Role.SUPERVISOR, Role.COACH):
        mine = select(Allocation.award_id).where(
            Allocation.user_id == me.id, Allocation.ended_on.is_(None)
        )
        conditions.append(Award.id.in_(mine))
    if me.has_role(Role.LINE_MANAGER):
        # their own staff, and the staff of managers who delegated approvals to them today
        conditions.append(Award.line_manager_id.in_(policy.managers_covered(me, today())))
    orgs = policy.director_org_ids(me)
    if orgs:
        conditions.append(Award.employer_id.in_(orgs))
    if not conditions:
        return None
    # award holders in their programme year (or about to start it), not finished cohorts
    return queries.award_stmt().where(
        or_(*conditions), Award.cohort.has(Cohort.programme_end >= today())
    )


@bp.route("/")
@roles(Role.STAFF, Role.AWARD_HOLDER, *SUPPORTERS)
def index():
    me = _me()
    page = parse_page(request.args.get("page"))
    allocated = me.has_role(Role.SUPERVISOR, Role.COACH)  # they see outputs
    cohorts = rows = None
    if me.has_role(Role.STAFF):
        cohorts = paginate(
            select(Cohort).order_by(Cohort.programme_start.desc(), Cohort.id), page, _per_page()
        )
    stmt = _supported_awards(me)
    checklists = {}
    if stmt is not None:
        found = paginate(stmt, page, _per_page())
        rows = (found, queries.holder_rows(found.items, today(), outputs=allocated))
        orgs = policy.director_org_ids(me)
        # an assistant director sees their organisation's onboarding checklists
        mine = [a for a in found.items if a.employer_id in orgs]
        checklists = {c.award.id: c for c in onboarding.checklists(mine)} if mine else {}
    own = []
    if me.has_role(Role.AWARD_HOLDER):
        own = list(db.session.scalars(queries.award_stmt().where(Award.holder_id == me.id)))
    return render_template(
        "supervision/index.html",
        cohorts=cohorts,
        rows=rows,
        own=own,
        director=bool(policy.director_org_ids(me)),
        checklists=checklists,
        allocated=allocated,
        can_log=bool(services.meeting_kinds_for(me)),
    )


@bp.route("/cohorts/<int:cohort_id>")
@roles(Role.STAFF)
def cohort(cohort_id: int):
    found = queries.cohort_and_total(cohort_id)
    if found is None:
        abort(404)
    c, total = found
    page = paginate(
        queries.award_stmt(c), parse_page(request.args.get("page")), _per_page(), total=total
    )
    return render_template(
        "supervision/cohort.html",
        cohort=c,
        page=page,
        rows=queries.holder_rows(page.items, today()),
        windows=queries.windows(c),
    )


@bp.route("/cohorts/<int:cohort_id>/pool")
@roles(Role.STAFF)
def pool(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    members = list(
        db.session.scalars(
            select(PoolMember)
            .join(User, User.id == PoolMember.user_id)
            .options(
                joinedload(PoolMember.user).lazyload(User.role_links),
                joinedload(PoolMember.university),
            )
            .where(PoolMember.cohort_id == c.id)
            .order_by(PoolMember.kind.desc(), User.name)
        )
    )
    return render_template(
        "supervision/pool.html",
        cohort=c,
        members=members,
        loads=services.loads([m.id for m in members]),
        kinds=list(PoolKind),
    )


def _people_with(role: Role) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(User.id, User.name, User.email)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role, User.status == UserStatus.ACTIVE)
        .order_by(User.name, User.id)
    )
    return [(uid, f"{name} ({email})") for uid, name, email in rows]


@bp.route(f"/cohorts/<int:cohort_id>/pool/new/{KIND}", methods=["GET", "POST"])
@roles(Role.STAFF)
def pool_add(cohort_id: int, kind: str):
    c = get_or_404(Cohort, cohort_id)
    pool_kind = PoolKind(kind)
    universities = list(
        db.session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.kind == OrgKind.UNIVERSITY)
            .order_by(Organisation.name)
        )
    )
    form = PoolForm(_people_with(pool_kind.role), universities)
    if form.validate_on_submit():
        person = db.session.get(User, form.person.data) if form.person.data else None
        try:
            if person is None:
                raise SupervisionError("Choose a person", "person")
            services.add_to_pool(
                c,
                _me(),
                person,
                pool_kind,
                capacity=form.capacity.data,
                expertise=form.expertise.data or "",
                university_id=form.university.data,
                today=today(),
            )
            db.session.commit()
        except SupervisionError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(f"{person.name} added as {pool_kind.label.lower()}.", "success")
            return redirect(url_for("supervision.pool", cohort_id=c.id))
    return render_template("supervision/pool_form.html", cohort=c, form=form, kind=pool_kind)


@bp.route("/pool/<int:member_id>/edit", methods=["GET", "POST"])
@roles(Role.STAFF)
def pool_edit(member_id: int):
    member = get_or_404(PoolMember, member_id, options=[joinedload(PoolMember.cohort)])
    form = PoolEditForm(obj=member)
    if form.validate_on_submit():
        try:
            services.change_pool(
                member, _me(), capacity=form.capacity.data, expertise=form.expertise.data or ""
            )
            db.session.commit()
        except SupervisionError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(f"{member.user.name}'s details changed.", "success")
            return redirect(url_for("supervision.pool", cohort_id=member.cohort_id))
    return render_template("supervision/pool_edit.html", member=member, form=form)


def _award_or_404(award_id: int) -> Award:
    me = _me()
    return get_or_404(
        Award,
        award_id,
        lambda a: policy.can_view_award(me, a),
        options=[joinedload(Award.cohort), joinedload(Award.holder)],
    )


@bp.route("/awards/<int:award_id>")
@roles(Role.STAFF, Role.AWARD_HOLDER, *SUPPORTERS)
def award(award_id: int):
    a = _award_or_404(award_id)
    me = _me()
    (row,) = queries.holder_rows([a], today())
    history = list(
        db.session.scalars(
            select(Allocation)
            .options(joinedload(Allocation.user), joinedload(Allocation.allocated_by))
            .where(Allocation.award_id == a.id)
            .order_by(Allocation.kind, Allocation.started_on.desc(), Allocation.id.desc())
        )
    )
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .join(Attendee, Attendee.meeting_id == Meeting.id)
            .options(selectinload(Meeting.attendees).joinedload(Attendee.user))
            .where(Attendee.award_id == a.id)
            .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        ).unique()
    )
    return render_template(
        "supervision/award.html",
        award=a,
        row=row,
        history=history,
        meetings=meetings,
        can_open=lambda m: policy.can_view_meeting(me, m),
        staff=me.has_role(Role.STAFF),
        mine=a.holder_id == me.id,
        onboarding_visible=onboarding.can_see(me, a, today()),
    )


@bp.route(f"/awards/<int:award_id>/allocate/{KIND}", methods=["GET", "POST"])
@roles(Role.STAFF)
def allocate(award_id: int, kind: str):
    a = _award_or_404(award_id)
    pool_kind = PoolKind(kind)
    members = list(
        db.session.scalars(
            select(PoolMember)
            .join(User, User.id == PoolMember.user_id)
            .options(joinedload(PoolMember.user), joinedload(PoolMember.university))
            .where(PoolMember.cohort_id == a.cohort_id, PoolMember.kind == pool_kind)
            .order_by(User.name)
        )
    )
    load = services.loads([m.id for m in members])
    form = AllocateForm([(m.id, m.user.name) for m in members])
    now = services.current(a.id, pool_kind)
    if form.validate_on_submit():
        member = db.session.get(PoolMember, form.member.data)
        try:
            if member is None:
                raise SupervisionError("Choose a person from the list", "member")
            services.allocate(
                a,
                member,
                _me(),
                reason=form.reason.data or "",
                override_reason=form.override_reason.data or "",
                today=today(),
            )
            db.session.commit()
        except SupervisionError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash(
                f"{member.user.name} is now {a.holder.name}'s {pool_kind.label.lower()}. "
                "They, the award holder and the line manager have been emailed.",
                "success",
            )
            return redirect(url_for("supervision.award", award_id=a.id))
    return render_template(
        "supervision/allocate.html",
        award=a,
        kind=pool_kind,
        members=members,
        loads=load,
        form=form,
        now=now,
        ended=services.year_ended(a.cohort, today()),
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@roles(Role.SUPERVISOR, Role.COACH, Role.AWARD_HOLDER)
def meeting_new():
    me = _me()
    kinds = services.meeting_kinds_for(me)
    holders: list[Award] = []
    if me.has_role(Role.SUPERVISOR):
        holders += services.allocated_awards(me, PoolKind.SUPERVISOR)
    if me.has_role(Role.COACH):
        holders += [a for a in services.allocated_awards(me, PoolKind.COACH) if a not in holders]
    own = None
    if me.has_role(Role.AWARD_HOLDER):
        own = db.session.scalar(
            select(Award)
            .join(Cohort, Cohort.id == Award.cohort_id)
            .where(Award.holder_id == me.id)
            .order_by(Cohort.programme_start.desc())
        )
    form = MeetingForm(
        [(k.value, k.label) for k in kinds], [(a.id, a.holder.name) for a in holders]
    )
    if form.validate_on_submit():
        ids = form.award_ids.data or []
        if own is not None and not holders:
            ids = [own.id]
        try:
            if form.kind.data not in {k.value for k in kinds}:
                raise SupervisionError("Choose the kind of meeting", "kind")
            m = services.log_meeting(
                me,
                services.MeetingDetails(
                    kind=MeetingKind(form.kind.data),
                    held_on=form.held_on.data,
                    minutes=form.minutes.data,
                    notes=form.notes.data or "",
                    actions=form.actions.data or "",
                    award_ids=ids,
                ),
                today(),
            )
            db.session.commit()
        except SupervisionError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            flash("Meeting logged.", "success")
            return redirect(url_for("supervision.meeting", meeting_id=m.id))
    return render_template(
        "supervision/meeting_form.html",
        form=form,
        holders=holders,
        own=own,
        nothing=not holders and own is None,
    )


def _meeting_or_404(meeting_id: int) -> Meeting:
    me = _me()
    return get_or_404(
        Meeting,
        meeting_id,
        lambda m: policy.can_view_meeting(me, m),
        options=[selectinload(Meeting.attendees).joinedload(Attendee.user)],
    )


@bp.route("/meetings/<int:meeting_id>")
@roles(Role.STAFF, Role.AWARD_HOLDER, *SUPPORTERS)
def meeting(meeting_id: int):
    m = _meeting_or_404(meeting_id)
    me = _me()
    return render_template(
        "supervision/meeting.html",
        meeting=m,
        can_confirm=policy.can_confirm(me, m),
        action_form=ActionForm(),
        holder_award=next((a.award_id for a in m.attendees if a.user_id == me.id), None),
    )


@bp.route("/meetings/<int:meeting_id>/confirm", methods=["POST"])
@roles(Role.AWARD_HOLDER)
def meeting_confirm(meeting_id: int):
    m = _meeting_or_404(meeting_id)
    if not any(a.user_id == _me().id and a.award_id for a in m.attendees):
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            services.confirm(m, _me())
            db.session.commit()
        except SupervisionError as exc:
            db.session.rollback()
            flash(str(exc), "warning")
        else:
            flash("Thank you. You have confirmed this meeting.", "success")
    return redirect(url_for("supervision.meeting", meeting_id=m.id))


register_nav(45, "Supervision", "supervision.index")


@register_cards
def _supervision_cards(user) -> list[Card]:
    """What supervision asks of each person, on their home page."""
    cards = []
    if user.has_role(Role.STAFF):
        cards.append(
            Card(
                "Supervisors and coaches",
                "Keep each cohort's supervisors and coaches, allocate them and see "
                "three-way meetings.",
                url_for("supervision.index"),
            )
        )
    stmt = _supported_awards(user)
    if stmt is not None:
        n = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        if user.has_role(Role.SUPERVISOR, Role.COACH, Role.ASSISTANT_DIRECTOR) or n:
            cards.append(
                Card(
                    f"{n} award holder{'s' if n != 1 else ''} you support",
                    "Their research days, meetings held and the next three-way meeting due.",
                    url_for("supervision.index"),
                )
            )
    if user.has_role(Role.AWARD_HOLDER):
        own = next((a.id for a in holder_awards(user.id)), None)
        if own:
            cards.append(
                Card(
                    "Your supervision and coaching",
                    "Your supervisor and coach, your meetings and your three-way meetings.",
                    url_for("supervision.award", award_id=own),
                )
            )
    return cards
