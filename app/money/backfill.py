"""Backfill funding per award holder: the agreed amount (the award's `backfill_pence`),
invoices received from the employer, payments made, what remains, who it is paid to and
how it was used. Invoices and payments never pass the agreed amount: the award row is
locked before the check, as for the personal award."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.awards.models import Award
from app.core import audit, state, storage
from app.core.formatting import format_pence
from app.extensions import db
from app.money.models import BackfillEntry, BackfillKind, BackfillPlan
from app.money.services import MoneyError


@dataclass
class BackfillFigures:
    agreed: int
    invoiced: int = 0
    paid: int = 0

    @property
    def remaining(self) -> int:
        return self.agreed - self.paid


def figures_for(awards: list[Award]) -> dict[int, BackfillFigures]:
    out = {a.id: BackfillFigures(agreed=a.backfill_pence or 0) for a in awards}
    if not out:
        return out
    rows = db.session.execute(
        select(BackfillEntry.award_id, BackfillEntry.kind, func.sum(BackfillEntry.amount_pence))
        .where(BackfillEntry.award_id.in_(list(out)))
        .group_by(BackfillEntry.award_id, BackfillEntry.kind)
    )
    for award_id, kind, total in rows:
        setattr(out[award_id], "invoiced" if kind == BackfillKind.INVOICE else "paid", int(total))
    return out


def add_entry(
    award: Award,
    actor,
    kind: BackfillKind,
    reference: str,
    on: date,
    amount_pence: int,
    document: tuple[bytes, str, str | None] | None = None,
) -> BackfillEntry:
    state.lock(award)
    f = figures_for([award])[award.id]
    done = f.invoiced if kind == BackfillKind.INVOICE else f.paid
    over = done + amount_pence - f.agreed
    if over > 0:
        noun = "Invoices" if kind == BackfillKind.INVOICE else "Payments"
        raise MoneyError(
            f"{noun} would come to {format_pence(over)} more than the agreed backfill of "
            f"{format_pence(f.agreed)}",
            "amount",
        )
    exists = db.session.scalar(
        select(BackfillEntry.id).where(
            BackfillEntry.award_id == award.id,
            BackfillEntry.kind == kind,
            BackfillEntry.reference == reference,
        )
    )
    if exists:
        raise MoneyError(f"{reference} is already recorded", "reference")
    entry = BackfillEntry(
        award_id=award.id,
        kind=kind,
        reference=reference,
        dated_on=on,
        amount_pence=amount_pence,
        recorded_by_id=actor.id,
    )
    if document is not None:
        data, filename, declared = document
        stored = storage.put(data, filename, declared)
        entry.file_id, entry.filename = stored.id, storage.display_name(filename, stored)
    db.session.add(entry)
    db.session.flush()
    audit.record(
        f"money.backfill_{kind.value}",
        entry,
        actor=actor,
        summary=f"{kind.label} {reference}: {format_pence(amount_pence)}",
    )
    return entry


def save_plan(award: Award, actor, team_budget: str, use_note: str) -> BackfillPlan:
    state.lock(award)
    plan = db.session.scalar(select(BackfillPlan).where(BackfillPlan.award_id == award.id))
    before = {"team_budget": "", "use_note": ""}
    if plan is None:
        plan = BackfillPlan(award_id=award.id)
        db.session.add(plan)
    else:
        before = {"team_budget": plan.team_budget, "use_note": plan.use_note}
    plan.team_budget, plan.use_note = team_budget, use_note
    db.session.flush()
    audit.record(
        "money.backfill_plan_saved",
        plan,
        actor=actor,
        changes=audit.diff(before, {"team_budget": team_budget, "use_note": use_note}),
    )
    return plan
