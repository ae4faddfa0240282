"""Required outputs: created at award from the cohort's types, the content check for
slides and documents, versions, feedback, extensions, consent and completion (services)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award, AwardOutput, OutputKind, OutputStatus
from app.cohorts.models import Cohort
from app.core import storage
from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.outputs import services
from app.outputs.models import Decision, OutputType
from app.outputs.services import OutputChanged, OutputError

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
HTML = b"<!doctype html><script>alert(1)</script>"
EXE = b"MZ\x90\x00" + b"\x00" * 60


def office(main: str, extra: str = "") -> bytes:
    """A minimal Office Open XML zip whose content types name `main`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/content-types"><Override PartName="/main.xml" ContentType="{main}"/>'
            f"{extra}</Types>",
        )
        z.writestr("main.xml", "<x/>")
    return buf.getvalue()


PPTX = office("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml")
DOCX = office("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
DOCM = office("application/vnd.ms-word.document.macroEnabled.main+xml")
# a .docx that declares the plain document main part but carries macros
DOCX_MACROS = office(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
)


def supervised_award(make, app, cohort=None):
    """An award in a running cohort with a current supervisor; (award, supervisor)."""
    from app.supervision.models import Allocation, PoolKind, PoolMember

    award = make.award(cohort=cohort or make.running_cohort())
    uni = make.org("University of Testing")
    sup = make.user(Role.SUPERVISOR, orgs=[uni])
    with app.app_context():
        pool = PoolMember(
            cohort_id=award.cohort_id,
            user_id=sup.id,
            kind=PoolKind.SUPERVISOR,
            university_id=uni.id,
            capacity=5,
        )
        db.session.add(pool)
        db.session.flush()
        db.session.add(
            Allocation(
                award_id=award.id,
                pool_id=pool.id,
                user_id=sup.id,
                kind=PoolKind.SUPERVISOR,
                started_on=db.session.get(Cohort, award.cohort_id).programme_start,
            )
        )
        db.session.commit()
    return award, sup


def _output(award_id: int, kind=OutputKind.REPORT) -> AwardOutput:
    return db.session.scalar(
        select(AwardOutput).where(AwardOutput.award_id == award_id, AwardOutput.kind == kind)
    )


def accept_all(app, award_id: int, staff_id: int) -> None:
    """Every output of the award uploaded, submitted and accepted through the services."""
    with app.test_request_context():
        award = db.session.get(Award, award_id)
        staff = db.session.get(User, staff_id)
        for n, output in enumerate(award.outputs):
            services.add_version(output, award.holder, PDF + str(n).encode(), "x.pdf", None)
            services.submit(output, award.holder)
            services.give_feedback(output, staff, Decision.ACCEPT, "", None)
        db.session.commit()


# Output types ---------------------------------------------------------------------


def test_award_creates_the_four_default_outputs_due_at_the_end(make, app):
    award = make.award()
    with app.app_context():
        a = db.session.get(Award, award.id)
        assert sorted(o.kind for o in a.outputs) == sorted(OutputKind)
        assert {o.due_date for o in a.outputs} == {a.cohort.programme_end}
        assert {o.status for o in a.outputs} == {OutputStatus.NOT_STARTED}


def test_award_reads_the_cohorts_output_types(make, app):
    cohort = make.cohort()
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        c = db.session.get(Cohort, cohort.id)
        due = c.programme_start + timedelta(days=200)
        services.save_type(
            c, OutputKind.POSTER, due, "Bright and bold", db.session.get(User, staff.id)
        )
        db.session.commit()
    award = make.award(cohort=cohort)
    with app.test_request_context():
        poster = _output(award.id, OutputKind.POSTER)
        assert poster.due_date == due
        assert services.guidance_for(poster) == "Bright and bold"
        assert _output(award.id).due_date == cohort.programme_end


def test_a_type_due_before_the_programme_starts_is_refused(make, app):
    cohort = make.cohort()
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        c = db.session.get(Cohort, cohort.id)
        with pytest.raises(OutputError, match="on or after the programme starts"):
            services.save_type(
                c,
                OutputKind.POSTER,
                c.programme_start - timedelta(days=1),
                "",
                db.session.get(User, staff.id),
            )
        db.session.rollback()
        # exactly the first day is fine
        services.save_type(
            c, OutputKind.POSTER, c.programme_start, "", db.session.get(User, staff.id)
        )
        db.session.commit()
        assert db.session.scalar(select(func.count(OutputType.id))) == 1


def test_moving_a_types_due_date_moves_holders_not_extended(make, app):
    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        s = db.session.get(User, staff.id)
        c = db.session.get(Cohort, award.cohort_id)
        report = _output(award.id)
        services.extend(report, s, c.programme_end + timedelta(days=60), "Illness")
        new = c.programme_end - timedelta(days=30)
        services.save_type(c, OutputKind.POSTER, new, "", s)
        services.save_type(c, OutputKind.REPORT, new, "", s)
        db.session.commit()
        assert _output(award.id, OutputKind.POSTER).due_date == new
        assert _output(award.id).due_date == c.programme_end + timedelta(days=60)


# Storage: slides and documents --------------------------------------------------------


@pytest.mark.parametrize(
    "data, kind",
    [(PDF, "application/pdf"), (PNG, "image/png"), (PPTX, storage.PPTX), (DOCX, storage.DOCX)],
)
def test_output_files_are_known_by_content(app, data, kind):
    with app.app_context():
        assert storage.check(data, services.OUTPUT_FILE_TYPES) == kind


@pytest.mark.parametrize(
    "data",
    [HTML, EXE, DOCM, DOCX_MACROS, b"PK\x03\x04broken zip", office("application/xml")],
    ids=["html", "exe", "macro-enabled", "docx-with-macros", "broken-zip", "plain-zip"],
)
def test_disguised_and_other_files_are_refused(app, data):
    with app.app_context(), pytest.raises(storage.StorageError, match="must be a PDF"):
        storage.check(data, services.OUTPUT_FILE_TYPES)


def test_receipts_still_take_only_pdf_png_and_jpeg(app):
    with app.app_context(), pytest.raises(storage.StorageError, match="PDF, PNG or JPEG"):
        storage.check(DOCX)


def test_the_output_size_limit_is_a_setting(app, make):
    award = make.award()
    with app.test_request_context():
        app.config["OUTPUT_MAX_BYTES"] = len(PDF) + 10
        try:
            o = _output(award.id)
            holder = o.award.holder
            services.add_version(o, holder, PDF + b"x" * 10, "at-limit.pdf", None)
            with pytest.raises(storage.StorageError, match="smaller than"):
                services.add_version(o, holder, PDF + b"x" * 11, "over.pdf", None)
        finally:
            app.config["OUTPUT_MAX_BYTES"] = 10 * 1024 * 1024
            db.session.rollback()


# Completion -----------------------------------------------------------------------------


def test_complete_when_every_output_is_accepted_and_days_reconciled(make, app):
    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    accept_all(app, award.id, staff.id)
    with app.app_context():
        a = db.session.get(Award, award.id)
        assert a.completed_at is not None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "award.completed"))
        assert entry.object_id == a.id


