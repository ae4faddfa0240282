"""Access matrix: supervision and coaching (staff pools and allocation; the people an
award holder's record belongs to; meetings for the people in them and staff)."""

from __future__ import annotations

from datetime import timedelta

from app.core.roles import Role
from app.extensions import db
from tests.matrix import STAFF, Page

SUPPORTERS = frozenset({Role.SUPERVISOR, Role.COACH, Role.LINE_MANAGER, Role.ASSISTANT_DIRECTOR})
READERS = STAFF | SUPPORTERS | {Role.AWARD_HOLDER}
NOT_THEIRS = READERS - STAFF
LOGGERS = frozenset({Role.SUPERVISOR, Role.COACH, Role.AWARD_HOLDER})
# the onboarding checklist: staff, the holder, their line manager, an assistant director
CHECKLIST = frozenset({Role.STAFF, Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.ASSISTANT_DIRECTOR})

PAGES = {
    "supervision.index": Page("/supervision/", READERS),
    "supervision.cohort": Page("/supervision/cohorts/{supervision_cohort_id}", STAFF),
    "supervision.pool": Page("/supervision/cohorts/{supervision_cohort_id}/pool", STAFF),
    "supervision.pool_add": Page(
        "/supervision/cohorts/{supervision_cohort_id}/pool/new/supervisor", STAFF
    ),
    "supervision.pool_edit": Page("/supervision/pool/{pool_member_id}/edit", STAFF),
    # another person's record: 404 for everyone but staff
    "supervision.award": Page(
        "/supervision/awards/{supervision_award_id}", READERS, not_found_for=NOT_THEIRS
    ),
    "supervision.allocate": Page(
        "/supervision/awards/{supervision_award_id}/allocate/coach", STAFF
    ),
    "supervision.meeting_new": Page("/supervision/meetings/new", LOGGERS),
    # notes: the people in the meeting and staff only
    "supervision.meeting": Page(
        "/supervision/meetings/{supervision_meeting_id}", READERS, not_found_for=NOT_THEIRS
    ),
    "supervision.onboarding_award": Page(
        "/supervision/awards/{supervision_award_id}/onboarding",
        CHECKLIST,
        not_found_for=CHECKLIST - STAFF,
    ),
    "supervision.onboarding_cohort": Page(
        "/supervision/cohorts/{supervision_cohort_id}/onboarding", STAFF
    ),
    "supervision.contact_report": Page(
        "/supervision/cohorts/{supervision_cohort_id}/contact", STAFF
    ),
    "supervision.contact_csv": Page(
        "/supervision/cohorts/{supervision_cohort_id}/contact.csv", STAFF
    ),
}

ACTIONS = {
    "supervision.meeting_confirm": frozenset({Role.AWARD_HOLDER}),
    # tested in tests/test_supervision_onboarding.py (who ticks which item)
    "supervision.onboarding_tick": CHECKLIST,
    "supervision.onboarding_untick": CHECKLIST,
}


def records(make, app) -> dict:
    from app.accounts.models import User
    from app.awards.models import Award
    from app.core.clock import today
    from app.organisations.models import OrgKind
    from app.supervision import services
    from app.supervision.models import MeetingKind, PoolKind

    award = make.award(cohort=make.running_cohort())
    uni = make.org(kind=OrgKind.UNIVERSITY)
    supervisor = make.user(Role.SUPERVISOR, orgs=[uni])
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        s, boss = db.session.get(User, supervisor.id), db.session.get(User, staff.id)
        member = services.add_to_pool(
            a.cohort,
            boss,
            s,
            PoolKind.SUPERVISOR,
            capacity=2,
            expertise="Qualitative methods",
            university_id=uni.id,
            today=today(),
        )
        services.allocate(a, member, boss, reason="", override_reason="", today=today())
        meeting = services.log_meeting(
            s,
            services.MeetingDetails(
                MeetingKind.SUPERVISION, today() - timedelta(days=1), 60, "Notes", "", [a.id]
            ),
            today(),
        )
        db.session.commit()
        return {
            "supervision_cohort_id": a.cohort_id,
            "supervision_award_id": a.id,
            "pool_member_id": member.id,
            "supervision_meeting_id": meeting.id,
        }
