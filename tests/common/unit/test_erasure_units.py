"""The runtime's pieces of erasure: who may call an internal method (a token's subject and a client certificate's
names), the redaction of free text about an erased person, and the WAL checkpoint after an erasing transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.common.auth import Principal, Role
from services.common.db import Database, new_metadata
from services.common.erasure import REDACTED, redact
from services.common.erasurestore import SqlErasedLeads, erased_leads_table
from services.common.errors import PermissionDenied
from services.common.grpcserver.callers import check_caller, peer_identities

INGEST = frozenset({"ingest"})


def test_only_the_named_service_identity_passes() -> None:
    check_caller(Principal("t1", "ingest", Role.SERVICE), INGEST, None, "ClaimLead")
    check_caller(
        Principal("t1", "ingest", Role.SERVICE), INGEST, frozenset({"ingest", "leadflow-ingest"}), "X"
    )
    refused = [
        (Principal("t1", "ingest", Role.ADMIN), None),  # a tenant's admin named "ingest"
        (Principal("t1", "ingest", Role.AGENT), None),
        (Principal("t1", "telephony", Role.SERVICE), None),
        (
            Principal("t1", "ingest", Role.SERVICE),
            frozenset({"telephony", "leadflow-telephony"}),
        ),  # wrong cert
    ]
    for principal, peer in refused:
        with pytest.raises(PermissionDenied) as denied:
            check_caller(principal, INGEST, peer, "ForgetLead")
        assert denied.value.reason == "CALLER_NOT_ALLOWED" and "ingest" not in str(denied.value)


def test_peer_identities_come_from_the_verified_certificate_only() -> None:
    assert peer_identities({}) is None  # plain TCP
    assert peer_identities({"transport_security_type": [b"ssl"]}) is None  # TLS without a client certificate
    names = {"x509_common_name": [b"ingest"], "x509_subject_alternative_name": [b"leadflow-ingest"]}
    assert peer_identities(names) == frozenset({"ingest", "leadflow-ingest"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("客户 13800138000 说号码错了", f"客户 {REDACTED} 说号码错了"),
        ("+86 138-0013-8000 / (0755) 1234 5678", f"{REDACTED} / ({REDACTED}"),
        (
            "mail zs@example.com from 10.1.2.3 or 2001:db8::1",
            f"mail {REDACTED} from {REDACTED} or {REDACTED}",
        ),
        ("身份证 110101199003071234", f"身份证 {REDACTED}"),
        (
            "refund 35.50 CNY on 2026-03-01 at 10:30:00 after 3 calls",
            "refund 35.50 CNY on 2026-03-01 at 10:30:00 after 3 calls",
        ),
        ("EMPTY_NUMBER; paid after the settling period", "EMPTY_NUMBER; paid after the settling period"),
    ],
)
def test_redaction_removes_numbers_and_addresses_and_keeps_the_rest(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_an_erasing_transaction_leaves_an_empty_wal(tmp_path: Path) -> None:
    metadata = new_metadata()
    table = erased_leads_table(metadata)
    notes = sa.Table(
        "notes", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.Text)
    )
    database = Database(f"sqlite:///{tmp_path / 'svc.db'}")
    try:
        metadata.create_all(database.engine)
        with database.transaction() as session:
            session.execute(sa.insert(notes).values(id=1, text="call 13800138000"))
        wal = tmp_path / "svc.db-wal"
        assert b"13800138000" in wal.read_bytes()  # the page with the number is in the WAL now
        with database.transaction() as session:
            session.execute(sa.update(notes).values(text=""))
            assert SqlErasedLeads(session, table).mark("t1", "lead-1", datetime(2026, 3, 1, tzinfo=UTC))
        assert wal.stat().st_size == 0  # checkpointed into the file and truncated at the commit
        assert b"13800138000" not in (tmp_path / "svc.db").read_bytes()
        with database.transaction() as session:
            assert not SqlErasedLeads(session, table).mark("t1", "lead-1", datetime(2026, 3, 2, tzinfo=UTC))
            assert SqlErasedLeads(session, table).contains("t1", "lead-1")
    finally:
        database.dispose()


def test_an_erasure_in_a_savepoint_is_checkpointed_at_the_outer_commit(tmp_path: Path) -> None:
    """A consumer's batch runs each message in a savepoint: its release is no commit, the batch's commit is."""
    metadata = new_metadata()
    table = erased_leads_table(metadata)
    notes = sa.Table(
        "notes", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.Text)
    )
    database = Database(f"sqlite:///{tmp_path / 'svc.db'}")
    try:
        metadata.create_all(database.engine)
        with database.transaction() as session:
            session.execute(sa.insert(notes).values(id=1, text="call 13800138000"))
        wal = tmp_path / "svc.db-wal"
        with database.transaction() as session:
            with session.begin_nested():
                session.execute(sa.update(notes).values(text=""))
                assert SqlErasedLeads(session, table).mark("t1", "lead-1", datetime(2026, 3, 1, tzinfo=UTC))
            session.execute(sa.insert(notes).values(id=2, text="another message of the batch"))
        assert wal.stat().st_size == 0
        assert b"13800138000" not in (tmp_path / "svc.db").read_bytes()
    finally:
        database.dispose()
