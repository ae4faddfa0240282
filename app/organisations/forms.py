from __future__ import annotations

from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.core.forms import BaseForm, choices
from app.organisations.models import Nation, OrgKind


class OrganisationForm(BaseForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired("Enter the organisation's name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    kind = RadioField(
        "Type of organisation",
        choices=choices((k.value, k.label) for k in OrgKind),
        validators=[DataRequired("Select the type of organisation")],
    )
    adults_services = BooleanField("Adults' services")
    childrens_services = BooleanField("Children and families' services")
    nation = RadioField(
        "Which nation's bank holidays does it follow?",
        choices=choices((n.value, n.label) for n in Nation),
        default=Nation.ENGLAND_AND_WALES.value,
        validators=[DataRequired("Select which nation's bank holidays apply")],
    )

    def validate_childrens_services(self, field) -> None:
        if self.kind.data == OrgKind.LOCAL_AUTHORITY.value and not (
            self.adults_services.data or field.data
        ):
            raise ValidationError(
                "Select adults' services, children and families' services, or both"
            )
