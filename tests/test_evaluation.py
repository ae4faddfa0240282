"""Cohort evaluation: surveys sent to everyone around a cohort, answered once while
open, anonymity (nothing in the schema, the audit trail or the exports joins an answer
to a person), the small-group rule at its edge, results per cohort, side by side and CSV."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select

from app.accounts.models import User
from app.cohorts.models import Cohort
from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.evaluation import services
from app.evaluation.models import Answer, Group, Invitation, Response, Survey, SurveyKind
from app.evaluation.questions import SCALED
from app.evaluation.services import AlreadyAnswered, EvaluationError
from app.extensions import db
from tests.helpers import text
from tests.test_outputs import supervised_award

TODAY = date(2026, 11, 30)
SCORES = {q.key: 4 for q in SCALED}


def _survey(app, make, cohort_id, kind=SurveyKind.END, opens=TODAY, closes=None) -> int:
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        s = services.send_survey(
            db.session.get(Cohort, cohort_id),
            db.session.get(User, staff.id),
            kind,
            opens,
            closes or TODAY + timedelta(days=14),
            TODAY,
        )
        db.session.commit()
        return s.id


def _answer(app, inv_id, scores=None, texts=None, anonymous=True, on=TODAY):
    with app.test_request_context():
        inv = db.session.get(Invitation, inv_id)
        services.answer(
            inv, db.session.get(User, inv.user_id), scores or SCORES, texts or {}, anonymous, on
        )
        db.session.commit()


def _invitations(app, survey_id, group=None):
    with app.app_context():
        stmt = select(Invitation.id).where(Invitation.survey_id == survey_id)
        if group:
            stmt = stmt.where(Invitation.group == group)
        return db.session.scalars(stmt.order_by(Invitation.id)).all()


def _cohort_of(make, n):
    cohort = make.running_cohort(places=20)
    for _ in range(n):
        make.award(cohort=cohort)
    return cohort


def test_a_survey_goes_to_everyone_around_the_cohort_once(make, app):
    award, sup = supervised_award(make, app)
    survey_id = _survey(app, make, award.cohort_id)
    with app.app_context():
        rows = db.session.execute(
            select(Invitation.user_id, Invitation.group).where(Invitation.survey_id == survey_id)
        ).all()
        assert set(rows) == {
            (award.holder_id, Group.HOLDER),
            (award.line_manager_id, Group.MANAGER),
            (award.psw_id, Group.PSW),
            (sup.id, Group.SUPERVISOR),
        }
        # each person invited is emailed a link to their own invitation, once
        mail = db.session.execute(
            select(OutboxMessage.to_user_id, OutboxMessage.body).where(
                OutboxMessage.template == "evaluation_survey"
            )
        ).all()
        invites = dict(
            db.session.execute(
                select(Invitation.user_id, Invitation.id).where(Invitation.survey_id == survey_id)
            ).all()
        )
        assert sorted(u for u, _ in mail) == sorted(invites)
        for user_id, body in mail:
            assert f"/evaluation/invitations/{invites[user_id]}" in body
    with pytest.raises(EvaluationError, match="already has"):
        _survey(app, make, award.cohort_id)
    with pytest.raises(EvaluationError, match="on or after the opening"):
        _survey(app, make, award.cohort_id, SurveyKind.FOLLOW_UP, TODAY, TODAY - timedelta(1))
    _survey(
        app,
        make,
        award.cohort_id,
        SurveyKind.FOLLOW_UP,
        TODAY + timedelta(365),
        TODAY + timedelta(380),
    )


def test_answered_once_while_open(make, app):
    award = make.award(cohort=make.running_cohort())
    survey_id = _survey(app, make, award.cohort_id, closes=TODAY + timedelta(days=1))
    [inv] = _invitations(app, survey_id, Group.HOLDER)
    with pytest.raises(EvaluationError, match="closed"):
        _answer(app, inv, on=TODAY + timedelta(days=2))
    with pytest.raises(EvaluationError, match="not open yet"):
        _answer(app, inv, on=TODAY - timedelta(days=1))
    with pytest.raises(EvaluationError, match="every statement"):
        _answer(app, inv, scores={**SCORES, "q3": 6})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    _answer(app, inv, on=TODAY + timedelta(days=1))  # the closing day itself
    with pytest.raises(AlreadyAnswered):
        _answer(app, inv)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        assert db.session.scalar(select(func.count()).select_from(Answer)) == len(SCALED)


def test_nothing_joins_an_answer_to_a_person(make, app):
    """The schema: responses and answers have no key to a person or an invitation, no
    time, and ids that are not a sequence; the audit trail names the invitation only."""
    for table in (Response.__table__, Answer.__table__):
        for fk in table.foreign_keys:
            assert fk.column.table.name in ("survey", "survey_response"), fk
        for col in table.columns:
            assert not isinstance(col.type, db.DateTime | db.Date), col
            assert col.name not in ("user_id", "invitation_id", "created_at"), col
    with app.app_context():
        live = inspect(db.engine)
        for name in ("survey_response", "survey_answer"):
            for fk in live.get_foreign_keys(name):
                assert fk["referred_table"] in ("survey", "survey_response"), fk
    cohort = _cohort_of(make, 5)
    survey_id = _survey(app, make, cohort.id)
    invs = _invitations(app, survey_id, Group.HOLDER)
    for n, inv in enumerate(invs):
        _answer(app, inv, texts={"t1": f"It changed my practice {n}"}, anonymous=n != 0)
    with app.app_context():
        ids = db.session.scalars(select(Response.id)).all()
        assert len(set(ids)) == 5 and all(len(i) == 32 for i in ids)
        audits = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "evaluation.answered")
        ).all()
        assert {a.object_type for a in audits} == {"Invitation"}
        assert not db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.object_type == "Response")
        )
        named = db.session.scalars(
            select(Response.respondent_name).where(Response.respondent_name.is_not(None))
        ).all()
        assert len(named) == 1
        survey = db.session.get(Survey, survey_id)
        csv = "".join(services.csv_text(survey))
        assert named[0] not in csv and "It changed my practice 3" in csv
        for inv in db.session.scalars(select(Invitation)):
            assert db.session.get(User, inv.user_id).email not in csv


@pytest.mark.parametrize("answers, shown", [(4, False), (5, True)])
def test_a_group_smaller_than_five_is_not_shown(make, app, answers, shown):
    cohort = _cohort_of(make, 5)
    survey_id = _survey(app, make, cohort.id)
    for inv in _invitations(app, survey_id, Group.HOLDER)[:answers]:
        _answer(app, inv, texts={"t1": "Confidence"})
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        holders = services.results(survey)[0]
        assert holders.responses == answers and holders.shown is shown
        assert (holders.mean("q1") == 4.0) is shown
        assert bool(holders.texts) is shown
        csv = "".join(services.csv_text(survey))
        assert ("Fewer than 5 responses: not shown" in csv.split("Award holders", 1)[1][:80]) is (
            not shown
        )


def test_everyone_leaves_out_a_small_group_so_subtraction_reveals_nothing(make, app):
    cohort = _cohort_of(make, 5)
    survey_id = _survey(app, make, cohort.id)
    for inv in _invitations(app, survey_id, Group.HOLDER):
        _answer(app, inv, scores={**SCORES, "q1": 5})
    [manager] = _invitations(app, survey_id, Group.MANAGER)[:1]
    _answer(app, manager, scores={**SCORES, "q1": 1})
    with app.app_context():
        r = services.results(db.session.get(Survey, survey_id))
        everyone = r[-1]
        assert everyone.responses == 5 and everyone.mean("q1") == 5.0


def test_answering_and_results_over_http(make, app, browser_factory, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    cohort = _cohort_of(make, 5)
    other = make.award(cohort=make.running_cohort())
    survey_id = _survey(app, make, cohort.id)
    other_inv = _invitations(app, _survey(app, make, other.cohort_id), Group.HOLDER)[0]
    invs = _invitations(app, survey_id, Group.HOLDER)
    form = {q.key: "5" for q in SCALED} | {"anonymous": "yes", "t1": "=cmd|' /C calc'!A0"}
    for inv in invs:
        with app.app_context():
            email = db.session.get(User, db.session.get(Invitation, inv).user_id).email
        b = browser_factory()
        b.sign_in(email)
        assert "Cohort" in text(b.get("/evaluation/mine"))
        assert b.get(f"/evaluation/invitations/{other_inv}").status_code == 404
        url = f"/evaluation/invitations/{inv}"
        bad = b.post(url, {**form, "q2": ""})
        assert bad.status_code == 400 and "every statement" in text(bad)
        assert b.post(url, form).status_code == 302
        again = b.post(url, form, token_from="/evaluation/mine")
        assert again.status_code == 400 and "already answered" in text(again)
    staff = make.user(Role.STAFF)
    b = browser_factory()
    b.sign_in(staff.email)
    page = text(b.get(f"/evaluation/surveys/{survey_id}"))
    assert "5 of" in page and "Award holders (5)" in page
    csv = b.get(f"/evaluation/surveys/{survey_id}.csv").get_data(as_text=True)
    assert "'=cmd" in csv and ",=cmd" not in csv
    page = text(b.get("/evaluation/compare?kind=end"))
    assert cohort.name in page


def test_side_by_side_kept_between_pages_shows_a_new_answer_at_once(
    make, app, browser_factory, monkeypatch
):
    """With REPORT_CACHE on (as outside tests) each survey's 'everyone' is kept between
    pages, and counted again as soon as one more response comes in."""
    monkeypatch.setitem(app.config, "REPORT_CACHE", True)
    monkeypatch.setattr(services, "_EVERYONE", {})
    cohort = _cohort_of(make, 6)
    survey_id = _survey(app, make, cohort.id)
    invs = _invitations(app, survey_id, Group.HOLDER)
    for inv in invs[:5]:
        _answer(app, inv, scores={**SCORES, "q1": 5})
    staff = make.user(Role.STAFF)
    b = browser_factory()
    b.sign_in(staff.email)
    assert f"{cohort.name} (5)" in text(b.get("/evaluation/compare"))
    with app.app_context():
        assert services.compare(SurveyKind.END)[0][1].mean("q1") == 5.0
    assert survey_id in services._EVERYONE
    _answer(app, invs[5], scores={**SCORES, "q1": 2})
    page = text(b.get("/evaluation/compare"))
    assert f"{cohort.name} (6)" in page and "4.5" in page
