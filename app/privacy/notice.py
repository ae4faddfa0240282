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
        "Only to make workshops and community meetings accessible and safe for you, and "
        "for equality monitoring. Seen only by you and the programme team, and your "
        "accessibility requests for a community meeting by that community's facilitators, "
        "who arrange them: never by your manager or PSW."
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


# Plain-English names for the records the notice lists; any other table reads as its name.
LABELS = {
    "user": "your account",
    "user_role": "your roles",
    "user_token": "sign-in and invitation links",
    "membership": "the organisations you belong to",
    "outbox_message": "emails we sent you",
    "audit_entry": "the record of who did what",
    "application_event": "your application's history",
    "sign_off": "the PSW's sign-off",
    "review": "the panel's review of your application",
    "award_output": "your research outputs",
    "output_version": "your output files",
    "release_day": "your study and workshop days",
    "workshop_registration": "your replies to workshop invitations",
    "workshop_attendance": "workshop registers",
    "spending_item": "personal award spending",
    "backfill_entry": "backfill payments",
    "backfill_plan": "backfill plans",
    "supervision_attendee": "supervision meetings you attended",
    "supervision_meeting": "supervision meeting notes",
    "supervision_allocation": "who supervises and coaches you",
    "supervision_pool": "supervisors and coaches available",
    "impact_entry": "your impact log",
    "pathway_step": "your next steps",
    "survey_invitation": "evaluation survey invitations",
    "survey_response": "evaluation survey answers",
    "survey_answer": "evaluation survey answers",
    "calendar_feed": "calendar links",
    "sign_in_failure": "failed sign-in attempts",
    "sign_in_event": "your recent sign-ins",
    "known_device": "devices you signed in from",
    "recovery_code": "two-factor recovery codes",
    "privacy_erasure": "erasure requests",
    "privacy_setting": "retention settings",
    "rendered_document": "documents made for you (certificates, agreements)",
    "community_member": "your communities of practice",
    "community_post": "community workspace posts",
    "community_booking": "community meeting bookings",
}


def label(table_name: str) -> str:
    return LABELS.get(table_name, table_name.replace("_", " "))


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
