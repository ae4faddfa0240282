"""`flask demo`: load the demo programme; `flask national-data`: a national-scale data set
for performance work. Neither runs in production."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask

from app.extensions import db


def _refuse_in_production(app: Flask) -> None:
    if app.config.get("APP_ENV") == "production":
        raise click.ClickException(
            "Refusing to load demo data: APP_ENV is 'production'. Demo data would mix "
            "invented people with real records."
        )


def _load_national(scale: float, seed: int, today: datetime | None, batch_size: int) -> None:
    from app.demo import national

    click.echo(
        f"Loading the national data set (scale {scale:g}, seed {seed}) into "
        f"{db.engine.url.render_as_string(hide_password=True)} ..."
    )
    try:
        summary = national.generate(
            scale=scale,
            seed=seed,
            today=today.date() if today else None,
            batch_size=batch_size,
            log=click.echo,
        )
    except national.NationalRefused as exc:
        raise click.ClickException(str(exc))
    for line in summary.lines():
        click.echo(line)
    click.echo(
        f"Sign in as {', '.join(national.NAMED.values())} with the password '{national.PASSWORD}'."
    )


def register(app: Flask) -> None:
    @app.cli.command("demo")
    @click.option(
        "--scale",
        type=click.Choice(["demo", "national"]),
        default="demo",
        show_default=True,
        help="'national' loads the national data set instead (same as `flask national-data`).",
    )
    def demo(scale: str) -> None:
        """Load the demo programme. Safe to run more than once."""
        _refuse_in_production(app)
        if scale == "national":
            from app.demo import national

            _load_national(1.0, national.SEED, None, 5000)
            return
        from app.core.mail import base_url
        from app.demo.loader import load_demo

        # The services build links for emails, which needs a request context.
        with app.test_request_context(base_url=base_url()):
            result = load_demo()
            db.session.commit()
        click.echo(
            f"Demo programme ready: {result['organisations']} organisations, "
            f"{result['people_created']} people and {result['applications_created']} "
            "applications added. Sign in with any @demo.test address "
            "and the password 'demo-password'."
        )

    @app.cli.command("national-data")
    @click.option("--scale", type=float, default=1.0, show_default=True, help="1.0 = national.")
    @click.option("--seed", type=int, default=2026, show_default=True)
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="The date the data set is built around (default: today).",
    )
    @click.option("--batch-size", type=int, default=5000, show_default=True)
    def national_data(scale: float, seed: int, today: datetime | None, batch_size: int) -> None:
        """Load a national-scale programme (150 employers, 40 cohorts, 2,000 award holders,
        10,000 applications, 72,000 ledger entries, 20,000 people, 200,000 audit entries)
        into an empty migrated database: `flask db upgrade && flask national-data`."""
        _refuse_in_production(app)
        _load_national(scale, seed, today, batch_size)
