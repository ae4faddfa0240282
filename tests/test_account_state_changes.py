"""Account status changes and single-use links are a compare-and-set (app/core/state.py):
a change committed by another request between this one's read and its write is seen,
refused with a clear message, and nothing is written twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.models import TokenPurpose, User, UserStatus, UserToken
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from tests.test_state_changes import underneath


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_deactivating_someone_already_deactivated_underneath_is_refused(make, app):
    staff, person = make.user(Role.STAFF), make.user(Role.APPLICANT, name="Ann Smith")
    with app.test_request_context():
        actor, user = db.session.get(User, staff.id), db.session.get(User, person.id)
        assert user.status == UserStatus.ACTIVE  # what the page showed
        underneath(User, person.id, status=UserStatus.DEACTIVATED)
        with pytest.raises(accounts.AccountError, match="Ann Smith is already deactivated"):
            accounts.deactivate_user(actor, user)
        assert _audits("user.deactivated") == 0


def test_reactivating_someone_reactivated_underneath_is_refused(make, app):
    staff = make.user(Role.STAFF)
    person = make.user(Role.APPLICANT, name="Ann Smith", status=UserStatus.DEACTIVATED)
    with app.test_request_context():
        actor, user = db.session.get(User, staff.id), db.session.get(User, person.id)
        underneath(User, person.id, status=UserStatus.ACTIVE)
        with pytest.raises(accounts.AccountError, match="Ann Smith is not deactivated"):
            accounts.reactivate_user(actor, user)
        assert _audits("user.reactivated") == 0


def test_a_link_used_underneath_cannot_be_used_again(make, app):
    person = make.user(Role.APPLICANT)
    with app.test_request_context():
        user = db.session.get(User, person.id)
        secret = accounts.issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=1))
        db.session.commit()
        token = db.session.scalar(select(UserToken).where(UserToken.user_id == person.id))
        assert accounts.token_state(secret, TokenPurpose.PASSWORD_RESET)[0] == "ok"
        underneath(UserToken, token.id, used_at=token.created_at)
        with pytest.raises(accounts.AccountError, match="already been used"):
            accounts.consume_token(secret, TokenPurpose.PASSWORD_RESET)


def test_an_invitation_accepted_underneath_is_not_accepted_twice(make, app):
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        actor = db.session.get(User, staff.id)
        invited = accounts.invite_user(actor, "New Person", "new@example.test", [Role.COACH], [])
        db.session.commit()
        secret = accounts.issue_token(invited, TokenPurpose.INVITATION, timedelta(days=1))
        db.session.commit()
        underneath(User, invited.id, status=UserStatus.ACTIVE)
        with pytest.raises(accounts.AccountError, match="no longer valid"):
            accounts.accept_invitation(secret, "a-long-enough-password")
        assert _audits("user.invitation_accepted") == 0
