"""The application form, one WTForms form per section.

Each form binds only its own section's fields (app.applications.sections) and
checks format and length only: a half-finished section can be saved, and
completeness is checked when the applicant submits (sections.missing_answers).
`to_data()` turns the posted answers into model values for services.save_section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from wtforms import BooleanField, EmailField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, StopValidation, ValidationError

from app.accounts.models import UserStatus
from app.applications.models import Degree, Gender, PriorResearch, ServiceArea
from app.applications.sections import SECTIONS, missing_answers
from app.core.forms import BaseForm, ValidEmail, choices

# Character limits for the long answers (the character count shows them as you type).
LIMITS = {
    "research_question": 500,
    "background": 2000,
    "strategic_relevance": 2000,
    "methods": 2000,
    "expected_impact": 2000,
    "prior_research_details": 1000,
    "withdraw_reason": 1000,
}

# The question each answer belongs to: used on the form and on check your answers.
QUESTIONS = {
    "phone": "Phone number",
    "gender": "Gender",
    "gender_self": "How do you describe your gender?",
    "employer_id": "Employer",
    "service_area": "Service area",
    "team": "Team",
    "current_role": "Current role",
    "is_social_worker": "Are you a registered social worker?",
    "profession": "Your profession",
    "professional_qualification": "Professional qualification",
    "highest_degree": "Highest degree",
    "years_qualified": "Years since you qualified",
    "prior_research": "Research experience",
    "prior_research_details": "More about your research experience",
    "research_question": "Your research question",
    "background": "Background",
    "strategic_relevance": "Why it matters to your employer",
    "priority_area_id": "Your employer's priority area",
    "methods": "How you will carry out the research",
    "expected_impact": "The difference you expect it to make",
    "line_manager_id": "Line manager",
    "psw_id": "Principal Social Worker",
    "declare_accurate": "The information is accurate",
    "declare_commitment": "You can commit to the programme",
}

NO_PRIORITY_AREA = "none"
INVITE = "invite"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE = re.compile(r"\+?[0-9 ()\-]+")


def clean_text(value: Any) -> str:
    """Multi-line text: one newline style (so counts match the browser's), no control
    characters (PostgreSQL refuses NUL), no surrounding space."""
    if value is None:
        return ""
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def clean_line(value: Any) -> str:
    """One-line text: control characters removed and runs of spaces collapsed."""
    return " ".join(_CONTROL.sub("", str(value or "")).split())


def _max(n: int, what: str) -> Length:
    return Length(max=n, message=f"{what} must be {n:,} characters or fewer")


class Chosen:
    """The posted value must be one of the field's choices (choices are set per request)."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if str(field.data) not in {str(c.value) for c in field.iter_choices()}:
            raise ValidationError(self.message)


class WholeNumber:
    """Replaces IntegerField's processing error with a plain one."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.process_errors:
            field.errors[:] = []
            raise StopValidation(self.message)


def _radio(label: str, message: str, pairs=(), **kw) -> RadioField:
    return RadioField(
        label,
        choices=choices(pairs),
        coerce=str,
        validate_choice=False,
        validators=[Optional(), Chosen(message)],
        **kw,
    )


def _enum_or_none(enum_cls, value):
    return enum_cls(value) if value else None


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _id_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SectionForm(BaseForm):
    """A section's form. Subclasses say how to show stored answers and how to save them."""

    @staticmethod
    def initial(application) -> dict[str, Any]:
        raise NotImplementedError

    def to_data(self) -> dict[str, Any]:
        raise NotImplementedError


# 1. Personal details ---------------------------------------------------------------


class PersonalForm(SectionForm):
    phone = StringField(
        QUESTIONS["phone"],
        description="A number we can call you on about your application, like 07700 900 982.",
        filters=[clean_line],
        validators=[_max(40, "Phone number")],
    )
    gender = _radio(
        "What is your gender?",
        "Select your gender from the list",
        [(g.value, g.label) for g in Gender],
    )
    gender_self = StringField(
        QUESTIONS["gender_self"], filters=[clean_line], validators=[_max(100, "Your description")]
    )

    def validate_phone(self, field) -> None:
        value = field.data or ""
        digits = sum(ch.isdigit() for ch in value)
        if value and (not _PHONE.fullmatch(value) or not 10 <= digits <= 15):
            raise ValidationError(
                "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
            )

    @staticmethod
    def initial(application) -> dict[str, Any]:
        return {
            "phone": application.phone,
            "gender": application.gender.value if application.gender else None,
            "gender_self": application.gender_self,
        }

    def to_data(self) -> dict[str, Any]:
        gender = _enum_or_none(Gender, self.gender.data)
        return {
            "phone": self.phone.data,
            "gender": gender,
            "gender_self": self.gender_self.data if gender == Gender.SELF_DESCRIBE else "",
        }


# 2. Your job -----------------------------------------------------------------------


class EmploymentForm(SectionForm):
    """`employer_choices`: [(id, name)]. The template shows radios for a person's own
    employers and a select when it falls back to every employer."""

    employer_id = _radio("Who is your employer?", "Select your employer from the list")
    service_area = _radio(
        "Which service area do you work in?",
        "Select adults or children and families",
        [(s.value, s.label) for s in ServiceArea],
    )
    team = StringField(
        "Which team do you work in?",
        description="For example, hospital discharge team or children's assessment team.",
        filters=[clean_line],
        validators=[_max(200, "Team")],
    )
    current_role = StringField(
        "What is your current role?",
        description="Your job title, for example senior social worker.",
        filters=[clean_line],
        validators=[_max(200, "Current role")],
    )
    is_social_worker = _radio(
        QUESTIONS["is_social_worker"],
        "Select yes if you are a registered social worker",
        [("yes", "Yes"), ("no", "No")],
    )
    profession = StringField(
        "What is your profession?",
        description="For example, occupational therapist.",
        filters=[clean_line],
        validators=[_max(200, "Profession")],
    )

    def __init__(self, employer_choices: list[tuple[int, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.employer_id.choices = choices((str(i), name) for i, name in employer_choices)

    @staticmethod
    def initial(application) -> dict[str, Any]:
        return {
            "employer_id": str(application.employer_id) if application.employer_id else None,
            "service_area": application.service_area.value if application.service_area else None,
            "team": application.team,
            "current_role": application.current_role,
            "is_social_worker": _yes_no(application.is_social_worker),
            "profession": application.profession,
        }

    def to_data(self) -> dict[str, Any]:
        social_worker = {"yes": True, "no": False}.get(self.is_social_worker.data or "")
        return {
            "employer_id": _id_or_none(self.employer_id.data),
            "service_area": _enum_or_none(ServiceArea, self.service_area.data),
            "team": self.team.data,
            "current_role": self.current_role.data,
            "is_social_worker": social_worker,
            "profession": "" if social_worker else self.profession.data,
        }


# 3. Qualifications and research experience ------------------------------------------


class QualificationsForm(SectionForm):
    professional_qualification = StringField(
        "What is your professional qualification?",
        description="For example, BA (Hons) Social Work, MA Social Work or DipSW.",
        filters=[clean_line],
        validators=[_max(200, "Professional qualification")],
    )
    highest_degree = _radio(
        "What is your highest degree or qualification?",
        "Select your highest degree from the list",
        [(d.value, d.label) for d in Degree],
    )
    years_qualified = IntegerField(
        "How many years is it since you qualified?",
        description="Enter 0 if you qualified less than a year ago.",
        validators=[
            Optional(),
            WholeNumber("Enter the number of years as a whole number, like 5"),
            NumberRange(0, 60, message="Years since you qualified must be between 0 and 60"),
        ],
    )
    prior_research = _radio(
        "What research experience do you have?",
        "Select your research experience from the list",
        [(p.value, p.label) for p in PriorResearch],
    )
    prior_research_details = TextAreaField(
        "Tell us more about your research experience (optional)",
        description="For example, the topic of your dissertation or a project you helped with.",
        filters=[clean_text],
        validators=[_max(LIMITS["prior_research_details"], "Details of your research experience")],
    )

    @staticmethod
    def initial(application) -> dict[str, Any]:
        return {
            "professional_qualification": application.professional_qualification,
            "highest_degree": (
                application.highest_degree.value if application.highest_degree else None
            ),
            "years_qualified": application.years_qualified,
            "prior_research": (
                application.prior_research.value if application.prior_research else None
            ),
            "prior_research_details": application.prior_research_details,
        }

    def to_data(self) -> dict[str, Any]:
        return {
            "professional_qualification": self.professional_qualification.data,
            "highest_degree": _enum_or_none(Degree, self.highest_degree.data),
            "years_qualified": self.years_qualified.data,
            "prior_research": _enum_or_none(PriorResearch, self.prior_research.data),
            "prior_research_details": self.prior_research_details.data,
        }


# 4. Your research idea ------------------------------------------------------------


def _long(name: str, label: str, hint: str, what: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=hint,
        filters=[clean_text],
        validators=[_max(LIMITS[name], what)],
    )


class ResearchForm(SectionForm):
    """`areas`: the employer's published priority areas for this cohort, [(id, title)]."""

    research_question = _long(
        "research_question",
        "What is your research question?",
        "One question your project will answer. Keep it short and specific.",
        "Your research question",
    )
    background = _long(
        "background",
        "What is the background to your question?",
        "What prompted it, and what is already known.",
        "Background",
    )
    strategic_relevance = _long(
        "strategic_relevance",
        "Why does this question matter to your employer?",
        "How it links to your employer's priorities, services or strategy.",
        "Why it matters to your employer",
    )
    priority_area_id = _radio(
        "Which of your employer's priority areas does your question link to?",
        "Choose one of your employer's priority areas",
    )
    methods = _long(
        "methods",
        "How will you carry out the research?",
        "For example, a literature review, interviews, a survey or analysis of case records.",
        "How you will carry out the research",
    )
    expected_impact = _long(
        "expected_impact",
        "What difference do you expect it to make?",
        "To the people who use your service, to practice or to your employer.",
        "The difference you expect it to make",
    )

    def __init__(self, areas: list[tuple[int, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        pairs = [(str(i), title) for i, title in areas]
        if pairs:
            pairs.append((NO_PRIORITY_AREA, "My question does not link to any of these"))
        self.priority_area_id.choices = choices(pairs)

    @staticmethod
    def initial(application) -> dict[str, Any]:
        texts = ("research_question", "background", "strategic_relevance", "methods")
        data = {f: getattr(application, f) for f in (*texts, "expected_impact")}
        data["priority_area_id"] = (
            str(application.priority_area_id) if application.priority_area_id else None
        )
        return data

    def to_data(self) -> dict[str, Any]:
        return {
            "research_question": self.research_question.data,
            "background": self.background.data,
            "strategic_relevance": self.strategic_relevance.data,
            "priority_area_id": _id_or_none(self.priority_area_id.data),
            "methods": self.methods.data,
            "expected_impact": self.expected_impact.data,
        }


# 5. Line manager and Principal Social Worker ---------------------------------------


def _invite_fields(who: str):
    name = StringField(
        "Full name", filters=[clean_line], validators=[_max(200, f"Your {who}'s name")]
    )
    email = EmailField(
        "Email address",
        description="Their work email address. We will email them an invitation.",
        filters=[lambda v: (v or "").strip()],
        validators=[_max(254, f"Your {who}'s email address"), ValidEmail()],
    )
    return name, email


class PeopleForm(SectionForm):
    """Choose each person from the employer's people holding the role, or invite them.

    `managers` and `psws`: [(user id, label)] of the people who may be chosen.
    """

    line_manager = _radio("Who is your line manager?", "Choose your line manager from the list")
    line_manager_name, line_manager_email = _invite_fields("line manager")
    psw = _radio(
        "Who is your Principal Social Worker?",
        "Choose your Principal Social Worker from the list",
    )
    psw_name, psw_email = _invite_fields("Principal Social Worker")

    # (choice field, model field, the person's role in plain words)
    PEOPLE = (
        ("line_manager", "line_manager_id", "line manager"),
        ("psw", "psw_id", "Principal Social Worker"),
    )

    def __init__(self, managers, psws, *args, **kwargs):
        super().__init__(*args, **kwargs)
        invite = (INVITE, "Someone else: invite them")
        self.line_manager.choices = choices([*((str(i), n) for i, n in managers), invite])
        self.psw.choices = choices([*((str(i), n) for i, n in psws), invite])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for choice, _model, who in self.PEOPLE:
            if getattr(self, choice).data != INVITE:
                continue
            name, email = getattr(self, f"{choice}_name"), getattr(self, f"{choice}_email")
            if not name.data and not name.errors:
                name.errors = [f"Enter your {who}'s full name"]
                ok = False
            if not email.data and not email.errors:
                email.errors = [f"Enter your {who}'s email address"]
                ok = False
        return ok

    @staticmethod
    def initial(application) -> dict[str, Any]:
        return {
            "line_manager": (
                str(application.line_manager_id) if application.line_manager_id else None
            ),
            "psw": str(application.psw_id) if application.psw_id else None,
        }

    def to_data(self) -> dict[str, Any]:
        """The chosen people; anyone to be invited is None here (see `invites`)."""
        return {model: _id_or_none(getattr(self, choice).data) for choice, model, _ in self.PEOPLE}

    def invites(self) -> list[tuple[str, str, str, str]]:
        """[(choice field, model field, name, email)] for each person to invite."""
        return [
            (
                choice,
                model,
                getattr(self, f"{choice}_name").data,
                getattr(self, f"{choice}_email").data,
            )
            for choice, model, _ in self.PEOPLE
            if getattr(self, choice).data == INVITE
        ]


# 6. Declarations ------------------------------------------------------------------


class DeclarationsForm(SectionForm):
    declare_accurate = BooleanField(
        "I confirm that the information in my application is accurate and complete"
    )
    declare_commitment = BooleanField("I can commit to the programme")

    def __init__(self, cohort, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.declare_commitment.label.text = (
            f"If I am awarded a place, I can commit to the {cohort.release_days} days of the "
            f"programme ({cohort.residential_days} days of residential workshops and "
            f"{cohort.study_days} study days), and to producing a poster, a presentation and a "
            "research report"
        )

    @staticmethod
    def initial(application) -> dict[str, Any]:
        return {
            "declare_accurate": application.declare_accurate,
            "declare_commitment": application.declare_commitment,
        }

    def to_data(self) -> dict[str, Any]:
        return {
            "declare_accurate": bool(self.declare_accurate.data),
            "declare_commitment": bool(self.declare_commitment.data),
        }


FORMS: dict[str, type[SectionForm]] = {
    "personal": PersonalForm,
    "employment": EmploymentForm,
    "qualifications": QualificationsForm,
    "research": ResearchForm,
    "people": PeopleForm,
    "declarations": DeclarationsForm,
}


# Withdrawing ---------------------------------------------------------------------


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        "Why are you withdrawing? (optional)",
        description="This helps us improve the programme. Programme staff will see it.",
        filters=[clean_text],
        validators=[_max(LIMITS["withdraw_reason"], "Your reason")],
    )


# Reading the answers back (check your answers) -------------------------------------


@dataclass(frozen=True)
class Answer:
    field: str
    question: str
    value: str
    missing: str | None  # the message from missing_answers(), when still needed


def _years(n: int) -> str:
    return "Less than a year" if n == 0 else f"{n} year{'s' if n != 1 else ''}"


def _person(user) -> str:
    if user is None:
        return ""
    if user.status == UserStatus.INVITED:
        return f"{user.name}, {user.email} (invited, has not yet set up their account)"
    return f"{user.name}, {user.email}"


def _shown(application, field: str) -> bool:
    """Follow-up questions appear only when the answer before them asks for them."""
    if field == "gender_self":
        return application.gender == Gender.SELF_DESCRIBE
    if field == "profession":
        return application.is_social_worker is False
    return True


def _value(application, field: str, has_areas: bool) -> str:
    a = application
    label = {
        "gender": lambda: a.gender.label if a.gender else "",
        "employer_id": lambda: a.employer.name if a.employer else "",
        "service_area": lambda: a.service_area.label if a.service_area else "",
        "is_social_worker": lambda: {True: "Yes", False: "No"}.get(a.is_social_worker, ""),
        "highest_degree": lambda: a.highest_degree.label if a.highest_degree else "",
        "years_qualified": lambda: "" if a.years_qualified is None else _years(a.years_qualified),
        "prior_research": lambda: a.prior_research.label if a.prior_research else "",
        "prior_research_details": lambda: a.prior_research_details or "None given",
        "priority_area_id": lambda: (
            a.priority_area.title
            if a.priority_area
            else (
                "Not linked to a priority area"
                if has_areas
                else "Your employer has not published priority areas"
            )
        ),
        "line_manager_id": lambda: _person(a.line_manager),
        "psw_id": lambda: _person(a.psw),
        "declare_accurate": lambda: "Confirmed" if a.declare_accurate else "",
        "declare_commitment": lambda: "Confirmed" if a.declare_commitment else "",
    }.get(field)
    return (label() if label else getattr(a, field)) or ""


def answers(application, has_areas: bool) -> list[tuple[Any, list[Answer]]]:
    """[(section, [Answer])] in form order, each missing answer with its message."""
    missing = {f: message for _s, f, message in missing_answers(application)}
    return [
        (
            section,
            [
                Answer(f, QUESTIONS[f], _value(application, f, has_areas), missing.get(f))
                for f in section.fields
                if _shown(application, f)
            ],
        )
        for section in SECTIONS
    ]
