"""The messaging tables on each database: migration helpers, the outbox row, the inbox claim."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from google.protobuf import wrappers_pb2

from services.common.db import Database
from services.common.messaging import (
    claim_inbox,
    create_messaging_tables,
    drop_messaging_tables,
    record_event,
)

from ..helpers import setup_schema


def test_create_and_drop_for_migrations(database_url):
    database = Database(database_url)
    with database.engine.begin() as connection:  # what op.get_bind() hands a migration
        create_messaging_tables(connection)
    inspector = sa.inspect(database.engine)
    assert {"outbox", "inbox", "dead_letters"} <= set(inspector.get_table_names())
    indexes = {index["name"] for index in inspector.get_indexes("outbox")}
    assert "ix_outbox_unsent" in indexes
    with database.engine.begin() as connection:
        drop_messaging_tables(connection)
    assert not {"outbox", "inbox", "dead_letters"} & set(sa.inspect(database.engine).get_table_names())
    database.dispose()


def test_unsent_index_is_partial(database_url):
    database = Database(database_url)
    setup_schema(database)
    with database.read() as session:
        if database.dialect == "sqlite":
            sql = session.execute(
                sa.text("SELECT sql FROM sqlite_master WHERE name = 'ix_outbox_unsent'")
            ).scalar()
        else:
            sql = session.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_outbox_unsent'")
            ).scalar()
    assert "sent_at IS NULL" in sql
    database.dispose()


def test_record_event_stores_one_row_with_the_callers_transaction(database_url):
    database = Database(database_url)
    tables = setup_schema(database)
    with database.transaction() as session:
        record_event(
            session, tables, subject="leadflow.lead.v1.accepted", message=wrappers_pb2.StringValue(value="x"),
            aggregate_id="lead-1", event_id="E1", traceparent="00-aa-bb-01",
        )  # fmt: skip
    with pytest.raises(RuntimeError), database.transaction() as session:
        record_event(
            session, tables, subject="leadflow.lead.v1.accepted", message=wrappers_pb2.StringValue(value="y"),
            aggregate_id="lead-2", event_id="E2",
        )  # fmt: skip
        raise RuntimeError("the state change failed, so the event must not exist either")
    with database.read() as session:
        rows = session.execute(sa.select(tables.outbox)).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.event_id, row.subject, row.aggregate_id, row.sent_at) == (
        "E1",
        "leadflow.lead.v1.accepted",
        "lead-1",
        None,
    )
    assert wrappers_pb2.StringValue.FromString(row.payload).value == "x"
    assert row.headers == {"traceparent": "00-aa-bb-01"}
    assert row.created_at is not None
    with pytest.raises(sa.exc.IntegrityError), database.transaction() as session:
        record_event(
            session, tables, subject="s", message=wrappers_pb2.StringValue(), aggregate_id="a", event_id="E1"
        )
    database.dispose()


def test_claim_inbox_is_decided_by_the_insert(database_url):
    database = Database(database_url)
    tables = setup_schema(database)
    with database.transaction() as session:
        assert claim_inbox(session, tables, "assign", "E1") is True
        assert claim_inbox(session, tables, "assign", "E1") is False
        assert claim_inbox(session, tables, "refund", "E1") is True, "each consumer has its own inbox"
    with database.transaction() as session:
        assert claim_inbox(session, tables, "assign", "E1") is False
    database.dispose()
