"""Factories: create records in the real database and hand back detached copies.

Returned objects carry their column values (id, email, ...) but are not bound
to a session, so tests can use them while driving the app through HTTP.
"""

from __future__ import annotations

import itertools
from typing import Any

from app.accounts.models import User, UserRole, UserStatus
from app.accounts.passwords import hash_password
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Membership, Nation, Organisation, OrgKind

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


class Factory:
    def __init__(self, app):
        self.app = app
        self._hash: str | None = None

    def _detach(self, obj: Any) -> Any:
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def org(
        self,
        name: str | None = None,
        kind: OrgKind = OrgKind.LOCAL_AUTHORITY,
        adults: bool = True,
        children: bool = True,
        nation: Nation = Nation.ENGLAND_AND_WALES,
    ) -> Organisation:
        with self.app.app_context():
            org = Organisation(
                name=name or f"Test Borough Council {next(_seq)}",
                kind=kind,
                adults_services=adults if kind == OrgKind.LOCAL_AUTHORITY else False,
                childrens_services=children if kind == OrgKind.LOCAL_AUTHORITY else False,
                nation=nation,
            )
            db.session.add(org)
            db.session.commit()
            return self._detach(org)

    def user(
        self,
        *roles: Role | str,
        email: str | None = None,
        name: str | None = None,
        orgs: list[Organisation] | None = None,
        status: UserStatus = UserStatus.ACTIVE,
        password: str | None = PASSWORD,
    ) -> User:
        with self.app.app_context():
            if password == PASSWORD:
                if self._hash is None:
                    self._hash = hash_password(PASSWORD)
                pw_hash = self._hash
            else:
                pw_hash = hash_password(password) if password else None
            n = next(_seq)
            user = User(
                email=(email or f"person{n}@example.test").lower(),
                name=name or f"Test Person {n}",
                password_hash=pw_hash,
                status=status,
            )
            for role in roles or (Role.APPLICANT,):
                user.role_links.append(UserRole(role=Role(role)))
            for org in orgs or []:
                user.memberships.append(Membership(organisation_id=org.id))
            db.session.add(user)
            db.session.commit()
            return self._detach(user)

    def reload(self, model: type, ident: int) -> Any:
        with self.app.app_context():
            obj = db.session.get(model, ident)
            assert obj is not None
            # touch relationships the tests read
            if isinstance(obj, User):
                _ = obj.role_links
            return self._detach(obj)


# Cohorts and applications ------------------------------------------------------

COMPLETE_ANSWERS = {
    "phone": "07700 900123",
    "gender": "female",
    "service_area": "adults",
    "team": "Hospital discharge team",
    "current_role": "Senior social worker",
    "is_social_worker": True,
    "professional_qualification": "MA Social Work",
    "highest_degree": "masters",
    "years_qualified": 7,
    "prior_research": "ma_dissertation",
    "research_question": "How do carers experience hospital discharge planning?",
    "background": "Discharge planning is quick and carers report feeling left out.",
    "strategic_relevance": "Our carers strategy names discharge as a priority.",
    "methods": "Semi-structured interviews with ten carers.",
    "expected_impact": "A practice guide for discharge teams.",
    "declare_accurate": True,
    "declare_commitment": True,
}


def _cohort_defaults(today):
    from datetime import timedelta

    return {
        "applications_open": today - timedelta(days=10),
        "applications_close": today + timedelta(days=20),
        "programme_start": today + timedelta(days=60),
        "programme_end": today + timedelta(days=60 + 364),
        "places": 10,
        "backfill_pence": 500_000,
    }


def _cohort(self, name=None, **fields):
    from app.cohorts.models import Cohort
    from app.core.clock import today

    with self.app.app_context():
        data = _cohort_defaults(today())
        data.update(fields)
        cohort = Cohort(name=name or f"20{next(_seq):02d}-test", **data)
        db.session.add(cohort)
        db.session.commit()
        return self._detach(cohort)


