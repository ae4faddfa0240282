"""The person's reminder choices and a cohort's kinds on or off."""

from __future__ import annotations

from wtforms import RadioField, SelectMultipleField

from app.core.forms import BaseForm, choices


class PreferencesForm(BaseForm):
    how = RadioField(
        "How should reminders reach you by email?",
        choices=choices(
            [
                ("single", "An email for each reminder, when it is due"),
                ("digest", "One email a week listing them (a weekly digest)"),
            ]
        ),
        default="single",
    )
    on = SelectMultipleField(
        "Reminders you want",
        description="Reminders that ask you to approve or sign off are always sent.",
        choices=[],
        validate_choice=False,
    )

    def __init__(self, optional, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.on.choices = choices((k.name, k.label) for k in optional)
        self._names = {k.name for k in optional}

    def validate_on(self, field) -> None:
        field.data = [v for v in (field.data or []) if v in self._names]


class CohortKindsForm(BaseForm):
    on = SelectMultipleField(
        "Reminders on for this cohort",
        description="Untick a reminder to stop it for everyone in this cohort.",
        choices=[],
        validate_choice=False,
    )

    def __init__(self, all_kinds, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.on.choices = choices((k.name, k.label) for k in all_kinds)
        self._names = {k.name for k in all_kinds}

    def validate_on(self, field) -> None:
        field.data = [v for v in (field.data or []) if v in self._names]
