"""Blind review, pinned through the pages and through the queries and services behind them:
before the cohort's scores are revealed, reviewer B sees only their own score and notes, no
mean, and a list sorted "by score" is sorted by B's own scores (an order by the mean would
give away the others' scores). After the reveal B sees everyone's and the mean.

Reviewer A scores Xena 5 and Yusuf 1; reviewer B scores Xena 2 and Yusuf 3. B's own order
is Yusuf, Xena; the mean order (3.5 and 2.0) is Xena, Yusuf.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from flask import template_rendered
from werkzeug.datastructures import MultiDict

from app.accounts.models import User
from app.applications import services
from app.applications.models import Application
from app.cohorts.models import Cohort
from app.core.roles import Role
from app.extensions import db
from app.selection import queries
from tests.helpers import text


@pytest.fixture
def panel(make, app):
    cohort = make.cohort()
    org = make.org()
    xena = make.application(
        cohort,
        applicant=make.user(Role.APPLICANT, orgs=[org], name="Xena Applicant"),
        employer=org,
        status="endorsed",
    )
    yusuf = make.application(
        cohort,
        applicant=make.user(Role.APPLICANT, orgs=[org], name="Yusuf Applicant"),
        employer=org,
        status="endorsed",
    )
    a = make.user(Role.STAFF, name="Alex Firstreviewer")
    b = make.user(Role.STAFF, name="Bea Secondreviewer")
    with app.app_context():
        for reviewer, application, score, notes in (
            (a, xena, 5, "A thinks Xena is outstanding"),
            (a, yusuf, 1, "A thinks Yusuf is weak"),
            (b, xena, 2, "B has doubts about Xena"),
            (b, yusuf, 3, "B finds Yusuf sound"),
        ):
            services.record_review(
                db.session.get(Application, application.id),
                db.session.get(User, reviewer.id),
                score,
                notes,
            )
        db.session.commit()
    return SimpleNamespace(cohort=cohort, xena=xena, yusuf=yusuf, a=a, b=b)


def _reveal(app, panel) -> None:
    with app.app_context():
        services.reveal_scores(
            db.session.get(Cohort, panel.cohort.id), db.session.get(User, panel.a.id)
        )
        db.session.commit()


def _listed(panel, sort="score", dir="desc"):
    """B's view of the cohort list: [(name, my score, mean score, review count)]."""
    cohort = db.session.get(Cohort, panel.cohort.id)
    b = db.session.get(User, panel.b.id)
    filters = queries.ApplicationFilters.from_args(MultiDict({"sort": sort, "dir": dir}))
    page = queries.list_applications(cohort, b, filters)
    return [
        (row.applicant.split()[0], row.my_score, row.mean_score, row.review_count)
        for row in page.items
    ]


def _notes_seen_by_b(panel, application) -> list[str]:
    b = db.session.get(User, panel.b.id)
    return [
        r.notes for r in services.visible_reviews(db.session.get(Application, application.id), b)
    ]


# The queries and services -------------------------------------------------------------------


def test_before_the_reveal_the_queries_give_b_only_their_own(app, panel):
    with app.app_context():
        assert _notes_seen_by_b(panel, panel.xena) == ["B has doubts about Xena"]
        assert _notes_seen_by_b(panel, panel.yusuf) == ["B finds Yusuf sound"]
        # no mean, and "by score" is by B's own score (Yusuf 3, then Xena 2)
        assert _listed(panel) == [("Yusuf", 3, None, 2), ("Xena", 2, None, 2)]
        assert _listed(panel, dir="asc") == [("Xena", 2, None, 2), ("Yusuf", 3, None, 2)]


def test_after_the_reveal_the_queries_give_b_everyone_and_the_mean(app, panel):
    _reveal(app, panel)
    with app.app_context():
        assert sorted(_notes_seen_by_b(panel, panel.xena)) == [
            "A thinks Xena is outstanding",
            "B has doubts about Xena",
        ]
        rows = _listed(panel)
        assert [(name, mine, count) for name, mine, _mean, count in rows] == [
            ("Xena", 2, 2),
            ("Yusuf", 3, 2),
        ]  # by the mean now: 3.5, then 2.0
        assert [float(mean) for _n, _m, mean, _c in rows] == [3.5, 2.0]


# The pages ------------------------------------------------------------------------------------


def _words(resp) -> str:
    """What the page says, without its markup (an icon path can hold any number)."""
    return re.sub(r"<[^>]+>", "", text(resp))


def _numeric_cells(page: str) -> list[str]:
    table = page[page.index("Applications to") :]
    return re.findall(r'numeric">([^<]*)</td>', table)


def test_b_sees_only_their_own_on_the_pages_until_the_reveal(app, panel, browser):
    browser.sign_in(panel.b.email)
    url = f"/selection/applications/{panel.xena.id}"
    page = _words(browser.get(url))
    assert "B has doubts about Xena" in page
    assert "A thinks Xena is outstanding" not in page
    assert "Alex Firstreviewer" not in page
    assert "Mean score" not in page
    assert "3.5" not in page

    listing = text(browser.get(f"/selection/cohorts/{panel.cohort.id}?sort=score&dir=desc"))
    assert "Mean score" not in listing
    assert listing.index("Yusuf Applicant") < listing.index("Xena Applicant")
    # per row: B's own score, then how many reviews there are (never what they say)
    assert _numeric_cells(listing) == ["3", "2", "2", "2"]

    _reveal(app, panel)
    page = _words(browser.get(url))
    assert "A thinks Xena is outstanding" in page and "Alex Firstreviewer" in page
    assert "Mean score: 3.5 from 2 reviews" in page
    listing = text(browser.get(f"/selection/cohorts/{panel.cohort.id}?sort=score&dir=desc"))
    assert "Mean score" in listing
    assert listing.index("Xena Applicant") < listing.index("Yusuf Applicant")
    assert _numeric_cells(listing) == ["2", "3.5", "2", "3", "2.0", "2"]


def test_the_page_is_given_no_other_review_and_no_mean_before_the_reveal(app, panel, browser):
    """What the view hands its template, not only what the template chooses to show."""
    browser.sign_in(panel.b.email)
    given: list[dict] = []

    def record(sender, template, context, **extra):
        if template.name == "selection/application.html":
            given.append({"mean": context["mean"], "scores": [r.score for r in context["reviews"]]})

    url = f"/selection/applications/{panel.xena.id}"
    with template_rendered.connected_to(record, app):
        browser.get(url)
        _reveal(app, panel)
        browser.get(url)
    assert given == [{"mean": None, "scores": [2]}, {"mean": 3.5, "scores": [5, 2]}]
