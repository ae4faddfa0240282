"""Demo outputs, as the evaluation describes them: the two finished cohorts' posters,
presentations, reports and one-page summaries all accepted (one report after an
extension: a real award holder could not finish in time), most shared in a showcase with
titles like the evaluation's projects, and the first cohort's showcase page published.
The running cohort (2026-27) is part way: holder@demo.test has a draft poster past its
due date, a report waiting for feedback and a summary with changes requested.

Files are tiny valid PDFs and PNGs made in code; everything goes through the real
services. A cohort whose outputs have versions is left alone, so `flask demo` stays
idempotent."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.awards.models import Award, OutputKind
from app.cohorts.models import Cohort
from app.demo.money import pdf, png
from app.extensions import db
from app.outputs import services
from app.outputs.models import Decision, OutputFeedback, OutputVersion
from app.supervision.models import Allocation, PoolKind

K = OutputKind
# per finished cohort, in award order: (title, topics, shares?, may be contacted?)
TITLES = {
    "2022-23": [
        (
            "Autism services: supporting autistic adults without a learning disability",
            "autism, adult social care, assessment",
            True,
            True,
        ),
        ("Taking part in your own Care Act assessment", "older people, participation", True, False),
        (
            "Equipment assessments at home: what families tell us",
            "occupational therapy",
            False,
            False,
        ),
        (
            "Co-producing practice research with people who use services",
            "co-production",
            True,
            True,
        ),
        (
            "Making reflective supervision work in adult social care",
            "supervision, reflection",
            True,
            False,
        ),
        (
            "Carers' assessments: Black and minority ethnic carers' experiences",
            "carers, equality",
            True,
            True,
        ),
        (
            "Homelessness and multi-exclusion: Care Act assessments for rough sleepers",
            "homelessness, multiple exclusion, rough sleeping",
            True,
            True,
        ),
    ],
    "2023-24": [
        (
            "Writing for the court: how newly qualified social workers learn",
            "court reports, newly qualified",
            True,
            False,
        ),
        (
            "Criminal exploitation: help that works, in young people's words",
            "exploitation, young people",
            True,
            True,
        ),
        (
            "Caseload weighting: what team managers weigh when stepping down child protection",
            "caseload weighting, child protection",
            True,
            True,
        ),
        ("Carers and hospital discharge planning", "carers, hospital discharge", True, False),
        (
            "Strengths-based practice under waiting-list pressure",
            "strengths-based practice",
            True,
            True,
        ),
        ("A structured tool for parenting assessments", "parenting assessment", True, False),
        ("Life-story work: what children in care want", "children in care, life story", True, True),
        ("From child protection to early help: what helps families", "early help", True, False),
        (
            "Supervision policy: what good looks like to practitioners",
            "supervision policy, practice",
            True,
            True,
        ),
        (
            "Vicarious trauma: trauma-informed accommodation for homeless women",
            "vicarious trauma, homelessness, women",
            True,
            True,
        ),
        (
            "Family time in court proceedings: children's first month in care",
            "family time, court proceedings, children in care",
            True,
            True,
        ),
    ],
}
EXTENDED = ("2023-24", 5)  # this holder's report was extended by three months
FILENAMES = {
    K.POSTER: "research-poster.png",
    K.PRESENTATION: "presentation-day-slides.pdf",
    K.REPORT: "research-report.pdf",
    K.SUMMARY: "one-page-summary.pdf",
}


def _file(kind: OutputKind, title: str, n: int) -> bytes:
    if kind == K.POSTER:
        return png(40 + n * 7)
    words = title.encode("ascii", "ignore").decode().replace("(", "").replace(")", "")
    return pdf(f"{kind.label}: {words}")


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _supervisor(award: Award) -> User | None:
    return db.session.scalar(
        select(User)
        .join(Allocation, Allocation.user_id == User.id)
        .where(
            Allocation.award_id == award.id,
            Allocation.kind == PoolKind.SUPERVISOR,
            Allocation.ended_on.is_(None),
        )
    )


def _awards(cohort: Cohort) -> list[Award]:
    return list(
        db.session.scalars(select(Award).where(Award.cohort_id == cohort.id).order_by(Award.id))
    )


def _started(cohort: Cohort) -> bool:
    return (
        db.session.scalar(
            select(OutputVersion.id)
            .join(OutputVersion.output)
            .join(Award)
            .where(Award.cohort_id == cohort.id)
            .limit(1)
        )
        is not None
    )


def _backdate(output, when: datetime) -> None:
    """Finished cohorts' history happened then, not today."""
    for v in db.session.scalars(select(OutputVersion).where(OutputVersion.output_id == output.id)):
        v.uploaded_at = when - timedelta(days=14)
    for f in db.session.scalars(
        select(OutputFeedback).where(OutputFeedback.output_id == output.id)
    ):
        f.created_at = when
    output.accepted_at = when


