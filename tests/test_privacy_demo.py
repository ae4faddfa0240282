"""The demo's data protection records (issue 20): an earlier erasure (a "Former member"
account with its erasure record) and a subject-access request staff answered, each
added once however often the demo loads."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User, UserStatus
from app.core.audit import AuditEntry
from app.demo.privacy import ERASED_EMAIL
from app.extensions import db
from app.privacy.erasure import FORMER_MEMBER
from app.privacy.models import Erasure


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(*where))


def test_the_demo_has_an_erasure_and_an_answered_request_once(app, browser):
    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        former = db.session.scalar(select(User).where(User.email == ERASED_EMAIL))
        assert former.name == FORMER_MEMBER and former.status is UserStatus.DEACTIVATED
        assert former.password_hash is None
        erasures = list(db.session.scalars(select(Erasure).where(Erasure.user_id == former.id)))
        assert len(erasures) == 1 and erasures[0].held_name is None
        holder = db.session.scalar(select(User.id).where(User.email == "holder@demo.test"))
        for action in ("privacy.access_requested", "privacy.access_completed"):
            assert _count(AuditEntry.action == action, AuditEntry.object_id == holder) == 1
        former_id = former.id
    browser.sign_in("staff@demo.test", "demo-password")
    page = browser.get(f"/privacy/people/{former_id}").get_data(as_text=True)
    assert "data was erased on" in page
    assert browser.get(f"/privacy/people/{former_id}/erase").status_code == 404
