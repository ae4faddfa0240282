"""money: how a paid item was paid (reimbursed to the award holder or paid directly)

Revision ID: e5a91c07b3d2
Revises: 7e41c0a9d2b6
Create Date: 2026-11-30 01:25:00

Items already paid were reimbursed (the only way the service paid them until now).
"""

import sqlalchemy as sa
from alembic import op

revision = "e5a91c07b3d2"
down_revision = "7e41c0a9d2b6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("spending_item") as batch_op:
        batch_op.add_column(
            sa.Column(
                "payment_method",
                sa.Enum(
                    "reimbursed", "direct", name="paymentmethod", native_enum=False, length=16
                ),
                nullable=True,
            )
        )
    op.execute("UPDATE spending_item SET payment_method = 'reimbursed' WHERE status = 'paid'")
    with op.batch_alter_table("spending_item") as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_spending_item_paid_has_method"),
            "status != 'paid' OR payment_method IS NOT NULL",
        )


def downgrade():
    with op.batch_alter_table("spending_item") as batch_op:
        batch_op.drop_constraint(op.f("ck_spending_item_paid_has_method"), type_="check")
        batch_op.drop_column("payment_method")
