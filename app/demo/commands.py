"""`flask demo`: load the demo programme (never in production)."""

from __future__ import annotations

import click
from flask import Flask

from app.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("demo")
    def demo() -> None:
        """Load the demo programme. Safe to run more than once."""
        if app.config.get("APP_ENV") == "production":
            raise click.ClickException(
                "Refusing to load demo data: APP_ENV is 'production'. Demo data would mix "
                "invented people with real records."
            )
        from app.demo.loader import load_demo

        # The services build links for emails, which needs a request context.
        with app.test_request_context(base_url=app.config["BASE_URL"]):
            result = load_demo()
            db.session.commit()
        click.echo(
            f"Demo programme ready: {result['organisations']} organisations, "
            f"{result['people_created']} people and {result['applications_created']} "
            "applications added. Sign in with any @demo.test address "
            "and the password 'demo-password'."
        )
