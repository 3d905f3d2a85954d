"""Push rules (SetPushRule / GetPushRule), the delivery log (ListPushDeliveries), converters and migration 0002."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.clock import FakeClock
from services.common.db import Database, new_metadata
from services.common.errors import InvalidArgument, NotFound
from services.common.grpcserver.context import set_principal
from services.common.paging import Page
from services.ingest.adapters.db.push_tables import push_tables
from services.ingest.api import IngestApi
from services.ingest.converters import push as push_converters
from services.ingest.domain.push import (
    PUSHABLE_FIELDS,
    DeliveryQuery,
    DeliveryStatus,
    SetPushRuleCommand,
    with_stored_contact,
)
from tests.ingest.push.helpers import (
    SEALER,
    SECRET,
    T0,
    PushTestConfig,
    SyncPushHandlers,
    accepted,
    admin,
    schedule,
    set_rule,
)

URL = "https://crm.example.com/hooks/leads?token=abc"


def test_set_and_get_rule_keeps_the_secret_and_hides_it(handlers: SyncPushHandlers, clock: FakeClock) -> None:
    stored = set_rule(handlers, URL)
    assert stored.has_secret and stored.update_time == T0 and stored.updated_by == "admin@example.com"
    clock.advance(timedelta(minutes=5))
    # An empty secret keeps the stored one; everything else is replaced.
    changed = handlers.set_push_rule(
        admin(), SetPushRuleCommand(account_id="acct-1", endpoint_url=URL + "2", enabled=False, fields=())
    )
    got = handlers.get_push_rule(admin(), "acct-1")
    assert (got.endpoint_url, got.enabled, got.fields, got.secret, got.update_time) == (
        URL + "2",
        False,
        (),
        SECRET,
        T0 + timedelta(minutes=5),
    )
    assert changed == got
    message = push_converters.push_rule_message(got)
    assert message.secret == "" and message.has_secret and SECRET not in str(message)
    assert SECRET not in repr(got)


def test_rules_are_per_tenant(handlers: SyncPushHandlers) -> None:
    set_rule(handlers, URL)
    with pytest.raises(NotFound) as error:
        handlers.get_push_rule(admin("tenant-b"), "acct-1")
    assert error.value.reason == "PUSH_RULE_NOT_FOUND"


def test_set_rule_refuses_bad_input_naming_the_fields(handlers: SyncPushHandlers) -> None:
    request = pb.SetPushRuleRequest(
        push_rule=pb.PushRule(
            account_id="acct-1",
            endpoint_url="ftp://crm.example.com/",
            selected_fields=["phone", "shoe_size"],
            secret="too-short",
        )
    )
    with pytest.raises(InvalidArgument) as error:
        handlers.set_push_rule(admin(), push_converters.set_push_rule_command(request))
    assert [v.field for v in error.value.violations] == [
        "push_rule.endpoint_url",
        "push_rule.selected_fields[1]",
        "push_rule.secret",
    ]
    # The first rule of an account needs a secret.
    with pytest.raises(InvalidArgument) as error:
        handlers.set_push_rule(
            admin(), SetPushRuleCommand(account_id="acct-1", endpoint_url=URL, enabled=True, fields=())
        )
    assert [v.field for v in error.value.violations] == ["push_rule.secret"]
    with pytest.raises(InvalidArgument) as error:
        handlers.get_push_rule(admin(), "")
    assert [v.field for v in error.value.violations] == ["account_id"]


def test_production_config_refuses_plain_http_and_private_hosts(
    database: Database, repository, clock: FakeClock
) -> None:
    strict = SyncPushHandlers(database, clock, PushTestConfig())
    for url, text in (
        ("http://crm.example.com/", "must be an https URL"),
        ("https://10.0.0.7/hook", "must not point at a loopback, private, link-local or reserved address"),
    ):
        with pytest.raises(InvalidArgument) as error:
            set_rule(strict, url)
        assert [(v.field, v.description) for v in error.value.violations] == [
            ("push_rule.endpoint_url", text)
        ]


def test_delivery_log_pages_newest_first(
    handlers: SyncPushHandlers, database: Database, clock: FakeClock
) -> None:
    set_rule(handlers, URL)
    set_rule(handlers, URL, account="acct-2")
    made = []
    for n in range(5):
        clock.advance(timedelta(seconds=1))
        made.append(schedule(handlers, database, accepted(account="acct-1" if n != 2 else "acct-2")))
    acct1 = [d.id for d in reversed(made) if d.account_id == "acct-1"]

    seen, token = [], ""
    while True:
        page, token = handlers.list_push_deliveries(
            admin(), DeliveryQuery(account_id="acct-1", page_size=3, page_token=token)
        )
        seen += [d.id for d in page]
        if not token:
            break
    assert seen == acct1
    by_lead, _ = handlers.list_push_deliveries(admin(), DeliveryQuery(lead_id=made[2].lead_id))
    assert [d.id for d in by_lead] == [made[2].id]
    pending, _ = handlers.list_push_deliveries(admin(), DeliveryQuery(account_id="acct-1", status=1))
    assert len(pending) == 4
    delivered, _ = handlers.list_push_deliveries(admin(), DeliveryQuery(account_id="acct-1", status=2))
    assert delivered == []
    other, _ = handlers.list_push_deliveries(admin("tenant-b"), DeliveryQuery(account_id="acct-1"))
    assert other == []

    _, token = handlers.list_push_deliveries(admin(), DeliveryQuery(account_id="acct-1", page_size=1))
    with pytest.raises(InvalidArgument) as error:  # a token is bound to its filters and tenant
        handlers.list_push_deliveries(admin(), DeliveryQuery(account_id="acct-2", page_token=token))
    assert error.value.reason == "INVALID_PAGE_TOKEN"
    with pytest.raises(InvalidArgument) as error:
        handlers.list_push_deliveries(admin(), DeliveryQuery())
    assert [v.field for v in error.value.violations] == ["lead_id"]
    with pytest.raises(InvalidArgument) as error:
        handlers.list_push_deliveries(admin(), DeliveryQuery(account_id="acct-1", status=9))
    assert [v.field for v in error.value.violations] == ["status"]

    response = push_converters.list_push_deliveries_response(Page(seen and by_lead, ""))
    message = response.deliveries[0]
    assert (message.status, message.attempt_count, message.account_id) == (
        pb.PUSH_DELIVERY_STATUS_PENDING,
        0,
        "acct-2",
    )
    assert message.HasField("next_attempt_time") and not message.HasField("deliver_time")
    assert "+8613800138000" not in str(response)  # the payload is not part of the API


def test_request_converters() -> None:
    query = push_converters.delivery_query(
        pb.ListPushDeliveriesRequest(
            page_size=7, page_token="t", lead_id="L", account_id="A", status=pb.PUSH_DELIVERY_STATUS_FAILED
        )
    )
    assert query == DeliveryQuery(
        lead_id="L", account_id="A", status=int(DeliveryStatus.FAILED), page_size=7, page_token="t"
    )


def test_every_pushable_field_comes_from_the_event_or_the_stored_contact() -> None:
    fields = dict(push_converters.accepted_lead(accepted(lead_id="L1"), "", SEALER).fields)
    assert tuple(fields) == PUSHABLE_FIELDS
    assert fields["name"] is None and fields["email"] is None  # without the stored contact
    stored = {"name": "张三", "wechat": "wxid_a", "email": "a@example.com", "ip": "", "device_id": ""}
    with_contact = with_stored_contact(
        push_converters.accepted_lead(accepted(lead_id="L1"), "", SEALER).fields, stored
    )
    assert tuple(with_contact) == PUSHABLE_FIELDS
    assert (with_contact["name"], with_contact["wechat"], with_contact["email"], with_contact["ip"]) == (
        "张三",
        "wxid_a",
        "a@example.com",
        None,
    )
    assert (
        fields["id"] == "L1"
        and fields["verdict"] == "LEAD_VERDICT_NEW"
        and fields["channel"] == "CHANNEL_FORM"
    )
    assert fields["first_submit_time"] == "2026-03-01T08:00:00Z" and fields["collect_account_id"] is None


def test_migrations_match_push_tables(database: Database) -> None:
    """The schema the migrations build is the one push_tables describes (alembic autogenerate finds no diff)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    metadata = new_metadata()
    push_tables(metadata)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _only_push})
        diff = compare_metadata(context, metadata)
        assert diff == []
        inspector = sa.inspect(connection)
        assert {"push_rules", "push_deliveries"} <= set(inspector.get_table_names())
        assert [u["column_names"] for u in inspector.get_unique_constraints("push_deliveries")] == [
            ["event_id"]
        ]