def _finished(cohort: Cohort, staff: User) -> int:
    titles = TITLES.get(cohort.name, [])
    end = datetime.combine(cohort.programme_end, datetime.min.time())
    done = 0
    for n, award in enumerate(_awards(cohort)):
        title, topics, shares, contact = titles[n % len(titles)]
        holder = award.holder
        for output in award.outputs:
            if (cohort.name, n) == EXTENDED and output.kind == K.REPORT:
                services.extend(
                    output,
                    staff,
                    cohort.programme_end + timedelta(days=92),
                    "Long-term illness during the data collection: agreed with the supervisor",
                )
            services.add_version(
                output, holder, _file(output.kind, title, n), FILENAMES[output.kind], None
            )
            services.submit(output, holder)
            services.give_feedback(
                output,
                staff,
                Decision.ACCEPT,
                "A clear, well-argued piece that speaks to practice. Congratulations.",
                None,
            )
            late = (cohort.name, n) == EXTENDED and output.kind == K.REPORT
            _backdate(output, end + timedelta(days=85 if late else -10))
            if shares and output.kind in (K.SUMMARY, K.REPORT, K.POSTER):
                services.set_consent(
                    output,
                    holder,
                    showcase=True,
                    contact=contact,
                    title=title if output.kind == K.REPORT else f"{title} ({output.kind.short})",
                    topic=topics,
                )
        if award.completed_at is None:
            try:
                services.mark_complete(award, staff)
            except services.OutputError:
                continue  # release days not reconciled in the demo ledger
        late = (cohort.name, n) == EXTENDED
        award.completed_at = end + timedelta(days=90 if late else 0)
        done += 1
    return done


def _running(cohort: Cohort, staff: User) -> None:
    """2026-27: the poster was due at the second residential; some holders are late."""
    services.save_type(
        cohort, K.POSTER, date(2026, 10, 6), services.guidance_for_kind(K.POSTER), staff
    )
    named = _user("holder@demo.test")
    for award in _awards(cohort):
        outputs = {o.kind: o for o in award.outputs}
        holder = award.holder
        reviewer = _supervisor(award) or staff
        if holder.id != getattr(named, "id", None):
            continue
        title = "Carers and hospital discharge"
        services.add_version(outputs[K.POSTER], holder, png(90), "poster-draft.png", None)
        report = outputs[K.REPORT]
        services.add_version(
            report, holder, pdf("Research report: first full draft"), "report-draft.pdf", None
        )
        services.submit(report, holder)
        summary = outputs[K.SUMMARY]
        services.add_version(
            summary, holder, pdf(f"One-page summary: {title}"), "summary.pdf", None
        )
        services.submit(summary, holder)
        services.give_feedback(
            summary,
            reviewer,
            Decision.CHANGES,
            "Lead with what you found, and say what managers should change. Keep it to one page.",
            None,
        )


def load_outputs() -> int:
    """Returns how many award holders were marked complete."""
    staff = _user("staff@demo.test")
    if staff is None:
        return 0
    complete = 0
    for name in ("2022-23", "2023-24"):
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == name))
        if cohort is not None and not _started(cohort):
            complete += _finished(cohort, staff)
    first = db.session.scalar(select(Cohort).where(Cohort.name == "2022-23"))
    if first is not None and complete:
        services.set_showcase_page(
            first,
            staff,
            publish=True,
            introduction="The programme's first cohort: seven practitioners from adults' "
            "services. Their research changed practice in their own authorities; here it is "
            "for yours.",
        )
    running = db.session.scalar(select(Cohort).where(Cohort.name == "2026-27"))
    if running is not None and not _started(running):
        _running(running, staff)
    db.session.flush()
    return complete
