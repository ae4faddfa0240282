"""Form helpers shared by every feature."""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectFieldBase
from wtforms.utils import unset_value
from wtforms.validators import NumberRange, StopValidation, ValidationError

from app.core.params import INT_MAX, INT_MIN, clean_text, fits_integer


class BaseForm(FlaskForm):
    """Binds only its declared fields: extra posted keys (status, role, user id) are ignored.

    Every field's input passes one boundary here (`_clean_field`): text loses control
    characters (NUL included; text areas keep line breaks and tabs), and a number an
    INTEGER column cannot hold is refused with the field's own message.
    """

    class Meta:
        def render_field(self, field, render_kw):
            # The hidden CSRF input needs no id (no label points at it); with one, a page
            # of several small forms repeated id="csrf_token", which is invalid HTML.
            if field.type == "CSRFTokenField":
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)
        self._refused: dict[str, str] = {}
        for field in self:
            message = _clean_field(field)
            if message:
                field.process_errors.append(message)
                self._refused[field.name] = message

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            if field.name in getattr(self, "_refused", {}):
                # Only the refusal: what validators say about the emptied value adds nothing.
                field.errors = [self._refused[field.name]]
                self._errors = None  # form.errors is cached; read it afresh
                ok = False
        return ok

    def error_list(self) -> list[dict[str, str]]:
        """For the NHS.UK error summary: [{text, href}] in field order. A field with an
        `anchor` (a date's day box) is linked there rather than to its own id."""
        return [
            {"text": message, "href": f"#{getattr(field, 'anchor', field.id)}"}
            for field in self
            if isinstance(field.errors, list)
            for message in field.errors
        ]

    def add_error(self, name: str | None, message: str) -> None:
        """Show a service's refusal against the field it names (or the form's first
        field), so it reaches the error summary like any other message."""
        field = self._fields.get(name or "") or next(
            f for n, f in self._fields.items() if n != "csrf_token"
        )
        field.errors = [*(field.errors if isinstance(field.errors, list) else []), message]


def _clean_field(field: Field) -> str | None:
    """Clean `field` in place; return a message when its value must be refused."""
    if isinstance(field, PasswordField):
        return None  # hashed, never stored as typed: any character may be in a password
    if isinstance(field, StringField):
        multiline = isinstance(field, TextAreaField)
        if isinstance(field.data, str):
            field.data = clean_text(field.data, multiline)
        if field.raw_data:
            field.raw_data = [
                clean_text(v, multiline) if isinstance(v, str) else v for v in field.raw_data
            ]
        return None
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    if isinstance(field.data, str):
        field.data = clean_text(field.data)
    elif isinstance(field.data, list) and any(isinstance(v, str) for v in field.data):
        field.data = [clean_text(v) if isinstance(v, str) else v for v in field.data]
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if all(fits_integer(v) for v in numbers):
        return None
    field.data = [] if isinstance(field.data, list | tuple) else None
    return _range_message(field, too_small=min(numbers) < INT_MIN)


def _range_message(field: Field, too_small: bool) -> str:
    """The field's own message for the bound that was passed when it has one, else a
    plain one."""
    for validator in field.validators:
        if not isinstance(validator, NumberRange) or not validator.message:
            continue
        if (validator.min if too_small else validator.max) is not None:
            return str(validator.message)
    label = field.label.text
    if isinstance(field, SelectFieldBase):
        return f"Select one of the options for {label[:1].lower()}{label[1:]}"
    if too_small:
        return f"{label} must be {INT_MIN:,} or more"
    return f"{label} must be {INT_MAX:,} or less"


class ActionForm(BaseForm):
    """A CSRF-only form for state-changing buttons."""


class PasswordStrength:
    """12 to 128 characters (NCSC: length beats complexity rules), strong enough by
    zxcvbn (which knows tens of thousands of common passwords, names and words, and
    patterns such as keyboard runs and dates), and not the person's own name or email.

    Whose password it is: the form's `name` and `email` fields when it has them (the
    registration form), else `form.person` (name, email) set by the view (an invitation
    or reset link), else the signed-in user."""

    MIN_SCORE = 3  # zxcvbn's "safely unguessable: moderate protection from offline attack"

    def __init__(self, minimum: int = 12, maximum: int = 128):
        self.minimum, self.maximum = minimum, maximum

    @staticmethod
    def _person(form) -> tuple[str, str]:
        name_field, email_field = getattr(form, "name", None), getattr(form, "email", None)
        if hasattr(name_field, "data") or hasattr(email_field, "data"):
            return (
                str(getattr(name_field, "data", "") or ""),
                str(getattr(email_field, "data", "") or ""),
            )
        person = getattr(form, "person", None)
        if person:
            return person
        from flask_login import current_user

        if getattr(current_user, "is_authenticated", False):
            return current_user.name or "", current_user.email or ""
        return "", ""

    @staticmethod
    def _own_words(name: str, email: str) -> list[str]:
        local = email.split("@", 1)[0]
        words = re.split(r"[^a-z0-9]+", f"{name} {local}".lower())
        return [w for w in {*words, re.sub(r"[^a-z0-9]", "", local.lower())} if len(w) >= 3]

    def __call__(self, form, field) -> None:
        from zxcvbn import zxcvbn

        value = field.data or ""
        if len(value) < self.minimum:
            raise ValidationError(f"Your password must be at least {self.minimum} characters")
        if len(value) > self.maximum:
            raise ValidationError(f"Your password must be {self.maximum} characters or fewer")
        name, email = self._person(form)
        own = self._own_words(name, email)
        squashed = re.sub(r"[^a-z0-9]", "", value.lower())
        if any(w in value.lower() or w in squashed for w in own):
            raise ValidationError("Your password must not contain your name or email address")
        # zxcvbn's matching grows with length; past 100 characters a password is long enough
        result = zxcvbn(value[:100], user_inputs=own)
        if result["score"] < self.MIN_SCORE:
            feedback = result.get("feedback") or {}
            parts = [feedback.get("warning") or "This password would be easy to guess"]
            parts += feedback.get("suggestions") or []
            message = ". ".join(p.rstrip(".") for p in parts if p)
            raise ValidationError(f"Choose a stronger password. {message}")


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


