"""The scheduler process: `flask scheduler` runs timed jobs with APScheduler, next to
the gunicorn workers (which only queue mail).

Jobs:
- deliver mail every minute (`send_queued`: claimed batches, retries when due).

Run one scheduler per deployment. Running two by mistake, or `flask send-mail` from
cron as well, sends nothing twice: every message is claimed before it is sent.
"""

from __future__ import annotations

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from app.core.mail import send_queued
from app.extensions import db

MAIL_EVERY_SECONDS = 60


def deliver_mail(app: Flask) -> int:
    """The mail job: one pass over due mail, in an app context of its own."""
    with app.app_context():
        try:
            return send_queued()
        except Exception:  # a database hiccup must not stop the scheduler
            app.logger.exception("Mail delivery run failed; the next run tries again")
            db.session.rollback()
            return 0
        finally:
            db.session.remove()


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
    return scheduler
