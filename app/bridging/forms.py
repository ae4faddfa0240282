"""Bridging forms. Dates parse through the core DateInputField and times through the
residentials' TimeInputField; the rules are the services'."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from app.bridging.models import Stage, StepKind
from app.core.forms import BaseForm, DateInputField, choices
from app.residentials.forms import TimeInputField


class OptionalDateInputField(DateInputField):
    def pre_validate(self, form) -> None:
        if self.data is None and not self.process_errors:
            return
        super().pre_validate(form)


class StepForm(BaseForm):
    kind = RadioField(
        "Next step",
        choices=choices([(k.value, k.label) for k in StepKind]),
        validators=[InputRequired("Select the next step")],
    )
    stage = RadioField(
        "Stage",
        choices=choices([(s.value, s.label) for s in Stage]),
        validators=[InputRequired("Select the stage")],
    )
    mentor = StringField(
        "Mentor (optional)",
        description="The person helping you with it, for example 'Dr Asha Patel, University "
        "of Salford'",
        validators=[Length(max=120, message="The mentor's name must be 120 characters or fewer")],
    )
    started_on = DateInputField(
        "When did you start on it?",
        description="For example, 3 2 2025",
        required="Enter the date you started",
    )
    deadline = OptionalDateInputField(
        "Application deadline (optional)", description="For example, 30 6 2025"
    )
    expected = HiddenField()


class SlotForm(BaseForm):
    day = DateInputField("Date", description="For example, 14 1 2027", required="Enter the date")
    at = TimeInputField("Start time", description="For example, 14:00")
    minutes = IntegerField(
        "Length in minutes",
        validators=[
            InputRequired("Enter the length in minutes"),
            NumberRange(15, 480, "The length must be between 15 and 480 minutes"),
        ],
    )
    reviewer = StringField(
        "Reviewer",
        validators=[InputRequired("Enter who reviews"), Length(max=120)],
    )
    where = StringField(
        "Where",
        description="For example, 'Microsoft Teams: link sent when booked'",
        validators=[InputRequired("Enter where the review is"), Length(max=200)],
    )
    notes = TextAreaField(
        "What to bring (optional)",
        validators=[Length(max=1000, message="Notes must be 1,000 characters or fewer")],
    )
