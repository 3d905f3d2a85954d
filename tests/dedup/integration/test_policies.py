"""Policies over the real store: every scope x dimension x window combination at the window edge, bindings with
inheritance and restore, refusals, history, events in the outbox, tenants kept apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from leadflow.dedup.v1 import events_pb2
from services.common.auth import Role
from services.common.db import Database
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.events import DEDUP_POLICY_CHANGED
from services.dedup.adapters.db.tables import messaging
from services.dedup.domain.model import DEFAULT_RULES, Action, Dimension, Scope, Verdict
from services.dedup.domain.policy import PolicyPatch
from tests.dedup.helpers import T0, DedupHandlers, claim, principal, unique

DAY = timedelta(days=1)
US = timedelta(microseconds=1)
WINDOWS = [timedelta(0), 30 * DAY]


def set_policy(
    handlers: DedupHandlers,
    tenant: str,
    account: str,
    *,
    scope: Scope = Scope.ACCOUNT,
    dimensions: tuple[Dimension, ...] = (Dimension.PHONE,),
    window: timedelta = timedelta(0),
    ip_window: timedelta = DAY,
    action: Action = Action.MERGE,
    subject: str = "alice",
):  # type: ignore[no-untyped-def]
    windows = tuple((int(d), window) for d in dimensions if d is not Dimension.IP)
    return handlers.update_policy(
        principal(tenant, subject=subject),
        PolicyPatch(
            account_id=account,
            mask=("*",),
            scope=int(scope),
            dimensions=tuple(int(d) for d in dimensions),
            windows=windows,
            ip_window=ip_window,
            action=int(action),
        ),
    )


@pytest.mark.parametrize("scope", list(Scope))
@pytest.mark.parametrize("dimension", list(Dimension))
@pytest.mark.parametrize("window", WINDOWS, ids=["forever", "30d"])
def test_scope_dimension_and_window(
    handlers: DedupHandlers, tenant: str, scope: Scope, dimension: Dimension, window: timedelta
) -> None:
    """A claim at exactly first_seen + window is DUPLICATE, one microsecond later RETURNING; a bound child shares
    the parent's key space under ACCOUNT_GROUP only."""
    if dimension is Dimension.IP and window == timedelta(0):
        with pytest.raises(InvalidArgument) as error:
            set_policy(handlers, tenant, "parent", scope=scope, dimensions=(dimension,), ip_window=window)
        assert [v.field for v in error.value.violations] == ["policy.ip_window"]
        return
    set_policy(
        handlers, tenant, "parent", scope=scope, dimensions=(dimension,), window=window, ip_window=window
    )
    handlers.bind(principal(tenant), "parent", "child")
    who = principal(tenant, Role.SERVICE)
    value = {dimension: unique("value")}
    # Values on dimensions outside the policy are ignored: this other phone never matches anything.
    noise = {d: unique("noise") for d in Dimension if d is not dimension}

    first = handlers.claim(who, claim("parent", {**value, **noise}, T0))
    assert first.verdict is Verdict.NEW
    edge = window if window else 3650 * DAY

    from_child = handlers.claim(who, claim("child", value, T0 + edge))
    if scope is Scope.ACCOUNT_GROUP:
        assert from_child.verdict is Verdict.DUPLICATE
        assert from_child.canonical_lead_id == first.canonical_lead_id
        assert from_child.matches[0].policy_account_id == "parent"
    else:
        assert from_child.verdict is Verdict.NEW  # the child's own key space, under the parent's rules

    at_edge = handlers.claim(who, claim("parent", value, T0 + edge))
    assert at_edge.verdict is Verdict.DUPLICATE
    assert at_edge.canonical_lead_id == first.canonical_lead_id
    assert at_edge.matches[0].within_window and at_edge.matches[0].window == window

    later = handlers.claim(who, claim("parent", value, T0 + edge + US))
    if window == timedelta(0):
        assert later.verdict is Verdict.DUPLICATE and later.canonical_lead_id == first.canonical_lead_id
        return
    assert later.verdict is Verdict.RETURNING
    assert [(m.lead_id, m.within_window) for m in later.matches] == [(first.canonical_lead_id, False)]
    returning_lead = later.canonical_lead_id
    # The window now runs from the returning lead's first submission.
    again = handlers.claim(who, claim("parent", value, T0 + edge + 2 * US))
    assert again.verdict is Verdict.DUPLICATE and again.canonical_lead_id == returning_lead
    assert handlers.claim(who, claim("parent", value, T0 + 2 * edge + US)).verdict is Verdict.DUPLICATE
    assert handlers.claim(who, claim("parent", value, T0 + 2 * edge + 2 * US)).verdict is Verdict.RETURNING