def test_rules_stored_before_0005_push_accepted_leads(database_url: str) -> None:
    """Migration 0005 gives rules stored before it the meaning they had: accepted leads only."""
    from services.common.migrations import upgrade
    from services.ingest.adapters.db.push import SqlPush
    from services.ingest.bootstrap import MIGRATIONS_DIR
    from services.ingest.domain.push import PushEventType

    upgrade(MIGRATIONS_DIR, database_url, "0004")
    old = Database(database_url)
    try:
        with old.transaction() as session:
            session.execute(
                sa.text(
                    "INSERT INTO push_rules (tenant_id, account_id, endpoint_url, enabled, fields, secret, update_us,"
                    " updated_by) VALUES ('t1', 'a1', 'https://x.example.com/p', true, '[]', :secret, 1, 'me')"
                ),
                {"secret": "s" * 40},
            )
    finally:
        old.dispose()
    upgrade(MIGRATIONS_DIR, database_url)
    new = Database(database_url)
    try:
        with new.read() as session:
            rule = SqlPush(session).get_rule("t1", "a1")
    finally:
        new.dispose()
    assert rule is not None and rule.event_types == (PushEventType.LEAD_ACCEPTED,)
    assert rule.pushes(PushEventType.LEAD_ACCEPTED) and not rule.pushes(PushEventType.LEAD_STATUS_CHANGED)


