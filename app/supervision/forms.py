"""Forms for supervision and coaching. Each binds its own fields and takes its choices as
arguments; the rules (roles, capacity, dates in the programme, who is allocated to whom)
are the services'."""

from __future__ import annotations

from wtforms import RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from app.cohorts.forms import WholeNumberField
from app.core.forms import BaseForm, DateInputField, choices
from app.supervision.models import MAX_CAPACITY

NOTE_MAX = 2000
REASON_MAX = 500


def _text(label: str, maximum: int, hint: str = "") -> TextAreaField:
    return TextAreaField(
        label,
        description=hint,
        validators=[Length(max=maximum, message=f"{label} must be {maximum} characters or fewer")],
    )


def _capacity() -> WholeNumberField:
    return WholeNumberField(
        "Capacity",
        description="How many award holders they can take in this cohort",
        required="Enter how many award holders they can take",
        validators=[NumberRange(0, MAX_CAPACITY, f"Capacity must be between 0 and {MAX_CAPACITY}")],
    )


class PoolForm(BaseForm):
    person = SelectField("Person", coerce=int, validate_choice=False)
    university = SelectField("University", coerce=int, validate_choice=False)
    capacity = _capacity()
    expertise = _text(
        "Areas of expertise",
        NOTE_MAX,
        "For example, qualitative methods, safeguarding adults, children in care",
    )

    def __init__(self, people, universities, *args, **kw):
        super().__init__(*args, **kw)
        self.person.choices = choices([(0, "Choose a person"), *people])
        self.university.choices = choices([(0, "Choose their university"), *universities])


class PoolEditForm(BaseForm):
    capacity = _capacity()
    expertise = _text("Areas of expertise", NOTE_MAX)


class AllocateForm(BaseForm):
    member = RadioField(
        "Who", coerce=int, validate_choice=False, validators=[InputRequired("Choose a person")]
    )
    reason = _text(
        "Why are you making this change?",
        REASON_MAX,
        "Needed when someone is replaced, for example: supervisor on long-term sick leave",
    )
    override_reason = _text(
        "Reason for going over capacity",
        REASON_MAX,
        "Only needed if the person you choose is already at capacity",
    )

    def __init__(self, candidates, *args, **kw):
        super().__init__(*args, **kw)
        self.member.choices = choices(candidates)


class MeetingForm(BaseForm):
    kind = RadioField(
        "Kind of meeting", validate_choice=False, validators=[InputRequired("Choose the kind")]
    )
    award_ids = SelectMultipleField("Award holders at the meeting", coerce=int, choices=[])
    held_on = DateInputField("Date of the meeting", required="Enter the date of the meeting")
    minutes = WholeNumberField(
        "Length in minutes",
        required="Enter how long the meeting was, in minutes",
        validators=[NumberRange(1, 600, "Length must be between 1 and 600 minutes")],
    )
    notes = _text("Short notes", NOTE_MAX, "Seen only by the people at the meeting and staff")
    actions = _text("Agreed actions", NOTE_MAX)

    def __init__(self, kinds, holders, *args, **kw):
        super().__init__(*args, **kw)
        self.kind.choices = choices(kinds)
        self.award_ids.choices = choices(holders)

    def validate_award_ids(self, field) -> None:
        allowed = {c.value for c in field.choices}
        if any(v not in allowed for v in field.data or []):
            field.data = []