def test_several_dimensions_chosen_by_the_advertiser(handlers: DedupHandlers, tenant: str) -> None:
    set_policy(
        handlers,
        tenant,
        "acct",
        dimensions=(Dimension.PHONE, Dimension.IP, Dimension.DEVICE),
        window=30 * DAY,
        ip_window=timedelta(hours=1),
    )
    who = principal(tenant, Role.SERVICE)
    first = handlers.claim(
        who, claim("acct", {Dimension.PHONE: "p1", Dimension.IP: "10.0.0.1", Dimension.DEVICE: "d1"})
    )
    # Same IP two hours later, different phone and device: the IP window (1h) has passed.
    by_ip = handlers.claim(
        who, claim("acct", {Dimension.PHONE: "p2", Dimension.IP: "10.0.0.1"}, 2 * timedelta(hours=1))
    )
    assert by_ip.verdict is Verdict.RETURNING
    # Same device ten days later: a duplicate of the first lead.
    by_device = handlers.claim(who, claim("acct", {Dimension.PHONE: "p3", Dimension.DEVICE: "d1"}, 10 * DAY))
    assert by_device.verdict is Verdict.DUPLICATE and by_device.canonical_lead_id == first.canonical_lead_id
    # An e-mail is not among the dimensions: ignored.
    email = handlers.claim(who, claim("acct", {Dimension.EMAIL: "x@example.com"}))
    assert handlers.claim(who, claim("acct", {Dimension.EMAIL: "x@example.com"})).verdict is Verdict.NEW
    assert email.verdict is Verdict.NEW


def test_an_empty_dimension_list_means_every_submission_is_new(handlers: DedupHandlers, tenant: str) -> None:
    handlers.update_policy(principal(tenant), PolicyPatch(account_id="acct", mask=("dimensions",)))
    who = principal(tenant, Role.SERVICE)
    assert handlers.claim(who, claim("acct", {Dimension.PHONE: "p"})).verdict is Verdict.NEW
    assert handlers.claim(who, claim("acct", {Dimension.PHONE: "p"})).verdict is Verdict.NEW


def test_bind_inherits_unbind_restores_exactly_and_rebind_inherits_again(
    handlers: DedupHandlers, tenant: str
) -> None:
    admin = principal(tenant)
    own = set_policy(
        handlers,
        tenant,
        "child",
        dimensions=(Dimension.WECHAT,),
        window=7 * DAY,
        action=Action.FLAG,
        subject="bob",
    )
    parent = set_policy(
        handlers,
        tenant,
        "parent",
        scope=Scope.ACCOUNT_GROUP,
        dimensions=(Dimension.PHONE, Dimension.DEVICE),
        window=30 * DAY,
    )
    handlers.bind(admin, "parent", "child")
    inherited = handlers.get_policy(admin, "child")
    assert inherited.rules == parent.rules and inherited.inherited_from == "parent"
    assert inherited.account_id == "child"

    # The parent changes: the bound child follows automatically.
    changed = handlers.update_policy(admin, PolicyPatch(account_id="parent", mask=("action",), action=2))
    assert handlers.get_policy(admin, "child").rules == changed.rules

    # The child cannot change its policy while bound; the error names the parent.
    with pytest.raises(FailedPrecondition) as error:
        handlers.update_policy(admin, PolicyPatch(account_id="child", mask=("action",), action=1))
    assert error.value.reason == "ACCOUNT_BOUND" and "parent" in error.value.message
    assert error.value.metadata["parent_account_id"] == "parent"

    handlers.unbind(admin, "child")
    restored = handlers.get_policy(admin, "child")
    assert restored.rules == own.rules and restored.updated_by == "bob" and restored.inherited_from == ""
    assert restored.update_time == own.update_time

    handlers.bind(admin, "parent", "child")
    assert handlers.get_policy(admin, "child").rules == changed.rules
    handlers.unbind(admin, "child")
    assert handlers.get_policy(admin, "child").rules == own.rules


def test_an_unbound_child_that_never_had_a_policy_gets_the_default_back(
    handlers: DedupHandlers, tenant: str
) -> None:
    admin = principal(tenant)
    set_policy(handlers, tenant, "parent", scope=Scope.ACCOUNT_GROUP, dimensions=(Dimension.EMAIL,))
    handlers.bind(admin, "parent", "fresh")
    assert handlers.get_policy(admin, "fresh").rules.dimensions == (Dimension.EMAIL,)
    handlers.unbind(admin, "fresh")
    policy = handlers.get_policy(admin, "fresh")
    assert policy.rules == DEFAULT_RULES and policy.update_time is None


def test_binding_refusals(handlers: DedupHandlers, tenant: str) -> None:
    admin = principal(tenant)
    handlers.bind(admin, "p1", "c1")
    again = handlers.bind(admin, "p1", "c1")  # the same pair again: unchanged
    assert again.parent_account_id == "p1"
    cases = [
        (("p1", "p1"), "SELF_BINDING"),
        (("p2", "c1"), "ALREADY_BOUND"),  # bound to another parent
        (("p2", "p1"), "CHILD_IS_PARENT"),  # the child is itself a parent
        (("c1", "x"), "PARENT_IS_CHILD"),  # the parent is itself a child
    ]
    for (parent, child), reason in cases:
        with pytest.raises(FailedPrecondition) as error:
            handlers.bind(admin, parent, child)
        assert error.value.reason == reason, (parent, child)
    with pytest.raises(NotFound):
        handlers.unbind(admin, "never-bound")
    with pytest.raises(InvalidArgument):
        handlers.bind(admin, "", "c9")


