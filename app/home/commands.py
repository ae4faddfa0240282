"""Housekeeping commands."""

from __future__ import annotations

import contextlib

import click
from flask import Flask
from sqlalchemy import delete

from app.accounts.models import SignInFailure
from app.core.db import utcnow
from app.core.mail import send_queued
from app.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("send-mail")
    def send_mail() -> None:
        """Deliver due email over SMTP (when MAIL_SERVER is set): queued mail, retries
        whose time has come, and claims left by a sender that died. Safe to run from
        cron while the scheduler and other copies run: each message is claimed once."""
        click.echo(f"Sent {send_queued(limit=1000)} message(s).")

    @app.cli.command("scheduler")
    def scheduler() -> None:
        """Run the scheduler process (mail every minute, reminders every 5) until stopped."""
        from app.scheduler import build_scheduler

        click.echo("Scheduler running: mail every minute, reminders every 5. Stop with Ctrl+C.")
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            build_scheduler(app).start()

    @app.cli.command("send-reminders")
    def send_reminders() -> None:
        """Queue the reminders due today that were not sent before (safe to repeat)."""
        from app.reminders.services import sweep

        click.echo(f"Queued {sweep()} reminder(s).")

    @app.cli.command("send-digests")
    def send_digests() -> None:
        """Queue the weekly reminder digests (the scheduler does it on Mondays; safe to
        repeat: a digest goes once)."""
        from app.reminders.services import send_digests as send

        click.echo(f"Queued {send()} digest(s).")

    @app.cli.command("clear-orphaned-files")
    @click.option(
        "--hours",
        type=click.IntRange(min=1),
        default=24,
        show_default=True,
        help="Only files stored at least this long ago (an upload in progress is kept).",
    )
    def clear_orphaned_files(hours: int) -> None:
        """Delete stored files (receipts, invoices, outputs...) that no record uses."""
        from datetime import timedelta

        from app.core.storage_cleanup import clear_orphaned_files as clear

        removed = clear(grace=timedelta(hours=hours))
        db.session.commit()
        click.echo(f"Removed {removed} stored file(s) that no record uses.")

    @app.cli.command("prune-throttle")
    def prune_throttle() -> None:
        """Delete sign-in failures older than the throttle window."""
        cutoff = utcnow() - app.config["THROTTLE_WINDOW"]
        result = db.session.execute(delete(SignInFailure).where(SignInFailure.at < cutoff))
        db.session.commit()
        click.echo(f"Removed {result.rowcount} old sign-in failure(s).")
