"""Forms for programme staff: recording a residential workshop day.

Rules about the day itself (inside the programme, a working day, not already booked, no
more than the entitlement) live in `services.record_residential`; its refusals are shown
against the date.
"""

from __future__ import annotations

from wtforms import RadioField, SelectField
from wtforms.validators import ValidationError

from app.awards.models import Award
from app.core.forms import BaseForm, DateInputField, choices

LENGTHS = [("whole", "Whole day"), ("half", "Half day")]


class ResidentialForm(BaseForm):
    award = SelectField("Award holder", validate_choice=False)
    date = DateInputField("Date", required="Enter the date of the residential day")
    length = RadioField(
        "Whole or half day", choices=choices(LENGTHS), default="whole", validate_choice=False
    )

    def __init__(self, awards: list[Award], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._awards = {str(a.id): a for a in awards}
        self.award.choices = choices(
            [("", "Choose an award holder")]
            + [(str(a.id), f"{a.holder.name} ({a.employer.name})") for a in awards]
        )

    def validate_award(self, field) -> None:
        if field.data not in self._awards:
            raise ValidationError("Choose the award holder")

    def validate_length(self, field) -> None:
        if field.data not in dict(LENGTHS):
            raise ValidationError("Choose whether it was a whole day or a half day")

    @property
    def chosen(self) -> Award:
        return self._awards[self.award.data]

    @property
    def half_day(self) -> bool:
        return self.length.data == "half"

    def add_error(self, name: str | None, message: str) -> None:
        """Show a service's refusal against its field (the date when it names none)."""
        field = self._fields.get(name or "") or self.date
        field.errors = [*field.errors, message]
