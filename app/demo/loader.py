"""Loads the demo programme. Idempotent: running it twice changes nothing the second time."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User, UserRole, UserStatus
from app.accounts.passwords import hash_password
from app.core import audit
from app.core.roles import Role
from app.demo import data
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrgKind


class DemoRefused(Exception):
    pass


def _org(name: str, kind: OrgKind, adults: bool = False, children: bool = False) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(
            name=name, kind=kind, adults_services=adults, childrens_services=children
        )
        db.session.add(org)
        db.session.flush()
    return org


class _Users:
    """Creates users once, sharing one password hash (hashing is deliberately slow)."""

    def __init__(self) -> None:
        self._hash: str | None = None
        self.created = 0

    def get(self, email: str, name: str, roles: list[str], orgs: list[Organisation]) -> User:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            return user
        if self._hash is None:
            self._hash = hash_password(data.DEMO_PASSWORD)
        user = User(
            email=email,
            name=name,
            password_hash=self._hash,
            status=UserStatus.ACTIVE,
            demo_account=True,  # password alone outside production (issue 21)
        )
        for role in roles:
            user.role_links.append(UserRole(role=Role(role)))
        for org in orgs:
            user.memberships.append(Membership(organisation=org))
        db.session.add(user)
        db.session.flush()
        self.created += 1
        return user


def _name(i: int) -> str:
    first = data.FIRST_NAMES[i % len(data.FIRST_NAMES)]
    return f"{first} {data.LAST_NAMES[(i * 7) % len(data.LAST_NAMES)]}"


def load_demo() -> dict[str, int]:
    """Organisations, the named sign-ins and everyone around two cohorts."""
    office = _org(data.PROGRAMME_OFFICE, OrgKind.PROGRAMME_OFFICE)
    las = [_org(n, OrgKind.LOCAL_AUTHORITY, a, c) for n, a, c in data.LOCAL_AUTHORITIES]
    unis = [_org(n, OrgKind.UNIVERSITY) for n in data.UNIVERSITIES]
    for name, kind in data.OTHER_EMPLOYERS:
        _org(name, OrgKind(kind))
    by_name = {o.name: o for o in [office, *las, *unis]}

    users = _Users()
    for email, name, roles, where in data.NAMED_USERS:
        org = las[where] if isinstance(where, int) else by_name[where]
        users.get(email, name, roles, [org])

    # A PSW, a line manager and an assistant director for every authority.
    for i, la in enumerate(las, start=1):
        users.get(f"psw{i}@demo.test", _name(i * 3), ["psw"], [la])
        users.get(f"manager{i}@demo.test", _name(i * 3 + 1), ["line_manager"], [la])
        users.get(f"director{i}@demo.test", _name(i * 3 + 2), ["assistant_director"], [la])
    for i in range(1, 7):
        users.get(
            f"supervisor{i}@demo.test",
            f"Dr {_name(100 + i)}",
            ["supervisor"],
            [unis[i % len(unis)]],
        )
    users.get("coach2@demo.test", _name(200), ["coach"], [office])
    users.get("staff2@demo.test", _name(201), ["staff"], [office])

    # Award holders of the two real-sized cohorts, spread over the authorities.
    n = 0
    for cohort, count in data.COHORTS.items():
        year = cohort.split("-")[0]
        for k in range(1, count + 1):
            n += 1
            la = las[n % len(las)]
            users.get(
                f"holder{year}-{k}@demo.test", _name(300 + n), ["award_holder", "applicant"], [la]
            )
    for k in range(1, 6):
        users.get(f"applicant{k}@demo.test", _name(400 + k), ["applicant"], [las[k]])
    for k in range(1, 11):
        users.get(f"candidate{k}@demo.test", _name(500 + k), ["applicant"], [las[k % len(las)]])

    from app.demo.programme import load_programme

    applications = load_programme(las)
    from app.demo.ledger import load_ledgers

    ledger_days = load_ledgers()
    from app.demo.residentials import load_residentials

    workshops = load_residentials()
    from app.demo.money import load_money

    spending = load_money()
    from app.demo.supervision import load_supervision

    allocations = load_supervision()
    from app.demo.residentials import load_presentation_days

    invitations = load_presentation_days()
    from app.demo.outputs import load_outputs

    completed = load_outputs()
    from app.demo.documents import load_documents

    agreements = load_documents()
    from app.demo.impact import load_impact

    impacts = load_impact()
    from app.demo.communities import load_communities

    communities = load_communities(users)
    from app.demo.mail import load_mail

    failed_mail = load_mail()
    from app.demo.reminders import load_reminders

    reminders = load_reminders()
    from app.demo.privacy import load_privacy

    privacy = load_privacy()
    if users.created:
        audit.record(
            "demo.loaded",
            None,
            object_type="system",
            summary=f"Demo programme loaded ({users.created} people)",
        )
    return {
        "people_created": users.created,
        "organisations": len(by_name),
        "applications_created": applications,
        "ledger_days_created": ledger_days,
        "workshops_created": workshops,
        "award_holders_with_spending": spending,
        "allocations_created": allocations,
        "presentation_invitations_sent": invitations,
        "award_holders_completed": completed,
        "learning_agreements_prepared": agreements,
        "impact_entries": impacts,
        "communities_created": communities,
        "failed_emails": failed_mail,
        "reminders": reminders,
        "privacy_records": privacy,
    }
