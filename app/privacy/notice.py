"""The privacy notice, generated from the personal-data map: what is held (by category,
with the records it is in), why, for how long, and how to ask for a copy or erasure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from app.extensions import db
from app.privacy import retention
from app.privacy.datamap import declared
from app.privacy.declare import Category, Retention

WHY = {
    Category.CONTACT: "To contact you about the programme and to know who you are.",
    Category.EMPLOYMENT: (
        "To check you can take part, to involve your employer (line manager, PSW, "
        "assistant director) and to report on the programme across authorities."
    ),
    Category.PARTICIPATION: (
        "To run your programme year: applications, study days, workshops, supervision, "
        "outputs and the difference your research made."
    ),
    Category.SPECIAL: (
        "Only to make workshops accessible and safe for you, and for equality monitoring. "
        "Seen only by you and the programme team: never by your manager or PSW."
    ),
    Category.FINANCE: "To pay for your research and account for public money.",
    Category.FREE_TEXT: "Notes and reasons written while your programme year is run.",
    Category.FILE: "Receipts, invoices, research outputs and evidence of impact.",
    Category.ACCOUNT: "To keep your account secure and show who did what.",
}

# Lawful basis, as the programme's record of processing states it.
BASIS = {
    Category.SPECIAL: (
        "Explicit consent, given when you tell us; and substantial public interest "
        "(equality of opportunity)."
    ),
    Category.FINANCE: "Legal obligation (financial records) and public task.",
}
DEFAULT_BASIS = "Public task: developing research capacity in social care."


@dataclass
class Group:
    category: Category
    records: set[str] = field(default_factory=set)
    rules: set[Retention] = field(default_factory=set)

    @property
    def why(self) -> str:
        return WHY[self.category]

    @property
    def basis(self) -> str:
        return BASIS.get(self.category, DEFAULT_BASIS)

    @property
    def how_long(self) -> list[str]:
        return [retention.describe(r) for r in sorted(self.rules, key=list(Retention).index)]

    @property
    def record_names(self) -> list[str]:
        return sorted(self.records)


def label(table_name: str) -> str:
    return table_name.replace("privacy_", "").replace("_", " ")


def groups() -> list[Group]:
    found: dict[Category, Group] = defaultdict(lambda: Group(Category.CONTACT))
    for table, _column, decl in declared(db.metadata):
        if not decl.is_personal:
            continue
        group = found.setdefault(decl.category, Group(decl.category))
        group.records.add(label(table.name))
        group.rules.add(decl.retention)
    return [found[c] for c in Category if c in found]


def render_notice():
    """The notice page: at /privacy (the footer's link) and /privacy/notice."""
    from flask import render_template

    return render_template(
        "privacy/notice.html", groups=groups(), finance_years=retention.finance_years()
    )


def record_of_processing() -> list[tuple[str, str, str, str]]:
    """(table, column, category, retention) for every declared personal column: the
    README's record of processing is checked against it."""
    return sorted(
        (t.name, c.name, d.category.value, d.retention.value)
        for t, c, d in declared(db.metadata)
        if d.is_personal
    )
