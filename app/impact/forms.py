"""Impact log forms. Dates parse through the core DateInputField; the rules (not before
the award, not in the future, what a file may be) are the services'."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.core.forms import BaseForm, DateInputField, choices
from app.impact.models import Category, Reach


class EntryForm(BaseForm):
    category = RadioField(
        "What kind of impact?",
        choices=choices([(c.value, c.label) for c in Category]),
        validators=[InputRequired("Select what kind of impact this is")],
    )
    occurred_on = DateInputField(
        "When did it happen?",
        description="For example, 14 3 2025. On or after the award, not in the future",
        required="Enter the date it happened",
    )
    description = TextAreaField(
        "What changed?",
        description="In plain words: what happened, who it helped, what is different now",
        validators=[
            InputRequired("Describe what changed"),
            Length(max=2000, message="The description must be 2,000 characters or fewer"),
        ],
    )
    reach = RadioField(
        "How far did it reach?",
        choices=choices([(r.value, r.label) for r in Reach]),
        validators=[InputRequired("Select how far it reached")],
    )
    evidence_url = StringField(
        "Link to evidence (optional)",
        description="For example, a web page, a published article or a film",
        validators=[Length(max=500, message="The link must be 500 characters or fewer")],
    )
    evidence = FileField(
        "Evidence file (optional)",
        description="A PDF, Word document, PNG or JPEG, up to 10 MB",
    )
