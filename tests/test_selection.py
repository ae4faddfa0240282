"""Selection by programme staff through HTTP: lists, filters, reviews, decisions and the
applicant profile report (screen and CSV)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import event, select

from app.applications.models import Application, AppStatus, Review
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.extensions import db
from app.selection import report
from tests.helpers import last_email, text


def person(make, org, name):
    return make.user(Role.APPLICANT, orgs=[org], name=name)


def apply(make, cohort, name, status="endorsed", org=None, **answers):
    org = org or make.org()
    return make.application(
        cohort, applicant=person(make, org, name), employer=org, status=status, **answers
    )


def status_of(app, application_id) -> AppStatus:
    with app.app_context():
        return db.session.get(Application, application_id).status


def names_in_order(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


@pytest.fixture
def staff(make):
    return make.user(Role.STAFF, name="Sam Okafor")


@pytest.fixture
def signed_in(browser, staff):
    browser.sign_in(staff.email)
    return browser


# Lists ------------------------------------------------------------------------------------


def test_cohort_list_counts_applications_by_status(make, signed_in):
    cohort = make.cohort("2026-27")
    apply(make, cohort, "A", status="submitted")
    apply(make, cohort, "B", status="endorsed")
    apply(make, cohort, "C", status="endorsed")
    apply(make, cohort, "D", status="awarded")
    apply(make, cohort, "E", status="draft")
    page = signed_in.get("/selection/").get_data(as_text=True)
    row = re.search(r"<tr[^>]*>\s*<td[^>]*>.*?2026-27.*?</tr>", page, re.S).group(0)
    cells = re.findall(r"</span>(\d+)</td>", row)
    # places, then the statuses in order: submitted, endorsed, psw_declined, shortlisted,
    # awarded, waitlisted, declined, withdrawn (drafts are not counted)
    assert cells == ["10", "1", "2", "0", "0", "1", "0", "0", "0"]


def test_cohort_list_shows_ten_cohorts_a_page_newest_first(make, signed_in):
    from datetime import date, timedelta

    start = date(2010, 4, 1)
    for year in range(12):
        first = start + timedelta(days=365 * year)
        make.cohort(
            f"Year {year:02d}",
            applications_open=first - timedelta(days=120),
            applications_close=first - timedelta(days=60),
            programme_start=first,
            programme_end=first + timedelta(days=364),
        )
    first_page = text(signed_in.get("/selection/"))
    assert "Year 11" in first_page and "Year 02" in first_page and "Year 01" not in first_page
    assert "Showing 1 to 10 of 12" in first_page
    second = text(signed_in.get("/selection/?page=2"))
    assert "Year 01" in second and "Year 00" in second and "Year 02" not in second


def test_cohort_page_lists_submitted_applications_only(make, signed_in):
    cohort = make.cohort(places=4)
    apply(make, cohort, "Sally Submitted", status="submitted")
    apply(make, cohort, "Eddie Endorsed")
    apply(make, cohort, "Dora Draft", status="draft")
    apply(make, make.cohort(), "Other Cohort")
    apply(make, cohort, "Andy Awarded", status="awarded")
    page = text(signed_in.get(f"/selection/cohorts/{cohort.id}"))
    assert "Sally Submitted" in page and "Eddie Endorsed" in page and "Andy Awarded" in page
    assert "Dora Draft" not in page and "Other Cohort" not in page
    assert "1 of 4 places awarded" in page
    assert "Showing 1 to 3 of 3" in page


def test_filters(make, signed_in):
    cohort = make.cohort()
    north = make.org(name="North Borough Council")
    south = make.org(name="South Borough Council")
    apply(make, cohort, "Nina North", org=north, service_area="children_families")
    apply(make, cohort, "Nora North", org=north, status="submitted")
    apply(make, cohort, "Sid South", org=south, status="psw_declined")
    apply(make, cohort, "Sue South", org=south, status="shortlisted")
    everyone = {"Nina North", "Nora North", "Sid South", "Sue South"}

    def shown(query: str) -> set[str]:
        page = text(signed_in.get(f"/selection/cohorts/{cohort.id}?{query}"))
        return {n for n in everyone if n in page}

    assert shown("") == everyone
    assert shown("status=submitted") == {"Nora North"}
    assert shown(f"employer={south.id}") == {"Sid South", "Sue South"}
    assert shown("service_area=children_families") == {"Nina North"}
    assert shown("sign_off=endorsed") == {"Nina North", "Sue South"}
    assert shown("sign_off=declined") == {"Sid South"}
    assert shown("sign_off=none") == {"Nora North"}
    assert shown(f"employer={north.id}&sign_off=endorsed") == {"Nina North"}
    # the count matches the filter (it is worked out by its own query)
    for query, total in (("", 4), ("sign_off=endorsed", 2), ("sign_off=none", 1)):
        page = text(signed_in.get(f"/selection/cohorts/{cohort.id}?{query}"))
        assert f"of {total}" in page.split("Showing", 1)[1][:40], query
    # nonsense is ignored, never an error
    for junk in (
        "status=bogus",
        "employer=abc",
        "sort=evil&dir=sideways",
        "page=-3",
        "page=x",
        "employer=99999999999999999999",
        "employer=-1",
    ):
        assert shown(junk) == everyone, junk


def test_sorting(make, signed_in):
    cohort = make.cohort()
    a = apply(make, cohort, "Bea Middle", org=make.org(name="Zeta Council"))
    b = apply(make, cohort, "Al First", org=make.org(name="Alpha Council"))
    c = apply(make, cohort, "Cy Last", org=make.org(name="Mid Council"))
    names = ["Bea Middle", "Al First", "Cy Last"]
    base = f"/selection/cohorts/{cohort.id}"

    def order(query: str) -> list[str]:
        return names_in_order(text(signed_in.get(f"{base}?{query}")), names)

    assert order("") == ["Bea Middle", "Al First", "Cy Last"]  # submitted, oldest first
    assert order("sort=submitted&dir=desc") == ["Cy Last", "Al First", "Bea Middle"]
    assert order("sort=name") == ["Al First", "Bea Middle", "Cy Last"]
    assert order("sort=name&dir=desc") == ["Cy Last", "Bea Middle", "Al First"]
    assert order("sort=employer") == ["Al First", "Cy Last", "Bea Middle"]
    for app_, score in ((a, 2), (b, 5), (c, 4)):
        signed_in.post(
            f"/selection/applications/{app_.id}/review",
            {"score": str(score)},
            token_from=f"/selection/applications/{app_.id}",
        )
    assert order("sort=score") == ["Al First", "Cy Last", "Bea Middle"]  # highest first
    assert order("sort=score&dir=asc") == ["Bea Middle", "Cy Last", "Al First"]


def test_pagination_is_server_side(make, signed_in):
    cohort = make.cohort()
    org = make.org()
    for i in range(12):
        apply(make, cohort, f"Person {i:02d}", org=org)
    first = text(signed_in.get(f"/selection/cohorts/{cohort.id}?sort=name"))
    assert "Showing 1 to 10 of 12" in first
    assert "Person 09" in first and "Person 10" not in first
    assert "page=2" in first and "sort=name" in first  # the next link keeps the sort
    second = text(signed_in.get(f"/selection/cohorts/{cohort.id}?sort=name&page=2"))
    assert "Showing 11 to 12 of 12" in second
    assert "Person 10" in second and "Person 00" not in second


# Reviews ------------------------------------------------------------------------------------


def test_reviews_hidden_from_each_other_until_revealed(make, browser_factory, app):
    cohort = make.cohort()
    a = apply(make, cohort, "Rita Reviewed")
    first = make.user(Role.STAFF, name="First Reviewer")
    second = make.user(Role.STAFF, name="Second Reviewer")
    url = f"/selection/applications/{a.id}"
    b1, b2 = browser_factory(), browser_factory()
    b1.sign_in(first.email)
    b2.sign_in(second.email)

    assert (
        b1.post(
            f"{url}/review", {"score": "4", "notes": "Clear question"}, token_from=url
        ).status_code
        == 302
    )
    assert (
        b2.post(
            f"{url}/review", {"score": "2", "notes": "Methods thin"}, token_from=url
        ).status_code
        == 302
    )

    page1 = text(b1.get(url))
    assert "Clear question" in page1 and "Methods thin" not in page1
    assert "Second Reviewer" not in page1 and "Mean score" not in page1
    list1 = text(b1.get(f"/selection/cohorts/{cohort.id}"))
    assert "Mean score" not in list1
    # your score, then how many reviews there are (not what they say)
    table = list1[list1.index("Applications to") :]
    assert re.findall(r'numeric">([^<]*)</td>', table) == ["4", "2"]
    page2 = text(b2.get(url))
    assert "Methods thin" in page2 and "Clear question" not in page2

    reveal = b1.post(
        f"/selection/cohorts/{cohort.id}/reveal-scores",
        token_from=f"/selection/cohorts/{cohort.id}",
    )
    assert reveal.status_code == 302
    page2 = text(b2.get(url))
    assert "Clear question" in page2 and "Methods thin" in page2
    assert "First Reviewer" in page2
    assert "Mean score: 3.0 from 2 reviews" in re.sub(r"<[^>]+>", "", page2)
    list2 = text(b2.get(f"/selection/cohorts/{cohort.id}"))
    assert "Mean score" in list2 and "3.0" in list2

    again = b1.post(
        f"/selection/cohorts/{cohort.id}/reveal-scores",
        token_from=f"/selection/cohorts/{cohort.id}",
        follow_redirects=True,
    )
    assert "already revealed" in text(again)
    with app.app_context():
        assert db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "cohort.scores_revealed")
        )
        assert (
            len(
                db.session.scalars(
                    select(AuditEntry).where(AuditEntry.action == "application.reviewed")
                ).all()
            )
            == 2
        )


def test_changing_your_review_updates_it(make, signed_in, app, staff):
    a = apply(make, make.cohort(), "Rhea")
    url = f"/selection/applications/{a.id}"
    signed_in.post(f"{url}/review", {"score": "3"}, token_from=url)
    signed_in.post(
        f"{url}/review", {"score": "5", "notes": "Better on reading again"}, token_from=url
    )
    with app.app_context():
        [review] = db.session.scalars(select(Review).where(Review.application_id == a.id)).all()
        assert (review.score, review.reviewer_id) == (5, staff.id)
    page = signed_in.get(url).get_data(as_text=True)
    assert re.search(r'value="5"\s+checked', page)


@pytest.mark.parametrize("score", ["", "0", "6", "abc", "4.5", "-1"])
def test_malformed_score_is_refused(make, signed_in, app, score):
    a = apply(make, make.cohort(), "Rhea")
    url = f"/selection/applications/{a.id}"
    resp = signed_in.post(f"{url}/review", {"score": score, "notes": "x"}, token_from=url)
    assert resp.status_code == 200
    assert "Select a score from 1 to 5" in text(resp)
    with app.app_context():
        assert db.session.scalars(select(Review)).all() == []


def test_unsigned_application_cannot_be_reviewed(make, signed_in, app):
    a = apply(make, make.cohort(), "Una", status="submitted")
    url = f"/selection/applications/{a.id}"
    assert 'name="score"' not in signed_in.get(url).get_data(as_text=True)
    resp = signed_in.post(f"{url}/review", {"score": "4"}, token_from=url)
    assert "Only applications signed off by a PSW can be reviewed." in text(resp)
    with app.app_context():
        assert db.session.scalars(select(Review)).all() == []


# Decisions ----------------------------------------------------------------------------------


def decide(browser, a, outcome, message="", confirmed="yes", **kw):
    """A decision, confirmed on the page that asks again before the applicant is emailed."""
    url = f"/selection/applications/{a.id}"
    data = {"outcome": outcome, "message": message, "confirmed": confirmed}
    return browser.post(f"{url}/decision", data, token_from=url, **kw)


def test_shortlist_with_a_message(make, signed_in, app):
    a = apply(make, make.cohort(), "Shona")
    resp = decide(signed_in, a, "shortlisted", "See you at interview")
    assert resp.status_code == 302
    assert status_of(app, a.id) == AppStatus.SHORTLISTED
    page = text(signed_in.get(resp.headers["Location"]))
    assert "Shona has been shortlisted." in page and "See you at interview" in page
    again = decide(signed_in, a, "shortlisted")
    assert (
        "This application was shortlisted by you a moment ago, so it can no longer be "
        "shortlisted." in text(again)
    )


def test_awards_up_to_the_places_then_refused(make, signed_in, app):
    cohort = make.cohort("2026-27", places=2)
    first = apply(make, cohort, "Ann One")
    org = make.org()
    ben = person(make, org, "Ben Two")
    second = make.application(cohort, applicant=ben, employer=org, status="shortlisted")
    third = apply(make, cohort, "Cat Three")
    assert decide(signed_in, first, "awarded", "Congratulations").status_code == 302
    assert decide(signed_in, second, "awarded").status_code == 302
    email = last_email(app, ben.email)
    assert email.subject == "You have been awarded a place on the programme"

    refused = decide(signed_in, third, "awarded", "Welcome")
    assert refused.status_code == 200
    assert "All 2 places in 2026-27 have been awarded" in text(refused)
    assert status_of(app, third.id) == AppStatus.ENDORSED
    assert "2 of 2 places awarded" in text(signed_in.get(f"/selection/cohorts/{cohort.id}"))

    # a double decision is refused, and nothing changes
    twice = decide(signed_in, first, "declined", "Sorry")
    assert "This application is awarded, so no further decision can be made." in text(twice)
    assert status_of(app, first.id) == AppStatus.AWARDED
    with app.app_context():
        assert db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "award.created", AuditEntry.summary.like("Ann One%")
            )
        )


def test_decision_on_unsigned_application_is_refused(make, signed_in, app):
    cohort = make.cohort()
    for status in ("submitted", "psw_declined"):
        a = apply(make, cohort, f"Unsigned {status}", status=status)
        for outcome in ("shortlisted", "awarded", "waitlisted"):
            resp = decide(signed_in, a, outcome, "x")
            assert resp.status_code == 200
            assert (
                "A decision needs a current sign-off from the applicant's Principal Social Worker"
                in text(resp)
            )
            assert status_of(app, a.id) == AppStatus(status)


def test_decline_needs_a_message_the_applicant_receives(make, signed_in, app):
    org = make.org()
    applicant = person(make, org, "Dee Clined")
    a = make.application(make.cohort(), applicant=applicant, employer=org, status="endorsed")
    blank = decide(signed_in, a, "declined", "  ")
    assert "Enter a message to the applicant explaining the decision" in text(blank)
    assert status_of(app, a.id) == AppStatus.ENDORSED
    message = "The panel felt the question was too broad for one year."
    assert decide(signed_in, a, "declined", message).status_code == 302
    assert status_of(app, a.id) == AppStatus.DECLINED
    assert message in last_email(app, applicant.email).body


def test_waitlist(make, signed_in, app):
    org = make.org()
    applicant = person(make, org, "Wally")
    a = make.application(make.cohort(), applicant=applicant, employer=org, status="endorsed")
    assert decide(signed_in, a, "waitlisted").status_code == 302
    assert status_of(app, a.id) == AppStatus.WAITLISTED
    assert "waiting list" in last_email(app, applicant.email).body


CHOOSE = "Choose shortlist, award, waiting list or decline"


@pytest.mark.parametrize(
    "outcome, message",
    [
        ("", "Select a decision"),
        ("withdrawn", CHOOSE),
        ("endorsed", CHOOSE),
        ("draft", CHOOSE),
        ("AWARDED", CHOOSE),
    ],
)
def test_outcome_not_allowed(make, signed_in, app, outcome, message):
    a = apply(make, make.cohort(), "Olly")
    resp = decide(signed_in, a, outcome, "x")
    assert resp.status_code == 200
    assert message in text(resp)
    assert status_of(app, a.id) == AppStatus.ENDORSED


def test_unknown_and_draft_ids_are_404(make, signed_in):
    draft = apply(make, make.cohort(), "Dora", status="draft")
    for url in (
        "/selection/cohorts/999999",
        "/selection/cohorts/999999/profile",
        "/selection/cohorts/999999/profile.csv",
        "/selection/applications/999999",
        f"/selection/applications/{draft.id}",
    ):
        assert signed_in.get(url).status_code == 404, url
    resp = signed_in.post(
        "/selection/applications/999999/decision", {"outcome": "awarded"}, token_from="/selection/"
    )
    assert resp.status_code == 404


def test_psw_cannot_reach_selection(make, browser):
    cohort = make.cohort()
    a = apply(make, cohort, "Pat")
    psw = make.user(Role.PSW, orgs=[make.org()])
    browser.sign_in(psw.email)
    for url in (
        "/selection/",
        f"/selection/cohorts/{cohort.id}",
        f"/selection/applications/{a.id}",
        f"/selection/cohorts/{cohort.id}/profile.csv",
    ):
        assert browser.get(url).status_code == 403, url
    resp = browser.post(
        f"/selection/applications/{a.id}/decision", {"outcome": "awarded"}, token_from="/account/"
    )
    assert resp.status_code == 403


def test_application_page_shows_everything_staff_need(make, signed_in):
    org = make.org(name="Ashworth Council")
    applicant = person(make, org, "Fiona Full")
    a = make.application(make.cohort(), applicant=applicant, employer=org, status="endorsed")
    page = text(signed_in.get(f"/selection/applications/{a.id}"))
    for bit in (
        "Fiona Full",
        "Ashworth Council",
        "07700 900123",
        "How do carers experience hospital discharge planning?",
        "Principal Social Worker sign-off",
        "I confirm that Fiona Full will be released",
        "Submitted for Principal Social Worker sign-off",  # the status history
        "Endorsed by the Principal Social Worker",
    ):
        assert bit in page, bit


def test_staff_home_card_and_nav(make, signed_in):
    cohort = make.cohort("2026-27")
    apply(make, cohort, "A")
    apply(make, cohort, "B", status="shortlisted")
    apply(make, cohort, "C", status="submitted")
    home = text(signed_in.get("/"))
    assert "2 applications waiting for review in 2026-27" in home
    assert "You have not scored 2." in home
    assert 'href="/selection/"' in home


# The applicant profile report ---------------------------------------------------------------


def _holders(make, cohort, rows, status="awarded"):
    org = make.org()
    psw = make.user(Role.PSW, orgs=[org])
    manager = make.user(Role.LINE_MANAGER, orgs=[org])
    for i, answers in enumerate(rows):
        make.application(
            cohort,
            applicant=person(make, org, f"Holder {i}"),
            employer=org,
            psw=psw,
            manager=manager,
            status=answers.pop("status", status),
            **answers,
        )


def test_profile_of_award_holders(make, signed_in, app):
    cohort = make.cohort("2026-27")
    _holders(
        make,
        cohort,
        [
            {"years_qualified": 2, "gender": "female", "current_role": "Senior social worker"},
            {
                "years_qualified": 7,
                "gender": "male",
                "current_role": "Senior social worker",
                "service_area": "children_families",
                "highest_degree": "bachelors",
            },
            {
                "years_qualified": 27,
                "gender": "female",
                "current_role": "Team manager",
                "is_social_worker": False,
                "profession": "Occupational therapist",
                "prior_research": "none",
            },
            {
                "years_qualified": 40,
                "gender": "female",
                "status": "endorsed",
                "current_role": "Consultant social worker",
            },
            {"years_qualified": 50, "status": "draft"},
        ],
    )
    with app.app_context():
        from app.cohorts.models import Cohort

        c = db.session.get(Cohort, cohort.id)
        holders = report.build_profile(c, report.HOLDERS)
        everyone = report.build_profile(c, report.SUBMITTED)
    assert holders.total == 3
    assert (holders.years.mean, holders.years.minimum, holders.years.maximum) == (
        pytest.approx(12.0),
        2,
        27,
    )
    assert str(holders.years.mean) == "12.0"
    by = {b.key: dict(b.rows) for b in holders.breakdowns}
    assert by["gender"] == {"Female": 2, "Male": 1}
    assert by["service_area"] == {"Adults": 2, "Children and families": 1}
    assert by["current_role"] == {"Senior social worker": 2, "Team manager": 1}
    assert by["highest_degree"] == {"Master's degree": 2, "Bachelor's degree": 1}
    assert by["prior_research"] == {
        "A master's dissertation": 2,
        "No formal research experience": 1,
    }
    assert by["social_worker"] == {"Yes": 2, "No": 1}
    assert everyone.total == 4 and str(everyone.years.mean) == "19.0"
    assert everyone.years.maximum == 40

    page = text(signed_in.get(f"/selection/cohorts/{cohort.id}/profile"))
    assert "Award holders: 3 people" in page
    assert "12.0" in page and "Senior social worker" in page
    assert "Consultant social worker" not in page
    page = text(signed_in.get(f"/selection/cohorts/{cohort.id}/profile?population=submitted"))
    assert "All submitted applications: 4 people" in page and "19.0" in page
    assert "Consultant social worker" in page
    assert "Award holders: 3" in text(
        signed_in.get(f"/selection/cohorts/{cohort.id}/profile?population=nonsense")
    )


def test_profile_reproduces_the_evaluations_second_cohort(make, app):
    """Table 2: 11 award holders, 9 female and 2 male, 7 in children's and 4 in adults'
    services, all social workers, 2 to 27 years since qualifying."""
    table2 = [
        ("F", "Ch", 9),
        ("F", "Ch", 3),
        ("M", "Ch", 7),
        ("F", "Ad", 2),
        ("F", "Ad", 27),
        ("F", "Ch", 7),
        ("F", "Ch", 2),
        ("F", "Ch", 4),
        ("M", "Ad", 10),
        ("F", "Ad", 3),
        ("F", "Ch", 3),
    ]
    cohort = make.cohort("2023-24", places=11)
    _holders(
        make,
        cohort,
        [
            {
                "gender": "female" if g == "F" else "male",
                "service_area": "children_families" if s == "Ch" else "adults",
                "years_qualified": y,
            }
            for g, s, y in table2
        ],
    )
    from app.cohorts.models import Cohort

    with app.app_context():
        profile = report.build_profile(db.session.get(Cohort, cohort.id), report.HOLDERS)
    by = {b.key: dict(b.rows) for b in profile.breakdowns}
    assert profile.total == 11
    assert by["gender"] == {"Female": 9, "Male": 2}
    assert by["service_area"] == {"Adults": 4, "Children and families": 7}
    assert by["social_worker"] == {"Yes": 11}
    # 77 years over 11 people: the evaluation's text says 6.4, its own table gives 7.0
    assert (str(profile.years.mean), profile.years.minimum, profile.years.maximum) == ("7.0", 2, 27)


def test_profile_uses_a_fixed_number_of_queries(make, app):
    from app.cohorts.models import Cohort

    def queries_for(cohort_id):
        count = 0

        def counter(*_args):
            nonlocal count
            count += 1

        with app.app_context():
            c = db.session.get(Cohort, cohort_id)
            event.listen(db.engine, "before_cursor_execute", counter)
            try:
                report.build_profile(c, report.HOLDERS)
            finally:
                event.remove(db.engine, "before_cursor_execute", counter)
        return count

    small, large = make.cohort(), make.cohort()
    _holders(make, small, [{"years_qualified": 1}])
    _holders(make, large, [{"years_qualified": n} for n in range(6)])
    assert queries_for(small.id) == queries_for(large.id) == 8


def test_profile_csv(make, signed_in):
    cohort = make.cohort("=2026-27")
    _holders(
        make,
        cohort,
        [
            {"years_qualified": 2, "current_role": '=HYPERLINK("http://evil.example","x")'},
            {"years_qualified": 7, "current_role": "+44 team lead"},
            {"years_qualified": 27, "current_role": "-minus role"},
            {"years_qualified": 5, "current_role": "@SUM(A1)", "status": "endorsed"},
        ],
    )
    resp = signed_in.get(f"/selection/cohorts/{cohort.id}/profile.csv")
    assert resp.status_code == 200
    assert resp.is_streamed
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"] == (
        'attachment; filename="applicant-profile-2026-27-holders.csv"'
    )
    body = resp.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["Measure", "Answer", "Value"]
    assert ["Cohort", "'=2026-27", ""] in rows
    assert ["Number of people", "", "3"] in rows
    roles = {r[1] for r in rows if r[0] == "Current role"}
    assert roles == {'\'=HYPERLINK("http://evil.example","x")', "'+44 team lead", "'-minus role"}
    assert ["Years since qualifying", "Mean", "12.0"] in rows
    assert ["Years since qualifying", "Shortest", "2"] in rows
    assert ["Years since qualifying", "Longest", "27"] in rows
    everyone = signed_in.get(f"/selection/cohorts/{cohort.id}/profile.csv?population=submitted")
    assert "submitted.csv" in everyone.headers["Content-Disposition"]
    assert "'@SUM(A1)" in everyone.get_data().decode("utf-8-sig")


def test_csv_filename_is_plain_ascii(make, signed_in):
    cohort = make.cohort("Łódź 2026–27")
    resp = signed_in.get(f"/selection/cohorts/{cohort.id}/profile.csv")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == (
        'attachment; filename="applicant-profile-d-2026-27-holders.csv"'
    )
