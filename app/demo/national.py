"""A national-scale programme for load and performance work: ~150 employers, 40 cohorts over
ten years, 2,000 award holders, 10,000 applications, 72,000 release-ledger entries, 20,000
people and 200,000 audit entries (`flask national-data`; `bench/run.py` measures pages on it).

Every row is written in bulk with SQLAlchemy Core (`insert(table)` and lists of dicts, in
batches), never one ORM object at a time, and satisfies the models' constraints and the
services' rules: one application per (cohort, applicant); awards only for awarded
applications, with the cohort's entitlements copied and three outputs each; PSW sign-offs
for applications past submission (endorsements confirm both statements, and carry the
application's real content hash); release days on the employer's working days inside the
programme, at most one active row per (award, day) and never more than the entitlement.

The output depends only on (seed, scale, today): the same three give the same rows. Today
places the ten years of cohorts: in every region one cohort is in its programme year now,
older ones have ended, and the next one is recruiting, selecting or not yet open.

Shape: `generate` runs FAMILIES in order, one function per table family. Each takes the
`Build` (the seeded random generator, the reference date, the target `Sizes`, and what the
earlier families made, kept as the very dicts that were inserted) and writes its rows with
`Build.insert`. Keys starting with "_" are notes for later families, never columns. A new
feature extends the data set with one more function appended to FAMILIES.
"""

from __future__ import annotations

import random
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import Table, func, insert, select, text

from app.accounts.models import User, UserRole, UserStatus
from app.accounts.passwords import hash_password
from app.applications.models import (
    Application,
    ApplicationEvent,
    AppStatus,
    Degree,
    Gender,
    PriorResearch,
    Review,
    ServiceArea,
    SignOff,
    SignOffDecision,
)
from app.applications.services import RELEASE_STATEMENT, STRATEGIC_STATEMENT, content_hash
from app.awards.models import Award, AwardOutput, OutputKind, OutputStatus
from app.cohorts.models import Cohort, EventKind, PriorityArea, RecruitmentEvent
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.core.workdays import non_working_reason
from app.demo.data import DEMO_PASSWORD, FIRST_NAMES, LAST_NAMES, LOCAL_AUTHORITIES
from app.extensions import db
from app.organisations.models import Membership, Nation, Organisation, OrgKind
from app.privacy.declare import Retention
from app.privacy.retention import DEFAULT_DAYS
from app.release.models import DayKind, DayStatus, Delegation, ReleaseDay

SEED = 2026
PASSWORD = DEMO_PASSWORD  # every national account signs in with 'demo-password'

# Sizes at scale 1.0, and the least any scale may have (so every phase and status exists).
NATIONAL = {
    "employers": 150,
    "universities": 30,
    "cohorts": 40,
    "award_holders": 2_000,
    "applications": 10_000,
    "release_days": 72_000,
    "users": 20_000,
    "audit_entries": 200_000,
}
MINIMUM = {
    "employers": 2,
    "universities": 1,
    "cohorts": 4,
    "award_holders": 4,
    "applications": 40,
    "release_days": 100,
    "users": 100,
    "audit_entries": 200,
}

# Known sign-ins (bench/run.py uses them). The holder is in a cohort running today, at the
# first employer, and the manager is their line manager.
NAMED = {
    "staff": "national-staff@bench.test",
    "coach": "national-coach@bench.test",
    "supervisor": "national-supervisor@bench.test",
    "psw": "national-psw@bench.test",
    "manager": "national-manager@bench.test",
    "director": "national-director@bench.test",
    "holder": "national-holder@bench.test",
    "applicant": "national-applicant@bench.test",
    # a carer who registered only to take part in communities of practice (issue 19)
    "member": "national-member@bench.test",
}

# Regions run one cohort a year each; the number is the days from today to the start of
# the region's next cohort, so their recruitment is at different stages today.
REGIONS = [("North", 30), ("Midlands", 100), ("South", 170), ("London", 260)]
WINDOW_OPENS = 165  # days before the programme starts
WINDOW_CLOSES = 75

HISTORIC, RUNNING, SELECTION, OPEN, NOT_OPEN = (
    "historic",
    "running",
    "selection",
    "open",
    "not_open",
)

S = AppStatus
# Final statuses of applications other than the awarded ones, by the cohort's phase.
STATUS_MIX = {
    HISTORIC: {S.DRAFT: 12, S.PSW_DECLINED: 10, S.WITHDRAWN: 8, S.DECLINED: 62, S.WAITLISTED: 8},
    SELECTION: {
        S.DRAFT: 10,
        S.SUBMITTED: 4,
        S.PSW_DECLINED: 8,
        S.WITHDRAWN: 6,
        S.ENDORSED: 20,
        S.SHORTLISTED: 22,
        S.WAITLISTED: 10,
        S.DECLINED: 20,
    },
    OPEN: {
        S.DRAFT: 40,
        S.SUBMITTED: 25,
        S.ENDORSED: 20,
        S.PSW_DECLINED: 7,
        S.WITHDRAWN: 5,
        S.SHORTLISTED: 3,
    },
    NOT_OPEN: {S.DRAFT: 1},
}
STATUS_MIX[RUNNING] = STATUS_MIX[HISTORIC]
APPLICATION_WEIGHT = {HISTORIC: 1.0, RUNNING: 1.0, SELECTION: 1.0, OPEN: 0.6, NOT_OPEN: 0.05}
AWARD_RATE = {HISTORIC: 0.2, RUNNING: 0.2, SELECTION: 0.1, OPEN: 0.0, NOT_OPEN: 0.0}

# People per employer and per university (these do not scale: employers do).
PSWS, MANAGERS, DIRECTORS, SUPERVISORS = (1, 2), 8, (1, 2), 8
STAFF, COACHES = 12, 8

STEMS = (  # noqa: SIM905 - a word list reads better as one string
    "Ald Bel Brack Cran Dun Elm Fern Glen Hart Holm Ivy Kirk Lang Mar Nor Oak Pen Rad Shel "
    "Thorn Ul Wil Wyn Brad Dal East Fair Gold Lyn Mill New Orm Red Stan Tam West Whit Ash "
    "Birch Cole Ditch Ever Frost Hazel Lark Moss Quarry Rook Sand Tod Wold Yew Beck Crag"
).split()
ENDINGS = "ford ley ham wick bury field dale ton mouth wood stead by combe bridge".split()  # noqa: SIM905
LA_KINDS = [
    "Borough Council",
    "City Council",
    "County Council",
    "Metropolitan Borough Council",
    "Council",
]
MORE_FIRST = (  # noqa: SIM905 - a word list reads better as one string
    "Adam Amira Bilal Chloe Dylan Eleni Femi Grace Harriet Isaac Jamal Kerry Leon Mei Nia "
    "Oliver Priya Rhys Sadia Tariq Uma Vikram Wendy Xander Yusuf Zara Ioana Kwame Lucy Marta"
).split()
MORE_LAST = (  # noqa: SIM905 - a word list reads better as one string
    "Adeyemi Bennett Chowdhury Dixon Edwards Foster Grant Hall Islam Jones Khan Lloyd Moore "
    "Nowak Owusu Price Rahman Scott Thomas Wood Yilmaz Byrne Campbell Evans Morgan Shah"
).split()
FIRST = list(FIRST_NAMES) + MORE_FIRST
LAST = list(LAST_NAMES) + MORE_LAST

