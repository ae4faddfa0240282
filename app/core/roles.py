"""The roles people hold in the programme (DOMAIN.md)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    AWARD_HOLDER = "award_holder"
    LINE_MANAGER = "line_manager"
    ASSISTANT_DIRECTOR = "assistant_director"
    PSW = "psw"
    SUPERVISOR = "supervisor"
    COACH = "coach"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.APPLICANT: "Applicant",
    Role.AWARD_HOLDER: "Award holder",
    Role.LINE_MANAGER: "Line manager",
    Role.ASSISTANT_DIRECTOR: "Assistant director",
    Role.PSW: "Principal Social Worker",
    Role.SUPERVISOR: "Academic supervisor",
    Role.COACH: "Coach",
    Role.STAFF: "Programme staff",
}

ALL_ROLES = tuple(Role)
