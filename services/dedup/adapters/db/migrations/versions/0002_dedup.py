"""The dedup tables: keyed-hash index, idempotent requests, policies, bindings, policy history, tenant locks.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dedup_keys",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("scope_key", sa.String(128), nullable=False),
        sa.Column("dimension", sa.SmallInteger(), nullable=False),
        sa.Column("key_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("lead_id", sa.String(128), nullable=False),
        sa.Column("first_seen_us", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_us", sa.BigInteger(), nullable=False),
        sa.Column("policy_account_id", sa.String(128), nullable=False),
        sa.Column("origin", sa.SmallInteger(), nullable=False),
        sa.Column("origin_lead_id", sa.String(128), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_dedup_keys"),
        sa.UniqueConstraint(
            "tenant_id",
            "scope_key",
            "dimension",
            "key_hash",
            name="uq_dedup_keys_tenant_id_scope_key_dimension_key_hash",
        ),
        sa.CheckConstraint("length(key_hash) = 32", name="ck_dedup_keys_key_hash_32_bytes"),
    )
    op.create_index("ix_dedup_keys_tenant_lead", "dedup_keys", ["tenant_id", "lead_id"])

    op.create_table(
        "dedup_requests",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("candidate_lead_id", sa.String(128), nullable=True),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "request_id", name="pk_dedup_requests"),
        sa.UniqueConstraint(
            "tenant_id", "candidate_lead_id", name="uq_dedup_requests_tenant_id_candidate_lead_id"
        ),
    )

    op.create_table(
        "dedup_policies",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("update_us", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "account_id", name="pk_dedup_policies"),
    )

    op.create_table(
        "dedup_bindings",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("child_account_id", sa.String(128), nullable=False),
        sa.Column("parent_account_id", sa.String(128), nullable=False),
        sa.Column("bind_us", sa.BigInteger(), nullable=False),
        sa.Column("bound_by", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "child_account_id", name="pk_dedup_bindings"),
        sa.CheckConstraint("child_account_id <> parent_account_id", name="ck_dedup_bindings_not_self"),
    )
    op.create_index(
        "ix_dedup_bindings_tenant_parent",
        "dedup_bindings",
        ["tenant_id", "parent_account_id", "child_account_id"],
    )

    op.create_table(
        "dedup_policy_history",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("change_us", sa.BigInteger(), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("old_policy", sa.JSON(), nullable=True),
        sa.Column("new_policy", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dedup_policy_history"),
    )
    op.create_index(
        "ix_dedup_policy_history_account",
        "dedup_policy_history",
        ["tenant_id", "account_id", "change_us", "id"],
    )

    op.create_table(
        "dedup_tenant_locks",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_dedup_tenant_locks"),
    )


def downgrade() -> None:
    op.drop_table("dedup_tenant_locks")
    op.drop_index("ix_dedup_policy_history_account", table_name="dedup_policy_history")
    op.drop_table("dedup_policy_history")
    op.drop_index("ix_dedup_bindings_tenant_parent", table_name="dedup_bindings")
    op.drop_table("dedup_bindings")
    op.drop_table("dedup_policies")
    op.drop_table("dedup_requests")
    op.drop_index("ix_dedup_keys_tenant_lead", table_name="dedup_keys")
    op.drop_table("dedup_keys")
