"""Erasure on SQLAlchemy: the ``erased_leads`` table a consuming service adds to its schema (ids and a time only),
the ``uow.erased`` repository (``services.common.erasure``), and ``wipe_wal_after_commit`` for every transaction
that erases personal data."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import after_commit, dialect_insert, rowcount, transaction_scratch
from services.common.erasure import ErasedLeadRepository
from services.common.iterutil import IN_CHUNK, chunks
from services.common.statements import PerTable
from services.common.timeconv import to_us

TENANT = 64
LEAD = 128

log = logging.getLogger("leadflow.erasure")
_WAL_WIPE = "wipe_wal_after_commit"  # transaction_scratch key: the checkpoint is already due
CHECKPOINT_WAIT_MS = 1000  # how long the checkpoint after an erasure waits for readers to leave the WAL


def erased_leads_table(metadata: sa.MetaData) -> sa.Table:
    """Add ``erased_leads`` to a service's MetaData (its tables.py) and return it; migrations create it with
    ``create_erased_leads_table``."""
    return sa.Table(
        "erased_leads",
        metadata,
        sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
        sa.Column("lead_id", sa.String(LEAD), primary_key=True),
        sa.Column("erase_us", sa.BigInteger(), nullable=False),
    )


def create_erased_leads_table(bind: sa.Connection) -> None:
    """For a migration's upgrade(): create the table as ``erased_leads_table`` describes it."""
    from services.common.db import new_metadata

    erased_leads_table(new_metadata()).create(bind)


def drop_erased_leads_table(bind: sa.Connection) -> None:
    from services.common.db import new_metadata

    erased_leads_table(new_metadata()).drop(bind)


class _Statements:
    """Built once per (table, dialect) (``services.common.statements``): ``contains`` runs for every event a
    consumer handles."""

    def __init__(self, table: sa.Table, dialect: str) -> None:
        c = table.c
        self.mark = (
            dialect_insert(dialect)(table)
            .on_conflict_do_nothing(index_elements=["tenant_id", "lead_id"])
            .execution_options(preserve_rowcount=True)
        )
        self.contains = sa.select(c.erase_us).where(
            c.tenant_id == sa.bindparam("tenant"), c.lead_id == sa.bindparam("lead")
        )
        self.contains_many = sa.select(c.lead_id).where(
            c.tenant_id == sa.bindparam("tenant"), c.lead_id.in_(sa.bindparam("leads", expanding=True))
        )


_STATEMENTS = PerTable(_Statements)


class SqlErasedLeads(ErasedLeadRepository):
    def __init__(self, session: Connection, table: sa.Table) -> None:
        self._s = session
        self._q = _STATEMENTS.of(table, session)

    def mark(self, tenant: str, lead_id: str, erase_time: datetime) -> bool:
        wipe_wal_after_commit(self._s)  # the caller erases the lead in this transaction
        values = {"tenant_id": tenant, "lead_id": lead_id, "erase_us": to_us(erase_time)}
        return rowcount(self._s.execute(self._q.mark, values)) == 1

    def contains(self, tenant: str, lead_id: str) -> bool:
        return self._s.execute(self._q.contains, {"tenant": tenant, "lead": lead_id}).first() is not None

    def contains_many(self, tenant: str, lead_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(sorted(set(lead_ids)), IN_CHUNK):
            found.update(
                self._s.execute(self._q.contains_many, {"tenant": tenant, "leads": list(chunk)}).scalars()
            )
        return found


def wipe_wal_after_commit(session: Connection) -> None:
    """SQLite: once ``session``'s transaction commits, checkpoint the write-ahead log into the database file and
    truncate it (``PRAGMA wal_checkpoint(TRUNCATE)``).

    Why: the WAL keeps the images of the pages a transaction changed, and frames of earlier transactions stay in the
    file until a later checkpoint cycle happens to overwrite them, so the pages that held an erased phone number
    before the erasure would linger beside the database. After the checkpoint the file holds only the erased pages
    (secure_delete zeroed the freed space, ``services.common.db``) and the WAL is empty. Erasures are rare, so the
    checkpoint's cost (it waits up to ``CHECKPOINT_WAIT_MS`` for readers to leave the WAL, while this process's other
    writers wait their turn) is paid rarely; a checkpoint that cannot finish is logged and the next one covers it. PostgreSQL: nothing here (dead row versions go at
    VACUUM: docs/runbooks/ErasureRequest.md)."""
    if session.dialect.name != "sqlite":
        return
    engine = session.engine
    scratch = transaction_scratch(session)
    if scratch.get(_WAL_WIPE):
        return  # once per transaction, however many leads it erased
    scratch[_WAL_WIPE] = True

    def checkpoint() -> None:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            # Runs while this process's writers wait their turn (services.common.db): never long.
            cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
            busy, _frames, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                log.warning("the WAL checkpoint after an erasure could not finish; a later one will")
        except Exception as error:  # noqa: BLE001 - best effort after the commit: the erasure itself is stored
            log.warning("the WAL checkpoint after an erasure failed: %s", type(error).__name__)
        finally:
            raw.close()

    after_commit(session, checkpoint)
