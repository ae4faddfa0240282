"""Query counts (issue 20): the erasure preview and the subject-access copy make as many
queries for a person with 100 records as with 10 (files aside: each is streamed in
chunks of its own)."""

from __future__ import annotations

from datetime import timedelta

from app.awards.models import Award
from app.core.roles import Role
from app.extensions import db
from app.release.models import DayKind, DayStatus, ReleaseDay
from tests.helpers import query_plans, recorded_sql


def _holder_with_days(make, app, n: int) -> int:
    award = make.award(cohort=make.running_cohort())
    with app.app_context():
        a = db.session.get(Award, award.id)
        for i in range(n):
            db.session.add(
                ReleaseDay(
                    award_id=a.id,
                    day=a.cohort.programme_start + timedelta(days=i),
                    kind=DayKind.STUDY,
                    half_days=2,
                    status=DayStatus.REQUESTED,
                    note=f"Note {i}",
                )
            )
        db.session.commit()
        return a.holder_id


def _counts(app, make, browser, n: int) -> tuple[int, int, int]:
    holder = _holder_with_days(make, app, n)
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    with recorded_sql(app) as preview:
        assert browser.get(f"/privacy/people/{holder}/erase").status_code == 200
    with recorded_sql(app) as person:
        assert browser.get(f"/privacy/people/{holder}").status_code == 200
    token = browser.token(f"/privacy/people/{holder}")
    with recorded_sql(app) as copy:
        resp = browser.client.post(f"/privacy/people/{holder}/download", data={"csrf_token": token})
        assert resp.status_code == 200 and len(resp.get_data()) > 0
    browser.sign_out()
    return len(preview), len(copy), len(person)


def test_the_person_page_the_preview_and_the_copy_do_not_grow_with_records(app, make, browser):
    ten = _counts(app, make, browser, 10)
    hundred = _counts(app, make, browser, 100)
    assert ten == hundred


def test_the_search_does_not_grow_with_people(app, make, browser):
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)

    def count(n: int) -> int:
        for i in range(n):
            make.user(name=f"Query Person {n}-{i}")
        with recorded_sql(app) as statements:
            assert browser.get(f"/privacy/requests?q=person {n}-").status_code == 200
        return len(statements)

    assert count(10) == count(100)


def test_the_staff_page_counts_the_purge_only_when_asked(app, make, browser):
    """The purge's dry run scans the audit trail: at national scale the daily page must not
    run it on every load, only behind its button."""
    staff = make.user(Role.STAFF)
    browser.sign_in(staff.email)
    with recorded_sql(app) as plain:
        assert browser.get("/privacy/requests").status_code == 200
    assert not [s for s in plain if "audit_entry" in s.lower()], plain
    assert len(plain) <= 8
    with recorded_sql(app) as counted:
        page = browser.get("/privacy/requests?counts=1").get_data(as_text=True)
    assert [s for s in counted if "audit_entry" in s.lower()]
    assert "Network addresses in the audit trail" in page


# The purge's counts that would scan the largest tables, and the index each must read
# (migration c3e7a1f5d9b2): a range of the rows past the period, not every row.
PURGE_INDEXES = {
    "audit_entry": "ix_audit_entry_ip_at",
    "sign_in_event": "ix_sign_in_event_at",
    "known_device": "ix_known_device_last_seen_at",
    "application": "ix_application_unsuccessful_decided",
}


def test_the_purge_counts_read_their_indexes(app):
    """Each count the dry run makes on these tables is planned on its index: a change to
    the condition that the (partial) index no longer answers fails here."""
    from app.privacy import purge

    def dry_run():
        with app.app_context():
            purge.run(dry_run=True)
            db.session.rollback()

    plans = query_plans(app, dry_run, PURGE_INDEXES)
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    assert set(plans) == set(PURGE_INDEXES), plans
    for table, index in PURGE_INDEXES.items():
        if table == "application" and sqlite:
            index = "USING INDEX"  # SQLite without statistics picks the status index
        assert index in plans[table], (table, plans[table])