def _only_push(name: str | None, kind: str, parent: dict) -> bool:
    if kind == "table":
        return name in ("push_rules", "push_deliveries")
    return True


async def test_the_servicer_delegates_push_rpcs_to_the_push_handlers(
    handlers: SyncPushHandlers, database: Database
) -> None:
    api = IngestApi(None, None, None, handlers.push, None)  # type: ignore[arg-type]  # only the push RPCs are called
    set_principal(admin())
    response = await api.SetPushRule(
        pb.SetPushRuleRequest(
            push_rule=pb.PushRule(
                account_id="acct-1",
                endpoint_url=URL,
                enabled=True,
                selected_fields=["id", "phone"],
                secret=SECRET,
            ),
            request_id="r-1",
        ),
        None,  # type: ignore[arg-type]
    )
    assert (
        response.push_rule.account_id,
        list(response.push_rule.selected_fields),
        response.push_rule.secret,
        response.push_rule.has_secret,
    ) == ("acct-1", ["id", "phone"], "", True)
    got = await api.GetPushRule(pb.GetPushRuleRequest(account_id="acct-1"), None)  # type: ignore[arg-type]
    assert got.push_rule == response.push_rule
    event = accepted()
    schedule(handlers, database, event)
    listed = await api.ListPushDeliveries(
        pb.ListPushDeliveriesRequest(lead_id=event.lead_id),
        None,  # type: ignore[arg-type]
    )
    assert [d.lead_id for d in listed.deliveries] == [event.lead_id] and listed.next_page_token == ""
