"""The demo's outputs: the two finished cohorts' outputs accepted with files made in
code, a showcase with titles like the evaluation's projects, and the running cohort
part way (an overdue draft poster, a report waiting, a summary with changes requested)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award, AwardOutput, OutputKind, OutputStatus
from app.cohorts.models import Cohort
from app.core.clock import today
from app.extensions import db
from app.outputs import showcase
from app.outputs.models import DueDateChange, OutputVersion


def test_demo_outputs(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        versions = db.session.scalar(select(func.count(OutputVersion.id)))
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(OutputVersion.id))) == versions
        past = db.session.scalars(
            select(AwardOutput)
            .join(Award)
            .join(Cohort)
            .where(Cohort.name.in_(["2022-23", "2023-24"]))
        ).all()
        assert len(past) == 18 * len(OutputKind)
        assert {o.status for o in past} == {OutputStatus.ACCEPTED}
        for o in past[:8]:
            v = db.session.scalar(select(OutputVersion).where(OutputVersion.output_id == o.id))
            data = v.file.data
            assert data.startswith(b"\x89PNG" if o.kind == OutputKind.POSTER else b"%PDF")
        assert db.session.scalar(select(func.count(DueDateChange.id))) >= 1
        completed = db.session.scalar(
            select(func.count(Award.id)).where(Award.completed_at.is_not(None))
        )
        assert completed >= 1
        titles = " ".join(o.title for o, *_ in showcase.page_of(showcase.Filters(), 1, 1000).items)
        for words in (
            "Homelessness and multi-exclusion",
            "Vicarious trauma",
            "Family time in court proceedings",
            "Supervision policy",
            "Caseload weighting",
            "Autism services",
        ):
            assert words in titles, words
        holder = db.session.scalar(select(User).where(User.email == "holder@demo.test"))
        mine = {
            o.kind: o
            for o in db.session.scalars(
                select(AwardOutput).join(Award).where(Award.holder_id == holder.id)
            )
        }
        assert mine[OutputKind.POSTER].is_overdue(today())
        assert mine[OutputKind.REPORT].status == OutputStatus.SUBMITTED
        assert mine[OutputKind.SUMMARY].status == OutputStatus.CHANGES_REQUESTED


def test_national_data_has_outputs_at_every_stage_and_a_showcase(app):
    from datetime import date

    from app.demo import national
    from app.outputs.policy import UPLOADABLE

    with app.app_context():
        national.generate(scale=0.01, seed=national.SEED, today=date(2026, 11, 20))
        statuses = set(db.session.scalars(select(AwardOutput.status).distinct()))
        assert {OutputStatus.ACCEPTED, OutputStatus.NOT_STARTED, OutputStatus.DRAFT} <= statuses
        assert statuses <= set(UPLOADABLE) | {OutputStatus.ACCEPTED, OutputStatus.SUBMITTED}
        shown = showcase.page_of(showcase.Filters(), 1, 1000).items
        assert shown and all(o.status == OutputStatus.ACCEPTED and o.title for o, *_ in shown)
        for award in db.session.scalars(select(Award).where(Award.completed_at.is_not(None))):
            assert {o.status for o in award.outputs} == {OutputStatus.ACCEPTED}
