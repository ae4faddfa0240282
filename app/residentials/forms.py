"""Forms for residential workshops. Each binds only its own fields; the rules (dates in the
programme, no overlaps, who is in the cohort) are the services'."""

from __future__ import annotations

import re
from datetime import date, time

from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.core.formatting import format_date
from app.core.forms import BaseForm, DateInputField, choices
from app.residentials.models import Mark

TEXT_MAX = 1000
TIME_RE = re.compile(r"(\d{1,2})[:.](\d{2})", re.ASCII)


class TimeInputField(StringField):
    """A time of day typed as 24-hour `HH:MM` (09:30, 9.30 and 14:00 all work).
    `data` is a `time` once validated; what was typed is shown back."""

    def __init__(self, label=None, validators=None, required: str | None = None, **kw):
        super().__init__(label, validators, **kw)
        self.required = required or f"Enter the {str(label).lower()}"
        self.value: time | None = None

    def process_data(self, value):
        self.value = value if isinstance(value, time) else None
        self.data = value.strftime("%H:%M") if isinstance(value, time) else (value or "")

    def pre_validate(self, form) -> None:
        text = (self.data or "").strip()
        if not text:
            raise ValidationError(self.required)
        m = TIME_RE.fullmatch(text)
        hours, minutes = (int(m.group(1)), int(m.group(2))) if m else (99, 99)
        if not (0 <= hours <= 23 and 0 <= minutes <= 59):
            raise ValidationError(f"{self.label.text} must be a time like 09:30 or 14:00")
        self.value = time(hours, minutes)


def _text(label: str, hint: str = "", required: str | None = None, maximum: int = TEXT_MAX):
    validators = [Length(max=maximum, message=f"{label} must be {maximum} characters or fewer")]
    if required:
        validators.insert(0, InputRequired(required))
    return TextAreaField(label, description=hint, validators=validators)


class WorkshopForm(BaseForm):
    venue = StringField(
        "Venue",
        validators=[
            InputRequired("Enter the venue"),
            Length(max=200, message="Venue must be 200 characters or fewer"),
        ],
    )
    address = _text("Address", required="Enter the venue's address")
    starts_on = DateInputField("First day", required="Enter the first day of the workshop")
    ends_on = DateInputField("Last day", required="Enter the last day of the workshop")
    arrival_time = TimeInputField(
        "Arrival time", description="On the first day. For example, 09:30"
    )
    departure_time = TimeInputField(
        "Departure time", description="On the last day. For example, 16:00"
    )


class SessionForm(BaseForm):
    day = RadioField("Day", validators=[InputRequired("Select the day of the session")])
    starts_at = TimeInputField("Start time", description="For example, 09:30")
    ends_at = TimeInputField("End time", description="For example, 10:45")
    title = StringField(
        "Title",
        validators=[
            InputRequired("Enter the session's title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    speaker = StringField(
        "Speaker (optional)",
        description="Their name and role. Speakers do not need an account.",
        validators=[Length(max=200, message="Speaker must be 200 characters or fewer")],
    )
    room = StringField(
        "Room (optional)",
        validators=[Length(max=100, message="Room must be 100 characters or fewer")],
    )
    description = _text("Description (optional)")

    def __init__(self, days: list[date], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.day.choices = choices((d.isoformat(), f"{d:%A} {format_date(d)}") for d in days)

    @property
    def chosen_day(self) -> date:
        return date.fromisoformat(self.day.data)


YES, NO = "yes", "no"


class RegistrationForm(BaseForm):
    attending = RadioField(
        "Will you attend this workshop?",
        choices=choices([(YES, "Yes, I will attend"), (NO, "No, I cannot attend")]),
        validators=[InputRequired("Select whether you will attend")],
    )
    accommodation = _text(
        "Overnight accommodation needs (optional)",
        "For example, a ground-floor room or travelling home each night.",
    )
    dietary = _text("Dietary requirements (optional)")
    access = _text("Access requirements (optional)")


class ApologiesForm(BaseForm):
    day = RadioField("Which day can you not attend?", validators=[InputRequired("Select the day")])
    reason = _text("Reason", required="Give a reason for your apologies", maximum=500)

    def __init__(self, days: list[date], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.day.choices = choices((d.isoformat(), f"{d:%A} {format_date(d)}") for d in days)


MARK_FIELD = re.compile(r"mark-(\d{1,12})")


class RegisterForm(BaseForm):
    """The register: one `mark-<award id>` radio group per person and a hidden
    `seen-<award id>` with the mark the page showed. Parsed here, decided by the service
    (a person outside the cohort is its refusal to make)."""

    def read(self, formdata) -> tuple[dict[int, Mark], dict[int, Mark | None], list[str]]:
        marks: dict[int, Mark] = {}
        seen: dict[int, Mark | None] = {}
        problems: list[str] = []
        for key in formdata:
            m = MARK_FIELD.fullmatch(key)
            if not m:
                continue
            award_id = int(m.group(1))
            try:
                marks[award_id] = Mark(formdata.get(key))
            except ValueError:
                problems.append("Select present, absent or apologies for each person")
                continue
            shown = formdata.get(f"seen-{award_id}", "")
            try:
                seen[award_id] = Mark(shown) if shown else None
            except ValueError:
                seen[award_id] = None
        return marks, seen, problems[:1]


class InvitationReplyForm(BaseForm):
    reply = RadioField(
        "Will you come to the presentation day?",
        choices=choices(
            [("attending", "Yes, I will come"), ("not_attending", "No, I cannot come")]
        ),
        validators=[InputRequired("Select whether you will come")],
    )


class SlotForm(BaseForm):
    starts_at = TimeInputField("Start time", description="For example, 10:20")
    ends_at = TimeInputField("End time", description="For example, 10:40")
    title = StringField(
        "Title of the presentation",
        validators=[
            InputRequired("Enter the presentation's title"),
            Length(max=300, message="Title must be 300 characters or fewer"),
        ],
    )
