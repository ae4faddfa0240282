"""The national data set generator (app/demo/national.py), at a small scale: the same seed
gives the same rows, every row keeps the models' constraints and the services' rules, and
every application status and every ledger status is there."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from app.accounts.models import User, UserRole
from app.applications.models import Application, AppStatus, SignOff, SignOffDecision
from app.applications.sections import missing_answers
from app.applications.services import can_sign, valid_endorsement
from app.awards.models import Award, AwardOutput, OutputKind
from app.cohorts.models import Cohort
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.core.workdays import non_working_reason
from app.demo import national
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrgKind
from app.privacy.models import Erasure
from app.release.models import ACTIVE, DayKind, DayStatus, ReleaseDay
from tests.conftest import _clean

SCALE = 0.01
TODAY = date(2026, 11, 20)
NOW = datetime.combine(TODAY, time(6))  # the generator's 'now': nothing is later
SIZES = national.Sizes.at(SCALE)
S = AppStatus


def _load(app, seed: int = national.SEED) -> national.Summary:
    with app.app_context():
        # without the privacy family's erasures (tests/test_privacy_national.py has them):
        # an erased person has no memberships, gender or name, by design
        return national.generate(scale=SCALE, seed=seed, today=TODAY, privacy=False)


def _fingerprint() -> tuple:
    """Counts, the first emails and a digest of the applications and the ledger."""
    emails = db.session.scalars(select(User.email).order_by(User.id).limit(10)).all()
    digest = hashlib.sha256()
    for row in db.session.execute(
        select(
            Application.cohort_id,
            Application.applicant_id,
            Application.status,
            Application.research_question,
            Application.submitted_at,
        ).order_by(Application.id)
    ):
        digest.update(repr(tuple(row)).encode())
    for row in db.session.execute(
        select(
            ReleaseDay.award_id,
            ReleaseDay.day,
            ReleaseDay.status,
            ReleaseDay.half_days,
            ReleaseDay.requested_at,
        ).order_by(ReleaseDay.id)
    ):
        digest.update(repr(tuple(row)).encode())
    return tuple(emails), digest.hexdigest()


def test_same_seed_same_data_another_seed_other_data(app):
    first = _load(app)
    with app.app_context():
        one = _fingerprint()
    _clean(app)
    second = _load(app)
    with app.app_context():
        two = _fingerprint()
    _clean(app)
    _load(app, seed=national.SEED + 1)
    with app.app_context():
        other = _fingerprint()

    assert first.counts == second.counts
    assert one == two
    assert one[0][0] == national.NAMED["staff"]
    assert other[1] != one[1]


def test_sizes_follow_the_scale(app):
    summary = _load(app)
    counts = summary.counts
    assert counts["cohort"] == SIZES.cohorts
    assert counts["application"] == SIZES.applications
    assert counts["award"] == SIZES.award_holders
    assert counts["release_day"] == SIZES.release_days
    assert counts["user"] == SIZES.users
    assert counts["audit_entry"] == SIZES.audit_entries
    assert counts["award_output"] == len(OutputKind) * SIZES.award_holders
    with app.app_context():
        employers = db.session.scalar(
            select(func.count(Organisation.id)).where(
                Organisation.kind.in_(
                    [OrgKind.LOCAL_AUTHORITY, OrgKind.NHS_TRUST, OrgKind.THIRD_SECTOR]
                )
            )
        )
        assert employers == SIZES.employers
        holders = db.session.scalar(select(func.count(func.distinct(Award.holder_id))))
        assert holders == SIZES.award_holders


def test_people_emails_roles_and_memberships(app):
    _load(app)
    with app.app_context():
        emails = db.session.scalars(select(User.email)).all()
        assert len(emails) == len(set(emails))
        assert all(e == e.lower() and "@" in e for e in emails)
        no_role = select(User.id).where(~User.role_links.any())
        assert db.session.scalars(no_role).all() == []
        assert db.session.scalars(select(User.id).where(~User.memberships.any())).all() == []
        hashes = set(
            db.session.scalars(select(User.password_hash).where(User.password_hash.isnot(None)))
        )
        assert len(hashes) == 1  # hashed once, shared

        named = {
            e: db.session.scalar(select(User).where(User.email == e))
            for e in national.NAMED.values()
        }
        assert all(named.values())
        assert Role.STAFF in named[national.NAMED["staff"]].roles
        holder = named[national.NAMED["holder"]]
        award = db.session.scalar(select(Award).where(Award.holder_id == holder.id))
        assert award.cohort.programme_start <= TODAY <= award.cohort.programme_end
        assert award.line_manager_id == named[national.NAMED["manager"]].id
        assert award.psw_id == named[national.NAMED["psw"]].id
        applicant = named[national.NAMED["applicant"]]
        assert (
            db.session.scalar(
                select(Application.status).where(Application.applicant_id == applicant.id)
            )
            == S.DRAFT
        )


def test_applications_sign_offs_and_awards_keep_the_rules(app):
    _load(app)
    with app.app_context():
        apps = db.session.scalars(select(Application)).all()
        assert {a.status for a in apps} == set(AppStatus)
        pairs = Counter((a.cohort_id, a.applicant_id) for a in apps)
        assert max(pairs.values()) == 1
        awards = {a.application_id: a for a in db.session.scalars(select(Award))}
        for a in apps:
            if a.version:  # ever submitted: the form was complete and the people valid
                assert missing_answers(a) == []
                assert a.line_manager.has_role(Role.LINE_MANAGER)
                assert any(m.organisation_id == a.employer_id for m in a.line_manager.memberships)
            assert (a.id in awards) == (a.status == S.AWARDED)
            record = a.current_sign_off
            if a.status in (S.ENDORSED, S.SHORTLISTED, S.WAITLISTED, S.AWARDED, S.DECLINED):
                assert record.decision == SignOffDecision.ENDORSED
                assert record.confirmed_release and record.confirmed_strategic
                assert valid_endorsement(a)  # the stored content hash is the real one
                assert can_sign(record.psw, a)
            elif a.status == S.PSW_DECLINED:
                assert record.decision == SignOffDecision.DECLINED and record.reason
            elif a.status in (S.DRAFT, S.SUBMITTED):
                assert record is None
            if a.submitted_at:
                assert a.created_at <= a.submitted_at
        endorsed = db.session.scalars(
            select(SignOff).where(SignOff.decision == SignOffDecision.ENDORSED)
        ).all()
        assert all(s.confirmed_release and s.confirmed_strategic for s in endorsed)

        for award in awards.values():
            cohort, application = award.cohort, award.application
            assert application.cohort_id == award.cohort_id
            assert application.applicant_id == award.holder_id
            assert application.employer_id == award.employer_id
            assert (award.study_days, award.residential_days) == (
                cohort.study_days,
                cohort.residential_days,
            )
            assert award.personal_award_cap_pence == cohort.personal_award_cap_pence
            assert award.backfill_pence == cohort.backfill_pence
            assert sorted(o.kind for o in award.outputs) == sorted(OutputKind)
            assert award.holder.has_role(Role.AWARD_HOLDER)
        for cohort in db.session.scalars(select(Cohort)):
            assert sum(1 for a in awards.values() if a.cohort_id == cohort.id) <= cohort.places
        outputs = db.session.scalar(select(func.count(AwardOutput.id)))
        assert outputs == len(OutputKind) * len(awards)


def test_release_ledgers_keep_the_rules(app):
    _load(app)
    with app.app_context():
        rows = db.session.scalars(select(ReleaseDay)).all()
        assert {r.status for r in rows} == set(DayStatus)
        awards = {a.id: a for a in db.session.scalars(select(Award))}
        active_days: Counter = Counter()
        used: dict[tuple[int, DayKind], int] = defaultdict(int)
        for r in rows:
            award = awards[r.award_id]
            cohort = award.cohort
            assert cohort.programme_start <= r.day <= cohort.programme_end
            assert non_working_reason(r.day, award.employer.nation) is None
            if r.status in ACTIVE:
                active_days[(r.award_id, r.day)] += 1
                used[(r.award_id, r.kind)] += r.half_days
            if r.status in (DayStatus.TAKEN, DayStatus.CALLED_BACK):
                assert r.day < TODAY
                # confirmed by the holder after the day; residential days are recorded by staff
                assert (r.closed_at is not None) == (r.kind == DayKind.STUDY)
            if r.status in (DayStatus.APPROVED, DayStatus.TAKEN, DayStatus.DECLINED):
                assert r.decided_by_id is not None and r.decided_at >= r.requested_at
            if r.status == DayStatus.REQUESTED:
                assert r.decided_at is None and r.day > TODAY
            assert r.requested_at <= NOW
        assert max(active_days.values()) == 1  # one active row per (award, day)
        for (award_id, kind), half_days in used.items():
            entitled = awards[award_id].study_days if kind == DayKind.STUDY else 6
            assert half_days <= entitled * 2
        late = select(func.count(AuditEntry.id)).where(AuditEntry.at > NOW)
        assert db.session.scalar(late) == 0


def test_the_data_looks_as_after_the_daily_purge(app, monkeypatch):
    """A deployment runs the retention purge every day: the data set holds sign-ins, known
    devices and audit addresses, but none past their period, so the purge's counts are
    measured as they run, not on years of history no deployment keeps."""
    from app.accounts.models import KnownDevice, SignInEvent
    from app.privacy import purge

    _load(app)
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    with app.app_context():
        assert db.session.scalar(select(func.count(SignInEvent.id))) > 0
        assert db.session.scalar(select(func.count(KnownDevice.id))) > 0
        assert db.session.scalar(select(func.count(AuditEntry.ip_address))) > 0
        counts = {o.rule: o.count for o in purge.run(dry_run=True)}
        db.session.rollback()
    assert counts["Sign-ins listed on the account page"] == 0
    assert counts["Devices not used within the period"] == 0
    assert counts["Network addresses in the audit trail"] == 0


def test_refused_in_production_and_when_already_loaded(app):
    with app.app_context():
        app.config["APP_ENV"] = "production"
        try:
            with pytest.raises(national.NationalRefused, match="production"):
                national.generate(scale=SCALE, today=TODAY)
        finally:
            app.config["APP_ENV"] = "testing"
        assert db.session.scalar(select(func.count(User.id))) == 0
    _load(app)
    with app.app_context(), pytest.raises(national.NationalRefused, match="already loaded"):
        national.generate(scale=SCALE, today=TODAY)


def test_flask_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["national-data", "--scale", str(SCALE), "--today", TODAY.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "National data set loaded" in result.output
    assert f"release_day {SIZES.release_days:,}" in " ".join(result.output.split())
    with app.app_context():
        erased = db.session.scalar(select(func.count(Erasure.id)))
        assert erased  # the command loads every family, erasures last
        assert db.session.scalar(select(func.count(Membership.id))) >= SIZES.users - erased
        assert db.session.scalar(select(func.count(UserRole.id))) >= SIZES.users
    app.config["APP_ENV"] = "production"
    try:
        refused = runner.invoke(args=["national-data", "--scale", str(SCALE)])
    finally:
        app.config["APP_ENV"] = "testing"
    assert refused.exit_code != 0
    assert "production" in refused.output
