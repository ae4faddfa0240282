"""Forms for cohorts: the cohort's dates and rules, recruitment events, priority areas.

Dates use the NHS.UK date input (three boxes), money is typed in pounds and held as
integer pence, event times are typed in UK time and handed to the service in UTC.
Rules about order (the programme ends after it starts, ...) live in the service.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from wtforms import Field, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, StopValidation, ValidationError
from wtforms.widgets import TextInput

from app.cohorts.models import (
    DEFAULT_AWARD_CAP_PENCE,
    DEFAULT_RESIDENTIAL_DAYS,
    DEFAULT_STUDY_DAYS,
    EventKind,
)
from app.core.formatting import LONDON, format_pence, parse_pounds
from app.core.forms import BaseForm, DateInputField, choices

MAX_AWARD_CAP_PENCE = 10_000_000  # GBP 100,000: well above any cap, well inside an INTEGER
MAX_BACKFILL_PENCE = 100_000_000  # GBP 1,000,000


class _FieldErrors(BaseForm):
    """Error-summary links go to the first box in error (a date's day, month or year)."""

    def add_error(self, name: str | None, message: str) -> bool:
        """Show a service's refusal against one field; False if the form has no such field."""
        field = self._fields.get(name or "")
        if field is None:
            return False
        field.errors = [*field.errors, message]
        return True


# --- fields -----------------------------------------------------------------------


class _Checked:
    """Stop at a typing error (no second 'Enter ...' message); require a value."""

    required: str

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            raise StopValidation(self.required)


class WholeNumberField(_Checked, IntegerField):
    def __init__(self, label=None, validators=None, required: str = "", **kw):
        super().__init__(label, validators, **kw)
        self.required = required
        self.type = "IntegerField"  # rendered by the shared field() macro

    def process_formdata(self, valuelist) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            return
        if not re.fullmatch(r"-?\d{1,12}", text, re.ASCII):
            raise ValueError(f"{self.label.text} must be a whole number, like 12")
        self.data = int(text)


class PoundsField(_Checked, Field):
    """Typed in pounds ('4,000' or '4000.50'); `data` is integer pence, never a float."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, required: str = "", maximum: int = 0, **kw):
        super().__init__(label, validators, **kw)
        self.required, self.maximum = required, maximum

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        pounds, pence = divmod(self.data, 100)
        return f"{pounds}" if pence == 0 else f"{pounds}.{pence:02d}"

    def process_formdata(self, valuelist) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "")[:40]
        if not text.strip():
            return
        label = self.label.text
        try:
            pence = parse_pounds(text)
        except ValueError:
            raise ValueError(f"{label} must be an amount in pounds, like 4000 or 4000.50")
        if pence < 0:
            raise ValueError(f"{label} must be £0 or more")
        if pence > self.maximum:
            raise ValueError(f"{label} must be {format_pence(self.maximum)} or less")
        self.data = pence


TIME_RE = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?", re.ASCII | re.IGNORECASE)


def parse_time(text: str) -> time:
    """'14:30', '2:30pm', '2pm', '9.15am', 'midday'. Raises ValueError."""
    text = text.strip().lower()
    if text in ("midday", "noon", "12 noon"):
        return time(12, 0)
    m = TIME_RE.fullmatch(text)
    if not m or (m.group(2) is None and m.group(3) is None):
        raise ValueError("format")
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3):
        if not 1 <= hour <= 12:
            raise ValueError("range")
        hour = hour % 12 + (12 if m.group(3).startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise ValueError("range")
    return time(hour, minute)


class TimeOfDayField(_Checked, Field):
    """A time of day typed as text; `data` is a `time`."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, required: str = "", **kw):
        super().__init__(label, validators, **kw)
        self.required = required
        self.type = "StringField"  # rendered by the shared field() macro

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:%H:%M}" if self.data else ""

    def process_formdata(self, valuelist) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "")[:20]
        if not text.strip():
            return
        try:
            self.data = parse_time(text)
        except ValueError:
            raise ValueError(f"Enter the {self.label.text.lower()} as a time, like 14:30 or 2:30pm")


def london_to_utc(day: date, at: time) -> datetime:
    """A UK wall-clock time to naive UTC for storage. ValueError for a time the clocks
    skip (the hour lost when British Summer Time starts)."""
    local = datetime.combine(day, at, tzinfo=LONDON)
    utc = local.astimezone(UTC)
    if utc.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError("That time does not exist in the UK: the clocks go forward that night")
    return utc.replace(tzinfo=None)


