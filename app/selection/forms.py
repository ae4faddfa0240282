"""Selection forms: a reviewer's score and notes, and a decision with a message."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.applications.models import AppStatus
from app.core.forms import BaseForm, choices

SCORES = [
    ("5", "5 – Excellent"),
    ("4", "4 – Good"),
    ("3", "3 – Acceptable"),
    ("2", "2 – Weak"),
    ("1", "1 – Poor"),
]
NOTES_MAX = 5000
MESSAGE_MAX = 5000

# The selection decisions, in the order they are offered (and listed: queries.LISTED).
OUTCOMES = [
    (AppStatus.SHORTLISTED.value, "Shortlist"),
    (AppStatus.AWARDED.value, "Award a place"),
    (AppStatus.WAITLISTED.value, "Put on the waiting list"),
    (AppStatus.DECLINED.value, "Decline"),
]


class ReviewForm(BaseForm):
    score = RadioField(
        "Your score",
        choices=choices(SCORES),
        validate_choice=False,  # checked below, with a message a person can act on
        validators=[InputRequired("Select a score from 1 to 5")],
    )
    notes = TextAreaField(
        "Your notes",
        description="Only the programme team sees these.",
        validators=[
            Length(max=NOTES_MAX, message=f"Notes must be {NOTES_MAX} characters or fewer")
        ],
    )

    def validate_score(self, field) -> None:
        if field.data not in {value for value, _ in SCORES}:
            raise ValidationError("Select a score from 1 to 5")

    @property
    def score_value(self) -> int:
        return int(self.score.data)


class DecisionForm(BaseForm):
    """One decision at a time. `allowed` narrows the radios to what the status permits;
    anything else posted is refused here, and the service checks again."""

    outcome = RadioField(
        "Decision",
        choices=choices(OUTCOMES),
        validate_choice=False,
        validators=[InputRequired("Select a decision")],
    )
    message = TextAreaField(
        "Message to the applicant",
        description="Needed when you decline; optional otherwise. Emailed to the applicant with "
        "an award, waiting list or decline; a shortlisting message shows in their status history.",
        validators=[
            Length(max=MESSAGE_MAX, message=f"Message must be {MESSAGE_MAX} characters or fewer")
        ],
    )

    # "yes" from the confirmation page; "no" is its Cancel: back to the form as it was.
    confirmed = HiddenField()
    # The status the page showed: the decision is made only if it still holds.
    seen = HiddenField()

    def __init__(self, allowed: list[str] | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.outcome.choices = choices([c for c in OUTCOMES if c[0] in allowed])

    def validate_outcome(self, field) -> None:
        if field.data not in {value for value, _ in OUTCOMES}:
            raise ValidationError("Choose shortlist, award, waiting list or decline")

    def validate_message(self, field) -> None:
        if self.outcome.data == AppStatus.DECLINED.value and not (field.data or "").strip():
            raise ValidationError("Enter a message to the applicant explaining the decision")

    @property
    def outcome_value(self) -> AppStatus:
        return AppStatus(self.outcome.data)

    @property
    def seen_status(self) -> AppStatus | None:
        """The status shown when the decision was taken (None if the form carried none)."""
        try:
            return AppStatus(self.seen.data)
        except ValueError:
            return None

    @property
    def needs_confirming(self) -> bool:
        """A decision that emails the applicant is asked again before it is made."""
        return self.outcome_value in EMAILED and self.confirmed.data != "yes"

    @property
    def cancelled(self) -> bool:
        return self.confirmed.data == "no"


# Decisions the applicant is emailed about.
EMAILED = frozenset({AppStatus.AWARDED, AppStatus.WAITLISTED, AppStatus.DECLINED})
