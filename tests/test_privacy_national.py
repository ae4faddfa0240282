"""The national data set's data protection records (issue 20): subject-access requests
and erasures at national proportions, the erasures made by the app's own erasure, so
some are under the money records' legal hold and a scan finds no trace of anyone."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User, UserStatus
from app.core.audit import AuditEntry
from app.demo import national
from app.extensions import db
from app.privacy import erasure
from app.privacy.models import Erasure
from tests.test_national_data import SCALE, TODAY


def test_national_erasures_and_access_requests(app):
    with app.app_context():
        summary = national.generate(scale=SCALE, today=TODAY)
        erasures = list(db.session.scalars(select(Erasure)))
        assert summary.counts["privacy_erasure"] == len(erasures) >= 2
        held = [e for e in erasures if e.held_name is not None]
        assert held and len(held) < len(erasures)  # some under the hold, some not
        for e in erasures:
            person = db.session.get(User, e.user_id)
            assert person.name == erasure.FORMER_MEMBER
            assert person.status is UserStatus.DEACTIVATED and person.password_hash is None
        for e in held:
            assert e.held_until is not None
            assert erasure.scan(e.user_id, e.held_name, e.held_email) == []
        asked = db.session.scalar(
            select(func.count()).where(AuditEntry.action == "privacy.access_requested")
        )
        done = db.session.scalar(
            select(func.count()).where(AuditEntry.action == "privacy.access_completed")
        )
        assert asked == done >= 2
