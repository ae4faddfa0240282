"""Housekeeping for residential workshops (run it daily from cron, in one place)."""

from __future__ import annotations

import click
from flask import Flask

from app.core.clock import today
from app.extensions import db
from app.residentials.services import clear_needs


def register(app: Flask) -> None:
    @app.cli.command("clear-residential-needs")
    def clear_residential_needs() -> None:
        """Clear accommodation, dietary and access needs 30 days after each workshop."""
        cleared = clear_needs(today())
        db.session.commit()
        click.echo(f"Cleared the needs of {cleared} registration(s).")
