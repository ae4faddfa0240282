"""The application form's sections and what each needs before submission.

One place defines the fields of each section (forms bind only these) and the
message shown against each missing answer on the check-your-answers page.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.applications.models import Application, Gender


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    fields: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section("personal", "Personal details", ("phone", "gender", "gender_self")),
    Section(
        "employment",
        "Your job",
        ("employer_id", "service_area", "team", "current_role", "is_social_worker", "profession"),
    ),
    Section(
        "qualifications",
        "Qualifications and research experience",
        (
            "professional_qualification",
            "highest_degree",
            "years_qualified",
            "prior_research",
            "prior_research_details",
        ),
    ),
    Section(
        "research",
        "Your research idea",
        (
            "research_question",
            "background",
            "strategic_relevance",
            "priority_area_id",
            "methods",
            "expected_impact",
        ),
    ),
    Section("people", "Line manager and Principal Social Worker", ("line_manager_id", "psw_id")),
    Section("declarations", "Declarations", ("declare_accurate", "declare_commitment")),
)
SECTION_BY_SLUG = {s.slug: s for s in SECTIONS}

# The fields whose content a PSW signs off: a change after sign-off needs a new one.
CONTENT_FIELDS = tuple(f for s in SECTIONS for f in s.fields)


def missing_answers(app: Application) -> list[tuple[str, str, str]]:
    """[(section slug, field, message)] for every answer still needed."""
    out: list[tuple[str, str, str]] = []

    def need(section: str, field: str, ok: bool, message: str) -> None:
        if not ok:
            out.append((section, field, message))

    need("personal", "phone", bool(app.phone.strip()), "Enter a phone number")
    need("personal", "gender", app.gender is not None, "Select your gender")
    if app.gender == Gender.SELF_DESCRIBE:
        need("personal", "gender_self", bool(app.gender_self.strip()), "Describe your gender")
    need("employment", "employer_id", app.employer_id is not None, "Select your employer")
    need(
        "employment",
        "service_area",
        app.service_area is not None,
        "Select the service area you work in",
    )
    need("employment", "team", bool(app.team.strip()), "Enter your team")
    need("employment", "current_role", bool(app.current_role.strip()), "Enter your current role")
    need(
        "employment",
        "is_social_worker",
        app.is_social_worker is not None,
        "Select whether you are a social worker",
    )
    if app.is_social_worker is False:
        need("employment", "profession", bool(app.profession.strip()), "Enter your profession")
    need(
        "qualifications",
        "professional_qualification",
        bool(app.professional_qualification.strip()),
        "Enter your professional qualification",
    )
    need(
        "qualifications",
        "highest_degree",
        app.highest_degree is not None,
        "Select your highest degree",
    )
    need(
        "qualifications",
        "years_qualified",
        app.years_qualified is not None,
        "Enter how many years since you qualified",
    )
    need(
        "qualifications",
        "prior_research",
        app.prior_research is not None,
        "Select your research experience",
    )
    need(
        "research",
        "research_question",
        bool(app.research_question.strip()),
        "Enter your research question",
    )
    need(
        "research",
        "background",
        bool(app.background.strip()),
        "Enter the background to your question",
    )
    need(
        "research",
        "strategic_relevance",
        bool(app.strategic_relevance.strip()),
        "Explain why your question matters to your employer",
    )
    need("research", "methods", bool(app.methods.strip()), "Describe your intended methods")
    need(
        "research",
        "expected_impact",
        bool(app.expected_impact.strip()),
        "Describe the impact you expect",
    )
    need(
        "people",
        "line_manager_id",
        app.line_manager_id is not None,
        "Choose or invite your line manager",
    )
    need(
        "people", "psw_id", app.psw_id is not None, "Choose or invite your Principal Social Worker"
    )
    need(
        "declarations",
        "declare_accurate",
        app.declare_accurate,
        "Confirm the information you have given is accurate",
    )
    need(
        "declarations",
        "declare_commitment",
        app.declare_commitment,
        "Confirm you can commit to the programme",
    )
    return out


def section_complete(app: Application, slug: str) -> bool:
    return not any(m[0] == slug for m in missing_answers(app))
