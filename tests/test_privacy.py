"""Subject access and erasure (issue 20), on the demo: Priya Shah (holder@demo.test)
applied, was awarded, booked study days and workshops, spent her personal award with
receipts, had supervision, signed the learning agreement and uploaded outputs."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from app.accounts.models import User, UserStatus
from app.awards.models import Award
from app.core.audit import AuditEntry
from app.core.storage import StoredFile, put
from app.extensions import db
from app.money.models import Receipt, SpendingItem
from app.privacy import erasure, subjects
from app.privacy.models import Erasure
from app.supervision.models import Attendee, Meeting

HOLDER = "holder@demo.test"
DEMO_PASSWORD = "demo-password"
# Every feature the demo holder took part in, by the tables that hold it.
EVERY_FEATURE = {
    "user": "account",
    "membership": "organisations",
    "outbox_message": "emails",
    "application": "application",
    "application_event": "application history",
    "sign_off": "PSW sign-off",
    "award": "award",
    "release_day": "study days",
    "workshop_registration": "residentials",
    "workshop_attendance": "residential register",
    "presentation_slot": "presentation day",
    "spending_item": "personal award",
    "receipt": "receipts",
    "backfill_plan": "backfill",
    "backfill_entry": "backfill invoices",
    "supervision_allocation": "supervision",
    "supervision_attendee": "supervision meetings",
    "onboarding_tick": "onboarding",
    "learning_agreement": "learning agreement",
    "agreement_signature": "signatures",
    "handbook_receipt": "handbook",
    "award_output": "outputs",
    "output_version": "output files",
    "output_feedback": "output feedback",
    "community_member": "communities of practice",
    "community_post": "community workspace",
    # added below: after the programme
    "impact_entry": "impact",
    "pathway_step": "next steps",
    "survey_invitation": "evaluation",
}


def _after_the_programme(holder_id: int) -> None:
    """The demo's running holder has not reached impact, next steps or the evaluation
    yet: give her one of each, as the features' own tables hold them."""
    from app.bridging.models import PathwayStep, Stage, StepKind
    from app.core.clock import today
    from app.evaluation.models import Group, Invitation, Survey, SurveyKind
    from app.impact.models import Category as ImpactCategory
    from app.impact.models import EntryStatus, ImpactEntry, Reach

    award = db.session.scalar(select(Award).where(Award.holder_id == holder_id))
    db.session.add(
        ImpactEntry(
            award_id=award.id,
            category=ImpactCategory.TOOL,
            occurred_on=today(),
            description="A discharge checklist",
            reach=Reach.TEAM,
            status=EntryStatus.CONFIRMED,
        )
    )
    db.session.add(
        PathwayStep(
            award_id=award.id,
            kind=list(StepKind)[0],
            stage=list(Stage)[0],
            mentor="Dr Lee",
            started_on=today(),
            stage_on=today(),
        )
    )
    survey = Survey(
        cohort_id=award.cohort_id,
        kind=list(SurveyKind)[0],
        opens_on=today(),
        closes_on=today(),
    )
    db.session.add(survey)
    db.session.flush()
    db.session.add(Invitation(survey_id=survey.id, user_id=holder_id, group=list(Group)[0]))
    db.session.commit()


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == HOLDER))


def _zip(resp) -> zipfile.ZipFile:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(resp.get_data()))


def _owned_counts(user_id: int) -> dict[str, int]:
    counts = {}
    for table in db.metadata.sorted_tables:
        cond = subjects.owned_condition(table, user_id)
        if cond is not None:
            n = db.session.scalar(select(func.count()).select_from(table).where(cond))
            if n:
                counts[table.name] = n
    return counts


def test_staff_download_everything_about_a_person_who_touched_every_feature(app, browser, demo):
    with app.app_context():
        _after_the_programme(demo)
    browser.sign_in("staff@demo.test", DEMO_PASSWORD)
    page = browser.get(f"/privacy/people/{demo}")
    assert page.status_code == 200 and "Priya Shah" in page.get_data(as_text=True)
    archive = _zip(
        browser.post(f"/privacy/people/{demo}/download", token_from=f"/privacy/people/{demo}")
    )
    names = set(archive.namelist())
    with app.app_context():
        owned = _owned_counts(demo)
    # every feature, and every table the map says holds something of hers, whole
    assert set(EVERY_FEATURE) <= set(owned)
    for table, count in owned.items():
        rows = json.loads(archive.read(f"data/{table}.json"))
        assert len(rows) == count, table
        lines = list(csv.reader(io.StringIO(archive.read(f"data/{table}.csv").decode("utf-8-sig"))))
        assert len(lines) == count + 1, table
    user = json.loads(archive.read("data/user.json"))[0]
    assert user["email"] == HOLDER and "password_hash" not in user
    # what she did elsewhere (the audit trail), without other people's details
    acted = json.loads(archive.read("data/audit_entry-acted-on.json"))
    assert acted and all(e["actor_id"] == demo for e in acted)
    # her files: receipts, invoices, outputs, byte for byte
    files = [n for n in names if n.startswith("files/")]
    assert any("receipt" in n for n in files) and any("output_version" in n for n in files)
    with app.app_context():
        receipt = db.session.scalars(
            select(Receipt)
            .join(SpendingItem)
            .where(
                SpendingItem.award_id.in_(
                    select(db.metadata.tables["award"].c.id).where(
                        db.metadata.tables["award"].c.holder_id == demo
                    )
                )
            )
        ).first()
        stored = db.session.get(StoredFile, receipt.file_id)
        assert any(archive.read(n) == stored.data for n in files)
        cover = archive.read("README.txt").decode()
        assert "Priya Shah" in cover and "six years" in cover
        actions = list(
            db.session.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.object_type == "User", AuditEntry.object_id == demo
                )
            )
        )
    assert "privacy.access_requested" in actions and "privacy.access_completed" in actions


