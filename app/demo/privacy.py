"""Demo data protection records (issue 20): an erasure made a year ago (the account was
made directly as the "Former member" it left behind: erasing a demo person here would
change the rest of the demo each time it loads), and a subject-access request for the
demo award holder that staff answered last month, requested and completed in the audit
trail as the service records them. Safe to run again: each is added once."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import User, UserStatus
from app.core import audit
from app.core.audit import AuditEntry
from app.core.clock import today
from app.extensions import db
from app.privacy.erasure import FORMER_MEMBER
from app.privacy.models import Erasure

ERASED_EMAIL = "erased-demo-1@erased.invalid"


def _staff() -> User | None:
    return db.session.scalar(select(User).where(User.email == "staff@demo.test"))


def _erasure(staff: User, when: datetime) -> int:
    if db.session.scalar(select(User.id).where(User.email == ERASED_EMAIL)) is not None:
        return 0
    former = User(
        email=ERASED_EMAIL,
        name=FORMER_MEMBER,
        password_hash=None,
        status=UserStatus.DEACTIVATED,
        created_at=when - timedelta(days=400),
    )
    db.session.add(former)
    db.session.flush()
    db.session.add(Erasure(user_id=former.id, erased_at=when, erased_by_id=staff.id))
    entry = audit.record(
        "privacy.erased",
        former,
        actor=staff,
        summary="Personal data erased; 0 kinds of record under the legal hold",
        changes={"traces_found": [0, 0]},
    )
    entry.at = when
    return 1


def _access_request(staff: User, when: datetime) -> int:
    holder = db.session.scalar(select(User).where(User.email == "holder@demo.test"))
    if holder is None:
        return 0
    done = db.session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.action == "privacy.access_requested", AuditEntry.object_id == holder.id
        )
    )
    if done is not None:
        return 0
    asked = audit.record(
        "privacy.access_requested",
        holder,
        actor=staff,
        summary="Subject access: a copy of this person's data requested",
    )
    asked.at = when
    completed = audit.record(
        "privacy.access_completed",
        holder,
        actor=staff,
        summary="Subject access copy complete: 412 records in 31 lists, 6 files",
        changes={"rows": [None, 412], "files": [None, 6]},
    )
    completed.at = when + timedelta(seconds=40)
    return 1


def load_privacy() -> int:
    """How many records were added (0 when already loaded)."""
    staff = _staff()
    if staff is None:
        return 0
    morning = datetime.combine(today(), time(10))
    added = _erasure(staff, morning - timedelta(days=365))
    added += _access_request(staff, morning - timedelta(days=30))
    db.session.flush()
    return added