TOPICS = [
    "carers' assessments",
    "hospital discharge",
    "transitions to adult services",
    "reflective supervision",
    "strengths-based practice",
    "domestic abuse",
    "self-neglect",
    "Mental Capacity Act assessments",
    "direct payments",
    "kinship care",
    "child criminal exploitation",
    "parental substance misuse",
    "care leavers' housing",
    "court reports",
    "life-story work",
    "family group conferences",
    "safeguarding enquiries",
    "dementia care at home",
    "trauma-informed practice",
    "contextual safeguarding",
    "young carers' assessments",
    "deprivation of liberty safeguards",
    "co-production",
    "early help",
]
GROUPS = [
    "older people",
    "carers",
    "young people leaving care",
    "newly qualified social workers",
    "parents",
    "autistic adults",
    "people with a learning disability",
    "families",
    "team managers",
    "Black and minority ethnic families",
    "disabled children",
    "people sleeping rough",
    "grandparent carers",
]
QUESTIONS = [
    "How do {group} experience {topic}?",
    "What helps {group} take part in {topic}?",
    "What makes {topic} work well for {group}?",
    "How can practitioners improve {topic} with {group}?",
    "What do {group} want from {topic}?",
]
ROLES = {
    ServiceArea.ADULTS: [
        "Social worker",
        "Senior social worker",
        "Advanced practitioner",
        "Hospital discharge social worker",
        "Approved mental health professional",
        "Team manager, community team",
    ],
    ServiceArea.CHILDREN: [
        "Children's social worker",
        "Senior practitioner, child protection",
        "Social worker, looked after children",
        "Practice supervisor",
        "Team manager, early help",
        "Social worker, leaving care team",
    ],
}
QUALIFICATIONS = [
    ("MA Social Work", Degree.MASTERS),
    ("BA (Hons) Social Work", Degree.BACHELORS),
    ("PG Dip Social Work", Degree.PG_DIPLOMA),
    ("Diploma in Social Work", Degree.DIPLOMA),
    ("MSc Social Work", Degree.MASTERS),
]
PRIORITY_TITLES = [
    "Transitions from children's to adults' services",
    "Carers' assessments",
    "Hospital discharge",
    "Reducing the number of children in care",
    "Workforce retention",
    "Strengths-based practice",
    "Domestic abuse",
    "Exploitation and contextual safeguarding",
    "Preparing for adulthood",
    "Mental capacity and liberty protection",
]


# Sizes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    employers: int
    universities: int
    cohorts: int
    award_holders: int
    applications: int
    release_days: int
    users: int
    audit_entries: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        if scale <= 0:
            raise ValueError("The scale must be more than 0")
        return cls(**{k: max(MINIMUM[k], round(v * scale)) for k, v in NATIONAL.items()})


class NationalRefused(Exception):
    pass


# The build ------------------------------------------------------------------------------


