"""The national data set's data protection records (issue 20), at national proportions:
about one subject-access request a year for every 500 people (each an audit pair,
requested and completed, half by programme staff and half people downloading their own),
and about one erasure for every 2,000 people: half former award holders, whose money
records stay under the six-year legal hold, half unsuccessful applicants, who have none.

The erasures are made by the app's own erasure (app/privacy/erasure.py), in the build's
transaction, so the national data is what a real erasure leaves: the account reads
"Former member", the name and email kept only on the erasure record while the hold
lasts, the scan clean. It runs last, after the audit trail, so nothing later writes
their name back. Its own random generator, so the families before it make the data
they made before."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select, text

from app.applications.models import AppStatus
from app.core.audit import AuditEntry
from app.extensions import db
from app.privacy.models import Erasure

PEOPLE_PER_ACCESS_REQUEST = 500
PEOPLE_PER_ERASURE = 2_000
UNSUCCESSFUL = {AppStatus.DECLINED, AppStatus.PSW_DECLINED, AppStatus.WITHDRAWN}


def _access_requests(b, rng: random.Random) -> None:
    n = max(2, len(b.users) // PEOPLE_PER_ACCESS_REQUEST)
    named = {u["id"] for u in b.named.values()}
    people = [u for u in b.users if u["id"] not in named]
    staff = b.staff[0]["id"]
    rows = []
    for k, person in enumerate(rng.sample(people, min(n, len(people)))):
        at = b.between(max(person["created_at"], b.now - timedelta(days=365)), b.now)
        own = k % 2 == 1
        rows.append(
            {
                "at": at,
                "actor_id": person["id"] if own else staff,
                "action": "privacy.access_requested",
                "object_type": "User",
                "object_id": person["id"],
                "summary": "Downloaded a copy of their own data"
                if own
                else "Subject access: a copy of this person's data requested",
                "changes": {},
            }
        )
        records = rng.randint(40, 900)
        rows.append(
            {
                "at": at + timedelta(seconds=rng.randint(2, 90)),
                "actor_id": rows[-1]["actor_id"],
                "action": "privacy.access_completed",
                "object_type": "User",
                "object_id": person["id"],
                "summary": f"Subject access copy complete: {records} records",
                "changes": {"rows": [None, records]},
            }
        )
    b.assign_ids(AuditEntry.__table__, rows)
    b.insert(AuditEntry.__table__, rows)


def _erasure_candidates(b, rng: random.Random, n: int) -> list[int]:
    named = {u["id"] for u in b.named.values()}
    holders = {a["holder_id"] for a in b.awards}
    alumni = sorted(
        {
            a["holder_id"]
            for a in b.awards
            if a["_cohort"]["programme_end"] < b.today and a["holder_id"] not in named
        }
    )
    unsuccessful = sorted(
        {
            app["applicant_id"]
            for app in b.applications
            if app["status"] in UNSUCCESSFUL
            and app["applicant_id"] not in holders
            and app["applicant_id"] not in named
        }
    )
    held = rng.sample(alumni, min(len(alumni), (n + 1) // 2))
    return held + rng.sample(unsuccessful, min(len(unsuccessful), n - len(held)))


def _resume_sequences(conn) -> None:
    """The ORM writes below (audit entries, the erasure record) need PostgreSQL's
    sequences past the rows the build inserted with its own ids."""
    if conn.dialect.name != "postgresql":
        return
    for name in ("audit_entry", "privacy_erasure"):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "  # noqa: S608
                f'(SELECT coalesce(max(id), 0) + 1 FROM "{name}"), false)'
            )
        )


def add_privacy(b) -> None:
    from app.accounts.models import User
    from app.privacy import erasure

    rng = random.Random(b.seed + 20)  # noqa: S311 - test data
    _access_requests(b, rng)
    n = max(2, len(b.users) // PEOPLE_PER_ERASURE)
    _resume_sequences(b.conn)
    before = db.session.scalar(select(func.count()).select_from(Erasure)) or 0
    staff = db.session.get(User, b.staff[0]["id"])
    for user_id in _erasure_candidates(b, rng, n):
        erasure.erase(db.session.get(User, user_id), staff)
        db.session.flush()
    made = (db.session.scalar(select(func.count()).select_from(Erasure)) or 0) - before
    b.counts["privacy_erasure"] = b.counts.get("privacy_erasure", 0) + made
