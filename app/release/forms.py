"""Forms for the release ledger: requesting days, deciding, cancelling, confirming and
delegating. Each form binds only its own fields; the rules themselves live in services."""

from __future__ import annotations

from datetime import date

from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange

from app.cohorts.forms import WholeNumberField
from app.core.formatting import format_date
from app.core.forms import BaseForm, DateInputField, choices
from app.release.models import DayStatus

NOTE_MAX = 500
REASON_MAX = 2000

ONE, RANGE, PATTERN = "one", "range", "pattern"
WHOLE, HALF = "whole", "half"
TAKEN, CALLED_BACK = "taken", "called_back"
APPROVE, DECLINE = "approve", "decline"


def _reason(label: str, hint: str = "") -> TextAreaField:
    return TextAreaField(
        label,
        description=hint,
        validators=[
            Length(max=REASON_MAX, message=f"Reason must be {REASON_MAX} characters or fewer")
        ],
    )


class LedgerForm(BaseForm):
    """A ledger form whose actions may validate only the fields they use."""

    def validate_only(self, names: list[str], extra: dict | None = None) -> bool:
        """Validate the CSRF token and the named fields; leave the others alone."""
        ok = True
        for name in ["csrf_token", *names]:
            field = self._fields.get(name)
            if field is not None:
                ok = field.validate(self, (extra or {}).get(name, ())) and ok
        return ok


class RequestForm(LedgerForm):
    """One day, a range of dates, or the same weekday every week or two."""

    how = RadioField(
        "How do you want to plan your study days?",
        choices=choices(
            [(ONE, "One day"), (RANGE, "A range of dates"), (PATTERN, "The same day each week")]
        ),
        validators=[InputRequired("Select how you want to plan your study days")],
    )
    day = DateInputField("Date", required="Enter the date of your study day")
    start = DateInputField("First day", required="Enter the first day of the range")
    end = DateInputField("Last day", required="Enter the last day of the range")
    pattern_start = DateInputField("First day", required="Enter the first study day")
    weeks = WholeNumberField(
        "For how many weeks?",
        required="Enter the number of weeks",
        validators=[NumberRange(min=1, max=52, message="Enter a number of weeks from 1 to 52")],
    )
    every = RadioField(
        "How often?",
        choices=choices([("1", "Every week"), ("2", "Every 2 weeks")]),
        default="1",
        validators=[InputRequired("Select how often")],
    )
    length = RadioField(
        "Whole or half days?",
        choices=choices([(WHOLE, "Whole days"), (HALF, "Half days")]),
        default=WHOLE,
        validators=[InputRequired("Select whole or half days")],
    )
    note = TextAreaField(
        "Note for your manager (optional)",
        description="For example, what you plan to do on these days",
        validators=[Length(max=NOTE_MAX, message=f"Note must be {NOTE_MAX} characters or fewer")],
    )

    FIELDS = {ONE: ["day"], RANGE: ["start", "end"], PATTERN: ["pattern_start", "weeks", "every"]}

    def __init__(self, programme_start: date, programme_end: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = (programme_start, programme_end)

    def validate(self, extra_validators=None) -> bool:
        ok = self.validate_only(["how", "length", "note"])
        names = self.FIELDS.get(self.how.data, [])
        ok = self.validate_only(names) and ok  # every problem shows at once
        first, last = self.programme
        for name in names:
            field = self._fields[name]
            typed = isinstance(field, DateInputField) and field.data and not field.errors
            if typed and not first <= field.data <= last:
                field.errors.append(
                    f"{field.label.text} must be between {format_date(first)} and "
                    f"{format_date(last)}, the programme dates"
                )
                ok = False
        start, end = self.start, self.end
        if ok and self.how.data == RANGE and end.data < start.data:
            end.errors.append("The last day must be the same as or after the first day")
            ok = False
        return ok

    @property
    def first_field(self) -> str:
        return self.FIELDS.get(self.how.data, ["day"])[0]


class CancelForm(LedgerForm):
    reason = _reason("Why are you cancelling this day?")
    # The status the page showed: the day is cancelled only if it still has it.
    seen = HiddenField()

    def __init__(self, reason_required: bool, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_required = reason_required
        if reason_required:
            self.reason.description = "The award holder will see this reason."
        else:
            self.reason.label.text = "Why are you cancelling this day? (optional)"
            self.reason.description = "Your line manager will see this."

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.reason_required and not (self.reason.data or "").strip():
            self.reason.errors.append("Give a reason for cancelling this day")
            ok = False
        return ok

    def seen_status(self, default):
        """The status shown on the page, or `default` if the form did not carry one."""
        try:
            return DayStatus(self.seen.data)
        except ValueError:
            return default


class ConfirmForm(LedgerForm):
    outcome = RadioField(
        "Did you take this study day?",
        choices=choices(
            [(TAKEN, "Yes, I took it"), (CALLED_BACK, "No, I was called back to work")]
        ),
        validators=[InputRequired("Select whether you took this study day")],
    )
    reason = _reason(
        "What happened?",
        "For example, 'Covering a colleague's duty visits'. The day returns to your balance.",
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.outcome.data == CALLED_BACK and not (self.reason.data or "").strip():
            self.reason.errors.append("Say briefly why you were called back to work")
            ok = False
        return ok


class ApprovalForm(LedgerForm):
    """Several requested days at once; the view checks each one is the manager's to
    decide."""

    days = SelectMultipleField("Days", coerce=int, validate_choice=False)
    action = StringField(
        validators=[AnyOf([APPROVE, DECLINE], message="Choose approve or decline")]
    )
    reason = _reason(
        "Reason for declining",
        "Needed if you decline. The award holder will see it.",
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.days.data:
            self.days.errors.append("Select the days you want to approve or decline")
            ok = False
        if ok and self.action.data == DECLINE and not (self.reason.data or "").strip():
            self.reason.errors.append("Give a reason for declining")
            ok = False
        return ok


class DelegationForm(LedgerForm):
    delegate = SelectField("Colleague", validate_choice=False)
    starts_on = DateInputField("From", required="Enter the first day of the delegation")
    ends_on = DateInputField("Until", required="Enter the last day of the delegation")

    def __init__(self, colleagues, today: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self._colleagues = {str(c.id): c for c in colleagues}
        self.delegate.choices = choices(
            [("", "Choose a colleague")] + [(str(c.id), c.name) for c in colleagues]
        )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.delegate.data not in self._colleagues:
            if not self.delegate.errors:
                self.delegate.errors.append(
                    "Choose the colleague who will approve study days for you"
                )
            ok = False
        if self.starts_on.data and self.starts_on.data < self.today and not self.starts_on.errors:
            self.starts_on.errors.append("The first day must be today or in the future")
            ok = False
        if (
            self.starts_on.data
            and self.ends_on.data
            and self.ends_on.data < self.starts_on.data
            and not self.ends_on.errors
        ):
            self.ends_on.errors.append("The last day must be the same as or after the first day")
            ok = False
        return ok

    @property
    def chosen(self):
        return self._colleagues[self.delegate.data]
