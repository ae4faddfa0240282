"""The national data set's reminders (issue 15): the real rules run over the national
records on the set's day, and every reminder they find due is recorded as the sweep
records it (sent that morning; not sent, with the reason, where nobody is named or the
person left), so staff's reminders list and everyone's notifications have national
numbers behind them. Their emails are not written: the outbox is another family's.

Rows are bulk-inserted like the other families; the rules read the uncommitted records
through the same connection."""

from __future__ import annotations

from app.reminders.models import Reminder
from app.reminders.registry import kinds
from app.reminders.services import skip_reason


def add_reminders(b) -> None:
    table = Reminder.__table__
    rows: dict[tuple, dict] = {}
    for kind in kinds():
        for due in kind.rule(b.today):
            user_id = due.person.id if due.person is not None else None
            key = (kind.name, due.subject_id, due.period, user_id)
            if key in rows:
                continue
            reason = skip_reason(kind, due)
            rows[key] = {
                "rule": kind.name,
                "subject_id": due.subject_id,
                "period": due.period,
                "user_id": user_id,
                "due_on": b.today,
                "link": due.link[:500],
                "title": due.title[:300],
                "created_at": b.now,
                "sent_at": None if reason else b.now,
                "digest": False,
                "skip_reason": reason[:300] if reason else None,
            }
    first = b.ids(table, len(rows)).start
    b.insert(table, ({"id": first + i, **r} for i, r in enumerate(rows.values())))
