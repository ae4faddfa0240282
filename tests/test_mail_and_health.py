"""Guarantees around email and health: where links point, mail leaves only after a
commit, a failed request leaves no mail behind, and /healthz tells the truth."""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from app import create_app
from app.accounts import services as accounts
from app.accounts.models import User, UserStatus
from app.core.access import public
from app.core.mail import DEFAULT_BASE_URL, OutboxMessage, base_url, queue_email
from app.core.roles import Role
from app.extensions import db
from app.release.models import DayKind, DayStatus, ReleaseDay
from tests.conftest import csrf_from, settings_for
from tests.helpers import FakeSMTP, last_email

SERVED = "http://localhost:8123"


def get(client, url: str):
    return client.get(url, base_url=SERVED)


def post(client, url: str, data: dict | None = None, token_from: str | None = None):
    """A form POST on the app served at SERVED, with the page's CSRF token."""
    token = csrf_from(get(client, token_from or url).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token}, base_url=SERVED)


def sign_in(client, email: str) -> None:
    resp = post(client, "/account/sign-in", {"email": email, "password": "correct-horse-battery"})
    assert resp.status_code == 302


# Where links point ---------------------------------------------------------------------


def test_without_base_url_links_follow_the_address_served(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)
    person = make.user(Role.APPLICANT)
    client = app.test_client()
    assert post(client, "/account/forgot-password", {"email": person.email}).status_code == 200
    body = last_email(app, person.email).body
    assert f"{SERVED}/account/reset-password/" in body


def test_without_base_url_calendar_links_follow_the_address_served(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)
    award = make.award()
    with app.app_context():
        start = db.session.get(type(award), award.id).cohort.programme_start
        db.session.add(
            ReleaseDay(
                award_id=award.id,
                day=start + timedelta(days=1),
                half_days=2,
                kind=DayKind.STUDY,
                status=DayStatus.APPROVED,
            )
        )
        db.session.commit()
        holder_email = db.session.get(User, award.holder_id).email
    client = app.test_client()
    sign_in(client, holder_email)
    page = post(client, "/release/calendar/self/new", token_from="/release/calendar")
    m = re.search(r'value="(http://[^"]+\.ics)"', page.get_data(as_text=True))
    assert m and m.group(1).startswith(f"{SERVED}/release/calendar/")
    feed = get(app.test_client(), m.group(1)[len(SERVED) :]).get_data(as_text=True)
    assert f"{SERVED}/release/awards/{award.id}" in feed.replace("\r\n ", "")
    # the event's UID does not follow the address: calendar apps would see new events
    assert "@127.0.0.1" in feed


def test_base_url_wins_when_set(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://prp.example.nhs.uk/")
    person = make.user(Role.APPLICANT)
    post(app.test_client(), "/account/forgot-password", {"email": person.email})
    body = last_email(app, person.email).body
    assert "https://prp.example.nhs.uk/account/reset-password/" in body
    assert "8123" not in body


def test_outside_a_request_and_in_production_links_use_the_default(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)
    with app.app_context():  # the CLI, the scheduler
        assert base_url() == DEFAULT_BASE_URL
    with app.test_request_context(base_url=SERVED):
        assert base_url() == SERVED
        # in production the Host header is the client's to choose: never trusted
        monkeypatch.setitem(app.config, "APP_ENV", "production")
        assert base_url() == DEFAULT_BASE_URL


# Mail leaves only after a commit ----------------------------------------------------------


class RecordingSMTP(FakeSMTP):
    """The mail server (smtplib is the boundary). Each message records whether its
    outbox row was already committed, read on a connection of its own."""

    sent: list[tuple[str, int]] = []
    engine = None

    def send_message(self, message):
        with RecordingSMTP.engine.connect() as conn:
            committed = conn.scalar(
                text("SELECT count(*) FROM outbox_message WHERE to_address = :to"),
                {"to": message["To"]},
            )
        RecordingSMTP.sent.append((message["To"], committed))


@pytest.fixture
def smtp(app, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)  # after the autouse refusal
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    # a plain engine: none of the app's SQLite hooks, so it never waits for the app's lock
    RecordingSMTP.engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    RecordingSMTP.sent = []
    yield RecordingSMTP
    RecordingSMTP.engine.dispose()


def test_mail_is_sent_after_the_commit(app, make, smtp, browser, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVER_INLINE", True)  # as in development
    person = make.user(Role.APPLICANT)
    resp = browser.post("/account/forgot-password", {"email": person.email})
    assert resp.status_code == 200
    assert smtp.sent == [(person.email, 1)]  # the row was committed before sending


def test_outside_development_a_request_only_queues(app, make, smtp, browser):
    person = make.user(Role.APPLICANT)
    assert browser.post("/account/forgot-password", {"email": person.email}).status_code == 200
    assert smtp.sent == []  # the scheduler or `flask send-mail` delivers it
    assert last_email(app, person.email).status.value == "queued"


def test_a_rolled_back_change_leaves_no_mail(app, make, smtp):
    person = make.user(Role.APPLICANT)
    with app.test_request_context():
        accounts.request_password_reset(person.email)
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


@pytest.fixture
def failing_app(app, _tmpdir):
    """The real app on the test database, plus one view that queues an email and then
    fails at commit (a duplicate email address), as a view hitting a constraint would.
    TESTING is off so the 500 handler runs, as in production."""
    application = create_app(
        settings_for(
            _tmpdir,
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            MAIL_SERVER="smtp.example.test",
            TESTING=False,
            WTF_CSRF_ENABLED=False,
        )
    )

    @application.post("/_test/reset-then-fail/<email>")
    @public
    def reset_then_fail(email: str):
        from app.core.mail import deliver_pending

        accounts.request_password_reset(email)
        db.session.add(User(email=email, name="Twin", status=UserStatus.ACTIVE))
        db.session.commit()  # the unique email refuses this
        deliver_pending()
        return "sent"

    yield application
    with application.app_context():
        db.engine.dispose()


def test_a_failed_request_sends_no_mail_and_keeps_none(app, make, smtp, failing_app):
    person = make.user(Role.APPLICANT)
    resp = failing_app.test_client().post(f"/_test/reset-then-fail/{person.email}")
    assert resp.status_code == 500
    assert smtp.sent == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        # the outbox itself works: a committed message is kept
        with app.test_request_context():
            queue_email(person.email, "Hello", "password_changed", name="A", reset_url="x")
            db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


# Health ---------------------------------------------------------------------------------


def test_healthz_answers_ok_when_the_database_answers(browser):
    resp = browser.get("/healthz")
    assert resp.status_code == 200 and resp.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(app, _tmpdir):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"  # nothing listens
    else:
        unreachable = f"sqlite:///{_tmpdir / 'no-such-folder' / 'gone.db'}"
    broken = create_app(settings_for(_tmpdir, SQLALCHEMY_DATABASE_URI=unreachable))
    resp = broken.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.json == {"status": "error", "database": "unavailable"}


def test_links_can_be_built_outside_a_request(app):
    from app.core.mail import external_url

    with app.app_context():  # the scheduler, the CLI
        assert external_url("release.approvals") == "http://localhost/release/approvals"