def test_tenants_are_apart(handlers: DedupHandlers, tenant: str) -> None:
    """Accounts are namespaced by tenant (from the token): another tenant cannot see, bind or unbind them."""
    other = unique("other-tenant")
    set_policy(handlers, tenant, "parent", scope=Scope.ACCOUNT_GROUP, dimensions=(Dimension.DEVICE,))
    handlers.bind(principal(tenant), "parent", "child")
    assert handlers.get_policy(principal(other), "parent").rules == DEFAULT_RULES
    assert handlers.get_policy(principal(other), "child").inherited_from == ""
    with pytest.raises(NotFound):
        handlers.unbind(principal(other), "child")
    assert handlers.list_bindings(principal(other), "", 0, "").items == []
    assert handlers.list_history(principal(other), "parent", 0, "").items == []
    # Binding "the same" ids in the other tenant binds the other tenant's own accounts only.
    handlers.bind(principal(other), "child", "parent")
    assert handlers.get_policy(principal(tenant), "child").inherited_from == "parent"


def test_history_records_who_changed_what_and_when_with_pages(
    handlers: DedupHandlers, tenant: str, clock
) -> None:  # type: ignore[no-untyped-def]
    admin = principal(tenant, subject="carol")
    for days, action in enumerate([Action.FLAG, Action.MERGE, Action.FLAG], start=1):
        clock.set(T0 + days * DAY)
        handlers.update_policy(admin, PolicyPatch(account_id="acct", mask=("action",), action=int(action)))
    handlers.update_policy(admin, PolicyPatch(account_id="acct", mask=("action",), action=int(Action.FLAG)))
    clock.set(T0 + 10 * DAY)
    handlers.bind(admin, "parent", "acct")
    page = handlers.list_history(admin, "acct", 2, "")
    entries, token = page.items, page.next_page_token
    assert [e.changed_fields for e in entries] == [("action", "inherited_from_account_id"), ("action",)]
    assert entries[0].new.inherited_from == "parent" and entries[0].change_time == T0 + 10 * DAY
    page = handlers.list_history(admin, "acct", 2, token)
    rest, last = page.items, page.next_page_token
    assert last == "" and len(rest) == 2  # the unchanged fourth update wrote nothing
    first = rest[-1]
    assert first.old is None and first.actor == "carol" and first.change_time == T0 + DAY
    assert first.new.rules.action is Action.FLAG
    assert rest[0].old is not None and rest[0].old.rules.action is Action.FLAG
    with pytest.raises(InvalidArgument):
        handlers.list_history(admin, "other", 2, token)  # a token is bound to its account


def test_bindings_are_listed_in_order_with_pages(handlers: DedupHandlers, tenant: str) -> None:
    admin = principal(tenant)
    for parent, child in [("p2", "c3"), ("p1", "c2"), ("p1", "c1")]:
        handlers.bind(admin, parent, child)
    listed = handlers.list_bindings(admin, "", 2, "")
    page, token = listed.items, listed.next_page_token
    assert [(b.parent_account_id, b.child_account_id) for b in page] == [("p1", "c1"), ("p1", "c2")]
    listed = handlers.list_bindings(admin, "", 2, token)
    page, token = listed.items, listed.next_page_token
    assert [(b.parent_account_id, b.child_account_id) for b in page] == [("p2", "c3")] and token == ""
    only = handlers.list_bindings(admin, "p2", 0, "").items
    assert [b.child_account_id for b in only] == ["c3"]


def test_changes_write_policy_changed_events_to_the_outbox(
    handlers: DedupHandlers, tenant: str, dedup_database: Database
) -> None:
    admin = principal(tenant, subject="dave")
    handlers.bind(admin, "parent", "child")
    handlers.update_policy(admin, PolicyPatch(account_id="parent", scope=int(Scope.ACCOUNT_GROUP)))
    outbox = messaging.outbox
    with dedup_database.read() as session:
        rows = session.execute(
            sa.select(outbox).where(outbox.c.aggregate_id.like(f"{tenant}/%")).order_by(outbox.c.id)
        ).all()
    assert [row.subject for row in rows] == [DEDUP_POLICY_CHANGED] * 2
    bind_event, update_event = (events_pb2.DedupPolicyChanged.FromString(row.payload) for row in rows)
    assert bind_event.account_id == "child" and bind_event.new_policy.inherited_from_account_id == "parent"
    assert list(bind_event.changed_fields.paths) == ["inherited_from_account_id"]
    assert update_event.tenant_id == tenant and update_event.changed_by == "dave"
    assert list(update_event.changed_fields.paths) == ["scope"]
    assert list(update_event.affected_account_ids) == ["child"]
    assert update_event.old_policy.scope == 1 and update_event.new_policy.scope == 2
    assert rows[1].event_id == update_event.event_id
