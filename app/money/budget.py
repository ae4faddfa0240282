"""The programme budget for one cohort's personal awards: what was allocated (the sum of
the holders' caps), committed (approved and paid), paid, pending and remaining, spending
by category, the holders with most and least left, backfill totals, and every
transaction (personal-award items, backfill invoices and payments) for export.
All summed by the database from the items, in a fixed number of queries."""

from __future__ import annotations

import heapq
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.awards.models import Award
from app.core.csv import safe_cell
from app.core.pagination import Page
from app.extensions import db
from app.money import services
from app.money.backfill import BackfillFigures, figures_for
from app.money.models import (
    COMMITTED,
    BackfillEntry,
    BackfillKind,
    BackfillPlan,
    Category,
    ItemStatus,
    SpendingItem,
)

EXPORT_LIMIT = 100_000
HEADERS = [
    "Item",
    "Fund",
    "Award holder",
    "Category",
    "Description",
    "Supplier",
    "Date",
    "Amount (GBP)",
    "Status",
    "Corrects item",
    "Reference",
    "Paid how",
]
AMOUNT, DATE = HEADERS.index("Amount (GBP)"), HEADERS.index("Date")


@dataclass
class HolderLine:
    award: Award
    figures: services.Figures


@dataclass
class Budget:
    holders: list[HolderLine]
    by_category: list[tuple[Category, int]] = field(default_factory=list)
    backfill: list[BackfillFigures] = field(default_factory=list)
    page: Page | None = None  # the holders' lines shown on the page

    @property
    def backfill_agreed(self) -> int:
        return sum(b.agreed for b in self.backfill)

    @property
    def backfill_invoiced(self) -> int:
        return sum(b.invoiced for b in self.backfill)

    @property
    def backfill_paid(self) -> int:
        return sum(b.paid for b in self.backfill)

    @property
    def backfill_remaining(self) -> int:
        return sum(b.remaining for b in self.backfill)

    def _total(self, name: str) -> int:
        return sum(getattr(h.figures, name) for h in self.holders)

    @property
    def allocated(self) -> int:
        return self._total("cap")

    @property
    def committed(self) -> int:
        return self._total("committed")

    @property
    def paid(self) -> int:
        return self._total("paid")

    @property
    def pending(self) -> int:
        return self._total("pending")

    @property
    def remaining(self) -> int:
        return self._total("remaining")

    def most_left(self, n: int = 3) -> list[HolderLine]:
        return sorted(self.holders, key=lambda h: (-h.figures.remaining, h.award.id))[:n]

    def least_left(self, n: int = 3) -> list[HolderLine]:
        return sorted(self.holders, key=lambda h: (h.figures.remaining, h.award.id))[:n]


def for_cohort(cohort_id: int, page: int | None = None, per_page: int = 25) -> Budget:
    """The cohort's budget in three queries: the awards with their holders' names, the
    spending summed by award, status and category (the holders' figures and the spending
    by category both come from it), and the backfill sums. With `page`, `Budget.page`
    holds that page of the holders' lines."""
    awards = list(
        db.session.scalars(
            select(Award)
            .where(Award.cohort_id == cohort_id)
            .order_by(Award.id)
            .options(joinedload(Award.holder).load_only(User.name).lazyload(User.role_links))
        )
    )
    sums: dict[int, dict[ItemStatus, int]] = {a.id: {} for a in awards}
    categories: dict[Category, int] = {}
    rows = (
        db.session.execute(
            select(
                SpendingItem.award_id,
                SpendingItem.status,
                SpendingItem.category,
                func.sum(SpendingItem.amount_pence),
            )
            .where(SpendingItem.award_id.in_(list(sums)))
            .group_by(SpendingItem.award_id, SpendingItem.status, SpendingItem.category)
        )
        if sums
        else []
    )
    for award_id, status, category, total in rows:
        status, total = ItemStatus(status), int(total or 0)
        by_status = sums[award_id]
        by_status[status] = by_status.get(status, 0) + total
        if status in COMMITTED:
            category = Category(category)
            categories[category] = categories.get(category, 0) + total
    by_category = sorted(categories.items(), key=lambda ct: (-ct[1], ct[0].label))
    out = Budget(
        holders=[HolderLine(a, services.figures(a, sums[a.id])) for a in awards],
        by_category=by_category,
        backfill=list(figures_for(awards).values()),
    )
    if page is not None:
        start = (page - 1) * per_page
        out.page = Page(
            items=out.holders[start : start + per_page],
            page=page,
            per_page=per_page,
            total=len(out.holders),
        )
    return out


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    pounds, p = divmod(abs(pence), 100)
    return f"{sign}{pounds}.{p:02d}"


