"""Settings. Values come from the environment or `instance/settings.py`; tests pass a dict."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


class Settings:
    """Defaults shared by every environment. Override by environment variable."""

    APP_ENV = os.environ.get("APP_ENV", "development")
    SERVICE_NAME = "Practitioner Researcher Programme"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    # PostgreSQL plans for SSD storage (the server's default, 4, assumes spinning disks and
    # made the planner scan 10,000 users rather than look up 50). Empty: leave the server's
    # setting alone (a tuned server, or PgBouncer, which refuses startup options).
    PG_RANDOM_PAGE_COST = os.environ.get("PG_RANDOM_PAGE_COST", "1.1")

    # Sessions: 30 minutes idle, 12 hours in all.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # The cookie lasts the absolute limit from sign-in; it is sent again only when the
    # session changes (check_session_age writes it at most once a minute).
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_NAME = "prp_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True

    WTF_CSRF_TIME_LIMIT = 12 * 3600

    # Sign-in throttling: failures allowed in the window before refusing.
    THROTTLE_WINDOW = timedelta(minutes=15)
    THROTTLE_PER_ACCOUNT = 5
    THROTTLE_PER_ADDRESS = 30

    # Two-factor sign-in is required for staff and for roles that see others' records.
    # Tests that are not about it turn it off; with APP_ENV=production it is always on
    # (app.accounts.twofactor.required_for ignores this setting there).
    TWO_FACTOR_ENFORCED = True
    # A code typed this long after the password is refused: sign in again.
    TWO_FACTOR_PENDING_LIFETIME = timedelta(minutes=5)
    # The browser cookie that recognises a known device (sign-in alerts), in days.
    DEVICE_COOKIE_DAYS = 400

    INVITATION_LIFETIME = timedelta(days=14)
    CONFIRMATION_LIFETIME = timedelta(days=3)
    RESET_LIFETIME = timedelta(hours=1)

    # Password hashing (argon2id); tests lower the cost.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536

    # Mail: with no MAIL_SERVER, messages stay in the database outbox only.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "programme@example.nhs.uk")
    # Where replies go (a monitored team mailbox); unset, emails carry no Reply-To.
    MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO") or None
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))  # seconds per SMTP operation
    MAIL_BATCH = 50  # messages a sender claims and sends over one SMTP connection
    # Requests only queue mail; the scheduler (or `flask send-mail` from cron) delivers it.
    # Unset, a request in development (APP_ENV=development) delivers its own mail right
    # after its commit; "1" or "0" decides for any environment.
    MAIL_DELIVER_INLINE = {"1": True, "0": False}.get(os.environ.get("MAIL_DELIVER_INLINE", ""))
    # Absolute base URL for links in emails and calendars, e.g. https://prp.example.nhs.uk.
    # Set it in production. Unset, development links follow the address served (see
    # app.core.mail.base_url) and the CLI uses http://127.0.0.1:5000.
    BASE_URL = os.environ.get("BASE_URL") or None

    # Where the nhsuk-frontend npm package was installed.
    NHSUK_FRONTEND_DIST = os.environ.get(
        "NHSUK_FRONTEND_DIST", str(BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk")
    )
    # Rows a list page shows: 25 reads well on a phone and keeps each page's work small
    # (a 50-row table cost as much to render as the rest of the page). Filters and sorting
    # find people faster than paging.
    PER_PAGE = 25
    # Uploaded files (receipts, invoices): refused above this size, by app.core.storage.
    STORAGE_MAX_BYTES = 10 * 1024 * 1024
    # Outputs (posters, slides, reports): refused above this size, by app.outputs. A larger
    # value needs MAX_CONTENT_LENGTH raised with it.
    OUTPUT_MAX_BYTES = 10 * 1024 * 1024
    # A whole request: one file at the limit plus the form around it; more answers 413.
    MAX_CONTENT_LENGTH = 11 * 1024 * 1024


def load_instance_settings(app) -> None:
    """Read `instance/settings.py` (written by `make run`) if present."""
    app.config.from_pyfile("settings.py", silent=True)
