"""Account forms. Messages follow the NHS.UK error message style."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from app.core.forms import BaseForm, PasswordStrength, ValidEmail, choices
from app.core.roles import Role

EMAIL_VALIDATORS = [
    DataRequired("Enter your email address"),
    Length(max=254, message="Email address must be 254 characters or fewer"),
    ValidEmail(),
]


class SignInForm(BaseForm):
    email = EmailField("Email address", validators=EMAIL_VALIDATORS)
    password = PasswordField(
        "Password",
        validators=[
            InputRequired("Enter your password"),
            Length(max=128, message="Enter your password"),
        ],
    )


class RegisterForm(BaseForm):
    name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter your full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    email = EmailField("Email address", validators=EMAIL_VALIDATORS)
    password = PasswordField(
        "Create a password",
        description="Use 12 characters or more. A few unrelated words together work well.",
        validators=[InputRequired("Create a password"), PasswordStrength()],
    )
    confirm = PasswordField(
        "Confirm your password",
        validators=[
            InputRequired("Confirm your password"),
            EqualTo("password", "The passwords do not match"),
        ],
    )


class EmailOnlyForm(BaseForm):
    email = EmailField("Email address", validators=EMAIL_VALIDATORS)


class SetPasswordForm(BaseForm):
    password = PasswordField(
        "New password",
        description="Use 12 characters or more. A few unrelated words together work well.",
        validators=[InputRequired("Enter a new password"), PasswordStrength()],
    )
    confirm = PasswordField(
        "Confirm your new password",
        validators=[
            InputRequired("Confirm your new password"),
            EqualTo("password", "The passwords do not match"),
        ],
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password"), Length(max=128)],
    )


def role_choices() -> list[tuple[str, str]]:
    return choices((r.value, r.label) for r in Role)


class UserAccessForm(BaseForm):
    """Roles and organisations for a person (staff only)."""

    roles = SelectMultipleField(
        "Roles", choices=role_choices(), validators=[DataRequired("Select at least one role")]
    )
    organisations = SelectMultipleField("Organisations", coerce=int, choices=[])

    def __init__(self, org_choices: list[tuple[int, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations.choices = choices(org_choices)


class InviteForm(UserAccessForm):
    name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter the person's full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter the person's email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            ValidEmail(),
        ],
    )

    field_order = ("name", "email", "roles", "organisations")

    def __iter__(self):
        fields = {f.name: f for f in super().__iter__()}
        order = ["csrf_token", *self.field_order]
        return iter([fields[n] for n in order if n in fields])


class CodeForm(BaseForm):
    code = StringField(
        "Security code",
        description="The 6-digit code your authenticator app shows now.",
        validators=[
            DataRequired("Enter the 6-digit code from your authenticator app"),
            Length(max=20, message="Enter the 6-digit code from your authenticator app"),
        ],
    )


class RecoveryCodeForm(BaseForm):
    code = StringField(
        "Recovery code",
        description="One of the recovery codes you saved when you set up two-factor sign-in.",
        validators=[
            DataRequired("Enter one of your recovery codes"),
            Length(max=40, message="Enter a recovery code, like 1a2b3-c4d5e"),
        ],
    )


class ConfirmPasswordForm(BaseForm):
    password = PasswordField(
        "Your password",
        validators=[InputRequired("Enter your password"), Length(max=128)],
    )