def _application(
    self,
    cohort,
    applicant=None,
    employer=None,
    status="draft",
    complete=True,
    psw=None,
    manager=None,
    **answers,
):
    """An application built through the real services up to `status`.

    status: draft | submitted | endorsed | psw_declined | shortlisted | awarded | declined |
    waitlisted | withdrawn
    """
    from app.applications import services
    from app.applications.models import Application, AppStatus
    from app.cohorts.models import Cohort
    from app.core.clock import today

    employer = employer or self.org()
    applicant = applicant or self.user(Role.APPLICANT, orgs=[employer])
    psw = psw or self.user(Role.PSW, orgs=[employer])
    manager = manager or self.user(Role.LINE_MANAGER, orgs=[employer])
    staff = (
        self.user(Role.STAFF)
        if status in ("shortlisted", "awarded", "declined", "waitlisted")
        else None
    )
    with self.app.test_request_context():
        c = db.session.get(Cohort, cohort.id)
        a = db.session.get(User, applicant.id)
        app_ = services.start_application(a, c, min(today(), c.applications_close))
        if complete:
            values = {
                **COMPLETE_ANSWERS,
                "employer_id": employer.id,
                "line_manager_id": manager.id,
                "psw_id": psw.id,
                **answers,
            }
            for key, value in values.items():
                if key.endswith("_id") or key in ("employer_id",):
                    continue
                setattr(app_, key, _coerce(key, value))
            app_.employer_id = values["employer_id"]
            app_.line_manager_id = values["line_manager_id"]
            app_.psw_id = values["psw_id"]
        db.session.flush()
        if status != "draft":
            if status == "withdrawn":
                services.withdraw(app_, a)
            else:
                on = min(max(today(), c.applications_open), c.applications_close)
                services.submit(app_, a, on)
                p = db.session.get(User, psw.id)
                if status == "psw_declined":
                    services.sign_off(app_, p, endorse=False, reason="Not a priority this year")
                elif status != "submitted":
                    services.sign_off(
                        app_, p, endorse=True, confirmed_release=True, confirmed_strategic=True
                    )
                    s = db.session.get(User, staff.id) if staff else None
                    if status == "shortlisted":
                        services.shortlist(app_, s)
                    elif status in ("awarded", "declined", "waitlisted"):
                        services.decide(app_, s, AppStatus(status), "Thank you")
        db.session.commit()
        result = db.session.get(Application, app_.id)
        return self._detach(result)


def _coerce(key, value):
    from app.applications.models import Degree, Gender, PriorResearch, ServiceArea

    enums = {
        "gender": Gender,
        "service_area": ServiceArea,
        "highest_degree": Degree,
        "prior_research": PriorResearch,
    }
    if key in enums and value is not None:
        return enums[key](value)
    return value


Factory.cohort = _cohort
Factory.application = _application


def _award(self, cohort=None, employer=None, holder=None, manager=None, **cohort_fields):
    """An award made through the real services; returns the detached Award."""
    from app.awards.models import Award

    cohort = cohort or self.cohort(**cohort_fields)
    employer = employer or self.org()
    holder = holder or self.user(Role.APPLICANT, orgs=[employer])
    manager = manager or self.user(Role.LINE_MANAGER, orgs=[employer])
    application = self.application(
        cohort, applicant=holder, employer=employer, manager=manager, status="awarded"
    )
    with self.app.app_context():
        award = db.session.scalar(db.select(Award).where(Award.application_id == application.id))
        return self._detach(award)


def _running_cohort(self, **fields):
    """A cohort whose programme year is under way today (applications long closed)."""
    from datetime import timedelta

    from app.core.clock import today

    with self.app.app_context():
        t = today()
    data = {
        "applications_open": t - timedelta(days=200),
        "applications_close": t - timedelta(days=150),
        "programme_start": t - timedelta(days=100),
        "programme_end": t + timedelta(days=265),
    }
    data.update(fields)
    return self.cohort(**data)


Factory.award = _award
Factory.running_cohort = _running_cohort
