"""The scheduler process: `flask scheduler` runs timed jobs with APScheduler, next to
the gunicorn workers (which only queue mail).

Jobs:
- deliver mail every minute (`send_queued`: claimed batches, retries when due);
- sweep reminders every 5 minutes (`app.reminders.services.sweep`: each reminder is a
  row with a unique key, added with its email in one transaction, so it goes once);
- send the weekly digests on Monday at 07:00 London time (`send_digests`: each person's
  digest is marked on its reminders in the same transaction as its email, so it goes
  once even if two schedulers run);
- the communities' weekly workspace digests on Monday at 07:15 London time
  (`app.communities.digest.send_digests`: the outbox is its record, so it goes once);
- the retention purge daily at 02:30 UTC (`app.privacy.purge.run`, also `flask purge`).

Run one scheduler per deployment. Running two by mistake, or `flask send-mail` from
cron as well, sends nothing twice: every message is claimed before it is sent.
"""

from __future__ import annotations

from collections.abc import Callable

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app.core.mail import send_queued
from app.extensions import db

MAIL_EVERY_SECONDS = 60
REMINDERS_EVERY_MINUTES = 5


def _job(app: Flask, what: str, work: Callable[[], int], commit: bool = False) -> int:
    """Run one job's `work` in an app context of its own. A failure (a database hiccup)
    is logged and rolled back and must not stop the scheduler: the next run tries again.
    Returns how many things `work` did (0 when it failed)."""
    with app.app_context():
        try:
            n = work()
            if commit:
                db.session.commit()
            return n
        except Exception:
            app.logger.exception("%s failed; the next run tries again", what)
            db.session.rollback()
            return 0
        finally:
            db.session.remove()


def deliver_mail(app: Flask) -> int:
    """The mail job: one pass over due mail."""
    return _job(app, "Mail delivery run", send_queued)


def send_reminders(app: Flask) -> int:
    """The reminders job (the sweep commits its own work)."""
    from app.reminders.services import sweep

    return _job(app, "Reminder sweep", sweep)


def send_digests(app: Flask) -> int:
    """The weekly digest job: one email per person who chose a digest."""
    from app.reminders.services import send_digests as send

    return _job(app, "Weekly digest run", send)


def send_community_digests(app: Flask) -> int:
    """The communities' weekly workspace digests (issue 19)."""
    from app.communities.digest import send_digests as send

    return _job(app, "Workspace digest run", send, commit=True)


def purge(app: Flask) -> int:
    """The retention purge (issue 20), once a day; every rule is safe to run again."""
    from app.privacy.purge import run

    return _job(app, "Retention purge", lambda: sum(o.count for o in run()), commit=True)


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(
        deliver_mail,
        "interval",
        seconds=MAIL_EVERY_SECONDS,
        args=[app],
        id="deliver-mail",
        max_instances=1,  # a slow run is never overlapped by the next
        coalesce=True,  # after a pause, one catch-up run, not one per missed minute
        misfire_grace_time=MAIL_EVERY_SECONDS,
    )
    scheduler.add_job(
        send_reminders,
        "interval",
        minutes=REMINDERS_EVERY_MINUTES,
        args=[app],
        id="send-reminders",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=REMINDERS_EVERY_MINUTES * 60,
    )
    scheduler.add_job(
        send_digests,
        "cron",
        day_of_week="mon",
        hour=7,
        timezone="Europe/London",
        args=[app],
        id="send-digests",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=12 * 3600,  # a scheduler down at 07:00 still sends that day
    )
    scheduler.add_job(
        send_community_digests,
        "cron",
        day_of_week="mon",
        hour=7,
        minute=15,
        timezone="Europe/London",
        args=[app],
        id="send-community-digests",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=12 * 3600,
    )
    scheduler.add_job(
        purge,
        "cron",
        hour=2,
        minute=30,
        args=[app],
        id="privacy-purge",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=6 * 3600,  # a scheduler down at 02:30 still purges that morning
    )
    return scheduler
