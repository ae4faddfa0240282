"""Forms for the personal award. Amounts parse through the core MoneyField; the rules
(cap, dates in the programme, who may act) are the services'."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, StopValidation

from app.core.forms import BaseForm, DateInputField, MoneyField, choices
from app.money.models import Category, ItemStatus, PaymentMethod

MAX_ITEM_PENCE = 10_000_000  # GBP 100,000: far above any cap, far below an INTEGER


class ItemForm(BaseForm):
    category = RadioField(
        "What is it for?",
        choices=choices((c.value, c.label) for c in Category),
        validators=[InputRequired("Select what the spending is for")],
    )
    description = StringField(
        "Description",
        description="For example, 'Registration for the JSWEC conference'",
        validators=[
            InputRequired("Enter a description"),
            Length(max=300, message="Description must be 300 characters or fewer"),
        ],
    )
    supplier = StringField(
        "Supplier (optional)",
        validators=[Length(max=200, message="Supplier must be 200 characters or fewer")],
    )
    spent_on = DateInputField(
        "Date", description="The date you paid, or expect to pay. For example, 15 3 2027"
    )
    amount = MoneyField(
        "Amount", description="In pounds and pence, for example 125.50", maximum=MAX_ITEM_PENCE
    )


class CorrectionForm(ItemForm):
    direction = RadioField(
        "Does the correction add to the item or take money off it?",
        choices=choices([("more", "Adds to it (it cost more)"), ("less", "Takes money off it")]),
        validators=[InputRequired("Select whether the correction adds or takes money off")],
    )


class ReceiptForm(BaseForm):
    receipt = FileField("Receipt or invoice", description="A PDF, PNG or JPEG, up to 10 MB")


class RejectForm(BaseForm):
    reason = TextAreaField(
        "Why is it rejected?",
        description="The award holder sees this",
        validators=[
            InputRequired("Enter a reason for rejecting the item"),
            Length(max=1000, message="Reason must be 1,000 characters or fewer"),
        ],
    )


class PayForm(BaseForm):
    method = RadioField(
        "How was it paid?",
        choices=choices((m.value, m.label) for m in PaymentMethod),
        validators=[InputRequired("Select how the item was paid")],
    )
    reference = StringField(
        "Payment reference",
        description="From the finance system, for example PO-2027-0142",
        validators=[
            InputRequired("Enter the payment reference"),
            Length(max=100, message="Payment reference must be 100 characters or fewer"),
        ],
    )


class CapForm(BaseForm):
    cap = MoneyField("Personal award", maximum=MAX_ITEM_PENCE)
    reason = TextAreaField(
        "Reason for the change",
        validators=[
            InputRequired("Enter a reason for changing the personal award"),
            Length(max=300, message="Reason must be 300 characters or fewer"),
        ],
    )


class BulkForm(BaseForm):
    items = SelectMultipleField("Items", coerce=int, validate_choice=False)
    decision = RadioField(
        "Decision",
        choices=choices([("approve", "Approve"), ("reject", "Reject")]),
        validators=[InputRequired("Select approve or reject")],
    )
    reason = StringField(
        "Reason (needed to reject)",
        validators=[Length(max=1000, message="Reason must be 1,000 characters or fewer")],
    )


class OptionalMoneyField(MoneyField):
    """A MoneyField that may be left empty (`data` None); what is typed is still checked."""

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()


class SecondApprovalForm(BaseForm):
    needed = RadioField(
        "Do larger items need a second approver?",
        choices=choices(
            [
                ("no", "No, one member of staff can approve any item"),
                ("yes", "Yes, items above an amount need two different members of staff"),
            ]
        ),
        validators=[InputRequired("Select whether larger items need a second approver")],
    )
    above = OptionalMoneyField(
        "Items above this amount need a second approver",
        description="Only if you chose yes. In pounds and pence, for example 500.00",
        maximum=MAX_ITEM_PENCE,
    )

    def validate_above(self, field) -> None:
        if self.needed.data == "yes" and field.data is None:
            raise StopValidation("Enter the amount above which items need a second approver")

    def threshold(self) -> int | None:
        return self.above.data if self.needed.data == "yes" else None


STATUS_FILTERS = [("", "Any status")] + [(s.value, s.label) for s in ItemStatus]
CATEGORY_FILTERS = [("", "Any category")] + [(c.value, c.label) for c in Category]


class BackfillEntryForm(BaseForm):
    reference = StringField(
        "Invoice number or payment reference",
        validators=[
            InputRequired("Enter the invoice number or payment reference"),
            Length(max=100, message="Reference must be 100 characters or fewer"),
        ],
    )
    on = DateInputField("Date", description="For example, 15 3 2027")
    amount = MoneyField("Amount", maximum=MAX_ITEM_PENCE)
    document = FileField("Invoice (optional)", description="A PDF, PNG or JPEG, up to 10 MB")


class BackfillPlanForm(BaseForm):
    team_budget = StringField(
        "Paid to a team budget (optional)",
        description="Leave empty when the backfill is paid to the employer",
        validators=[Length(max=200, message="Team budget must be 200 characters or fewer")],
    )
    use_note = TextAreaField(
        "How the backfill was used",
        validators=[Length(max=2000, message="The note must be 2,000 characters or fewer")],
    )
