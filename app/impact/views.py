"""Impact log pages: the award holder adds entries and confirms suggestions; their line
manager, PSW and supervisor read the log and suggest entries; staff read. Someone else's
log is a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.awards.models import Award
from app.awards.services import latest_award
from app.core import storage
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.roles import Role
from app.extensions import db
from app.impact import policy, services
from app.impact.blueprint import bp
from app.impact.forms import EntryForm
from app.impact.models import Category, EntryStatus, ImpactEntry, Reach
from app.impact.services import EntryData, ImpactError

READERS = (Role.STAFF, Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.PSW, Role.SUPERVISOR)
SUGGESTERS = (Role.LINE_MANAGER, Role.PSW, Role.SUPERVISOR)


def _me():
    return current_user._get_current_object()


def award_or_404(award_id: int) -> Award:
    me = _me()
    return get_or_404(
        Award,
        award_id,
        lambda a: policy.can_view(me, a),
        options=[joinedload(Award.cohort), joinedload(Award.holder)],
    )


@bp.route("/")
@roles(*READERS)
def index():
    """The holder's own log; for everyone else, the award holders they may read."""
    me = _me()
    if me.has_role(Role.AWARD_HOLDER):
        award = latest_award(me.id)
        if award is not None and not me.has_role(*SUGGESTERS, Role.STAFF):
            return redirect(url_for("impact.log", award_id=award.id))
    else:
        award = None
    stmt = policy.suggestible_awards(me)
    awards = (
        list(
            db.session.scalars(
                stmt.options(joinedload(Award.holder), joinedload(Award.cohort)).order_by(
                    Award.awarded_at.desc(), Award.id
                )
            )
        )
        if stmt is not None
        else []
    )
    return render_template(
        "impact/index.html",
        own=award,
        awards=awards,
        reporter=me.has_role(Role.STAFF, Role.PSW),
    )


@bp.route("/awards/<int:award_id>")
@roles(*READERS)
def log(award_id: int):
    a = award_or_404(award_id)
    me = _me()
    entries = services.entries_for(a)
    holder = policy.is_holder(me, a)
    return render_template(
        "impact/log.html",
        award=a,
        confirmed=[e for e in entries if e.status == EntryStatus.CONFIRMED],
        suggested=[e for e in entries if e.status == EntryStatus.SUGGESTED],
        declined=[e for e in entries if e.status == EntryStatus.DECLINED],
        is_holder=holder,
        can_suggest=policy.can_suggest(me, a),
        action_form=ActionForm(),
    )


@bp.route("/awards/<int:award_id>/new", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER, *SUGGESTERS)
def add(award_id: int):
    a = award_or_404(award_id)
    me = _me()
    own = policy.can_add(me, a)
    if not (own or policy.can_suggest(me, a)):
        abort(404)
    form = EntryForm()
    if form.validate_on_submit():
        file = request.files.get("evidence")
        data = file.read(storage.max_bytes() + 1) if file and file.filename else None
        try:
            services.add_entry(
                a,
                me,
                EntryData(
                    category=Category(form.category.data),
                    occurred_on=form.occurred_on.data,
                    description=form.description.data or "",
                    reach=Reach(form.reach.data),
                    evidence_url=(form.evidence_url.data or "").strip(),
                ),
                today(),
                data,
                file.filename if data is not None else "",
            )
            db.session.commit()
        except ImpactError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            deliver_pending()
            flash(
                "Added to your impact log."
                if own
                else f"Suggested. {a.holder.name} is asked to confirm it.",
                "success",
            )
            return redirect(url_for("impact.log", award_id=a.id))
    status = 400 if request.method == "POST" else 200
    return render_template("impact/add.html", form=form, award=a, own=own), status


def _decide(entry_id: int, confirm: bool):
    me = _me()
    entry = get_or_404(
        ImpactEntry,
        entry_id,
        lambda e: policy.is_holder(me, e.award),
        options=[joinedload(ImpactEntry.award)],
    )
    if ActionForm().validate_on_submit():
        try:
            services.decide(entry, me, confirm)
            db.session.commit()
        except ImpactError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            deliver_pending()
            flash("Confirmed: it is in your impact log." if confirm else "Declined.", "success")
    return redirect(url_for("impact.log", award_id=entry.award_id))


@bp.route("/entries/<int:entry_id>/confirm", methods=["POST"])
@roles(Role.AWARD_HOLDER)
def confirm(entry_id: int):
    return _decide(entry_id, True)


@bp.route("/entries/<int:entry_id>/decline", methods=["POST"])
@roles(Role.AWARD_HOLDER)
def decline(entry_id: int):
    return _decide(entry_id, False)


@bp.route("/entries/<int:entry_id>/evidence")
@roles(*READERS)
def evidence(entry_id: int):
    me = _me()
    entry = get_or_404(
        ImpactEntry,
        entry_id,
        lambda e: policy.can_view(me, e.award) and e.evidence_file_id is not None,
        options=[joinedload(ImpactEntry.evidence_file), joinedload(ImpactEntry.award)],
    )
    return storage.download(entry.evidence_file, entry.evidence_filename)
