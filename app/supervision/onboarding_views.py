"""The onboarding checklist: one award holder's (ticked by the people each item belongs
to) and a cohort's, for staff, with who is still incomplete."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.forms import ActionForm
from app.core.pagination import paginate, parse_page
from app.core.params import arg_choice
from app.core.roles import Role
from app.extensions import db
from app.supervision import onboarding, queries
from app.supervision.blueprint import bp
from app.supervision.models import OnboardingItem
from app.supervision.services import SupervisionError

SEERS = (Role.STAFF, Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.ASSISTANT_DIRECTOR)
ITEM = "<any(" + ",".join(i.value for i in OnboardingItem) + "):item>"
FILTERS = [
    ("", "Everyone"),
    ("any", "Anything outstanding"),
    *((k, f"Not done: {onboarding.LABELS[k]}") for k in onboarding.KEYS),
]


def _award_or_404(award_id: int) -> Award:
    me = current_user._get_current_object()
    return get_or_404(
        Award,
        award_id,
        lambda a: onboarding.can_see(me, a, today()),
        options=[joinedload(Award.cohort), joinedload(Award.holder)],
    )


@bp.route("/awards/<int:award_id>/onboarding")
@roles(*SEERS)
def onboarding_award(award_id: int):
    a = _award_or_404(award_id)
    me = current_user._get_current_object()
    (checklist,) = onboarding.checklists([a])
    return render_template(
        "supervision/onboarding.html",
        award=a,
        checklist=checklist,
        can_tick=lambda item: onboarding.can_tick(me, a, item),
        who_ticks=onboarding.WHO_TICKS,
        form=ActionForm(),
        staff=me.has_role(Role.STAFF),
        mine=a.holder_id == me.id,
    )


def _change(award_id: int, item: str, undo: bool):
    a = _award_or_404(award_id)
    what = OnboardingItem(item)
    if ActionForm().validate_on_submit():
        me = current_user._get_current_object()
        try:
            if undo:
                onboarding.untick(a, what, me)
            else:
                onboarding.tick(a, what, me, today())
            db.session.commit()
        except SupervisionError as exc:
            db.session.rollback()
            flash(str(exc), "warning")
        else:
            flash(f"{what.label}: {'unticked' if undo else 'ticked'}.", "success")
    return redirect(url_for("supervision.onboarding_award", award_id=a.id))


@bp.route(f"/awards/<int:award_id>/onboarding/{ITEM}/tick", methods=["POST"])
@roles(*SEERS)
def onboarding_tick(award_id: int, item: str):
    return _change(award_id, item, undo=False)


@bp.route(f"/awards/<int:award_id>/onboarding/{ITEM}/untick", methods=["POST"])
@roles(*SEERS)
def onboarding_untick(award_id: int, item: str):
    return _change(award_id, item, undo=True)


@bp.route("/cohorts/<int:cohort_id>/onboarding")
@roles(Role.STAFF)
def onboarding_cohort(cohort_id: int):
    c = get_or_404(Cohort, cohort_id)
    shown = arg_choice("missing", [k for k, _ in FILTERS], "")
    stmt = queries.award_stmt(c)
    if shown == "any":
        stmt = stmt.where(onboarding.incomplete())
    elif shown:
        stmt = stmt.where(onboarding.missing(shown))
    counts = onboarding.outstanding_counts(c.id)
    # the counts shown above the list are its length too: no COUNT of its own
    found = paginate(
        stmt,
        parse_page(request.args.get("page")),
        current_app.config["PER_PAGE"],
        total=counts[shown or "total"],
    )
    return render_template(
        "supervision/onboarding_cohort.html",
        cohort=c,
        page=found,
        lists=onboarding.checklists(found.items),
        counts=counts,
        keys=onboarding.KEYS,
        labels=onboarding.LABELS,
        filters=FILTERS,
        shown=shown,
    )
