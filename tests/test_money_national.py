"""The national data set's money (app/demo/national_money.py) at a small scale: spending
and backfill keep the services' rules (never past the cap or the agreed amount), finished
years are paid in full, and every invoice has its document."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from app.awards.models import Award
from app.cohorts.models import Cohort
from app.demo import national
from app.extensions import db
from app.money.models import BackfillEntry, BackfillKind, BackfillPlan, SpendingItem

TODAY = date(2026, 11, 20)


def test_national_backfill_and_spending_keep_the_rules(app):
    with app.app_context():
        summary = national.generate(scale=0.01, seed=national.SEED, today=TODAY)
        assert summary.counts["backfill_entry"] > 0 and summary.counts["backfill_plan"] > 0
        awards = {a.id: a for a in db.session.scalars(select(Award))}
        cohorts = {c.id: c for c in db.session.scalars(select(Cohort))}
        sums: dict = defaultdict(int)
        for e in db.session.scalars(select(BackfillEntry)):
            sums[e.award_id, e.kind] += e.amount_pence
            assert e.dated_on <= TODAY
            assert e.file_id is not None if e.kind == BackfillKind.INVOICE else e.file_id is None
        assert sums
        finished = 0
        for (award_id, _kind), total in sums.items():
            award = awards[award_id]
            assert 0 < total <= award.backfill_pence
            assert sums[award_id, BackfillKind.PAYMENT] <= sums[award_id, BackfillKind.INVOICE]
            if cohorts[award.cohort_id].programme_end < TODAY:
                assert total == award.backfill_pence  # a finished year is paid in full
                finished += 1
        assert finished and any(
            sums[a, BackfillKind.PAYMENT] < awards[a].backfill_pence for a, _ in sums
        )  # and a running year is part way
        plans = list(db.session.scalars(select(BackfillPlan)))
        assert {p.award_id for p in plans} <= {a for a, _ in sums}
        assert any(p.team_budget for p in plans) and any(p.use_note for p in plans)
        spent: dict = defaultdict(int)
        for item in db.session.scalars(select(SpendingItem)):
            if item.status.value in ("submitted", "approved", "paid"):
                spent[item.award_id] += item.amount_pence
        assert all(spent[a] <= awards[a].personal_award_cap_pence for a in spent)
