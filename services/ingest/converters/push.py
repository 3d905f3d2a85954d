"""Push rules and deliveries (线索推送), and the lead.accepted event -> the pushable lead fields."""

from __future__ import annotations

from typing import Any

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import events_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.paging import Page
from services.common.protoconv import enum_name, sealed_value, timestamp, to_enum
from services.common.sealing import LEAD_PHONE, Sealer
from services.ingest.converters.events import accepted_message
from services.ingest.domain.events import LeadAccepted
from services.ingest.domain.push import (
    AcceptedLead,
    DeliveryQuery,
    PushDelivery,
    PushEventType,
    PushRule,
    SetPushRuleCommand,
)

# PushEventType (proto) <-> the domain's: the body's "type" names the event.
_EVENT_TYPES = {
    pb.PUSH_EVENT_TYPE_LEAD_ACCEPTED: PushEventType.LEAD_ACCEPTED,
    pb.PUSH_EVENT_TYPE_LEAD_STATUS_CHANGED: PushEventType.LEAD_STATUS_CHANGED,
}
_EVENT_TYPE_NUMBERS = {value: number for number, value in _EVENT_TYPES.items()}


def set_push_rule_command(request: pb.SetPushRuleRequest) -> SetPushRuleCommand:
    rule = request.push_rule
    return SetPushRuleCommand(
        account_id=rule.account_id,
        endpoint_url=rule.endpoint_url,
        enabled=rule.enabled,
        fields=tuple(rule.selected_fields),
        secret=rule.secret,
        request_id=request.request_id,
        event_types=tuple(_EVENT_TYPES.get(value) for value in rule.event_types),
    )


def delivery_query(request: pb.ListPushDeliveriesRequest) -> DeliveryQuery:
    return DeliveryQuery(
        lead_id=request.lead_id,
        account_id=request.account_id,
        status=int(request.status),
        page_size=request.page_size,
        page_token=request.page_token,
    )


def push_rule_message(rule: PushRule) -> pb.PushRule:
    """The rule without its secret (``has_secret`` says whether one is stored)."""
    return pb.PushRule(
        account_id=rule.account_id,
        endpoint_url=rule.endpoint_url,
        enabled=rule.enabled,
        selected_fields=list(rule.fields),
        has_secret=rule.has_secret,
        update_time=timestamp(rule.update_time) if rule.update_time else None,
        event_types=[_EVENT_TYPE_NUMBERS[value] for value in rule.event_types],
    )


def push_delivery_message(delivery: PushDelivery) -> pb.PushDelivery:
    """The delivery's state; its payload (personal data) is not part of the message."""
    return pb.PushDelivery(
        id=delivery.id,
        lead_id=delivery.lead_id,
        account_id=delivery.account_id,
        attempt_count=delivery.attempts,
        status=to_enum(pb.PushDeliveryStatus, delivery.status),
        last_http_status=delivery.last_http_status,
        last_error=delivery.last_error,
        next_attempt_time=timestamp(delivery.next_attempt_time) if delivery.next_attempt_time else None,
        create_time=timestamp(delivery.create_time),
        update_time=timestamp(delivery.update_time),
        deliver_time=timestamp(delivery.delivered_time) if delivery.delivered_time else None,
        event_type=_EVENT_TYPE_NUMBERS[delivery.event_type],
    )


def list_push_deliveries_response(page: Page[PushDelivery]) -> pb.ListPushDeliveriesResponse:
    return pb.ListPushDeliveriesResponse(
        deliveries=[push_delivery_message(d) for d in page.items], next_page_token=page.next_page_token
    )


def _json_time(message: Any, name: str) -> str | None:
    return getattr(message, name).ToJsonString() if message.HasField(name) else None


def accepted_lead(event: events_pb2.LeadAccepted, event_id: str, sealer: Sealer) -> AcceptedLead:
    """Every pushable field the event carries, JSON-ready, named as in the Lead (and Submission) messages: enums by
    their protobuf names, times in RFC 3339, money as currency, units and nanos; None where there is no value. The
    contact fields the event does not carry (``STORED_CONTACT_FIELDS``) are None here; the handler reads them from
    ingest's own lead. The sealed phone is opened with ingest's key."""
    phone = (
        sealer.open(event.tenant_id, LEAD_PHONE, sealed_value(event.encrypted_phone))
        if event.HasField("encrypted_phone")
        else None
    )
    cost = (
        {"currency_code": event.cost.currency_code, "units": event.cost.units, "nanos": event.cost.nanos}
        if event.HasField("cost")
        else None
    )
    region = (
        {"province": event.phone_region.province, "city": event.phone_region.city}
        if event.HasField("phone_region")
        else None
    )
    fields = {
        "id": event.lead_id,
        "account_ids": list(event.account_ids) or [event.account_id],
        "verdict": enum_name(lead_pb2.LeadVerdict, event.verdict, ""),
        "name": None,
        "phone": phone,
        "phone_from_wechat": event.phone_from_wechat,
        "phone_region": region,
        "wechat": None,
        "email": None,
        "ip": None,
        "device_id": None,
        "returning_of_lead_id": event.returning_of_lead_id or None,
        "first_submit_time": _json_time(event, "submit_time"),
        "create_time": _json_time(event, "occurred_time"),
        "account_id": event.account_id,
        "collect_account_id": event.collect_account_id if event.HasField("collect_account_id") else None,
        "submission_id": event.submission_id,
        "channel": enum_name(lead_pb2.Channel, event.channel, ""),
        "traffic_source": enum_name(lead_pb2.TrafficSource, event.traffic_source, ""),
        "business_source": enum_name(lead_pb2.BusinessSource, event.business_source, ""),
        "campaign_id": event.campaign_id or None,
        "adgroup_id": event.adgroup_id or None,
        "creative_id": event.creative_id or None,
        "cost": cost,
    }
    return AcceptedLead(
        event_id=event_id or event.event_id,
        tenant_id=event.tenant_id,
        account_id=event.account_id,
        lead_id=event.lead_id,
        fields=fields,
    )


def accepted_lead_of(event: LeadAccepted, sealer: Sealer) -> AcceptedLead:
    """``accepted_lead`` of the ``lead.accepted`` message the event is recorded as: the submission's transaction
    schedules the push from exactly the fields the consumer of older versions' events reads."""
    return accepted_lead(accepted_message(event.event_id, event, sealer), event.event_id, sealer)
