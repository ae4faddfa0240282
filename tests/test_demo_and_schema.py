"""The demo loader, and that the migrations build exactly the models' schema."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from app import create_app
from app.accounts.models import User
from app.core.db import include_name
from app.core.roles import Role
from app.extensions import db
from tests.conftest import settings_for


def test_demo_is_idempotent_and_has_every_sign_in(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        count = db.session.scalar(select(db.func.count(User.id)))
    second = runner.invoke(args=["demo"])
    assert "0 people and 0 applications added" in second.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == count
        for email, role in [
            ("staff@demo.test", Role.STAFF),
            ("applicant@demo.test", Role.APPLICANT),
            ("holder@demo.test", Role.AWARD_HOLDER),
            ("manager@demo.test", Role.LINE_MANAGER),
            ("psw@demo.test", Role.PSW),
            ("director@demo.test", Role.ASSISTANT_DIRECTOR),
            ("supervisor@demo.test", Role.SUPERVISOR),
            ("coach@demo.test", Role.COACH),
        ]:
            user = db.session.scalar(select(User).where(User.email == email))
            assert user is not None and role in user.roles, email
        from app.applications.models import Application, AppStatus
        from app.cohorts.models import Cohort

        def count(cohort: str, status: AppStatus) -> int:
            return db.session.scalar(
                select(db.func.count(Application.id))
                .join(Cohort, Cohort.id == Application.cohort_id)
                .where(Cohort.name == cohort, Application.status == status)
            )

        # the two real cohorts, awarded as in the evaluation
        assert count("2022-23", AppStatus.AWARDED) == 7
        assert count("2023-24", AppStatus.AWARDED) == 11
        # an open cohort with applications at every stage
        for status in AppStatus:
            assert count("2027-28", status) >= 1, status
        # ledgers at different stages, including someone falling behind
        from datetime import date

        from app.awards.models import Award
        from app.release.models import DayStatus, ReleaseDay
        from app.release.services import pace

        statuses = set(db.session.scalars(select(ReleaseDay.status).distinct()))
        assert statuses == set(DayStatus)
        running = db.session.scalars(
            select(Award).join(Cohort, Cohort.id == Award.cohort_id).where(Cohort.name == "2026-27")
        ).all()
        flags = {a.holder.email: pace(a, date(2026, 11, 20)).at_risk for a in running}
        assert flags["holder@demo.test"] is False and flags["applicant1@demo.test"] is True


def test_demo_sign_in_works(app, browser):
    app.test_cli_runner().invoke(args=["demo"])
    browser.sign_in("psw@demo.test", "demo-password")
    home = browser.get("/").get_data(as_text=True)
    assert "You are signed in as principal social worker" in home


def test_demo_refused_in_production(tmp_path):
    prod = create_app(settings_for(tmp_path, APP_ENV="production"))
    result = prod.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "Refusing to load demo data" in result.output
    with prod.app_context():
        db.engine.dispose()


@pytest.fixture
def empty_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL", "")
    if base.startswith("postgresql"):
        name = f"prp_migrations_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.rsplit("/", 1)[0] + "/" + name
        yield url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"


# SQLite cannot reflect an index on an expression (the purge's unsuccessful applications,
# ix_application_unsuccessful_decided): the comparison skips it there, with this warning;
# PostgreSQL reflects and compares it.
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning"
)
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_migrations_build_the_models_schema(empty_database_url, tmp_path):
    migrated = create_app(settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database_url))
    with migrated.app_context():
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": include_name})
            diffs = compare_metadata(context, db.metadata)
            plans = _search_plans(conn)
        db.engine.dispose()
    assert diffs == [], f"models and migrations disagree: {diffs}"
    for index, plan in plans.items():  # PostgreSQL: the searches read their trigram index
        assert index in plan, plan


# The "any part of the name" searches (data protection, showcase) and the trigram index
# that answers each on PostgreSQL (migration b8d4f0e6a2c1; not in the models).
SEARCHES = {
    "ix_user_name_trgm": "SELECT id FROM \"user\" WHERE lower(name) LIKE '%smith%'",
    "ix_user_email_trgm": "SELECT id FROM \"user\" WHERE email LIKE '%smith%'",
    "ix_award_output_title_trgm": "SELECT id FROM award_output WHERE lower(title) LIKE '%carer%'",
    "ix_award_output_topic_trgm": "SELECT id FROM award_output WHERE lower(topic) LIKE '%carer%'",
}


def _search_plans(conn) -> dict[str, str]:
    if conn.dialect.name != "postgresql":
        return {}
    conn.execute(text("SET LOCAL enable_seqscan = off"))  # a new database is empty
    plans = {
        index: "\n".join(conn.execute(text("EXPLAIN " + sql)).scalars())
        for index, sql in SEARCHES.items()
    }
    conn.rollback()
    return plans
