"""Evaluation forms: sending a survey, and the answer form built from the question list
(a 1 to 5 scale for each statement, two optional free-text questions, and whether to
answer anonymously)."""

from __future__ import annotations

from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.core.forms import BaseForm, DateInputField, choices
from app.evaluation.models import SurveyKind
from app.evaluation.questions import FREE, SCALE, SCALED


class SendForm(BaseForm):
    cohort_id = SelectField("Cohort", coerce=int, validate_choice=True)
    kind = RadioField(
        "Which survey?",
        choices=choices([(k.value, k.label) for k in SurveyKind]),
        validators=[InputRequired("Select which survey to send")],
    )
    opens_on = DateInputField("Opens", required="Enter the opening date")
    closes_on = DateInputField("Closes", required="Enter the closing date")


class AnswerForm(BaseForm):
    anonymous = RadioField(
        "Answer anonymously?",
        description="Anonymous answers cannot be traced back to you, even by programme "
        "staff. Named answers let staff follow up with you; your name is never shown beside "
        "your answers.",
        choices=choices([("yes", "Yes, answer anonymously"), ("no", "No, give my name")]),
        validators=[InputRequired("Select whether to answer anonymously")],
    )


for _q in SCALED:
    setattr(
        AnswerForm,
        _q.key,
        RadioField(
            _q.text,
            choices=choices([(str(n), f"{n}: {label}") for n, label in SCALE]),
            validators=[InputRequired("Choose an answer from 1 to 5 for every statement")],
        ),
    )
for _q in FREE:
    setattr(
        AnswerForm,
        _q.key,
        TextAreaField(
            _q.text,
            validators=[Length(max=2000, message="Answers must be 2,000 characters or fewer")],
        ),
    )