@dataclass
class Build:
    """The state handed from family to family, and the one way rows reach the database."""

    conn: Any
    sizes: Sizes
    seed: int
    today: date
    batch_size: int = 5000
    rng: random.Random = field(init=False)
    now: datetime = field(init=False)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    regions: list[tuple[str, int]] = field(init=False)
    password_hash: str = ""
    _next_id: dict[str, int] = field(default_factory=dict)
    # made by the families, for the ones after them
    office: dict = field(default_factory=dict)
    employers: list[dict] = field(default_factory=list)
    universities: list[dict] = field(default_factory=list)
    cohorts: list[dict] = field(default_factory=list)
    users: list[dict] = field(default_factory=list)
    staff: list[dict] = field(default_factory=list)
    people: dict[tuple[int, Role], list[dict]] = field(default_factory=dict)  # (org id, role)
    named: dict[str, dict] = field(default_factory=dict)
    plans: list[dict] = field(default_factory=list)  # who applies where, and the outcome
    areas: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (cohort, org)
    applications: list[dict] = field(default_factory=list)
    awards: list[dict] = field(default_factory=list)
    leave: dict[int, list[tuple[date, date, int]]] = field(default_factory=dict)
    release_days: list[dict] = field(default_factory=list)
    _workdays: dict = field(default_factory=dict)
    _serial: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        # "Now" for every timestamp: early this morning (UTC), so nothing is in the future.
        self.now = datetime.combine(self.today, clock_time(6, 0))
        self.regions = REGIONS[: min(len(REGIONS), max(1, self.sizes.cohorts // 3))]

    # writing --------------------------------------------------------------------------

    def ids(self, table: Table, n: int) -> range:
        """n fresh primary keys, after whatever the table already holds."""
        name = table.name
        if name not in self._next_id:
            top = self.conn.execute(select(func.max(table.c.id))).scalar()
            self._next_id[name] = (top or 0) + 1
        start = self._next_id[name]
        self._next_id[name] = start + n
        return range(start, start + n)

    def assign_ids(self, table: Table, rows: list[dict]) -> None:
        for row, new_id in zip(rows, self.ids(table, len(rows)), strict=True):
            row["id"] = new_id

    def insert(self, table: Table, rows: list[dict] | Iterator[dict]) -> int:
        """Insert in batches of `batch_size` with SQLAlchemy Core (`insert(table)` and a list
        of dicts: one executemany per batch), dropping "_" keys."""
        n, batch = 0, []
        for row in rows:
            batch.append({k: v for k, v in row.items() if not k.startswith("_")})
            if len(batch) >= self.batch_size:
                self.conn.execute(insert(table), batch)
                n, batch = n + len(batch), []
        if batch:
            self.conn.execute(insert(table), batch)
            n += len(batch)
        self.counts[table.name] = self.counts.get(table.name, 0) + n
        return n

    # helpers ----------------------------------------------------------------------------

    def between(self, lo: datetime, hi: datetime) -> datetime:
        """A moment between lo and hi (lo if hi is earlier), never after `now`."""
        hi = min(hi, self.now)
        if hi <= lo:
            return min(lo, self.now)
        return lo + timedelta(seconds=self.rng.randrange(int((hi - lo).total_seconds()) + 1))

    def at_day(self, d: date, hour: int = 9) -> datetime:
        return datetime.combine(d, clock_time(hour)) + timedelta(
            minutes=self.rng.randrange(0, 8 * 60)
        )

    def name(self) -> tuple[str, str]:
        return self.rng.choice(FIRST), self.rng.choice(LAST)

    def email(self, first: str, last: str, org: dict) -> str:
        self._serial += 1
        local = re.sub(r"[^a-z]", "", first.lower()) + "." + re.sub(r"[^a-z]", "", last.lower())
        return f"{local}.{self._serial}@{org['_domain']}"

    def working_days(self, cohort: dict, nation: Nation) -> list[date]:
        key = (cohort["id"], nation)
        if key not in self._workdays:
            d, out = cohort["programme_start"], []
            while d <= cohort["programme_end"]:
                if non_working_reason(d, nation) is None:
                    out.append(d)
                d += timedelta(days=1)
            self._workdays[key] = out
        return self._workdays[key]

    def weighted(self, mix: dict) -> Any:
        keys = list(mix)
        return self.rng.choices(keys, weights=[mix[k] for k in keys])[0]


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights`, in whole numbers that add up exactly."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    out = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (out[i] - shares[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


# Organisations ----------------------------------------------------------------------------


def _places(b: Build, n: int) -> list[str]:
    taken = {name.split()[0] for name, _a, _c in LOCAL_AUTHORITIES}  # never the demo's
    places = [s + e for s in STEMS for e in ENDINGS if (s + e) not in taken]
    if n > len(places):
        places += [f"{p} Vale" for p in places]
    return b.rng.sample(places, n)


def _domain(place: str) -> str:
    return re.sub(r"[^a-z]+", "-", place.lower()) + ".test"


def add_organisations(b: Build) -> None:
    """The programme office, employers (mostly local authorities) and universities."""
    n = b.sizes.employers
    places = _places(b, n + b.sizes.universities)
    trusts, charities = round(n * 0.05), round(n * 0.03)
    orgs = []
    created = b.now - timedelta(days=365 * 11)
    b.office = {
        "name": "National Practitioner Researcher Programme Office",
        "kind": OrgKind.PROGRAMME_OFFICE,
        "_domain": "programme-office.test",
    }
    orgs.append(b.office)
    for i, place in enumerate(places[:n]):
        kind = OrgKind.LOCAL_AUTHORITY
        if i >= n - trusts - charities:
            kind = OrgKind.NHS_TRUST if i < n - charities else OrgKind.THIRD_SECTOR
        adults = children = False
        name = f"{place} {b.rng.choice(LA_KINDS)}"
        if kind == OrgKind.LOCAL_AUTHORITY:
            adults, children = b.weighted({(True, True): 80, (True, False): 12, (False, True): 8})
            if i == 0:
                adults = children = True  # the named people's authority
        elif kind == OrgKind.NHS_TRUST:
            name = f"{place} Care NHS Foundation Trust"
        else:
            name = f"{place} Carers' Network"
        nation = Nation.ENGLAND_AND_WALES
        if i > 0 and i % 40 == 7:
            nation = Nation.SCOTLAND
        elif i > 0 and i % 50 == 13:
            nation = Nation.NORTHERN_IRELAND
        org = {
            "name": name,
            "kind": kind,
            "adults_services": adults,
            "childrens_services": children,
            "nation": nation,
            "_region": i % len(b.regions),
            "_domain": _domain(place),
        }
        b.employers.append(org)
        orgs.append(org)
    for place in places[n:]:
        org = {"name": f"University of {place}", "kind": OrgKind.UNIVERSITY}
        org["_domain"] = "uni-" + _domain(place)
        b.universities.append(org)
        orgs.append(org)
    table = Organisation.__table__
    b.assign_ids(table, orgs)
    for org in orgs:
        org.setdefault("adults_services", False)
        org.setdefault("childrens_services", False)
        org.setdefault("nation", Nation.ENGLAND_AND_WALES)
        org.update(is_active=True, created_at=created)
    b.insert(table, orgs)


# Cohorts ----------------------------------------------------------------------------------


def _phase(c: dict, today: date) -> str:
    if c["programme_end"] < today:
        return HISTORIC
    if c["programme_start"] <= today:
        return RUNNING
    if c["applications_close"] < today:
        return SELECTION
    return OPEN if c["applications_open"] <= today else NOT_OPEN


def _first_of_next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _residentials(start: date, end: date) -> list[date]:
    """Three two-day workshops (Tuesday and Wednesday) near months 1, 5 and 10, on days that
    are working days in every nation."""
    out = []
    for months in (1, 5, 10):
        d = start + timedelta(days=30 * months)
        d += timedelta(days=(1 - d.weekday()) % 7)
        while any(
            non_working_reason(x, n) is not None for x in (d, d + timedelta(1)) for n in Nation
        ):
            d += timedelta(days=7)
        if d + timedelta(days=1) <= end:
            out += [d, d + timedelta(days=1)]
    return out


def add_cohorts(b: Build) -> None:
    """Ten years of cohorts per region. They are written by add_applicants, with their
    recruitment events, once the number of places is known."""
    regions = len(b.regions)
    cohorts = []
    for i in range(b.sizes.cohorts):
        r, back = i % regions, i // regions  # back: 0 the next cohort, 1 running, 2+ ended
        region, offset = b.regions[r]
        next_start = _first_of_next_month(b.today + timedelta(days=offset))
        start = date(next_start.year - back, next_start.month, 1)
        end = date(start.year + 1, start.month, 1) - timedelta(days=1)
        cohort = {
            "name": f"{start.year}-{(start.year + 1) % 100:02d} {region}",
            "description": f"The {region} region's cohort starting {start:%B %Y}.",
            "programme_start": start,
            "programme_end": end,
            "applications_open": start - timedelta(days=WINDOW_OPENS),
            "applications_close": start - timedelta(days=WINDOW_CLOSES),
            "places": 1,  # set once the awards are planned
            "personal_award_cap_pence": 350_000 if back > 5 else 400_000,  # raised in year 5
            "residential_days": 6,
            "study_days": 30,
            "backfill_pence": 600_000 + 10_000 * max(0, 9 - back),
            "scores_revealed": False,
            "_region": r,
            "_back": back,
        }
        cohort["_phase"] = _phase(cohort, b.today)
        cohort["scores_revealed"] = cohort["_phase"] in (HISTORIC, RUNNING)
        cohort["created_at"] = b.between(
            datetime.combine(cohort["applications_open"], clock_time(9)) - timedelta(days=90),
            datetime.combine(cohort["applications_open"], clock_time(9)) - timedelta(days=30),
        )
        cohort["_residentials"] = _residentials(start, end)
        cohorts.append(cohort)
    cohorts.sort(key=lambda c: (c["programme_start"], c["_region"]))
    b.assign_ids(Cohort.__table__, cohorts)
    b.cohorts = cohorts


def _events(b: Build) -> list[dict]:
    rows = []
    for c in b.cohorts:
        opens = c["applications_open"]
        for kind, day, hour in (
            (EventKind.PSW_BRIEFING, opens - timedelta(days=14), 10),
            (EventKind.QA_SESSION, opens + timedelta(days=10), 13),
            (EventKind.QA_SESSION, opens + timedelta(days=35), 17),
        ):
            starts = datetime.combine(day, clock_time(hour))
            rows.append(
                {
                    "cohort_id": c["id"],
                    "kind": kind,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=1),
                    "joining_details": "Microsoft Teams meeting. The link is emailed the day "
                    "before.",
                }
            )
    return rows


# People -----------------------------------------------------------------------------------


def _user(
    b: Build,
    org: dict,
    roles: list[Role],
    created: datetime,
    *,
    email: str | None = None,
    status: UserStatus = UserStatus.ACTIVE,
) -> dict:
    first, last = b.name()
    user = {
        "email": email or b.email(first, last, org),
        "name": f"{first} {last}",
        "password_hash": None if status == UserStatus.INVITED else b.password_hash,
        "status": status,
        "session_version": 1,
        # made by a generator, never a real person: signs in with the password alone
        # outside production (app.accounts.twofactor.exempt)
        "demo_account": True,
        "created_at": created,
        "last_sign_in_at": None,
        "_roles": roles,
        "_orgs": [org],
    }
    if status == UserStatus.ACTIVE and b.rng.random() < 0.7:
        user["last_sign_in_at"] = b.between(created, b.now)
    b.users.append(user)
    for role in roles:
        b.people.setdefault((org.get("id", 0), role), []).append(user)
    return user


def add_professionals(b: Build) -> None:
    """Programme staff, coaches, supervisors, and every employer's PSWs, line managers and
    assistant directors. Applicants come with their applications (add_applicants)."""
    long_ago = b.now - timedelta(days=365 * 10)
    named = b.named
    for i in range(max(2, round(STAFF * b.sizes.employers / NATIONAL["employers"]))):
        user = _user(b, b.office, [Role.STAFF], long_ago, email=NAMED["staff"] if i == 0 else None)
        b.staff.append(user)
    named["staff"] = b.staff[0]
    for i in range(max(1, round(COACHES * b.sizes.employers / NATIONAL["employers"]))):
        user = _user(b, b.office, [Role.COACH], long_ago, email=NAMED["coach"] if i == 0 else None)
        named.setdefault("coach", user)
    for u, uni in enumerate(b.universities):
        for i in range(SUPERVISORS):
            email = NAMED["supervisor"] if u == i == 0 else None
            user = _user(b, uni, [Role.SUPERVISOR], long_ago, email=email)
            named.setdefault("supervisor", user)
    for e, org in enumerate(b.employers):
        for i in range(b.rng.randint(*PSWS)):
            roles = [Role.PSW] + ([Role.LINE_MANAGER] if i > 0 or b.rng.random() < 0.2 else [])
            if e == i == 0:
                named["psw"] = _user(b, org, [Role.PSW], long_ago, email=NAMED["psw"])
            else:
                _user(b, org, roles, long_ago)
        for i in range(MANAGERS):
            email = NAMED["manager"] if e == i == 0 else None
            user = _user(b, org, [Role.LINE_MANAGER], long_ago, email=email)
            if email:
                named["manager"] = user
        for i in range(b.rng.randint(*DIRECTORS)):
            email = NAMED["director"] if e == i == 0 else None
            user = _user(b, org, [Role.ASSISTANT_DIRECTOR], long_ago, email=email)
            if email:
                named["director"] = user


def _write_users(b: Build, users: list[dict]) -> None:
    b.assign_ids(User.__table__, users)
    b.insert(User.__table__, users)
    roles = [{"user_id": u["id"], "role": r} for u in users for r in u["_roles"]]
    b.assign_ids(UserRole.__table__, roles)
    b.insert(UserRole.__table__, roles)
    links = [
        {"user_id": u["id"], "organisation_id": o["id"], "created_at": u["created_at"]}
        for u in users
        for o in u["_orgs"]
    ]
    b.assign_ids(Membership.__table__, links)
    b.insert(Membership.__table__, links)


def _employer_people(b: Build, org: dict, role: Role) -> list[dict]:
    return b.people.get((org["id"], role), [])


def add_applicants(b: Build) -> None:
    """Who applies to which cohort and how it ends; then every person is written (the
    professionals, the applicants and people who registered but never applied)."""
    rng, cohorts = b.rng, b.cohorts
    weights = []
    for c in cohorts:
        growth = 0.7 + 0.03 * max(0, 10 - c["_back"])  # the programme grew over the years
        weights.append(APPLICATION_WEIGHT[c["_phase"]] * growth)
    per_cohort = allocate(b.sizes.applications, weights)
    award_weights = [n * AWARD_RATE[c["_phase"]] for n, c in zip(per_cohort, cohorts, strict=True)]
    awards = allocate(b.sizes.award_holders, award_weights)
    by_region: dict[int, list[dict]] = defaultdict(list)
    for org in b.employers:
        by_region[org["_region"]].append(org)
    pool: dict[int, list[dict]] = defaultdict(list)  # earlier unsuccessful applicants
    first_seen = b.now - timedelta(days=365 * 12)
    running_first = next((c for c in cohorts if c["_phase"] == RUNNING and c["_region"] == 0), None)
    next_first = next((c for c in cohorts if c["_back"] == 0 and c["_region"] == 0), None)

    def new_applicant(org: dict, cohort: dict, email: str | None = None) -> dict:
        opens = datetime.combine(cohort["applications_open"], clock_time(9))
        created = b.between(max(first_seen, opens - timedelta(days=60)), opens)
        user = _user(b, org, [Role.APPLICANT], created, email=email)
        user["_org"] = org
        user["_manager"] = rng.choice(_employer_people(b, org, Role.LINE_MANAGER))
        user["_psw"] = rng.choice(_employer_people(b, org, Role.PSW))
        user["_applied"] = set()
        return user

    for cohort, n, n_awards in zip(cohorts, per_cohort, awards, strict=True):
        region_orgs = by_region[cohort["_region"]]
        statuses = _statuses(b, cohort, n, n_awards)
        draft_slot = statuses.index(S.DRAFT) if S.DRAFT in statuses else -1
        for k in range(n):
            status = statuses[k]
            person = None
            if cohort is running_first and k == 0:
                person = new_applicant(b.employers[0], cohort, NAMED["holder"])
                person["_manager"], person["_psw"] = b.named["manager"], b.named["psw"]
                b.named["holder"] = person
                status = S.AWARDED
            elif cohort is next_first and k == draft_slot:
                person = new_applicant(b.employers[0], cohort, NAMED["applicant"])
                person["_manager"], person["_psw"] = b.named["manager"], b.named["psw"]
                b.named["applicant"] = person
            elif pool[cohort["_region"]] and rng.random() < 0.12:
                candidates = pool[cohort["_region"]]
                person = candidates.pop(rng.randrange(len(candidates)))
                if cohort["id"] in person["_applied"]:
                    person = None
            if person is None:
                person = new_applicant(rng.choice(region_orgs), cohort)
            person["_applied"].add(cohort["id"])
            b.plans.append({"cohort": cohort, "applicant": person, "status": status})
            if status == S.AWARDED:
                person["_roles"].append(Role.AWARD_HOLDER)
            elif status != S.WITHDRAWN and cohort["_phase"] in (HISTORIC, RUNNING):
                pool[cohort["_region"]].append(person)
        cohort["places"] = max(1, n_awards + rng.randint(0, 2))

    # people who registered and never applied, up to the number of users wanted
    for _ in range(max(0, b.sizes.users - len(b.users))):
        org = rng.choice(b.employers)
        status = b.weighted(
            {
                UserStatus.ACTIVE: 80,
                UserStatus.UNCONFIRMED: 10,
                UserStatus.INVITED: 5,
                UserStatus.DEACTIVATED: 5,
            }
        )
        created = b.between(b.now - timedelta(days=365 * 6), b.now - timedelta(days=1))
        _user(b, org, [Role.APPLICANT], created, status=status)

    b.insert(Cohort.__table__, b.cohorts)
    events = _events(b)
    b.assign_ids(RecruitmentEvent.__table__, events)
    b.insert(RecruitmentEvent.__table__, events)
    _write_users(b, b.users)


def _statuses(b: Build, cohort: dict, n: int, n_awards: int) -> list[AppStatus]:
    """Each application's final status: the awards first, then the phase's mix. The cohort
    that is selecting now starts with one of every status, so even a tiny data set has all."""
    out = [S.AWARDED] * n_awards
    mix = STATUS_MIX[cohort["_phase"]]
    if cohort["_phase"] == SELECTION:
        out += [s for s in S if s != S.AWARDED]
    while len(out) < n:
        out.append(b.weighted(mix))
    out = out[:n]
    head, tail = out[:n_awards], out[n_awards:]
    b.rng.shuffle(tail)
    return head + tail


# Priority areas ---------------------------------------------------------------------------


def add_priority_areas(b: Build) -> None:
    """About a third of employers publish one to four priority areas for each cohort."""
    rows = []
    for c in b.cohorts:
        if c["_phase"] == NOT_OPEN:
            continue
        for org in b.employers:
            if org["_region"] != c["_region"] or b.rng.random() > 0.35:
                continue
            psw = b.rng.choice(_employer_people(b, org, Role.PSW))
            opens = datetime.combine(c["applications_open"], clock_time(9))
            for title in b.rng.sample(PRIORITY_TITLES, b.rng.randint(1, 4)):
                rows.append(
                    {
                        "cohort_id": c["id"],
                        "organisation_id": org["id"],
                        "title": title,
                        "description": f"{title}: a priority in {org['name']}'s practice plan.",
                        "published_by_id": psw["id"],
                        "created_at": b.between(opens - timedelta(days=40), opens),
                        "is_withdrawn": b.rng.random() < 0.05,
                    }
                )
    b.assign_ids(PriorityArea.__table__, rows)
    for row in rows:
        if not row["is_withdrawn"]:
            b.areas.setdefault((row["cohort_id"], row["organisation_id"]), []).append(row["id"])
    b.insert(PriorityArea.__table__, rows)


# Applications, sign-offs, reviews, status history ----------------------------------------


def _path(b: Build, status: AppStatus) -> list[AppStatus]:
    """The statuses an application passed through after its draft, ending at `status`."""
    if status == S.WITHDRAWN:
        return b.rng.choice([[], [S.SUBMITTED], [S.SUBMITTED, S.ENDORSED]]) + [S.WITHDRAWN]
    return {
        S.DRAFT: [],
        S.SUBMITTED: [S.SUBMITTED],
        S.ENDORSED: [S.SUBMITTED, S.ENDORSED],
        S.PSW_DECLINED: [S.SUBMITTED, S.PSW_DECLINED],
        S.SHORTLISTED: [S.SUBMITTED, S.ENDORSED, S.SHORTLISTED],
        S.WAITLISTED: [S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.WAITLISTED],
        S.AWARDED: [S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.AWARDED],
        S.DECLINED: [S.SUBMITTED, S.ENDORSED]
        + ([S.SHORTLISTED] if b.rng.random() < 0.4 else [])
        + [S.DECLINED],
    }[status]


MESSAGES = {
    S.SUBMITTED: "Submitted for Principal Social Worker sign-off",
    S.ENDORSED: "Endorsed by the Principal Social Worker",
    S.SHORTLISTED: "Shortlisted for interview",
    S.AWARDED: "Congratulations, and welcome to the programme.",
    S.WAITLISTED: "You are on the waiting list for a place.",
    S.DECLINED: "The panel felt the question was not yet focused enough. We would welcome "
    "a new application next year.",
    S.WITHDRAWN: "Withdrawn by the applicant",
}
PSW_DECLINE_REASON = (
    "The authority cannot release you for 36 days this year because of vacancies in the "
    "team. Please apply again next year."
)


def _content(b: Build, plan: dict, complete: bool) -> dict:
    """The answers on the form (all of them when it was ever submitted)."""
    rng, person, cohort = b.rng, plan["applicant"], plan["cohort"]
    org = person["_org"]
    if org["kind"] == OrgKind.NHS_TRUST:
        service = ServiceArea.ADULTS
    elif org["adults_services"] and org["childrens_services"] or org["kind"] != "local_authority":
        service = rng.choice([ServiceArea.ADULTS, ServiceArea.CHILDREN])
    else:
        service = ServiceArea.ADULTS if org["adults_services"] else ServiceArea.CHILDREN
    social_worker = rng.random() < 0.93
    qualification, degree = rng.choice(QUALIFICATIONS)
    if not social_worker:
        qualification, degree = "BSc (Hons) Occupational Therapy", Degree.BACHELORS
    gender = b.weighted(
        {
            Gender.FEMALE: 78,
            Gender.MALE: 18,
            Gender.NON_BINARY: 2,
            Gender.SELF_DESCRIBE: 1,
            Gender.NOT_SAID: 1,
        }
    )
    topic, group = rng.choice(TOPICS), rng.choice(GROUPS)
    areas = b.areas.get((cohort["id"], org["id"]), [])
    row = {
        "phone": f"07700 9{rng.randrange(100000):05d}",
        "gender": gender,
        "gender_self": "Agender" if gender == Gender.SELF_DESCRIBE else "",
        "employer_id": org["id"],
        "service_area": service,
        "team": ("Adults " if service == ServiceArea.ADULTS else "Children and families ")
        + rng.choice(["locality team", "hospital team", "assessment team", "safeguarding team"]),
        "current_role": rng.choice(ROLES[service]) if social_worker else "Occupational therapist",
        "is_social_worker": social_worker,
        "profession": "" if social_worker else "Occupational therapist",
        "professional_qualification": qualification,
        "highest_degree": degree,
        "years_qualified": rng.randint(1, 30),
        "prior_research": rng.choice(list(PriorResearch)),
        "prior_research_details": "",
        "research_question": rng.choice(QUESTIONS).format(group=group, topic=topic),
        "background": f"Practitioners raise {topic} in supervision and audits; there is "
        "little UK research from practice.",
        "strategic_relevance": f"{topic.capitalize()} is in {org['name']}'s practice plan.",
        "priority_area_id": rng.choice(areas) if areas and rng.random() < 0.7 else None,
        "methods": "Semi-structured interviews and a focused literature review.",
        "expected_impact": "Recommendations for practice and a short guide for teams.",
        "line_manager_id": person["_manager"]["id"],
        "psw_id": person["_psw"]["id"],
        "declare_accurate": True,
        "declare_commitment": True,
    }
    if row["prior_research"] == PriorResearch.OTHER:
        row["prior_research_details"] = "A practice audit for my team."
    if not complete and rng.random() < 0.6:  # a draft part-way through
        for key in ("research_question", "background", "methods", "expected_impact"):
            row[key] = ""
        row.update(priority_area_id=None, psw_id=None)
        row["declare_accurate"] = row["declare_commitment"] = False
    return row


def add_applications(b: Build) -> None:
    """Applications with their status history, PSW sign-offs and reviews."""
    rng = b.rng
    apps, events, sign_offs, reviews = [], [], [], []
    app_ids = iter(b.ids(Application.__table__, len(b.plans)))
    for plan in b.plans:
        cohort, person, status = plan["cohort"], plan["applicant"], plan["status"]
        path = _path(b, status)
        opens = datetime.combine(cohort["applications_open"], clock_time(8))
        closes = datetime.combine(cohort["applications_close"], clock_time(17))
        created = b.between(max(opens, person["created_at"]), closes - timedelta(days=3))
        content = _content(b, plan, complete=S.SUBMITTED in path)
        app = {
            "id": next(app_ids),
            "cohort_id": cohort["id"],
            "applicant_id": person["id"],
            "status": status,
            "version": 1 if S.SUBMITTED in path else 0,
            "created_at": created,
            "updated_at": created,
            "submitted_at": None,
            "decided_at": None,
            "decision_message": "",
            **content,
            "_cohort": cohort,
            "_applicant": person,
            "_history": [(None, S.DRAFT, created, person["id"], "Application started")],
        }
        when, before = created, S.DRAFT
        for step in path:
            if step == S.SUBMITTED:
                when = b.between(when, min(when + timedelta(days=20), closes))
                app["submitted_at"] = when
                actor = person["id"]
            elif step in (S.ENDORSED, S.PSW_DECLINED):
                when = b.between(when + timedelta(days=1), when + timedelta(days=12))
                actor = person["_psw"]["id"]
                sign_offs.append(_sign_off(b, app, step, when))
            elif step == S.WITHDRAWN:
                when = b.between(when + timedelta(days=1), when + timedelta(days=10))
                actor = person["id"]
            else:  # staff decisions come after the window closes
                lo = max(when + timedelta(days=1), closes + timedelta(days=7))
                when = b.between(lo, lo + timedelta(days=30))
                actor = rng.choice(b.staff)["id"]
                if step in (S.AWARDED, S.DECLINED, S.WAITLISTED):
                    app["decided_at"] = when
                    app["decision_message"] = MESSAGES[step]
            message = PSW_DECLINE_REASON if step == S.PSW_DECLINED else MESSAGES[step]
            if step == S.PSW_DECLINED:
                message = f"Not endorsed: {message}"
            app["_history"].append((before, step, when, actor, message))
            before = step
        app["updated_at"] = when
        if S.ENDORSED in path:
            reviews += _reviews(b, app, status)
        for old, new, at, actor, message in app["_history"]:
            events.append(
                {
                    "application_id": app["id"],
                    "at": at,
                    "actor_id": actor,
                    "from_status": old,
                    "to_status": new,
                    "message": message,
                }
            )
        apps.append(app)
    b.applications = apps
    b.insert(Application.__table__, apps)
    b.assign_ids(SignOff.__table__, sign_offs)
    b.insert(SignOff.__table__, sign_offs)
    b.assign_ids(Review.__table__, reviews)
    b.insert(Review.__table__, reviews)
    b.assign_ids(ApplicationEvent.__table__, events)
    b.insert(ApplicationEvent.__table__, events)


def _sign_off(b: Build, app: dict, step: AppStatus, when: datetime) -> dict:
    person, cohort = app["_applicant"], app["_cohort"]
    endorse = step == S.ENDORSED
    days = cohort["residential_days"] + cohort["study_days"]
    # the same fingerprint the service stores, so the endorsement stays valid
    fingerprint = content_hash(SimpleNamespace(**app))
    return {
        "application_id": app["id"],
        "application_version": app["version"],
        "psw_id": person["_psw"]["id"],
        "employer_id": app["employer_id"],
        "decision": SignOffDecision.ENDORSED if endorse else SignOffDecision.DECLINED,
        "confirmed_release": endorse,
        "confirmed_strategic": endorse,
        "release_days": days,
        "release_statement": RELEASE_STATEMENT.format(
            name=person["name"],
            days=days,
            residential=cohort["residential_days"],
            study=cohort["study_days"],
        )
        if endorse
        else "",
        "strategic_statement": STRATEGIC_STATEMENT.format(employer=person["_org"]["name"])
        if endorse
        else "",
        "reason": "" if endorse else PSW_DECLINE_REASON,
        "content_hash": fingerprint,
        "signed_at": when,
    }


SCORES = {
    S.AWARDED: (4, 5),
    S.SHORTLISTED: (3, 5),
    S.WAITLISTED: (3, 4),
    S.DECLINED: (1, 3),
    S.ENDORSED: (1, 5),
    S.WITHDRAWN: (2, 4),
}


def _reviews(b: Build, app: dict, status: AppStatus) -> list[dict]:
    if status in (S.ENDORSED, S.WITHDRAWN) and b.rng.random() < 0.6:
        return []  # not reviewed yet, or withdrawn first
    endorsed_at = next(at for _o, new, at, _a, _m in app["_history"] if new == S.ENDORSED)
    reviewers = b.rng.sample(b.staff, min(len(b.staff), b.rng.randint(1, 3)))
    lo, hi = SCORES[status]
    out = []
    for reviewer in reviewers:
        at = b.between(endorsed_at, app["updated_at"])
        out.append(
            {
                "application_id": app["id"],
                "reviewer_id": reviewer["id"],
                "score": b.rng.randint(lo, hi),
                "notes": b.rng.choice(["", "Clear question.", "Strong link to priorities."]),
                "updated_at": at,
            }
        )
    return out


# Awards -----------------------------------------------------------------------------------


def add_awards(b: Build) -> None:
    """An award for every awarded application, with the cohort's entitlements, and its four
    outputs (finished years' accepted, most shared in the showcase)."""
    awards, outputs = [], []
    for app in b.applications:
        if app["status"] != S.AWARDED:
            continue
        cohort, person = app["_cohort"], app["_applicant"]
        awards.append(
            {
                "application_id": app["id"],
                "cohort_id": cohort["id"],
                "holder_id": person["id"],
                "employer_id": app["employer_id"],
                "line_manager_id": app["line_manager_id"],
                "psw_id": app["psw_id"],
                "awarded_at": app["decided_at"],
                "residential_days": cohort["residential_days"],
                "study_days": cohort["study_days"],
                "personal_award_cap_pence": cohort["personal_award_cap_pence"],
                "backfill_pence": cohort["backfill_pence"],
                "_cohort": cohort,
                "_holder": person,
                "_org": person["_org"],
            }
        )
    b.assign_ids(Award.__table__, awards)
    b.awards = awards
    for award in awards:
        cohort, phase = award["_cohort"], award["_cohort"]["_phase"]
        award["completed_at"] = None
        first = len(outputs)
        for kind in OutputKind:
            due, status = cohort["programme_end"], OutputStatus.NOT_STARTED
            if phase == HISTORIC:
                status = OutputStatus.ACCEPTED
                if b.rng.random() < 0.05:  # an extension: one real award holder needed it
                    status, due = OutputStatus.DRAFT, due + timedelta(days=120)
            elif phase == RUNNING and kind != OutputKind.PRESENTATION:
                status = b.rng.choice([OutputStatus.NOT_STARTED, OutputStatus.DRAFT])
            outputs.append({"award_id": award["id"], "kind": kind, "status": status})
            outputs[-1]["due_date"] = due
            # most finished work is shared in the showcase, a few authors may be contacted
            # (its own generator: the main one's sequence, and so the data, stays as it was)
            pick = random.Random(len(outputs))
            shared = status == OutputStatus.ACCEPTED and pick.random() < 0.6
            topic = pick.choice(TOPICS)
            outputs[-1].update(
                title=f"{topic[:1].upper()}{topic[1:]}: {kind.short.lower()}" if shared else "",
                topic=topic if shared else "",
                showcase_consent=shared,
                contact_consent=shared and pick.random() < 0.5,
            )
        if phase == HISTORIC and all(
            o["status"] == OutputStatus.ACCEPTED for o in outputs[first:]
        ):  # finished years: complete when the programme ended
            award["completed_at"] = datetime.combine(cohort["programme_end"], clock_time(17))
    b.insert(Award.__table__, awards)
    b.assign_ids(AwardOutput.__table__, outputs)
    b.insert(AwardOutput.__table__, outputs)


def add_delegations(b: Build) -> None:
    """Some line managers hand their approvals to a colleague while on leave; today, a
    colleague at the first authority has handed theirs to the named manager."""
    rows = []
    for award in b.awards:
        manager_id = award["line_manager_id"]
        if b.rng.random() > 0.1 or award["_cohort"]["_phase"] == SELECTION:
            continue
        colleagues = [
            u
            for u in _employer_people(b, award["_org"], Role.LINE_MANAGER)
            if u["id"] != manager_id
        ]
        if not colleagues:
            continue
        days = b.working_days(award["_cohort"], award["_org"]["nation"])
        starts = b.rng.choice(days[: max(1, len(days) - 10)])
        rows.append(_delegation(b, manager_id, b.rng.choice(colleagues)["id"], starts, 14))
    first = b.employers[0]
    others = [
        u for u in _employer_people(b, first, Role.LINE_MANAGER) if u is not b.named["manager"]
    ]
    if others:
        rows.append(
            _delegation(
                b, others[0]["id"], b.named["manager"]["id"], b.today - timedelta(days=3), 14
            )
        )
    b.assign_ids(Delegation.__table__, rows)
    b.insert(Delegation.__table__, rows)


def _delegation(b: Build, manager_id: int, delegate_id: int, starts: date, days: int) -> dict:
    ends = starts + timedelta(days=days)
    b.leave.setdefault(manager_id, []).append((starts, ends, delegate_id))
    created = min(datetime.combine(starts, clock_time(9)) - timedelta(days=2), b.now)
    return {
        "manager_id": manager_id,
        "delegate_id": delegate_id,
        "starts_on": starts,
        "ends_on": ends,
        "created_at": created,
        "revoked_at": None,
    }


# The release ledger -----------------------------------------------------------------------

D = DayStatus
INACTIVE = (D.DECLINED, D.CANCELLED, D.CALLED_BACK)


def _plan_days(b: Build, award: dict, rich: bool) -> list[tuple[date, DayKind, DayStatus, int]]:
    """(day, kind, status, half days) for one award, from its cohort's phase and a profile:
    on track, behind or ahead (running); complete, nearly or short (ended)."""
    rng, cohort = b.rng, award["_cohort"]
    phase, today = cohort["_phase"], b.today
    residential = list(cohort["_residentials"])
    taken_res = set(residential)
    work = [d for d in b.working_days(cohort, award["_org"]["nation"]) if d not in taken_res]
    past = [d for d in work if d < today]
    future = [d for d in work if d > today]
    rows: list[tuple[date, DayKind, DayStatus, int]] = []

    def study(days: list[date], status: DayStatus) -> None:
        for d in days:
            half = 1 if status == D.TAKEN and rng.random() < 0.08 else 2
            rows.append((d, DayKind.STUDY, status, half))

    def pick(n: int, *pools: list[date]) -> list[date]:
        """n distinct days from the pools, taken out of them."""
        chosen = rng.sample([d for p in pools for d in p], min(n, sum(map(len, pools))))
        gone = set(chosen)
        for p in pools:
            p[:] = [d for d in p if d not in gone]
        return chosen

    if phase == HISTORIC:
        attended = residential if rng.random() < 0.95 else residential[: rng.choice([4, 5])]
        rows += [(d, DayKind.RESIDENTIAL, D.TAKEN, 2) for d in attended]
        n_study = b.weighted({30: 80, rng.randint(24, 29): 15, rng.randint(10, 23): 5})
        study(pick(n_study, past), D.TAKEN)
        study(pick(rng.choice([0, 0, 1, 1, 2]), past), D.DECLINED)
        study(pick(rng.choice([0, 0, 1, 1, 2]), past), D.CANCELLED)
        study(pick(rng.choice([0, 0, 0, 1, 2]), past), D.CALLED_BACK)
        return rows
    if phase == RUNNING:
        for d in residential:
            rows.append((d, DayKind.RESIDENTIAL, D.TAKEN if d < today else D.APPROVED, 2))
        start, end = cohort["programme_start"], cohort["programme_end"]
        elapsed = (today - start).days / max(1, (end - start).days)
        res_done = sum(1 for d in residential if d < today)
        pace = b.weighted({"on track": 65, "behind": 25, "ahead": 10})
        factor = {"on track": rng.uniform(0.9, 1.05), "behind": rng.uniform(0.3, 0.7)}
        target = (36 * elapsed - res_done) * factor.get(pace, 1.15)
        # the named holder keeps room for days ahead, so their ledger shows every status
        n_past = max(0, min(26 if rich else 30, round(target), len(past)))
        unconfirmed = min(n_past, rng.choice([0, 0, 1, 2]) + (1 if rich else 0))
        done = pick(n_past, past)
        done.sort()
        study(done[: n_past - unconfirmed], D.TAKEN)
        study(done[n_past - unconfirmed :], D.APPROVED)
        called = rng.randint(1, 4) if pace == "behind" else rng.choice([0, 0, 1])
        study(pick(max(called, int(rich)), past), D.CALLED_BACK)
        study(pick(max(rng.choice([0, 0, 1, 2]), int(rich)), past, future), D.DECLINED)
        study(pick(max(rng.choice([0, 1, 1, 2]), int(rich)), past, future), D.CANCELLED)
        room = 30 - n_past
        approved = min(room, max(rng.randint(0, 4), int(rich)))
        study(pick(approved, future), D.APPROVED)
        requested = min(room - approved, max(rng.randint(0, 4), 2 * int(rich)))
        study(pick(requested, future), D.REQUESTED)
        return rows
    # awarded, the programme not started yet
    if rng.random() < 0.5:
        rows += [(d, DayKind.RESIDENTIAL, D.APPROVED, 2) for d in residential]
    study(pick(rng.randint(0, 2), work), D.APPROVED)
    study(pick(rng.randint(0, 4), work), D.REQUESTED)
    return rows


def _fit(b: Build, plans: list[list[tuple]], awards: list[dict]) -> None:
    """Add or remove declined and cancelled requests (and, if need be, taken days of ended
    cohorts) until the ledger holds exactly the number of entries wanted."""
    target = b.sizes.release_days
    total = sum(len(p) for p in plans)
    ended = [i for i, a in enumerate(awards) if a["_cohort"]["_phase"] == HISTORIC]
    growable = ended or [i for i, a in enumerate(awards) if a["_cohort"]["_phase"] == RUNNING]
    k = 0
    while total < target and growable:
        i = growable[k % len(growable)]
        k += 1
        award, used = awards[i], {row[0] for row in plans[i]}
        free = [
            d
            for d in b.working_days(award["_cohort"], award["_org"]["nation"])
            if d not in used and d < b.today
        ]
        if not free:
            growable.remove(i)
            continue
        status = D.DECLINED if k % 2 else D.CANCELLED
        plans[i].append((b.rng.choice(free), DayKind.STUDY, status, 2))
        total += 1
    for removable in (INACTIVE, (D.TAKEN,)):
        order = sorted(ended, key=lambda i: -len(plans[i]))
        while total > target and order:
            for i in list(order):
                if total <= target:
                    break
                spot = next(
                    (
                        j
                        for j, r in enumerate(plans[i])
                        if r[2] in removable and r[1] == DayKind.STUDY
                    ),
                    None,
                )
                if spot is None:
                    order.remove(i)
                    continue
                plans[i].pop(spot)
                total -= 1


def _deciders(b: Build, award: dict, on: date) -> tuple[int | None, int | None]:
    """(decided_by, decided_for): the manager, or their delegate while they are on leave."""
    manager = award["line_manager_id"]
    for starts, ends, delegate in b.leave.get(manager, ()):
        if starts <= on <= ends:
            return delegate, manager
    return manager, None


def add_release_days(b: Build) -> None:
    """Every award's release ledger, stamped as the services would have: requested in
    batches ahead of the day, decided by the line manager (or their delegate), confirmed
    after the day; residential days recorded by programme staff."""
    rng = b.rng
    holder = b.named.get("holder")
    plans = [_plan_days(b, a, rich=a["_holder"] is holder) for a in b.awards]
    _fit(b, plans, b.awards)
    rows: list[dict] = []
    for award, plan in zip(b.awards, plans, strict=True):
        holder_id = award["holder_id"]
        awarded = award["awarded_at"]
        staff = rng.choice(b.staff)["id"]
        study = sorted((r for r in plan if r[1] == DayKind.STUDY), key=lambda r: r[0])
        batches: list[list[tuple]] = []
        while study:
            size = rng.randint(1, 4)
            batches.append(study[:size])
            study = study[size:]
        for batch in batches:
            asked = b.between(
                max(awarded, b.at_day(batch[0][0]) - timedelta(days=rng.randint(14, 45))),
                b.at_day(batch[0][0]) - timedelta(days=7),
            )
            asked = max(asked, awarded)
            batch_id = rng.getrandbits(32)
            for day, _kind, status, half in batch:
                rows.append(_study_row(b, award, day, status, half, asked, holder_id))
                rows[-1]["_batch"] = batch_id
        for day, _kind, status, half in (r for r in plan if r[1] == DayKind.RESIDENTIAL):
            recorded = (
                b.between(b.at_day(day, 17), b.at_day(day, 17) + timedelta(days=10))
                if day < b.today
                else b.between(awarded, b.now)
            )
            rows.append(
                {
                    "award_id": award["id"],
                    "day": day,
                    "half_days": half,
                    "kind": DayKind.RESIDENTIAL,
                    "status": status,
                    "note": "",
                    "retrospective": day < recorded.date(),
                    "requested_by_id": staff,
                    "requested_at": recorded,
                    "decided_by_id": staff,
                    "decided_for_id": None,
                    "decided_at": recorded,
                    "reason": "",
                    "cancelled_by_id": None,
                    "closed_at": None,
                }
            )
    b.assign_ids(ReleaseDay.__table__, rows)
    b.release_days = rows
    b.insert(ReleaseDay.__table__, rows)


NOTES = ["Literature review", "Interviews", "Writing up", "Data analysis", "Ethics application"]


def _study_row(
    b: Build,
    award: dict,
    day: date,
    status: DayStatus,
    half: int,
    asked: datetime,
    holder_id: int,
) -> dict:
    rng = b.rng
    row = {
        "award_id": award["id"],
        "day": day,
        "half_days": half,
        "kind": DayKind.STUDY,
        "status": status,
        "note": rng.choice(NOTES) if rng.random() < 0.6 else "",
        "retrospective": day < asked.date(),
        "requested_by_id": holder_id,
        "requested_at": asked,
        "decided_by_id": None,
        "decided_for_id": None,
        "decided_at": None,
        "reason": "",
        "cancelled_by_id": None,
        "closed_at": None,
    }
    if status == D.REQUESTED:
        return row
    cancelled_while_waiting = status == D.CANCELLED and rng.random() < 0.5
    if not cancelled_while_waiting:
        decided = b.between(asked + timedelta(hours=2), asked + timedelta(days=rng.randint(1, 6)))
        by, for_ = _deciders(b, award, decided.date())
        row.update(decided_by_id=by, decided_for_id=for_, decided_at=decided)
    if status == D.DECLINED:
        row["reason"] = "Duty cover is short that week; please choose another day."
    elif status == D.CANCELLED:
        since = row["decided_at"] or asked
        row["closed_at"] = b.between(since, max(since, b.at_day(day, 8) - timedelta(days=1)))
        if rng.random() < 0.8:
            row["cancelled_by_id"] = holder_id
        else:
            row["cancelled_by_id"] = award["line_manager_id"]
            row["reason"] = "Needed for an urgent safeguarding visit."
    elif status in (D.TAKEN, D.CALLED_BACK):
        after = b.at_day(day, 16)
        row["closed_at"] = max(
            row["decided_at"], b.between(after, after + timedelta(days=rng.randint(0, 6)))
        )
        if status == D.CALLED_BACK:
            row["reason"] = "Called in to cover a child protection conference."
    return row


# Audit ------------------------------------------------------------------------------------


def _audit(at, actor, action, obj_type, obj_id, summary="", changes=None, ip=None) -> dict:
    return {
        "at": at,
        "actor_id": actor,
        "action": action,
        "object_type": obj_type,
        "object_id": obj_id,
        "summary": summary[:300],
        "changes": changes or {},
        "ip_address": ip,
    }


def _derived_audit(b: Build) -> Iterator[dict]:
    """The entries the services would have written for the rows made above."""
    rng = random.Random(f"{b.seed}-audit")  # its own, so it can be run twice alike
    staff = b.staff[0]["id"]
    for c in b.cohorts:
        yield _audit(c["created_at"], staff, "cohort.created", "Cohort", c["id"], c["name"])
    for u in b.users:
        if Role.APPLICANT in u["_roles"]:
            yield _audit(u["created_at"], u["id"], "user.registered", "User", u["id"])
        else:
            yield _audit(u["created_at"], staff, "user.invited", "User", u["id"], u["email"])
    for app in b.applications:
        hist = app["_history"]
        applicant = app["applicant_id"]
        yield _audit(hist[0][2], applicant, "application.started", "Application", app["id"], "")
        if rng.random() < 0.8:
            yield _audit(
                min(b.now, hist[0][2] + timedelta(minutes=rng.randint(5, 600))),
                applicant,
                "application.section_saved",
                "Application",
                app["id"],
                "Your research idea",
            )
        for old, new, at, actor, message in hist[1:]:
            yield _audit(
                at,
                actor,
                "application.status_changed",
                "Application",
                app["id"],
                message,
                {"status": [old.value, new.value]},
            )
    for a in b.awards:
        yield _audit(
            a["awarded_at"],
            staff,
            "award.created",
            "Award",
            a["id"],
            f"{a['_holder']['name']}, {a['_cohort']['name']}",
        )
    seen_batches: set[int] = set()
    for r in b.release_days:
        before = "requested"
        if r["kind"] == DayKind.RESIDENTIAL:
            yield _audit(
                r["requested_at"],
                r["requested_by_id"],
                "release.residential_recorded",
                "ReleaseDay",
                r["id"],
                r["day"].isoformat(),
            )
            continue
        if r["_batch"] not in seen_batches:
            seen_batches.add(r["_batch"])
            yield _audit(
                r["requested_at"],
                r["requested_by_id"],
                "release.requested",
                "Award",
                r["award_id"],
                "Study day(s) requested",
            )
        summary = f"{r['day'].isoformat()} (study)"
        if r["decided_at"] is not None:
            decision = D.DECLINED if r["status"] == D.DECLINED else D.APPROVED
            yield _audit(
                r["decided_at"],
                r["decided_by_id"],
                f"release.{decision.value}",
                "ReleaseDay",
                r["id"],
                summary,
                {"status": ["requested", decision.value]},
            )
            before = decision.value
        if r["closed_at"] is not None:
            actor = r["cancelled_by_id"] or r["requested_by_id"]
            yield _audit(
                r["closed_at"],
                actor,
                f"release.{r['status'].value}",
                "ReleaseDay",
                r["id"],
                summary,
                {"status": [before, r["status"].value]},
            )


def add_audit_entries(b: Build) -> None:
    """The entries the rows above imply (thinned evenly if there are more than wanted),
    then sign-ins up to the number of entries wanted."""
    target = b.sizes.audit_entries
    derived = sum(1 for _ in _derived_audit(b))
    keep = min(derived, target - max(target - derived, target // 10))
    active = [u for u in b.users if u["status"] == UserStatus.ACTIVE]
    kept = b.now - timedelta(days=DEFAULT_DAYS[Retention.AUDIT])

    def entries() -> Iterator[dict]:
        for i, entry in enumerate(_derived_audit(b)):
            if (i * keep) // derived != ((i + 1) * keep) // derived:
                yield entry
        for _ in range(target - keep):
            user = b.rng.choice(active)
            at = b.between(max(user["created_at"], b.now - timedelta(days=365 * 3)), b.now)
            ip = f"192.0.2.{b.rng.randint(1, 254)}"
            # the daily purge has removed the address from entries past the period
            yield _audit(
                at, user["id"], "user.signed_in", "User", user["id"], ip=ip if at >= kept else None
            )

    table = AuditEntry.__table__
    first = b.ids(table, target).start
    numbered = ({"id": first + i, **e} for i, e in enumerate(entries()))
    b.insert(table, numbered)


from app.demo.national_accounts import add_sign_ins  # noqa: E402
from app.demo.national_after import add_after_programme  # noqa: E402
from app.demo.national_communities import add_communities  # noqa: E402
from app.demo.national_documents import add_documents  # noqa: E402
from app.demo.national_money import add_backfill, add_spending  # noqa: E402  (its own module)
from app.demo.national_privacy import add_privacy  # noqa: E402
from app.demo.national_reminders import add_reminders  # noqa: E402
from app.demo.national_residentials import add_residentials  # noqa: E402
from app.demo.national_supervision import add_supervision  # noqa: E402

FAMILIES: list[Callable[[Build], None]] = [
    add_organisations,
    add_cohorts,
    add_professionals,
    add_applicants,
    add_priority_areas,
    add_applications,
    add_awards,
    add_delegations,
    add_release_days,
    add_spending,
    add_backfill,
    add_supervision,
    add_residentials,
    add_after_programme,
    add_documents,
    add_communities,
    add_reminders,
    add_sign_ins,
    add_audit_entries,
    add_privacy,  # last: real erasures, after every row naming the people erased
]


# Running it -------------------------------------------------------------------------------


@dataclass
class Summary:
    counts: dict[str, int]
    seconds: dict[str, float]
    total_seconds: float
    database: str

    def lines(self) -> list[str]:
        out = [f"National data set loaded into {self.database} in {self.total_seconds:.1f} s."]
        out += [f"  {name:<22} {n:>9,}" for name, n in sorted(self.counts.items())]
        out.append(f"  {'rows in all':<22} {sum(self.counts.values()):>9,}")
        steps = ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items())
        out.append(f"  seconds per step: {steps}")
        return out


def already_loaded() -> bool:
    return db.session.scalar(select(User.id).where(User.email == NAMED["staff"])) is not None


def generate(
    *,
    scale: float = 1.0,
    seed: int = SEED,
    today: date | None = None,
    batch_size: int = 5000,
    log: Callable[[str], None] = lambda _msg: None,
    privacy: bool = True,
) -> Summary:
    """Load the national data set into the current database, in one transaction, and
    commit. Call inside an app context. Refused in production and when already loaded."""
    from app.core.clock import today as clock_today

    if current_app.config.get("APP_ENV") == "production":
        raise NationalRefused(
            "Refusing to load national test data: APP_ENV is 'production'. Invented people "
            "must never mix with real records."
        )
    if already_loaded():
        raise NationalRefused(f"The national data set is already loaded ({NAMED['staff']}).")
    started = time.perf_counter()
    password_hash = hash_password(PASSWORD)  # once: argon2 is slow on purpose
    conn = db.session.connection()
    b = Build(
        conn=conn,
        sizes=Sizes.at(scale),
        seed=seed,
        today=today or clock_today(),
        batch_size=batch_size,
    )
    b.password_hash = password_hash
    for family in FAMILIES:
        if family is add_privacy and not privacy:
            continue  # tests of the other families' rules want every person intact
        t0 = time.perf_counter()
        family(b)
        b.seconds[family.__name__.removeprefix("add_")] = time.perf_counter() - t0
        log(f"  {family.__name__:<20} {time.perf_counter() - started:6.1f} s")
    if conn.dialect.name == "postgresql":
        for name in b.counts:
            key = db.metadata.tables[name].c.get("id")
            if key is None or key.type.python_type is not int:
                continue  # no sequence: a random key (survey responses) or none (answers)
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "  # noqa: S608
                    f'(SELECT max(id) FROM "{name}"))'
                )
            )
    db.session.commit()
    # Planner statistics and visibility maps, as a database in use would have them:
    # PostgreSQL's autovacuum would soon do this anyway (VACUUM is what lets index-only
    # scans skip the table); on SQLite it is what `PRAGMA optimize` does over time.
    t0 = time.perf_counter()
    if conn.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
            auto.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    b.seconds["analyze"] = time.perf_counter() - t0
    return Summary(
        counts=dict(b.counts),
        seconds=b.seconds,
        total_seconds=time.perf_counter() - started,
        database=conn.dialect.name,
    )
