"""Forms for data protection: the period staff set, and the erasure's confirmation."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import NumberRange, ValidationError

from app.cohorts.forms import WholeNumberField
from app.core.forms import BaseForm


class PeriodForm(BaseForm):
    days = WholeNumberField(
        "Days to keep an unsuccessful application after the decision",
        required="Enter how many days to keep unsuccessful applications",
        validators=[NumberRange(30, 3650, "Enter a number of days from 30 to 3,650")],
        description="From 30 days to 10 years. The daily purge deletes those kept longer.",
    )


class EraseForm(BaseForm):
    confirm = StringField(
        "Type the person's email address to confirm",
        description="This cannot be undone.",
    )

    def __init__(self, email: str, *args, **kw):
        super().__init__(*args, **kw)
        self.email = email

    def validate_confirm(self, field) -> None:
        if (field.data or "").strip().lower() != self.email.lower():
            raise ValidationError("Type the person's email address exactly as shown above")
