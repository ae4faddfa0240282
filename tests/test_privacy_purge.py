"""The retention purge (issue 20): each rule at its edge, the dry run that changes
nothing, the period staff set for unsuccessful applications, and the configuration."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import (
    KnownDevice,
    SignInEvent,
    SignInFailure,
    SignInMethod,
    TokenPurpose,
    User,
    UserToken,
)
from app.applications.models import Application
from app.core.audit import AuditEntry
from app.core.mail import MailStatus, OutboxMessage
from app.extensions import db
from app.privacy import purge
from app.privacy.declare import Retention, declaration
from app.privacy.models import Erasure
from app.residentials.models import Registration, Workshop

TODAY = date(2027, 6, 1)
MIDNIGHT = datetime.combine(TODAY, time())


@pytest.fixture
def frozen(app, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    return app


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _outcomes(dry_run=False) -> dict[str, int]:
    result = {o.rule: o.count for o in purge.run(dry_run=dry_run)}
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return result


def _needs(make, ended_days_ago: int) -> int:
    award = make.award(cohort=make.running_cohort())
    with make.app.app_context():
        return _register(award, ended_days_ago)


def _register(award, ended_days_ago: int) -> int:
    w = Workshop(
        cohort_id=award.cohort_id,
        number=1 + ended_days_ago,
        venue="Hall",
        starts_on=TODAY - timedelta(days=ended_days_ago + 1),
        ends_on=TODAY - timedelta(days=ended_days_ago),
        arrival_time=time(10),
        departure_time=time(16),
    )
    db.session.add(w)
    db.session.flush()
    reg = Registration(
        workshop_id=w.id,
        award_id=award.id,
        attending=True,
        accommodation="Ground floor",
        dietary="Halal",
        access="Hearing loop",
    )
    db.session.add(reg)
    db.session.commit()
    return reg.id


def test_needs_go_thirty_days_after_the_workshop_not_before(frozen, make):
    kept = _needs(make, 30)  # exactly 30 days: kept
    gone = _needs(make, 31)
    with frozen.test_request_context():
        rule = "Accommodation, dietary and access needs after the workshop"
        assert _outcomes(dry_run=True)[rule] == 1
        assert db.session.get(Registration, gone).dietary == "Halal"  # the dry run changed nothing
        assert _outcomes()[rule] == 1
        assert db.session.get(Registration, gone).dietary == ""
        assert db.session.get(Registration, gone).access == ""
        assert db.session.get(Registration, kept).dietary == "Halal"
        assert _outcomes()[rule] == 0  # once


def test_the_period_is_configuration(frozen, make, monkeypatch):
    monkeypatch.setitem(frozen.config, "PRIVACY_RETENTION_DAYS", {"after_workshop": 60})
    reg = _needs(make, 31)
    with frozen.test_request_context():
        assert _outcomes()["Accommodation, dietary and access needs after the workshop"] == 0
        assert db.session.get(Registration, reg).dietary == "Halal"


def _decided(make, status: str, days_ago: int) -> int:
    application = make.application(make.cohort(), status=status)
    with make.app.app_context():
        a = db.session.get(Application, application.id)
        a.decided_at = a.updated_at = MIDNIGHT - timedelta(days=days_ago)
        db.session.commit()
    return application.id


def test_unsuccessful_applications_go_after_the_period_staff_set(frozen, make, browser):
    staff = make.user("staff")
    browser.sign_in(staff.email, "correct-horse-battery")
    bad = browser.post("/privacy/settings", {"days": "ten"}, token_from="/privacy/requests")
    assert bad.status_code == 400 and "whole number" in bad.get_data(as_text=True)
    short = browser.post("/privacy/settings", {"days": "5"}, token_from="/privacy/requests")
    assert short.status_code == 400 and "from 30" in short.get_data(as_text=True)
    ok = browser.post("/privacy/settings", {"days": "60"}, token_from="/privacy/requests")
    assert ok.status_code == 302

    old = _decided(make, "declined", 61)
    edge = _decided(make, "declined", 60)  # exactly the period: kept
    withdrawn = _decided(make, "withdrawn", 200)
    awarded = _decided(make, "awarded", 400)
    page = browser.get("/privacy/requests").get_data(as_text=True)
    assert "Count what the next purge would do" in page and "2 deleted" not in page
    counted = browser.get("/privacy/requests?counts=1").get_data(as_text=True)
    assert re.search(r"Unsuccessful applications</dt>\s*<dd[^>]*>2 deleted<", counted)
    with frozen.test_request_context():
        dry = _outcomes(dry_run=True)["Unsuccessful applications"]
        assert dry == 2 and db.session.get(Application, old) is not None
        assert _outcomes()["Unsuccessful applications"] == 2
        assert db.session.get(Application, old) is None
        assert db.session.get(Application, withdrawn) is None
        assert db.session.get(Application, edge) is not None
        assert db.session.get(Application, awarded) is not None
        assert "privacy.period_set" in set(db.session.scalars(select(AuditEntry.action)))


def test_short_lived_records_and_audit_addresses(frozen, make):
    person = make.user()
    old = MIDNIGHT - timedelta(days=91)
    recent = MIDNIGHT - timedelta(days=89)
    with frozen.test_request_context():
        for at, n in ((old, "a"), (recent, "b")):
            db.session.add(
                UserToken(
                    user_id=person.id,
                    purpose=TokenPurpose.PASSWORD_RESET,
                    token_hash=n * 64,
                    expires_at=at,
                )
            )
            db.session.add(SignInFailure(key=f"x{n}@example.test", at=at))
            db.session.add(
                OutboxMessage(
                    to_address="x@example.test",
                    subject="Hello",
                    body="Hello",
                    status=MailStatus.SENT,
                    sent_at=at,
                )
            )
            db.session.add(
                AuditEntry(action="x", object_type="system", ip_address="10.0.0.1", at=at)
            )
        db.session.commit()
        monkey = _outcomes(dry_run=True)
        assert monkey["Expired sign-in and invitation links"] == 1
        assert _count(UserToken) == 2
        done = _outcomes()
        assert done["Failed sign-in attempts"] == 1 and done["Sent emails"] == 1
        assert _count(UserToken) == 1 and _count(SignInFailure) == 1
        assert _count(OutboxMessage, OutboxMessage.status == MailStatus.SENT) == 1
        # 365 days for addresses: neither is that old yet
        assert _count(AuditEntry, AuditEntry.ip_address.is_not(None)) == 2
        entry = AuditEntry(action="y", object_type="system", ip_address="10.0.0.2")
        entry.at = MIDNIGHT - timedelta(days=366)
        db.session.add(entry)
        db.session.commit()
        assert _outcomes()["Network addresses in the audit trail"] == 1
        assert db.session.get(AuditEntry, entry.id).ip_address is None


def test_sign_ins_and_devices_follow_the_short_rule(frozen, make):
    """Two-factor's sign-in list and known devices (issue 21) are kept 90 days: a sign-in
    older than that is deleted, as is a device not used since (its next sign-in reads as
    a new device); the one on the edge stays."""
    person = make.user()
    edge = MIDNIGHT - timedelta(days=90)
    old = MIDNIGHT - timedelta(days=90, seconds=1)
    with frozen.test_request_context():
        for at, n in ((old, "a"), (edge, "b")):
            db.session.add(
                SignInEvent(
                    user_id=person.id, at=at, method=SignInMethod.PASSWORD, address="10.1.1.1"
                )
            )
            db.session.add(
                KnownDevice(user_id=person.id, token_hash=n * 64, created_at=old, last_seen_at=at)
            )
        db.session.commit()
        dry = _outcomes(dry_run=True)
        assert dry["Sign-ins listed on the account page"] == 1
        assert dry["Devices not used within the period"] == 1
        assert _count(SignInEvent) == 2 and _count(KnownDevice) == 2
        done = _outcomes()
        assert done["Sign-ins listed on the account page"] == 1
        assert done["Devices not used within the period"] == 1
        assert list(db.session.scalars(select(SignInEvent.at))) == [edge]
        assert list(db.session.scalars(select(KnownDevice.token_hash))) == ["b" * 64]
    for model in (SignInEvent, KnownDevice):
        decl = declaration(model.__table__.c.user_id)
        assert decl.retention is Retention.SHORT


def test_a_held_identity_goes_when_the_hold_ends(frozen, make):
    person = make.user()
    with frozen.test_request_context():
        db.session.add(
            Erasure(
                user_id=person.id,
                held_until=TODAY - timedelta(days=1),
                held_name="Held Name",
                held_email="held@example.test",
            )
        )
        db.session.add(Erasure(user_id=person.id, held_until=TODAY, held_name="Still Held"))
        db.session.commit()
        assert _outcomes()["Names kept under the money records' legal hold"] == 1
        names = set(db.session.scalars(select(Erasure.held_name)))
        assert names == {None, "Still Held"}


def test_flask_purge_and_its_dry_run(frozen, make):
    _decided(make, "declined", 400)
    runner = frozen.test_cli_runner()
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Unsuccessful applications: 1 would be deleted" in dry.output
    assert "Dry run: nothing changed" in dry.output
    with frozen.app_context():
        assert _count(Application) == 1
    real = runner.invoke(args=["purge"])
    assert "Unsuccessful applications: 1 were deleted" in real.output
    with frozen.app_context():
        assert _count(Application) == 0
        assert _count(AuditEntry, AuditEntry.action == "privacy.purged") == 1


def test_the_scheduler_runs_the_purge_daily(app):
    from app.scheduler import build_scheduler

    job = build_scheduler(app).get_job("privacy-purge")
    assert job is not None and "hour='2'" in str(job.trigger)
    _ = User  # the purge never touches accounts themselves
