"""Community forms. Text is cleaned, dates, times and money parsed by the core fields; the
rules (ground rules accepted, who may volunteer, payments once) are the services'."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange

from app.communities.models import ACCESS_NEEDS, Background, MeetingKind, PostKind, SupportKind
from app.core.forms import BaseForm, DateInputField, MoneyField, choices
from app.residentials.forms import TimeInputField


def _length(label: str, maximum: int) -> Length:
    return Length(max=maximum, message=f"{label} must be {maximum:,} characters or fewer")


class CommunityForm(BaseForm):
    name = StringField(
        "Name", validators=[InputRequired("Enter the community's name"), _length("Name", 120)]
    )
    theme = StringField(
        "Theme",
        description="For example, complex needs, or the social care workforce",
        validators=[InputRequired("Enter the theme"), _length("Theme", 200)],
    )
    description = TextAreaField(
        "Description",
        description="Who it is for and what members do together",
        validators=[InputRequired("Enter a description"), _length("Description", 5000)],
    )
    rules = TextAreaField(
        "Ground rules",
        description="Every member accepts these when they ask to join",
        validators=[InputRequired("Enter the ground rules"), _length("Ground rules", 5000)],
    )


class RulesForm(BaseForm):
    rules = TextAreaField(
        "New ground rules",
        description="Members are asked to read and accept the new version",
        validators=[InputRequired("Enter the ground rules"), _length("Ground rules", 5000)],
    )


class ProfileForm(BaseForm):
    background = RadioField(
        "Which best describes you?",
        description="Members come from practice, research and lived experience. "
        "You do not need an employer to join.",
        choices=choices([(b.value, b.label) for b in Background]),
        validators=[InputRequired("Select which best describes you")],
    )
    role_text = StringField(
        "Your role (optional)",
        description="For example, social worker, researcher, carer for my mother",
        validators=[_length("Your role", 120)],
    )
    organisation_text = StringField(
        "Your organisation (optional)",
        description="Leave this empty if you are not joining through an employer",
        validators=[_length("Your organisation", 200)],
    )
    show = SelectMultipleField(
        "What other members see of you",
        description="Facilitators see your name to approve your request. "
        "Anything not ticked is hidden from other members.",
        choices=choices(
            [
                ("name", "My name"),
                ("role", "My role"),
                ("organisation", "My organisation"),
            ]
        ),
        validate_choice=False,
    )
    digest = BooleanField(
        "Send me a weekly email of new workspace posts",
        description="You can turn this off at any time",
    )


class JoinForm(ProfileForm):
    rules_version = HiddenField()
    accept = BooleanField("I have read and accept the ground rules")


class PostForm(BaseForm):
    kind = RadioField(
        "What are you sharing?",
        choices=choices([(k.value, k.label) for k in PostKind]),
        validators=[InputRequired("Select what you are sharing")],
    )
    title = StringField("Title", validators=[InputRequired("Enter a title"), _length("Title", 200)])
    body = TextAreaField(
        "Message",
        description="Plain text. Web addresses starting https:// become links.",
        validators=[InputRequired("Enter your message"), _length("Message", 5000)],
    )
    upload = FileField(
        "Attach a file (optional)", description="PDF, Word, PNG or JPEG, up to 10 MB"
    )


class ReplyForm(BaseForm):
    body = TextAreaField(
        "Your reply",
        validators=[InputRequired("Enter your reply"), _length("Your reply", 5000)],
    )


class HideForm(BaseForm):
    reason = StringField(
        "Why are you hiding it?",
        description="Which ground rule it breaks. Kept in the audit log.",
        validators=[InputRequired("Enter the reason for hiding it"), _length("The reason", 500)],
    )


class MeetingForm(BaseForm):
    kind = RadioField(
        "Kind of session",
        choices=choices([(k.value, k.label) for k in MeetingKind]),
        validators=[InputRequired("Select the kind of session")],
    )
    day = DateInputField("Date", description="For example, 14 3 2026", required="Enter the date")
    at = TimeInputField("Start time", description="UK time. For example, 14:00")
    minutes = IntegerField(
        "Length in minutes",
        default=90,
        validators=[
            InputRequired("Enter the length in minutes"),
            NumberRange(15, 480, "The length must be between 15 and 480 minutes"),
        ],
    )
    topic = StringField(
        "Topic", validators=[InputRequired("Enter the topic"), _length("Topic", 200)]
    )
    speaker_name = StringField(
        "Speaker (optional)",
        description="Their name and where they are from. They do not need an account.",
        validators=[_length("Speaker", 200)],
    )
    speaker_email = StringField(
        "Speaker's email address, if they have an account here (optional)",
        description="Links the session to their account. Leave empty for a guest speaker.",
        validators=[_length("The email address", 254)],
    )
    join_link = StringField(
        "Joining link (optional)",
        description="Shown only to members. Starts https://",
        validators=[_length("Joining link", 500)],
    )


class BookingForm(BaseForm):
    needs = SelectMultipleField(
        "Do you need any support to take part?",
        description="Select all that apply",
        choices=choices(ACCESS_NEEDS),
        validate_choice=False,
    )
    access_note = StringField(
        "Anything else we should know (optional)", validators=[_length("The note", 500)]
    )


class AttendanceForm(BaseForm):
    attended = SelectMultipleField("Who attended", coerce=int, choices=[], validate_choice=False)


class NotesForm(BaseForm):
    notes = TextAreaField("Notes", validators=[_length("Notes", 20000)])


class FollowUpForm(BaseForm):
    text = StringField(
        "Follow-up action",
        validators=[InputRequired("Enter the action"), _length("The action", 500)],
    )
    owner = StringField("Who will do it (optional)", validators=[_length("Who", 200)])
    due_on = DateInputField("Due by", required="Enter the date it is due")


class RoundForm(BaseForm):
    title = StringField(
        "Round title",
        description="For example, Priorities for 2027",
        validators=[InputRequired("Enter a title for the round"), _length("Title", 200)],
    )


class TopicForm(BaseForm):
    title = StringField(
        "Topic", validators=[InputRequired("Enter the topic"), _length("Topic", 200)]
    )
    description = TextAreaField(
        "Why it matters (optional)", validators=[_length("Why it matters", 5000)]
    )


class StartCommunityForm(BaseForm):
    name = CommunityForm.name
    description = CommunityForm.description
    rules = CommunityForm.rules


class SupportForm(BaseForm):
    kind = RadioField(
        "What would you like?",
        choices=choices([(k.value, k.label) for k in SupportKind]),
        validators=[InputRequired("Select what you would like")],
    )
    title = StringField(
        "Title of your idea or bid",
        validators=[InputRequired("Enter a title"), _length("Title", 200)],
    )
    description = TextAreaField(
        "What would you like help with?",
        validators=[
            InputRequired("Enter what you would like help with"),
            _length("Description", 5000),
        ],
    )
    deadline = DateInputField("Deadline", required="Enter the deadline")
    funded = BooleanField(
        "The bid has money for public involvement",
        description="Volunteers can then be paid for their time",
    )


class TimeForm(BaseForm):
    minutes = IntegerField(
        "Time spent, in minutes",
        validators=[
            InputRequired("Enter the time in minutes"),
            NumberRange(1, 600, "Enter between 1 and 600 minutes"),
        ],
    )


class PaymentForm(BaseForm):
    amount = MoneyField("Payment", required="Enter the payment", maximum=100_000)
