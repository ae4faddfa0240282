"""`flask purge`: the retention purge from cron or by hand (the scheduler runs it daily)."""

from __future__ import annotations

import click
from flask import Flask

from app.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("purge")
    @click.option("--dry-run", is_flag=True, help="Say what would go; change nothing.")
    def purge(dry_run: bool) -> None:
        """Delete or anonymise what the retention rules say has been kept long enough."""
        from app.privacy.purge import report, run

        outcomes = run(dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        click.echo(report(outcomes, dry_run))
