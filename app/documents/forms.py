"""Forms for documents. Text staff and award holders write is plain text: markup, style
rules and addresses of local files or scripts are refused with a message, and what is
accepted is escaped wherever it is shown."""

from __future__ import annotations

import re

from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.core.forms import BaseForm

HEADING_MAX = 120
BODY_MAX = 10_000
TEXT_MAX = 4_000

MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|url\s*\(|@import|\b(?:file|data|javascript|vbscript):", re.I)


class PlainText:
    """Refuse what looks like HTML, CSS or a file/script address: a handbook is text."""

    def __call__(self, form, field) -> None:
        if field.data and MARKUP.search(field.data):
            raise ValidationError(
                f"{field.label.text} must be plain text: remove HTML tags, style rules and "
                'file or script addresses (use a blank line for a new paragraph and "- " '
                "for a bullet)"
            )


def _text(label: str, maximum: int, hint: str = "", required: bool = False) -> TextAreaField:
    checks = [
        Length(max=maximum, message=f"{label} must be {maximum:,} characters or fewer"),
        PlainText(),
    ]
    if required:
        checks.insert(0, DataRequired(message=f"Enter the {label.lower()}"))
    return TextAreaField(label, description=hint, validators=checks)


class SectionForm(BaseForm):
    heading = StringField(
        "Heading",
        validators=[
            DataRequired(message="Enter a heading"),
            Length(max=HEADING_MAX, message=f"Heading must be {HEADING_MAX} characters or fewer"),
            PlainText(),
        ],
    )
    body = _text(
        "Text",
        BODY_MAX,
        'Plain text. Leave a blank line between paragraphs; start a line with "- " for a '
        "bullet point. Dates, the release days, the award cap and the residential workshops "
        "are added from the cohort: do not type them here.",
        required=True,
    )


class AgreementForm(BaseForm):
    research_question = _text("Research question", 1_000, required=True)
    study_day_pattern = _text(
        "Pattern of study days",
        TEXT_MAX,
        "For example, every Thursday, or the first week of each month",
        required=True,
    )
    protection = _text("How study days are protected", TEXT_MAX, required=True)
    backfill_arrangements = _text(
        "Backfill arrangements", TEXT_MAX, "How the backfill funding will cover the release"
    )
    meeting_plan = _text("Three-way meeting plan", TEXT_MAX, required=True)


class SignForm(BaseForm):
    content_hash = HiddenField()
    confirm = BooleanField(
        "I have read this version of the learning agreement and agree to it",
        validators=[InputRequired(message="Confirm you have read the agreement")],
    )
    name = StringField(
        "Type your full name to sign",
        validators=[
            DataRequired(message="Type your full name to sign"),
            Length(max=120, message="Your name must be 120 characters or fewer"),
        ],
    )


class VerifyForm(BaseForm):
    class Meta:
        csrf = False

    reference = StringField(
        "Verification reference",
        description="As printed under the signature, for example LA-7KQ2M9XW4B",
        validators=[
            DataRequired(message="Enter the verification reference"),
            Length(max=40, message="Enter the reference as printed, like LA-7KQ2M9XW4B"),
        ],
    )