def test_not_complete_while_a_release_day_is_unconfirmed(make, app):
    from app.release.models import DayKind, DayStatus, ReleaseDay

    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    with app.app_context():
        a = db.session.get(Award, award.id)
        db.session.add(
            ReleaseDay(
                award_id=a.id,
                day=a.cohort.programme_start + timedelta(days=3),
                kind=DayKind.STUDY,
                half_days=2,
                status=DayStatus.APPROVED,
            )
        )
        db.session.commit()
    accept_all(app, award.id, staff.id)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        assert a.completed_at is None
        with pytest.raises(OutputError, match="1 release day still waiting"):
            services.mark_complete(a, db.session.get(User, staff.id))
        db.session.rollback()
        day = db.session.scalar(select(ReleaseDay).where(ReleaseDay.award_id == award.id))
        day.status = DayStatus.TAKEN
        db.session.commit()
        services.mark_complete(db.session.get(Award, award.id), db.session.get(User, staff.id))
        db.session.commit()
        assert db.session.get(Award, award.id).completed_at is not None
        with pytest.raises(OutputChanged, match="already marked complete"):
            services.mark_complete(db.session.get(Award, award.id), db.session.get(User, staff.id))


def test_not_complete_with_an_output_waiting(make, app):
    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        with pytest.raises(OutputError, match="Not yet accepted: poster, presentation"):
            services.mark_complete(db.session.get(Award, award.id), db.session.get(User, staff.id))
        assert db.session.scalar(select(func.count(OutboxMessage.id))) >= 0


def test_only_the_current_supervisor_or_staff_give_feedback(make, app):
    from app.supervision.models import Allocation, PoolKind

    award, sup = supervised_award(make, app)
    other = make.user(Role.SUPERVISOR)
    coach = make.user(Role.COACH)
    with app.test_request_context():
        o = _output(award.id)
        services.add_version(o, o.award.holder, PDF, "r.pdf", None)
        db.session.commit()
        for person in (other, coach, o.award.holder, o.award.line_manager):
            with pytest.raises(OutputError, match="Only the award holder's supervisor"):
                services.give_feedback(
                    o, db.session.get(User, person.id), Decision.COMMENT, "Hello", None
                )
            db.session.rollback()
        services.give_feedback(o, db.session.get(User, sup.id), Decision.COMMENT, "Good", None)
        db.session.commit()
        # a replaced supervisor no longer gives feedback
        alloc = db.session.scalar(select(Allocation).where(Allocation.kind == PoolKind.SUPERVISOR))
        alloc.ended_on = alloc.started_on
        db.session.commit()
        with pytest.raises(OutputError):
            services.give_feedback(o, db.session.get(User, sup.id), Decision.COMMENT, "x", None)