def test_a_person_downloads_their_own_copy_and_nobody_elses(app, browser, make):
    me = make.user(name="Robin Own", email="robin@example.test")
    other = make.user(name="Sam Other", email="sam@example.test")
    browser.sign_in(me.email, "correct-horse-battery")
    assert "Download a copy of your data" in browser.get("/privacy/your-data").get_data(
        as_text=True
    )
    archive = _zip(browser.post("/privacy/your-data/download", token_from="/privacy/your-data"))
    users = json.loads(archive.read("data/user.json"))
    assert [u["email"] for u in users] == ["robin@example.test"]
    everything = b"".join(archive.read(n) for n in archive.namelist())
    assert other.email.encode() not in everything
    # staff pages are not theirs
    assert browser.get(f"/privacy/people/{other.id}").status_code == 403


def _scan(app, user_id, name, email):
    with app.app_context():
        return erasure.scan(user_id, name, email)


def test_erasure_preview_then_erase_leaves_no_trace_outside_the_legal_hold(app, browser, demo):
    with app.app_context():
        holder = db.session.get(User, demo)
        name, email = holder.name, holder.email
        # plant her name in a shared place (meeting notes) and in a file of hers
        meeting = db.session.scalars(
            select(Meeting).join(Attendee).where(Attendee.user_id == demo)
        ).first()
        meeting.notes = f"{name} presented her themes; {email} to circulate."
        from app.core.clock import today
        from app.impact.models import Category as ImpactCategory
        from app.impact.models import EntryStatus, ImpactEntry, Reach

        award_id = db.session.scalar(
            select(db.metadata.tables["award"].c.id).where(
                db.metadata.tables["award"].c.holder_id == demo
            )
        )
        evidence = put(b"%PDF-1.4 evidence by " + name.encode() + b"\n%%EOF")
        db.session.add(
            ImpactEntry(
                award_id=award_id,
                category=ImpactCategory.TOOL,
                occurred_on=today(),
                description=f"A tool {name} made",
                reach=Reach.TEAM,
                evidence_file_id=evidence.id,
                evidence_filename="evidence.pdf",
                status=EntryStatus.CONFIRMED,
            )
        )
        # a certificate in the rendered-documents cache that prints her name
        from app.documents.models import RenderedDocument, RenderStatus

        certificate = put(b"%PDF-1.4 certificate for " + name.encode() + b"\n%%EOF")
        db.session.add(
            RenderedDocument(key="c" * 64, status=RenderStatus.READY, file_id=certificate.id)
        )
        db.session.commit()
        evidence_id, meeting_id, certificate_id = evidence.id, meeting.id, certificate.id
        spending = [
            (s.id, s.description)
            for s in db.session.scalars(
                select(SpendingItem).where(SpendingItem.award_id == award_id)
            )
        ]
        receipt_files = set(
            db.session.scalars(
                select(Receipt.file_id).join(SpendingItem).where(SpendingItem.award_id == award_id)
            )
        )
        audit_before = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_id == demo)
        )
    before = _scan(app, demo, name, email)
    assert len(before) > 5 and ("stored_file", "data", evidence_id) in before
    assert ("stored_file", "data", certificate_id) in before

    browser.sign_in("staff@demo.test", DEMO_PASSWORD)
    preview = browser.get(f"/privacy/people/{demo}/erase").get_data(as_text=True)
    assert "Kept whole: legal hold" in preview and "Spending item" in preview
    assert "Deleted" in preview and "Kept without their personal details" in preview
    assert "Cleared: a cache of documents" in preview
    # a wrong confirmation changes nothing
    wrong = browser.post(f"/privacy/people/{demo}/erase", {"confirm": "someone@else.test"})
    assert wrong.status_code == 400 and "Type the person" in wrong.get_data(as_text=True)
    assert _scan(app, demo, name, email) == before

    done = browser.post(f"/privacy/people/{demo}/erase", {"confirm": email.upper()})
    assert done.status_code == 200, done.get_data(as_text=True)[:2000]
    assert "found no trace" in done.get_data(as_text=True)
    assert _scan(app, demo, name, email) == []

    with app.app_context():
        holder = db.session.get(User, demo)
        assert holder.name == "Former member" and holder.status == UserStatus.DEACTIVATED
        assert holder.password_hash is None and email not in holder.email
        # the legal hold: money records whole, their files kept
        assert [
            (s.id, s.description)
            for s in db.session.scalars(
                select(SpendingItem).where(SpendingItem.award_id == award_id)
            )
        ] == spending
        assert all(db.session.get(StoredFile, f) is not None for f in receipt_files)
        record = db.session.scalars(select(Erasure).where(Erasure.user_id == demo)).one()
        assert record.held_name == name and record.held_until is not None
        # her own file outside the hold is gone
        assert db.session.get(StoredFile, evidence_id) is None
        assert db.session.get(StoredFile, certificate_id) is None  # the cache cleared
        # shared contributions read "former member"
        notes = db.session.get(Meeting, meeting_id).notes
        assert name not in notes and "former member" in notes
        # the audit trail kept, anonymised
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == demo)))
        assert len(entries) == audit_before and all(e.ip_address is None for e in entries)
        assert "privacy.erased" in set(db.session.scalars(select(AuditEntry.action)))

    # she can no longer sign in, with either address
    other = app.test_client()
    from tests.conftest import Browser

    b = Browser(other)
    for address in (email, f"erased-{demo}@erased.invalid"):
        resp = b.post("/account/sign-in", {"email": address, "password": DEMO_PASSWORD})
        assert resp.status_code != 302
    # and she cannot be erased twice
    assert browser.get(f"/privacy/people/{demo}/erase").status_code == 404


