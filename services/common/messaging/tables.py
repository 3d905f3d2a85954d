"""The three tables every service that publishes or consumes events adds to its own schema.

Each service owns its database, so each gets its own copy of these tables, defined once here so that the relay and
the consumer can rely on the same shape everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from services.common.db import new_metadata

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid (and so autoincrementing); BIGINT would not be.
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Longest error text kept in a dead letter: enough for a traceback tail, bounded so a runaway repr can't bloat rows.
ERROR_TEXT_LIMIT = 4000

INBOX_PROCESSED_INDEX = "ix_inbox_processed_at"


@dataclass(frozen=True)
class MessagingTables:
    outbox: sa.Table
    inbox: sa.Table
    dead_letters: sa.Table


def messaging_tables(metadata: sa.MetaData) -> MessagingTables:
    """Add ``outbox``, ``inbox`` and ``dead_letters`` to ``metadata`` and return them."""
    outbox = sa.Table(
        "outbox",
        metadata,
        # Relay order is id order: the id is taken when the row is inserted, inside the producer's transaction.
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(40), nullable=False, unique=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("aggregate_id", sa.String(100), nullable=False, index=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False, default=dict),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    # The relay's only query is "unsent rows in id order"; a partial index keeps it proportional to the backlog,
    # not to the history of everything ever sent.
    unsent = outbox.c.sent_at.is_(None)
    sa.Index("ix_outbox_unsent", outbox.c.id, sqlite_where=unsent, postgresql_where=unsent)

    inbox = sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(40), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Retention deletes the oldest records first (services.common.messaging.retention): found by this index, not by
    # a scan of every event the service ever applied.
    sa.Index(INBOX_PROCESSED_INDEX, inbox.c.processed_at)

    dead_letters = sa.Table(
        "dead_letters",
        metadata,
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("consumer", sa.String(100), nullable=False, index=True),
        sa.Column("subject", sa.String(200), nullable=False),
        # Nullable: a message that arrived without a Nats-Msg-Id is dead-lettered too, rather than dropped.
        sa.Column("event_id", sa.String(40), nullable=True),
        sa.Column("stream_sequence", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    return MessagingTables(outbox=outbox, inbox=inbox, dead_letters=dead_letters)


def create_messaging_tables(bind: sa.Connection | sa.Engine) -> None:
    """Create the three tables (and their indexes); for a service's Alembic migration: ``op.get_bind()``.

    Built under the services' naming convention, so constraint names match what each service declares and
    Alembic's autogenerate sees no drift."""
    metadata = new_metadata()
    messaging_tables(metadata)
    metadata.create_all(bind)


def add_inbox_retention_index(bind: sa.Connection | sa.Engine) -> None:
    """Create ``ix_inbox_processed_at`` where it is missing: the migration that brings a database created before
    retention (services.common.messaging.retention) up to date. A database created since has it already, from
    ``create_messaging_tables``."""
    sa.Index(INBOX_PROCESSED_INDEX, _inbox_of(bind).c.processed_at).create(bind, checkfirst=True)


def drop_inbox_retention_index(bind: sa.Connection | sa.Engine) -> None:
    """Drop ``ix_inbox_processed_at`` where it exists: that migration's downgrade."""
    sa.Index(INBOX_PROCESSED_INDEX, _inbox_of(bind).c.processed_at).drop(bind, checkfirst=True)


def _inbox_of(bind: sa.Connection | sa.Engine) -> sa.Table:
    """The inbox table as reflected from ``bind`` (the index is built on the table the database has)."""
    return sa.Table("inbox", sa.MetaData(), autoload_with=bind)


def drop_messaging_tables(bind: sa.Connection | sa.Engine) -> None:
    """Drop the three tables; the downgrade of the migration that created them."""
    metadata = new_metadata()
    messaging_tables(metadata)
    metadata.drop_all(bind)
