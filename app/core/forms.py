"""Form helpers shared by every feature."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError


class BaseForm(FlaskForm):
    """Binds only its declared fields: extra posted keys (status, role, user id) are ignored."""

    def error_list(self) -> list[dict[str, str]]:
        """For the NHS.UK error summary: [{text, href}] in field order."""
        items = []
        for field in self:
            for message in field.errors if isinstance(field.errors, list) else []:
                items.append({"text": message, "href": f"#{field.id}"})
        return items


class ActionForm(BaseForm):
    """A CSRF-only form for state-changing buttons."""


class PasswordStrength:
    """At least 12 characters (NCSC: length beats complexity rules), at most 128."""

    def __init__(self, minimum: int = 12, maximum: int = 128):
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, form, field) -> None:
        value = field.data or ""
        if len(value) < self.minimum:
            raise ValidationError(f"Your password must be at least {self.minimum} characters")
        if len(value) > self.maximum:
            raise ValidationError(f"Your password must be {self.maximum} characters or fewer")
        if value.lower() in {"password1234", "123456789012", "qwertyuiopas", "demo-password1"}:
            raise ValidationError("Choose a password that is harder to guess")


class ValidEmail:
    """Email syntax check without DNS look-ups (closed networks).

    Outside production the reserved `.test` domain is accepted so the demo
    sign-ins (`staff@demo.test`) work.
    """

    message = "Enter an email address in the correct format, like name@example.com"

    def __call__(self, form, field) -> None:
        from email_validator import EmailNotValidError, validate_email
        from flask import current_app

        value = (field.data or "").strip()
        if not value:
            return
        try:
            validate_email(
                value,
                check_deliverability=False,
                test_environment=current_app.config.get("APP_ENV") != "production",
            )
        except EmailNotValidError:
            raise ValidationError(self.message)


def choices(pairs) -> list:
    """(value, label) pairs as WTForms SelectChoice objects (tuples are deprecated)."""
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(value, label) for value, label in pairs]