def _spending_rows(cohort_id: int) -> Iterator[list]:
    rows = db.session.execute(
        select(SpendingItem, Award)
        .join(Award, Award.id == SpendingItem.award_id)
        .where(Award.cohort_id == cohort_id)
        .options(joinedload(Award.holder))
        .order_by(SpendingItem.spent_on, SpendingItem.id)
        .limit(EXPORT_LIMIT)
    )
    for item, award in rows:
        yield [
            item.id,
            "Personal award",
            award.holder.name,
            item.category.label,
            item.description,
            item.supplier,
            item.spent_on,
            item.amount_pence,
            item.status.label,
            item.adjusts_id or "",
            item.payment_reference or "",
            item.payment_method.label if item.payment_method else "",
        ]


def _backfill_rows(cohort_id: int) -> Iterator[list]:
    rows = db.session.execute(
        select(BackfillEntry, Award, BackfillPlan.team_budget)
        .join(Award, Award.id == BackfillEntry.award_id)
        .outerjoin(BackfillPlan, BackfillPlan.award_id == Award.id)
        .where(Award.cohort_id == cohort_id)
        .options(joinedload(Award.holder), joinedload(Award.employer))
        .order_by(BackfillEntry.dated_on, BackfillEntry.id)
        .limit(EXPORT_LIMIT)
    )
    for entry, award, team_budget in rows:
        invoice = entry.kind == BackfillKind.INVOICE
        paid_to = f"the team budget: {team_budget}" if team_budget else "the employer"
        yield [
            f"B{entry.id}",
            "Backfill",
            award.holder.name,
            entry.kind.label,
            "Invoice from the employer" if invoice else f"Payment to {paid_to}",
            award.employer.name,
            entry.dated_on,
            entry.amount_pence,
            "Invoiced" if invoice else "Paid",
            "",
            entry.reference,
            "",
        ]


def transactions(cohort_id: int) -> Iterator[list]:
    """Every personal-award item and backfill invoice and payment of the cohort, oldest
    first, as rows under HEADERS (dates as dates, amounts in pence)."""
    return heapq.merge(
        _spending_rows(cohort_id), _backfill_rows(cohort_id), key=lambda row: row[DATE]
    )


def csv_text(cohort_id: int) -> str:
    import csv

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADERS)
    for row in transactions(cohort_id):
        cells = [safe_cell(v) for v in row]
        # our own figures: a refund's "-12.50" is a number, not a formula to defuse
        cells[DATE], cells[AMOUNT] = row[DATE].isoformat(), pounds(row[AMOUNT])
        w.writerow(cells)
    return out.getvalue()


def workbook(cohort_name: str, cohort_id: int) -> bytes:
    """An Excel workbook (openpyxl): a summary sheet and every transaction, amounts as
    numbers in pounds with a currency format, text cells safe from formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    budget = for_cohort(cohort_id)
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    summary.append([f"Personal awards, cohort {cohort_name}"])
    summary["A1"].font = Font(bold=True)
    for label, pence in (
        ("Allocated", budget.allocated),
        ("Approved and paid", budget.committed),
        ("Paid", budget.paid),
        ("Waiting for approval", budget.pending),
        ("Remaining", budget.remaining),
        ("Backfill agreed", budget.backfill_agreed),
        ("Backfill invoiced", budget.backfill_invoiced),
        ("Backfill paid", budget.backfill_paid),
        ("Backfill remaining", budget.backfill_remaining),
    ):
        summary.append([label, pence / 100])
    summary.append([])
    summary.append(["Award holder", "Personal award", "Approved and paid", "Pending", "Remaining"])
    for h in budget.holders:
        f = h.figures
        summary.append(
            [
                safe_cell(h.award.holder.name),
                f.cap / 100,
                f.committed / 100,
                f.pending / 100,
                f.remaining / 100,
            ]
        )
    sheet = wb.create_sheet("Transactions")
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in transactions(cohort_id):
        row[AMOUNT] = row[AMOUNT] / 100
        sheet.append([safe_cell(v) for v in row])
    for ws, cols in ((summary, "BCDE"), (sheet, "H")):
        for col in cols:
            for cell in ws[col]:
                if isinstance(cell.value, float):
                    cell.number_format = "£#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_bytes(title: str, headers: list[str], rows, amount_column: int) -> bytes:
    """A one-sheet workbook: bold headers, then `rows` with the amount (pence) in
    `amount_column` written as pounds in a currency format (None left empty); text cells
    formula-safe."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append([_bold(ws, h, Font(bold=True)) for h in headers])
    for row in rows:
        cells = [safe_cell(v) for v in row]
        amount = row[amount_column]  # None: no amount yet, an empty cell
        cells[amount_column] = None if amount is None else _money(ws, amount / 100)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _bold(ws, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    return cell


def _money(ws, value: float):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = "£#,##0.00"
    return cell
