"""The impact log: categories and reach, entries dated within the award's life, evidence
checked by content, suggestions the holder confirms once, the reports' counts (category,
reach, year since completion, per cohort, a PSW's own authority) and the yearly prompt."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.awards.models import Award
from app.core.audit import AuditEntry
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.core.storage import StoredFile
from app.extensions import db
from app.impact import policy, report, services
from app.impact.models import Category, EntryStatus, ImpactEntry, Reach
from app.impact.services import EntryChanged, EntryData, ImpactError
from tests.test_outputs import HTML, PDF, supervised_award

TODAY = date(2026, 11, 30)
AWARDED = datetime(2023, 1, 31, 10)
COMPLETED = datetime(2024, 3, 31, 12)


def finished(make, app, completed=COMPLETED, **kw):
    """An award made on 31 January 2023 and completed on `completed`."""
    award = make.award(**kw)
    with app.app_context():
        db.session.execute(
            update(Award)
            .where(Award.id == award.id)
            .values(awarded_at=AWARDED, completed_at=completed)
        )
        db.session.commit()
    return award


def data(category=Category.TOOL, on=date(2024, 6, 1), reach=Reach.AUTHORITY, **kw):
    return EntryData(category, on, kw.pop("description", "A practice tool"), reach, **kw)


def _add(app, award_id, user_id, entry=None, **kw):
    with app.test_request_context():
        e = services.add_entry(
            db.session.get(Award, award_id),
            db.session.get(User, user_id),
            entry or data(),
            TODAY,
            **kw,
        )
        db.session.commit()
        return e.id


def _count(app, model=ImpactEntry):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_issues_categories_and_reaches():
    assert [c.label for c in Category] == [
        "New service or team",
        "Practice tool or guidance",
        "Policy or procedure change",
        "Training delivered",
        "Presentation or conference",
        "Publication",
        "Further funding or bid",
        "Collaboration with researchers",
        "Promotion or new role",
        "Media or film",
    ]
    assert [r.label for r in Reach] == [
        "Own team",
        "Own authority",
        "Other authorities",
        "Regional",
        "National",
        "International",
    ]


def test_the_holders_entry_is_confirmed_and_audited(make, app):
    award = finished(make, app)
    entry_id = _add(app, award.id, award.holder_id)
    with app.app_context():
        e = db.session.get(ImpactEntry, entry_id)
        assert e.status == EntryStatus.CONFIRMED and e.decided_at is not None
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "impact.added"))
        assert audit.object_id == entry_id and audit.actor_id == award.holder_id


@pytest.mark.parametrize(
    "on, ok",
    [
        (AWARDED.date() - timedelta(days=1), False),
        (AWARDED.date(), True),
        (TODAY, True),
        (TODAY + timedelta(days=1), False),
    ],
)
def test_an_entry_is_dated_from_the_award_to_today(make, app, on, ok):
    award = finished(make, app)
    if ok:
        _add(app, award.id, award.holder_id, data(on=on))
        assert _count(app) == 1
    else:
        with pytest.raises(ImpactError) as exc:
            _add(app, award.id, award.holder_id, data(on=on))
        assert exc.value.field == "occurred_on"
        assert _count(app) == 0 and _count(app, AuditEntry) == _count(app, AuditEntry)


def test_evidence_is_checked_by_content_and_links_must_be_web_addresses(make, app):
    award = finished(make, app)
    with pytest.raises(ImpactError, match="must be a PDF"):
        _add(app, award.id, award.holder_id, file=HTML, filename="evidence.pdf")
    for url in ("javascript:alert(1)", "ftp://x.test/a", "not a link", "https://" + "a" * 500):
        with pytest.raises(ImpactError) as exc:
            _add(app, award.id, award.holder_id, data(evidence_url=url))
        assert exc.value.field == "evidence_url"
    assert _count(app) == 0 and _count(app, StoredFile) == 0
    entry_id = _add(app, award.id, award.holder_id, file=PDF, filename="../../tool.exe")
    _add(app, award.id, award.holder_id, data(evidence_url="https://example.test/film"))
    with app.app_context():
        assert db.session.get(ImpactEntry, entry_id).evidence_filename == "tool.pdf"


def test_a_suggestion_waits_for_the_holder_who_confirms_it_once(make, app):
    award = finished(make, app)
    entry_id = _add(app, award.id, award.line_manager_id)
    with app.test_request_context():
        e = db.session.get(ImpactEntry, entry_id)
        assert e.status == EntryStatus.SUGGESTED and e.suggested
        with pytest.raises(ImpactError):
            services.decide(e, db.session.get(User, award.line_manager_id), True)
        services.decide(e, db.session.get(User, award.holder_id), True)
        db.session.commit()
    with app.test_request_context():
        e = db.session.get(ImpactEntry, entry_id)
        with pytest.raises(EntryChanged, match="already confirmed"):
            services.decide(e, db.session.get(User, award.holder_id), False)
        db.session.rollback()
        e = db.session.get(ImpactEntry, entry_id)
        assert e.status == EntryStatus.CONFIRMED
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("impact.%"))
        ).all()
        assert sorted(actions) == ["impact.confirmed", "impact.suggested"]
        # the suggestion reached the holder by email, with a link to their log
        mail = db.session.execute(
            select(OutboxMessage.to_user_id, OutboxMessage.body).where(
                OutboxMessage.template == "impact_suggested"
            )
        ).all()
        assert [u for u, _ in mail] == [award.holder_id]
        assert f"/impact/awards/{award.id}" in mail[0][1]
        # and the line manager who suggested it hears it was confirmed, once
        told = db.session.execute(
            select(OutboxMessage.to_user_id, OutboxMessage.body).where(
                OutboxMessage.template == "impact_decided"
            )
        ).all()
        assert [u for u, _ in told] == [award.line_manager_id]
        assert "has confirmed the entry you suggested" in told[0][1]


def test_the_holders_own_entry_emails_nobody(make, app):
    award = finished(make, app)
    _add(app, award.id, award.holder_id)
    with app.app_context():
        assert not db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.template == "impact_suggested")
        ).all()


def test_who_may_suggest(make, app):
    award, sup = supervised_award(make, app)
    other = make.user(Role.LINE_MANAGER)
    staff = make.user(Role.STAFF)
    with app.app_context():
        a = db.session.get(Award, award.id)

        def u(i):
            return db.session.get(User, i)

        assert policy.can_suggest(u(a.line_manager_id), a)
        assert policy.can_suggest(u(a.psw_id), a)
        assert policy.can_suggest(u(sup.id), a)
        assert not policy.can_suggest(u(a.holder_id), a)
        assert not policy.can_suggest(u(other.id), a) and not policy.can_view(u(other.id), a)
        assert policy.can_view(u(staff.id), a) and not policy.can_suggest(u(staff.id), a)
        assert policy.can_add(u(a.holder_id), a) and not policy.can_add(u(a.psw_id), a)


@pytest.mark.parametrize(
    "on, bucket",
    [
        (date(2024, 3, 30), "During the programme"),
        (date(2024, 3, 31), "Year 1"),
        (date(2025, 3, 30), "Year 1"),
        (date(2025, 3, 31), "Year 2"),
        (date(2027, 3, 30), "Year 3"),
        (date(2027, 3, 31), "Year 4 or later"),
    ],
)
def test_year_since_completion(on, bucket):
    assert report.year_bucket(on, date(2024, 3, 31)) == bucket
    assert report.year_bucket(on, None) == "During the programme"


def test_the_report_counts_confirmed_entries_by_category_reach_year_and_cohort(make, app):
    la1, la2 = make.org(), make.org()
    a1 = finished(make, app, employer=la1)
    a2 = finished(make, app, employer=la2)
    _add(app, a1.id, a1.holder_id, data(Category.SERVICE, date(2024, 5, 1), Reach.AUTHORITY))
    _add(app, a1.id, a1.holder_id, data(Category.TOOL, date(2025, 6, 1), Reach.REGIONAL))
    _add(app, a2.id, a2.holder_id, data(Category.TOOL, date(2023, 6, 1), Reach.NATIONAL))
    declined = _add(app, a2.id, a2.line_manager_id, data(Category.MEDIA))
    _add(app, a2.id, a2.line_manager_id, data(Category.FUNDING))  # waiting: not counted
    with app.test_request_context():
        services.decide(
            db.session.get(ImpactEntry, declined), db.session.get(User, a2.holder_id), False
        )
        db.session.commit()
        r = report.build(None)
        p = r.programme
        assert p.total == 3 and p.holders == 2
        assert p.category[Category.TOOL] == 2 and p.category[Category.SERVICE] == 1
        assert p.category[Category.MEDIA] == p.category[Category.FUNDING] == 0
        assert p.reach[Reach.NATIONAL] == 1 and p.beyond == 2
        assert p.year == {"Year 1": 1, "Year 2": 1, "During the programme": 1}
        assert [c.total for c in r.cohorts] == [2, 1]
        # a PSW of la1 sees only la1's award holder
        mine = report.build([la1.id])
        assert mine.programme.total == 2 and mine.programme.holders == 1
        assert report.build([]).programme.total == 0
        # one cohort
        only = report.build(None, a2.cohort_id)
        assert only.programme.total == 1 and len(only.cohorts) == 1
        lines = "".join(report.csv_text(r)).splitlines()
        assert lines[0] == "Scope,Cohort,Breakdown,Value,Entries"
        assert "Programme,,Category,Practice tool or guidance,2" in lines
        assert "Programme,,Year since completion,Year 2,1" in lines


def test_csv_cells_cannot_be_formulas(make, app):
    award = finished(make, app, name="=HYPERLINK(1)")
    _add(app, award.id, award.holder_id)
    with app.app_context():
        text = "".join(report.csv_text(report.build(None)))
    assert "Cohort,'=HYPERLINK(1),Category" in text and ",=HYPERLINK" not in text


def test_the_yearly_prompt_for_three_years(make, app):
    due = {}
    for years in (1, 2, 3, 4):
        done = datetime(TODAY.year - years, TODAY.month, TODAY.day, 16)
        due[years] = finished(make, app, completed=done).id
    late = finished(make, app, completed=datetime(2025, 11, 29, 23, 59)).id
    never = make.award().id
    with app.app_context():
        prompts = services.impact_prompts_due(TODAY)
        assert {(p.award_id, p.year) for p in prompts} == {(due[y], y) for y in (1, 2, 3)}
        ids = {p.award_id for p in prompts}
        assert late not in ids and never not in ids and due[4] not in ids
        assert services.impact_prompts_due(TODAY + timedelta(days=1)) == []


def test_a_29_february_completion_is_prompted_on_28_february(make, app):
    leap = finished(make, app, completed=datetime(2024, 2, 29, 9)).id
    with app.app_context():
        assert [(p.award_id, p.year) for p in services.impact_prompts_due(date(2025, 2, 28))] == [
            (leap, 1)
        ]
        assert services.impact_prompts_due(date(2025, 3, 1)) == []
        assert [p.year for p in services.impact_prompts_due(date(2026, 2, 28))] == [2]


def test_the_kept_report_shows_each_change_at_once(make, app, monkeypatch):
    """With REPORT_CACHE on (as outside tests) the counts are kept between pages, and a
    new entry, a confirmed suggestion, a completion or a renamed cohort show at once."""
    monkeypatch.setitem(app.config, "REPORT_CACHE", True)
    monkeypatch.setattr(report, "_KEPT", {})
    award = finished(make, app)
    unfinished = finished(make, app, completed=None)
    _add(app, award.id, award.holder_id, data(Category.TOOL, date(2024, 6, 1)))
    waiting = _add(app, award.id, award.line_manager_id, data(Category.MEDIA))
    _add(app, unfinished.id, unfinished.holder_id, data(Category.SERVICE, date(2025, 6, 1)))

    def programme():
        with app.app_context():
            return report.build(None).programme

    assert programme().total == 2 and programme().year["Year 2"] == 0
    assert report._KEPT
    _add(app, award.id, award.holder_id, data(Category.FUNDING, date(2024, 7, 1)))
    assert programme().category[Category.FUNDING] == 1
    with app.test_request_context():
        services.decide(
            db.session.get(ImpactEntry, waiting), db.session.get(User, award.holder_id), True
        )
        db.session.commit()
    assert programme().category[Category.MEDIA] == 1 and programme().total == 4
    with app.app_context():
        db.session.execute(
            update(Award).where(Award.id == unfinished.id).values(completed_at=COMPLETED)
        )
        db.session.commit()
    assert programme().year["Year 2"] == 1
    with app.app_context():
        cohort = db.session.get(Award, award.id).cohort
        cohort.name = "Renamed"
        db.session.commit()
        assert "Cohort Renamed" in [c.name for c in report.build(None).cohorts]