# --- forms ------------------------------------------------------------------------


class CohortForm(_FieldErrors):
    name = StringField(
        "Name",
        description="For example, 2026-27",
        validators=[
            DataRequired("Enter a name for the cohort"),
            Length(max=60, message="Name must be 60 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description (optional)",
        description="Shown on the cohort's public page",
        validators=[Length(max=3000, message="Description must be 3000 characters or fewer")],
    )
    programme_start = DateInputField("Programme start", required="Enter the programme start date")
    programme_end = DateInputField("Programme end", required="Enter the programme end date")
    applications_open = DateInputField(
        "Applications open", required="Enter the date applications open"
    )
    applications_close = DateInputField(
        "Applications close", required="Enter the date applications close"
    )
    places = WholeNumberField(
        "Number of places",
        required="Enter the number of places",
        validators=[
            NumberRange(min=1, message="Number of places must be 1 or more"),
            NumberRange(max=500, message="Number of places must be 500 or fewer"),
        ],
    )
    personal_award_cap_pence = PoundsField(
        "Personal award cap",
        description="The most each award holder can spend from their personal award",
        required="Enter the personal award cap",
        maximum=MAX_AWARD_CAP_PENCE,
        default=DEFAULT_AWARD_CAP_PENCE,
    )
    residential_days = WholeNumberField(
        "Residential workshop days",
        required="Enter the number of residential workshop days",
        default=DEFAULT_RESIDENTIAL_DAYS,
        validators=[
            NumberRange(min=0, message="Residential workshop days must be 0 or more"),
            NumberRange(max=60, message="Residential workshop days must be 60 or fewer"),
        ],
    )
    study_days = WholeNumberField(
        "Study days",
        required="Enter the number of study days",
        default=DEFAULT_STUDY_DAYS,
        validators=[
            NumberRange(min=0, message="Study days must be 0 or more"),
            NumberRange(max=200, message="Study days must be 200 or fewer"),
        ],
    )
    backfill_pence = PoundsField(
        "Backfill per award holder",
        description="Paid to the employer to cover the award holder's release",
        required="Enter the backfill amount, or 0 if there is none",
        maximum=MAX_BACKFILL_PENCE,
        default=0,
    )

    def cohort_data(self) -> dict:
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        data["description"] = (data["description"] or "").strip()
        return data


class EventForm(_FieldErrors):
    kind = RadioField(
        "Type of session",
        choices=choices((k.value, k.label) for k in EventKind),
        validators=[DataRequired("Select the type of session")],
    )
    day = DateInputField("Date", required="Enter the date of the session")
    start_time = TimeOfDayField(
        "Start time",
        description="UK time, for example 14:00 or 2pm",
        required="Enter the start time",
    )
    end_time = TimeOfDayField(
        "End time", description="UK time, for example 15:30", required="Enter the end time"
    )
    joining_details = TextAreaField(
        "Joining details",
        description="For example, the Microsoft Teams link and the dial-in number",
        validators=[
            DataRequired("Enter how people join the session"),
            Length(max=2000, message="Joining details must be 2000 characters or fewer"),
        ],
    )

    def validate_start_time(self, field) -> None:
        if self.day.data and field.data:
            try:
                self.starts_at = london_to_utc(self.day.data, field.data)
            except ValueError as exc:
                raise ValidationError(str(exc))

    def validate_end_time(self, field) -> None:
        if self.day.data and field.data:
            try:
                self.ends_at = london_to_utc(self.day.data, field.data)
            except ValueError as exc:
                raise ValidationError(str(exc))


class PriorityAreaForm(_FieldErrors):
    organisation = SelectField("Authority", validate_choice=False)
    title = StringField(
        "Priority area",
        description="A short title, for example 'Transitions from children's to adults' services'",
        validators=[
            DataRequired("Enter the priority area"),
            Length(max=200, message="Priority area must be 200 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Why it matters to your authority (optional)",
        validators=[Length(max=2000, message="Description must be 2000 characters or fewer")],
    )

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.id): o for o in organisations}
        self.organisation.choices = choices((str(o.id), o.name) for o in organisations)
        if len(organisations) == 1:
            self.organisation.data = str(organisations[0].id)

    def validate_organisation(self, field) -> None:
        if field.data not in self._organisations:
            raise ValidationError("Select which authority this priority area is for")

    @property
    def chosen_organisation(self):
        return self._organisations[self.organisation.data]
