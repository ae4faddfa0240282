"""SQL queries per page: for every main page, one GET makes the same number of queries with
10 records behind the page as with 100, and never more than MAX_QUERIES.

Each case builds the page's viewer and setting, adds 10 records behind the page (the rows
it lists or aggregates), counts a GET (after a warm-up GET), adds 90 more and counts again.
A difference is an N+1: the failure lists the statements the second count ran that the
first did not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import count, cycle

import pytest

from app.accounts.models import User
from app.applications.models import (
    ApplicationEvent,
    AppStatus,
    Review,
    SignOff,
    SignOffDecision,
)
from app.cohorts.models import EventKind, PriorityArea, RecruitmentEvent
from app.core.audit import AuditEntry
from app.core.clock import today
from app.core.mail import MailStatus, OutboxMessage
from app.core.roles import Role
from app.core.workdays import non_working_reason
from app.extensions import db
from app.organisations.models import Nation, OrgKind
from app.release.models import DayKind, DayStatus, Delegation, ReleaseDay
from tests.helpers import recorded_sql

MAX_QUERIES = 15
# an expanded IN list, "(?, ?, ?)" or "(%(id_1_1)s, %(id_1_2)s)": its length is not a query
IN_LIST = re.compile(r"\((?:\s*(?:\?|%\(\w+\)s)\s*,)*\s*(?:\?|%\(\w+\)s)\s*\)")


# Counting ---------------------------------------------------------------------------------


def page_queries(app, browser, url: str) -> list[str]:
    """The statements of one GET of `url`, after a warm-up GET of the same page."""
    resp = browser.get(url)
    assert resp.status_code == 200, f"{url} answered {resp.status_code} on warm-up"
    with recorded_sql(app) as statements:
        resp = browser.get(url)
    assert resp.status_code == 200, f"{url} answered {resp.status_code}"
    return statements


def _listing(statements) -> str:
    return "\n".join(f"  {n} x {s}" for s, n in statements)


def assert_flat(name: str, at_10: list[str], at_100: list[str]) -> None:
    """Same count at 10 and 100 records, and at most MAX_QUERIES."""
    if len(at_10) != len(at_100):
        shape = Counter(IN_LIST.sub("(...)", s) for s in at_100)
        shape.subtract(IN_LIST.sub("(...)", s) for s in at_10)
        grown = [(s, n) for s, n in shape.items() if n > 0]
        shrunk = [(s, -n) for s, n in shape.items() if n < 0]
        pytest.fail(
            f"{name}: {len(at_10)} queries with 10 records, {len(at_100)} with 100.\n"
            f"Run with 100 only:\n{_listing(grown) or '  (none)'}\n"
            + (f"Run with 10 only:\n{_listing(shrunk)}\n" if shrunk else ""),
            pytrace=False,
        )
    if len(at_100) > MAX_QUERIES:
        pytest.fail(
            f"{name}: {len(at_100)} queries, more than {MAX_QUERIES}:\n"
            + _listing(Counter(at_100).items()),
            pytrace=False,
        )


# Building records -------------------------------------------------------------------------

_seq = count(1)


def working_days(first: date, step: int) -> Iterator[date]:
    """Working days in England from `first`, forwards (step 1) or backwards (step -1)."""
    d = first
    while True:
        if non_working_reason(d, Nation.ENGLAND_AND_WALES) is None:
            yield d
        d += timedelta(days=step)


# Past days are taken, called back, declined...; future days are requested, approved...
PAST = [
    (DayKind.STUDY, DayStatus.TAKEN),
    (DayKind.STUDY, DayStatus.CALLED_BACK),
    (DayKind.RESIDENTIAL, DayStatus.TAKEN),
    (DayKind.STUDY, DayStatus.DECLINED),
    (DayKind.STUDY, DayStatus.APPROVED),  # waiting for the holder to confirm it
    (DayKind.STUDY, DayStatus.CANCELLED),
]
FUTURE = [
    (DayKind.STUDY, DayStatus.REQUESTED),
    (DayKind.STUDY, DayStatus.APPROVED),
    (DayKind.STUDY, DayStatus.CANCELLED),
    (DayKind.STUDY, DayStatus.DECLINED),
]


class World:
    """Records made quickly: factories for people and applications, rows for the rest."""

    def __init__(self, app, make):
        self.app, self.make = app, make
        self._ledgers: dict[int, tuple[Iterator, Iterator, Iterator, Iterator]] = {}

    # ledger days
    def days(self, award, n: int, strangers: bool = False) -> None:
        """`n` more ledger rows for `award`, alternately before and after today, at every
        status. The line manager decides and the holder cancels; with `strangers`, each
        row is decided (for the manager) or cancelled by someone new."""
        if award.id not in self._ledgers:
            with self.app.app_context():
                now = today()
            self._ledgers[award.id] = (
                working_days(now - timedelta(days=1), -1),
                working_days(now + timedelta(days=1), 1),
                cycle(PAST),
                cycle(FUTURE),
            )
        past, future, past_kinds, future_kinds = self._ledgers[award.id]
        rows = []
        for i in range(n):
            before = i % 2 == 0
            kind, status = next(past_kinds if before else future_kinds)
            decided = status not in (DayStatus.REQUESTED, DayStatus.CANCELLED)
            cancelled = status == DayStatus.CANCELLED
            person = self.make.user(Role.LINE_MANAGER).id if strangers else None
            rows.append(
                ReleaseDay(
                    award_id=award.id,
                    day=next(past if before else future),
                    kind=kind,
                    status=status,
                    half_days=1 if i % 5 == 4 else 2,
                    note=f"Day {i}",
                    retrospective=before and status == DayStatus.TAKEN and i % 3 == 0,
                    requested_by_id=award.holder_id,
                    decided_by_id=(person or award.line_manager_id) if decided else None,
                    decided_for_id=award.line_manager_id if decided and person else None,
                    decided_at=datetime(2026, 1, 5, 9, 0) if decided else None,
                    reason="Short of cover"
                    if status in (DayStatus.DECLINED, DayStatus.CALLED_BACK)
                    else "",
                    cancelled_by_id=(person or award.holder_id) if cancelled else None,
                )
            )
        with self.app.app_context():
            db.session.add_all(rows)
            db.session.commit()

    # award holders
    def holders(self, cohort, n: int, employer=None, manager=None, days: int = 3) -> list:
        """`n` award holders in `cohort` (each with `days` ledger rows)."""
        awards = []
        for _ in range(n):
            org = employer or self.make.org()
            award = self.make.award(cohort=cohort, employer=org, manager=manager)
            self.days(award, days)
            awards.append(award)
        return awards

    # applications
    def applications(self, cohort, n: int, statuses, employer=None, psw=None, manager=None):
        """`n` applications to `cohort` from new applicants, their statuses in turn."""
        made = []
        for status, _ in zip(cycle(statuses), range(n), strict=False):
            org = employer or self.make.org()
            made.append(
                self.make.application(cohort, employer=org, psw=psw, manager=manager, status=status)
            )
        return made

    def reviews(self, applications, reviewers) -> None:
        """A review by each reviewer of each application staff consider."""
        with self.app.app_context():
            for i, a in enumerate(applications):
                if a.status not in (
                    AppStatus.ENDORSED,
                    AppStatus.SHORTLISTED,
                    AppStatus.AWARDED,
                    AppStatus.WAITLISTED,
                    AppStatus.DECLINED,
                ):
                    continue
                for j, reviewer in enumerate(reviewers):
                    db.session.add(
                        Review(
                            application_id=a.id,
                            reviewer_id=reviewer.id,
                            score=(i + j) % 5 + 1,
                            notes="Clear question",
                        )
                    )
            db.session.commit()

    def cohorts(self, n: int, **fields) -> list:
        return [self.make.cohort(f"q{next(_seq):04d}", **fields) for _ in range(n)]

    def open_cohorts(self, n: int) -> list:
        with self.app.app_context():
            t = today()
        return self.cohorts(n, applications_open=t - timedelta(days=5))

    def closed_cohorts(self, n: int) -> list:
        """Cohorts whose applications have closed and whose programme has not begun."""
        with self.app.app_context():
            t = today()
        return self.cohorts(
            n,
            applications_open=t - timedelta(days=60),
            applications_close=t - timedelta(days=30),
        )


# The pages --------------------------------------------------------------------------------


@dataclass
class Case:
    """A page as one person sees it; `add(n)` puts n more records behind it."""

    url: str
    add: Callable[[int], None]
    email: str | None = None  # None: a visitor who has not signed in


CASES: dict[str, Callable[[World], Case]] = {}


def page(name: str):
    def register(build: Callable[[World], Case]):
        CASES[name] = build
        return build

    return register


def _staff(w: World):
    return w.make.user(Role.STAFF, name="Sam Staff")


def _running(w: World):
    return w.make.running_cohort(places=500)


# Programme staff


@page("staff dashboard")
def _(w: World) -> Case:
    staff, running, org = _staff(w), _running(w), w.make.org()
    psw = w.make.user(Role.PSW, orgs=[org])
    manager = w.make.user(Role.LINE_MANAGER, orgs=[org])

    def add(n):
        # open cohorts (a card each), applications waiting for review in them, and award
        # holders in their programme year (the at-risk card)
        for cohort in w.open_cohorts(n):
            w.applications(cohort, 1, ["endorsed"], employer=org, psw=psw, manager=manager)
        w.holders(running, n, employer=org, manager=manager)

    return Case("/", add, staff.email)


@page("cohort list")
def _(w: World) -> Case:
    return Case("/cohorts/manage", lambda n: w.cohorts(n), _staff(w).email)


def _areas_and_events(w: World, cohort, orgs_per_area: bool = True, org=None):
    """n priority areas (each from another authority) and n recruitment sessions."""

    def add(n):
        with w.app.app_context():
            t = datetime.combine(today(), datetime.min.time())
        for i in range(n):
            area_org = w.make.org() if orgs_per_area else org
            k = next(_seq)
            with w.app.app_context():
                db.session.add_all(
                    [
                        PriorityArea(
                            cohort_id=cohort.id,
                            organisation_id=area_org.id,
                            title=f"Priority {k}",
                            description="Carers and hospital discharge",
                            is_withdrawn=i % 7 == 6,
                        ),
                        RecruitmentEvent(
                            cohort_id=cohort.id,
                            kind=EventKind.QA_SESSION if i % 2 else EventKind.PSW_BRIEFING,
                            starts_at=t + timedelta(days=i - n // 2, hours=14),
                            ends_at=t + timedelta(days=i - n // 2, hours=15),
                            joining_details="Teams link",
                        ),
                    ]
                )
                db.session.commit()

    return add


@page("cohort detail")
def _(w: World) -> Case:
    cohort = w.open_cohorts(1)[0]
    return Case(f"/cohorts/manage/{cohort.id}", _areas_and_events(w, cohort), _staff(w).email)


@page("selection cohorts")
def _(w: World) -> Case:
    org = w.make.org()
    psw, manager = w.make.user(Role.PSW, orgs=[org]), w.make.user(Role.LINE_MANAGER, orgs=[org])

    def add(n):
        for cohort in w.cohorts(n):
            w.applications(cohort, 1, ["submitted"], employer=org, psw=psw, manager=manager)

    return Case("/selection/", add, _staff(w).email)


REVIEWED = [
    "endorsed",
    "submitted",
    "shortlisted",
    "psw_declined",
    "awarded",
    "waitlisted",
    "declined",
    "withdrawn",
    "draft",
]


def _reviewed_cohort(w: World, staff, revealed: bool) -> tuple[object, Callable[[int], None]]:
    cohort = w.make.cohort(places=500, scores_revealed=revealed)
    employers = [w.make.org() for _ in range(4)]
    second = w.make.user(Role.STAFF)
    employer, status = cycle(employers), cycle(REVIEWED)

    def add(n):
        made = []
        for _ in range(n):
            made += w.applications(cohort, 1, [next(status)], employer=next(employer))
        w.reviews(made, [staff, second])

    return cohort, add


@page("application review list")
def _(w: World) -> Case:
    staff = _staff(w)
    cohort, add = _reviewed_cohort(w, staff, revealed=False)
    return Case(f"/selection/cohorts/{cohort.id}", add, staff.email)


@page("application review list, scores revealed")
def _(w: World) -> Case:
    staff = _staff(w)
    cohort, add = _reviewed_cohort(w, staff, revealed=True)
    return Case(f"/selection/cohorts/{cohort.id}?sort=score", add, staff.email)


@page("applicant profile report")
def _(w: World) -> Case:
    staff = _staff(w)
    cohort, add = _reviewed_cohort(w, staff, revealed=False)
    return Case(f"/selection/cohorts/{cohort.id}/profile", add, staff.email)


@page("application detail")
def _(w: World) -> Case:
    staff = _staff(w)
    cohort = w.make.cohort(scores_revealed=True)
    (application,) = w.applications(cohort, 1, ["endorsed"])
    versions = count(application.version + 1000)

    def add(n):
        # n reviews, n steps of status history and n earlier sign-offs, each by someone
        # else (a person the page has already loaded would hide a query)
        w.reviews([application], [w.make.user(Role.STAFF) for _ in range(n)])
        actors = [w.make.user(Role.STAFF) for _ in range(n)]
        psws = [w.make.user(Role.PSW) for _ in range(n)]
        with w.app.app_context():
            for i, (actor, psw) in enumerate(zip(actors, psws, strict=True)):
                db.session.add(
                    ApplicationEvent(
                        application_id=application.id,
                        actor_id=actor.id,
                        from_status=AppStatus.SUBMITTED,
                        to_status=AppStatus.ENDORSED,
                        message=f"Step {i}",
                    )
                )
                db.session.add(
                    SignOff(
                        application_id=application.id,
                        application_version=next(versions),
                        psw_id=psw.id,
                        employer_id=application.employer_id,
                        decision=SignOffDecision.DECLINED,
                        release_days=36,
                        reason="Not this year",
                        content_hash="0" * 64,
                    )
                )
            db.session.commit()

    return Case(f"/selection/applications/{application.id}", add, staff.email)


def _holders_in_running_cohort(w: World, employer=None):
    running = _running(w)
    return running, lambda n: w.holders(running, n, employer=employer)


@page("at-risk (staff)")
def _(w: World) -> Case:
    _, add = _holders_in_running_cohort(w)
    return Case("/release/at-risk", add, _staff(w).email)


@page("at-risk (PSW)")
def _(w: World) -> Case:
    org = w.make.org()
    psw = w.make.user(Role.PSW, orgs=[org])
    _, add = _holders_in_running_cohort(w, employer=org)
    return Case("/release/at-risk", add, psw.email)


@page("cohort balances")
def _(w: World) -> Case:
    running, add = _holders_in_running_cohort(w)
    return Case(f"/release/cohorts/{running.id}", add, _staff(w).email)


@page("cohort balances (PSW)")
def _(w: World) -> Case:
    org = w.make.org()
    psw = w.make.user(Role.PSW, orgs=[org])
    running, add = _holders_in_running_cohort(w, employer=org)
    return Case(f"/release/cohorts/{running.id}", add, psw.email)


@page("residential days form")
def _(w: World) -> Case:
    running, add = _holders_in_running_cohort(w)
    return Case(f"/release/cohorts/{running.id}/residential", add, _staff(w).email)


@page("audit log")
def _(w: World) -> Case:
    def add(n):
        actors = [w.make.user(Role.STAFF) for _ in range(n // 2)]
        with w.app.app_context():
            for i in range(n):
                db.session.add(
                    AuditEntry(
                        actor_id=actors[i % len(actors)].id if i % 4 else None,
                        action="application.reviewed",
                        object_type="Application",
                        object_id=i + 1,
                        summary=f"Entry {i}",
                        changes={"score": [None, i % 5 + 1]},
                    )
                )
            db.session.commit()

    return Case("/audit/", add, _staff(w).email)


@page("people")
def _(w: World) -> Case:
    orgs = [w.make.org() for _ in range(3)]
    roles = cycle([(Role.APPLICANT,), (Role.PSW, Role.LINE_MANAGER), (Role.AWARD_HOLDER,)])

    def add(n):
        # each belongs to an organisation of their own as well as to shared ones
        for i in range(n):
            w.make.user(*next(roles), orgs=[w.make.org(), *orgs[: i % 3]])

    return Case("/account/people", add, _staff(w).email)


@page("organisations")
def _(w: World) -> Case:
    kinds = cycle([OrgKind.LOCAL_AUTHORITY, OrgKind.NHS_TRUST, OrgKind.UNIVERSITY])

    def add(n):
        for _ in range(n):
            org = w.make.org(kind=next(kinds))
            w.make.user(Role.APPLICANT, orgs=[org])

    return Case("/organisations/", add, _staff(w).email)


@page("organisation detail")
def _(w: World) -> Case:
    org = w.make.org()
    roles = cycle([(Role.APPLICANT,), (Role.PSW, Role.LINE_MANAGER), (Role.AWARD_HOLDER,)])

    def add(n):
        for _ in range(n):
            w.make.user(*next(roles), orgs=[org])

    return Case(f"/organisations/{org.id}", add, _staff(w).email)


@page("outbox")
def _(w: World) -> Case:
    def add(n):
        with w.app.app_context():
            for i in range(n):
                db.session.add(
                    OutboxMessage(
                        to_address=f"person{i}@example.test",
                        subject=f"Message {i}",
                        body="Hello",
                        template="t",
                        status=MailStatus.SENT if i % 2 else MailStatus.QUEUED,
                    )
                )
            db.session.commit()

    return Case("/outbox/", add, _staff(w).email)


# Principal Social Workers


def _psw_world(w: World):
    org = w.make.org()
    psw = w.make.user(Role.PSW, orgs=[org])
    manager = w.make.user(Role.LINE_MANAGER, orgs=[org])
    return org, psw, manager


@page("PSW sign-off list")
def _(w: World) -> Case:
    org, psw, manager = _psw_world(w)
    cohort = w.make.cohort(places=500)

    def add(n):
        # waiting for their sign-off
        w.applications(cohort, n, ["submitted"], employer=org, psw=psw, manager=manager)
        # decided by them and by colleagues (each a new PSW of the same authority)
        decided = ["endorsed", "psw_declined", "shortlisted", "awarded", "withdrawn"]
        w.applications(cohort, n // 2, decided, employer=org, psw=psw, manager=manager)
        w.applications(cohort, n - n // 2, decided, employer=org, manager=manager)

    return Case("/applications/sign-off", add, psw.email)


@page("PSW dashboard")
def _(w: World) -> Case:
    org, psw, manager = _psw_world(w)
    cohort, running = w.open_cohorts(1)[0], _running(w)

    def add(n):
        w.applications(cohort, n, ["submitted"], employer=org, psw=psw, manager=manager)
        w.holders(running, n, employer=org, manager=manager)

    return Case("/", add, psw.email)


@page("PSW priority areas")
def _(w: World) -> Case:
    org, psw, _ = _psw_world(w)
    cohort = w.open_cohorts(1)[0]
    return Case(
        f"/cohorts/{cohort.id}/priorities",
        _areas_and_events(w, cohort, orgs_per_area=False, org=org),
        psw.email,
    )


# Line managers


def _managed(w: World):
    org = w.make.org()
    manager = w.make.user(Role.LINE_MANAGER, orgs=[org])
    running = _running(w)
    return running, lambda n: w.holders(running, n, employer=org, manager=manager, days=4), manager


@page("approvals (line manager)")
def _(w: World) -> Case:
    _, add, manager = _managed(w)
    return Case("/release/approvals", add, manager.email)


@page("line manager dashboard")
def _(w: World) -> Case:
    _, add, manager = _managed(w)
    return Case("/", add, manager.email)


@page("delegations (line manager)")
def _(w: World) -> Case:
    org = w.make.org()
    manager = w.make.user(Role.LINE_MANAGER, orgs=[org])

    def add(n):
        with w.app.app_context():
            t = today()
        colleagues = [w.make.user(Role.LINE_MANAGER, orgs=[org]) for _ in range(n)]
        with w.app.app_context():
            for i, colleague in enumerate(colleagues):
                start = t + timedelta(days=i - n // 2)
                # one to a colleague, one from them
                for a, b in ((manager, colleague), (colleague, manager)):
                    db.session.add(
                        Delegation(
                            manager_id=a.id,
                            delegate_id=b.id,
                            starts_on=start,
                            ends_on=start + timedelta(days=14),
                        )
                    )
            db.session.commit()

    return Case("/release/delegations", add, manager.email)


def _ledger(w: World):
    org = w.make.org()
    manager = w.make.user(Role.LINE_MANAGER, orgs=[org])
    award = w.make.award(cohort=_running(w), employer=org, manager=manager)
    return award, manager, lambda n: w.days(award, n, strangers=True)


@page("ledger (award holder)")
def _(w: World) -> Case:
    award, _, add = _ledger(w)
    holder = w.make.reload(User, award.holder_id)
    return Case(f"/release/awards/{award.id}", add, holder.email)


@page("ledger (line manager)")
def _(w: World) -> Case:
    award, manager, add = _ledger(w)
    return Case(f"/release/awards/{award.id}", add, manager.email)


@page("award holder dashboard")
def _(w: World) -> Case:
    award, _, add = _ledger(w)
    holder = w.make.reload(User, award.holder_id)
    return Case("/", add, holder.email)


# Applicants and visitors


def _applicant(w: World):
    org = w.make.org()
    applicant = w.make.user(Role.APPLICANT, orgs=[org])
    manager = w.make.user(Role.LINE_MANAGER, orgs=[org])
    statuses = cycle(["draft", "submitted", "endorsed", "withdrawn", "psw_declined"])

    def add(n):
        # one application in each of n cohorts, half of them closed to applications now,
        # each signed off by another PSW
        cohorts = w.open_cohorts(n // 2) + w.closed_cohorts(n - n // 2)
        for cohort in cohorts:
            w.make.application(
                cohort,
                applicant=applicant,
                employer=org,
                psw=w.make.user(Role.PSW, orgs=[org]),
                manager=manager,
                status=next(statuses),
            )

    return applicant, add


@page("applicant's applications")
def _(w: World) -> Case:
    applicant, add = _applicant(w)
    return Case("/applications/", add, applicant.email)


@page("applicant dashboard")
def _(w: World) -> Case:
    applicant, add = _applicant(w)
    return Case("/", add, applicant.email)


@page("open cohorts (public)")
def _(w: World) -> Case:
    return Case("/cohorts/", lambda n: w.open_cohorts(n))


@page("cohort page (public)")
def _(w: World) -> Case:
    cohort = w.open_cohorts(1)[0]
    return Case(f"/cohorts/{cohort.id}", _areas_and_events(w, cohort))


# The test ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_queries_do_not_grow_with_the_records_behind_the_page(name, app, make, browser):
    w = World(app, make)
    case = CASES[name](w)
    case.add(10)
    if case.email:
        browser.sign_in(case.email)
    at_10 = page_queries(app, browser, case.url)
    case.add(90)
    at_100 = page_queries(app, browser, case.url)
    assert_flat(name, at_10, at_100)