def test_the_scan_finds_a_trace_left_behind(app, make):
    """Break the rule on purpose: a name written after the erasure, in a declared column
    and in a file, is found."""
    person = make.user(name="Morgan Trace", email="morgan@example.test")
    staff = make.user("staff")
    with app.test_request_context():
        erasure.erase(db.session.get(User, person.id), db.session.get(User, staff.id))
        db.session.commit()
        assert erasure.scan(person.id, "Morgan Trace", "morgan@example.test") == []
        meeting_table = db.metadata.tables["outbox_message"]
        db.session.execute(
            meeting_table.insert().values(
                to_address="x@example.test",
                subject="About Morgan Trace",
                body="",
                template="",
                status="held",
            )
        )
        stored = put(b"%PDF-1.4 morgan@example.test")
        found = erasure.scan(person.id, "Morgan Trace", "morgan@example.test")
        assert ("outbox_message", "subject") in {(t, c) for t, c, _k in found}
        assert ("stored_file", "data", stored.id) in found
        db.session.rollback()


def test_staff_cannot_erase_themselves(app, browser, make):
    staff = make.user("staff")
    browser.sign_in(staff.email, "correct-horse-battery")
    assert browser.get(f"/privacy/people/{staff.id}/erase").status_code == 404
    with app.test_request_context():
        me = db.session.get(User, staff.id)
        with pytest.raises(erasure.ErasureError):
            erasure.erase(me, me)


def test_staff_find_people_by_name_or_email_a_page_at_a_time(browser, make):
    staff = make.user("staff")
    for i in range(30):
        make.user(name=f"Jordan Finder {i:02d}", email=f"jf{i:02d}@example.test")
    browser.sign_in(staff.email, "correct-horse-battery")
    first = browser.get("/privacy/requests?q=FINDER").get_data(as_text=True)
    assert "Showing 1 to 25 of 30" in first and "Jordan Finder 00" in first
    second = browser.get("/privacy/requests?q=finder&page=2").get_data(as_text=True)
    assert "Jordan Finder 29" in second and "Jordan Finder 00" not in second
    by_email = browser.get("/privacy/requests?q=jf07@").get_data(as_text=True)
    assert "Jordan Finder 07" in by_email and "Jordan Finder 08" not in by_email
    assert "Nobody matches" in browser.get("/privacy/requests?q=zzzz").get_data(as_text=True)


def test_an_erased_account_cannot_be_reactivated(app, browser, make):
    person = make.user(name="Casey Gone", email="casey@example.test")
    staff = make.user("staff")
    with app.test_request_context():
        erasure.erase(db.session.get(User, person.id), db.session.get(User, staff.id))
        db.session.commit()
    browser.sign_in(staff.email, "correct-horse-battery")
    page = browser.post(
        f"/account/people/{person.id}/reactivate",
        token_from=f"/account/people/{person.id}",
        follow_redirects=True,
    )
    assert "cannot be used again" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, person.id).status == UserStatus.DEACTIVATED
