"""Forms for required outputs. Dates parse through the core DateInputField; the rules
(due dates in the programme, who may act, what a file may be) are the services'."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.core.forms import BaseForm, DateInputField, choices
from app.outputs.models import Decision


class UploadForm(BaseForm):
    upload = FileField(
        "Upload a version",
        description="A PDF, PowerPoint, Word, PNG or JPEG file, up to 10 MB",
    )


class FeedbackForm(BaseForm):
    decision = RadioField(
        "Your decision",
        choices=choices(
            [
                (Decision.ACCEPT.value, "Accept this version"),
                (Decision.CHANGES.value, "Ask for changes"),
                (Decision.COMMENT.value, "Comment only"),
            ]
        ),
        validators=[InputRequired("Select accept, ask for changes or comment only")],
    )
    comment = TextAreaField(
        "Comments",
        description="The award holder is emailed these. Needed unless you accept.",
        validators=[Length(max=5000, message="Comments must be 5,000 characters or fewer")],
    )
    version_id = HiddenField()


class ExtendForm(BaseForm):
    new_due = DateInputField("New due date", description="For example, 30 9 2027")
    reason = TextAreaField(
        "Reason",
        description="For example, 'Illness: agreed with the supervisor'",
        validators=[
            InputRequired("Enter the reason for changing the due date"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
    )


class ConsentForm(BaseForm):
    share = RadioField(
        "Share this output in the showcase?",
        description=(
            "Once accepted, it can be read by people in every participating organisation. "
            "You can stop sharing at any time and it is taken out at once."
        ),
        choices=choices([("yes", "Yes, share it"), ("no", "No, do not share it")]),
        validators=[InputRequired("Select whether to share this output in the showcase")],
    )
    title = StringField(
        "Title in the showcase",
        description="For example, 'Vicarious trauma in children's social work teams'",
        validators=[Length(max=200, message="Title must be 200 characters or fewer")],
    )
    topic = StringField(
        "Topic keywords (optional)",
        description="Words people may search for, for example 'homelessness, housing'",
        validators=[Length(max=300, message="Topic must be 300 characters or fewer")],
    )
    contact = RadioField(
        "May people contact you about it?",
        description="Yes shows your work email address with the entry",
        choices=choices([("yes", "Yes, show my email address"), ("no", "No")]),
        default="no",
        validators=[InputRequired("Select whether people may contact you")],
    )


class TypeForm(BaseForm):
    due_date = DateInputField("Due date", description="For example, 30 6 2027")
    guidance = TextAreaField(
        "Guidance for award holders",
        description="Plain text: what a good one looks like, what it must contain",
        validators=[Length(max=5000, message="Guidance must be 5,000 characters or fewer")],
    )


class ShowcasePageForm(BaseForm):
    publish = RadioField(
        "Publish this cohort's showcase page?",
        choices=choices([("yes", "Yes, publish it"), ("no", "No, keep it unpublished")]),
        validators=[InputRequired("Select whether to publish the page")],
    )
    introduction = TextAreaField(
        "Introduction",
        description="Plain text shown above the cohort's outputs",
        validators=[Length(max=3000, message="Introduction must be 3,000 characters or fewer")],
    )
