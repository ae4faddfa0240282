"""Test fixtures: a real database (SQLite by default, PostgreSQL via TEST_DATABASE_URL),
factories, a sign-in helper and a guard that fails any test sending real email.

CSRF protection stays ON in every test: helpers read the token from the page,
as a browser would.
"""

from __future__ import annotations

import os
import re
import smtplib
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.factories import Factory

DEMO_PASSWORD = "correct-horse-battery"


def _database_url(tmpdir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return url or f"sqlite:///{tmpdir / 'test.db'}"


def settings_for(tmpdir: Path, **extra) -> dict:
    settings = {
        "APP_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmpdir),
        "SERVER_NAME": None,
        "BASE_URL": "http://localhost",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "MAIL_SERVER": None,
        "PER_PAGE": 10,
        # two-factor sign-in is tested on its own (tests/test_two_factor*.py turn it on)
        "TWO_FACTOR_ENFORCED": False,
    }
    settings.update(extra)
    return settings


@pytest.fixture(scope="session")
def _tmpdir():
    with tempfile.TemporaryDirectory(prefix="prp-tests-") as d:
        yield Path(d)


@pytest.fixture(scope="session")
def app(_tmpdir):
    os.environ["INSTANCE_PATH"] = str(_tmpdir / "instance")
    application = create_app(settings_for(_tmpdir))
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            # Start from an empty schema: tables left by another branch's models would
            # otherwise block drop_all through their foreign keys.
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _clean(application) -> None:
    with application.app_context():
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables]
        if db.engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            with db.engine.begin() as conn:
                for t in reversed(tables):
                    conn.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture(autouse=True)
def _fresh_database(request):
    """Every test starts with empty tables (only when it uses the app)."""
    yield
    if "app" in request.fixturenames:
        application = request.getfixturevalue("app")
        # the app lives for the whole session: a frozen date left behind by one test
        # would move "today" for every test after it (CI failed on exactly that)
        application.config["FROZEN_TODAY"] = None
        _clean(application)


@pytest.fixture(autouse=True)
def _no_real_email(monkeypatch):
    """Fail any test that would open a real SMTP connection."""

    def refuse(*args, **kwargs):
        raise AssertionError("A test tried to send real email over SMTP")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setattr(smtplib, "SMTP_SSL", refuse)


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


@pytest.fixture
def ctx(app):
    """An app context for unit tests of services (do not use the client inside it)."""
    with app.app_context():
        yield
        db.session.rollback()


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf-token" content="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return next(g for g in m.groups() if g)


class Browser:
    """The Flask test client plus helpers that behave like a person with a browser."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def token(self, url: str = "/account/sign-in") -> str:
        page = self.client.get(url)
        return csrf_from(page.get_data(as_text=True))

    def post(self, url, data=None, token_from=None, follow_redirects=False, **kw):
        """POST with the CSRF token read from `token_from` (default: the same URL)."""
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = self.token(token_from or url)
        return self.client.post(url, data=data, follow_redirects=follow_redirects, **kw)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD):
        resp = self.post("/account/sign-in", {"email": email, "password": password})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
        return resp

    def sign_out(self):
        return self.post("/account/sign-out", token_from="/account/")


@pytest.fixture
def browser(app) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def browser_factory(app):
    return lambda: Browser(app.test_client())
