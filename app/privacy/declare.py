"""The vocabulary of the personal-data map, declared where the data lives: on the
model's columns (`info=personal(...)`) and tables (`info=no_personal_data(...)`).

    email: Mapped[str] = mapped_column(
        String(254), info=personal(Category.CONTACT, Retention.ACCOUNT)
    )
    holder_id: Mapped[int] = mapped_column(
        ForeignKey("user.id"), info=personal(Category.PARTICIPATION, Retention.PROGRAMME,
                                             person=Person.SUBJECT)
    )
    status: Mapped[str] = mapped_column(String(20), info=not_personal())

`tests/test_privacy_map.py` walks the metadata and fails for a table with a column that
references `user.id`, or a String/Text column, that says neither. Enum columns hold a
fixed vocabulary (no name, email or free text fits), so they need no declaration, but
one that says something about a person (gender) is declared like any other.

This module imports nothing from the app: every models module may import it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

INFO_KEY = "privacy"
TABLE_KEY = "privacy_table"


class Category(enum.StrEnum):
    """What kind of personal data a column holds; the privacy notice groups by it."""

    CONTACT = "contact"  # name, email, phone, address
    EMPLOYMENT = "employment"  # employer, team, role, qualifications, line manager
    PARTICIPATION = "participation"  # taking part: applications, days, meetings, outputs
    SPECIAL = "special"  # health, access and dietary needs, equality monitoring
    FINANCE = "finance"  # spending, receipts, payments: under a legal hold
    FREE_TEXT = "free_text"  # what people wrote (notes, reasons, comments)
    FILE = "file"  # an uploaded or generated file
    ACCOUNT = "account"  # sign-in and security: hashes and tokens, never exported

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def sensitive(self) -> bool:
        """Shown only to the person and programme staff: never to managers or PSWs, never
        in their exports or emails."""
        return self is Category.SPECIAL


CATEGORY_LABELS = {
    Category.CONTACT: "Contact details",
    Category.EMPLOYMENT: "Employment and qualifications",
    Category.PARTICIPATION: "Taking part in the programme",
    Category.SPECIAL: "Health, access, dietary and equality information",
    Category.FINANCE: "Money: spending, receipts and payments",
    Category.FREE_TEXT: "Things written about you or by you",
    Category.FILE: "Files you or others uploaded",
    Category.ACCOUNT: "Sign-in and security records",
}


class Retention(enum.StrEnum):
    """How long a column is kept. The periods are in `app.privacy.retention` (defaults,
    changed by the PRIVACY_RETENTION_DAYS setting) and in the README."""

    ACCOUNT = "account"  # while the account is open
    PROGRAMME = "programme"  # the programme record: years after the cohort ends
    FINANCE = "finance"  # legal hold: six years, even after an erasure request
    AFTER_WORKSHOP = "after_workshop"  # 30 days after the workshop's last day
    UNSUCCESSFUL = "unsuccessful"  # unsuccessful applications: a period staff set
    SHORT = "short"  # operational records: tokens, failed sign-ins, sent mail
    AUDIT = "audit"  # the audit trail: kept, anonymised on erasure
    PUBLISHED = "published"  # outputs shared between authorities: credited "former member"


class Person(enum.StrEnum):
    """How a column points to a person."""

    SUBJECT = "subject"  # the row is this person's data (or, on a foreign key to another
    # table, the row belongs to whoever the referenced row belongs to)
    ACTOR = "actor"  # this person acted on the row (approved, reviewed, signed, wrote)


@dataclass(frozen=True)
class Declaration:
    category: Category | None  # None: not personal data
    retention: Retention | None
    person: Person | None = None
    export: bool = True  # False for secrets (hashes): the subject-access copy leaves them out

    @property
    def is_personal(self) -> bool:
        return self.category is not None

    @property
    def sensitive(self) -> bool:
        return self.category is not None and self.category.sensitive


NOT_PERSONAL = Declaration(None, None)


def personal(
    category: Category,
    retention: Retention,
    *,
    person: Person | None = None,
    export: bool = True,
) -> dict:
    """The `info=` of a column holding personal data (or pointing to a person)."""
    return {INFO_KEY: Declaration(category, retention, person, export)}


def not_personal() -> dict:
    """The `info=` of a text column that holds no personal data (a status, a code)."""
    return {INFO_KEY: NOT_PERSONAL}


def link(person: Person = Person.SUBJECT) -> dict:
    """The `info=` of a foreign key that ties the row to a person through another table
    (`award_id`: the row belongs to the award's holder). Not personal data itself."""
    return {INFO_KEY: Declaration(None, None, person)}


def no_personal_data(reason: str) -> dict:
    """The table's `info=` (in `__table_args__`) when none of its columns is personal data:
    reference data, settings, the programme's own texts."""
    return {TABLE_KEY: reason}


def declaration(column) -> Declaration | None:
    return column.info.get(INFO_KEY)


def table_reason(table) -> str | None:
    return table.info.get(TABLE_KEY)