# --- fields shared by features -----------------------------------------------------

FIRST_YEAR, LAST_YEAR = 2000, 2100


class DateInputField(Field):
    """An NHS.UK date input: boxes named `<name>-day`, `<name>-month`, `<name>-year`.

    `data` is a `date` (or None); `parts` holds what was typed, to show it back;
    `error_parts` the boxes to highlight (empty means the whole date).
    """

    PARTS = ("day", "month", "year")

    def __init__(self, label=None, validators=None, required: str | None = None, **kw):
        super().__init__(label, validators, **kw)
        self.required = required or f"Enter the {str(label).lower()} date"

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.error_parts: set[str] = set()
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data if isinstance(data, date) else None
        self.parts = (
            {"day": str(data.day), "month": str(data.month), "year": str(data.year)}
            if isinstance(data, date)
            else dict.fromkeys(self.PARTS, "")
        )
        self.raw_data = None
        if formdata is not None:
            self.parts = {p: formdata.get(f"{self.name}-{p}", "").strip()[:10] for p in self.PARTS}
            self.raw_data = list(self.parts.values())
            self.data = None
            try:
                self.data = self._parse()
            except ValueError as exc:
                self.process_errors.append(exc.args[0])

    @property
    def anchor(self) -> str:
        first = next((p for p in self.PARTS if p in self.error_parts), "day")
        return f"{self.id}-{first}"

    def _fail(self, message: str, *parts: str) -> ValueError:
        self.error_parts = set(parts)
        return ValueError(message)

    def _parse(self) -> date | None:
        label = self.label.text
        missing = [p for p in self.PARTS if not self.parts[p]]
        if len(missing) == 3:
            return None  # pre_validate says "Enter ..."
        if missing:
            raise self._fail(f"{label} must include a {' and '.join(missing)}", *missing)
        wrong = [p for p in self.PARTS if not re.fullmatch(r"\d+", self.parts[p], re.ASCII)]
        if wrong:
            raise self._fail(f"{label} must be a real date", *wrong)
        day, month, year = (int(self.parts[p]) for p in self.PARTS)
        if len(self.parts["year"]) != 4:
            raise self._fail(f"{label} year must include 4 numbers", "year")
        if not 1 <= month <= 12:
            raise self._fail(f"{label} must be a real date", "month")
        try:
            value = date(year, month, day)
        except ValueError:
            raise self._fail(f"{label} must be a real date", "day")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise self._fail(f"{label} must be between {FIRST_YEAR} and {LAST_YEAR}", "year")
        return value

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            raise StopValidation(self.required)


MONEY_RE = re.compile(r"\d{1,9}(?:\.\d{1,2})?", re.ASCII)


class MoneyField(Field):
    """An amount in pounds and pence ("12.50", "£12.50", "1,250"); `data` is integer pence.

    Money is parsed here once, never through a float: "abc", "1e9", "-5", "12.345", 0 and
    anything above `maximum` are refused with a message that says what to type instead."""

    def __init__(
        self, label=None, validators=None, required: str = "", maximum: int = 10_000_000, **kw
    ):
        super().__init__(label, validators, **kw)
        self.required = required or f"Enter the {str(label).lower()}"
        self.maximum = maximum

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        pounds, pence = divmod(self.data, 100)
        return f"{pounds}.{pence:02d}"

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if not valuelist or not isinstance(valuelist[0], str):
            return
        self.raw_data = [clean_text(valuelist[0])[:40]]
        text = self.raw_data[0].strip().replace(" ", "")
        if not text:
            return
        label = self.label.text
        text = text.removeprefix("£").replace(",", "")
        if text.startswith("-"):
            raise ValueError(f"{label} must be more than £0")
        if re.fullmatch(r"\d+\.\d{3,}", text, re.ASCII):
            raise ValueError(f"{label} must be in pounds and whole pence, like 12.50")
        if not MONEY_RE.fullmatch(text):
            raise ValueError(f"{label} must be an amount in pounds and pence, like 12.50")
        whole, _, frac = text.partition(".")
        pence = int(whole) * 100 + int(frac.ljust(2, "0") or "0")
        if pence == 0:
            raise ValueError(f"{label} must be more than £0")
        if pence > self.maximum:
            pounds, p = divmod(self.maximum, 100)
            raise ValueError(f"{label} must be £{pounds:,}.{p:02d} or less")
        self.data = pence

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            raise StopValidation(self.required)
