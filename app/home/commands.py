"""Housekeeping commands."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import delete

from app.accounts.models import SignInFailure
from app.core.db import utcnow
from app.core.mail import deliver_pending
from app.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("send-mail")
    def send_mail() -> None:
        """Deliver queued email over SMTP (when MAIL_SERVER is set)."""
        click.echo(f"Sent {deliver_pending(limit=1000)} message(s).")

    @app.cli.command("prune-throttle")
    def prune_throttle() -> None:
        """Delete sign-in failures older than the throttle window."""
        cutoff = utcnow() - app.config["THROTTLE_WINDOW"]
        result = db.session.execute(delete(SignInFailure).where(SignInFailure.at < cutoff))
        db.session.commit()
        click.echo(f"Removed {result.rowcount} old sign-in failure(s).")
