"""Forms for programme staff: recording a residential workshop day.

Rules about the day itself (inside the programme, a working day, not already booked, no
more than the entitlement) live in `services.record_residential`; its refusals are shown
against the date.
"""

from __future__ import annotations

import re
from datetime import date

from wtforms import Field, RadioField, SelectField
from wtforms.utils import unset_value
from wtforms.validators import StopValidation, ValidationError

from app.awards.models import Award
from app.core.forms import BaseForm, choices


class DateInputField(Field):
    """An NHS.UK date input: boxes named `<name>-day`, `<name>-month`, `<name>-year`.

    `data` is a `date` or None, `parts` what was typed (shown back), `error_parts` the
    boxes to highlight (all three when empty).
    """

    PARTS = ("day", "month", "year")

    def __init__(self, label=None, validators=None, required: str = "", **kw):
        super().__init__(label, validators, **kw)
        self.required = required or f"Enter the {str(label).lower()}"

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors, self.error_parts, self.raw_data = [], set(), None
        self.data = data if isinstance(data, date) else None
        self.parts = dict.fromkeys(self.PARTS, "")
        if formdata is not None:
            self.parts = {p: formdata.get(f"{self.name}-{p}", "").strip()[:10] for p in self.PARTS}
            self.raw_data = list(self.parts.values())
            try:
                self.data = self._parse()
            except ValueError as exc:
                self.process_errors.append(exc.args[0])

    @property
    def anchor(self) -> str:
        first = next((p for p in self.PARTS if p in self.error_parts), "day")
        return f"{self.id}-{first}"

    def _fail(self, message: str, *parts: str) -> ValueError:
        self.error_parts = set(parts)
        return ValueError(message)

    def _parse(self) -> date | None:
        label = self.label.text
        missing = [p for p in self.PARTS if not self.parts[p]]
        if len(missing) == 3:
            return None
        if missing:
            raise self._fail(f"{label} must include a {' and '.join(missing)}", *missing)
        wrong = [p for p in self.PARTS if not re.fullmatch(r"\d+", self.parts[p], re.ASCII)]
        if wrong:
            raise self._fail(f"{label} must be a real date", *wrong)
        if len(self.parts["year"]) != 4:
            raise self._fail(f"{label} year must include 4 numbers", "year")
        day, month, year = (int(self.parts[p]) for p in self.PARTS)
        if not 1 <= month <= 12:
            raise self._fail(f"{label} must be a real date", "month")
        try:
            return date(year, month, day)
        except ValueError:
            raise self._fail(f"{label} must be a real date", "day")

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            raise StopValidation(self.required)


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

    def error_list(self) -> list[dict[str, str]]:
        """Error-summary links go to the first box in error (a date's day, month or year)."""
        return [
            {"text": message, "href": f"#{getattr(field, 'anchor', field.id)}"}
            for field in self
            if isinstance(field.errors, list)
            for message in field.errors
        ]

    def add_error(self, name: str | None, message: str) -> None:
        """Show a service's refusal against its field (the date when it names none)."""
        field = self._fields.get(name or "") or self.date
        field.errors = [*field.errors, message]
