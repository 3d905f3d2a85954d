"""Protobuf <-> domain for push rules and deliveries (leadflow.ingest.v1), and the lead.accepted event -> the
pushable lead fields. No logic beyond the mapping.

``PushRpc`` is what the thin servicer (``api.py``) delegates the three push RPCs to: convert the request, run the
synchronous handler in a worker thread, convert the result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from google.protobuf.timestamp_pb2 import Timestamp

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import events_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.auth import Principal
from services.ingest.domain.push import DeliveryQuery, PushDelivery, PushRule, SetPushRuleCommand

if TYPE_CHECKING:
    from services.ingest.push_handlers import PushHandlers


def _timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


# ------------------------------------------------------------------------------------------------------ requests


def set_push_rule_command(request: pb.SetPushRuleRequest) -> SetPushRuleCommand:
    rule = request.push_rule
    return SetPushRuleCommand(
        account_id=rule.account_id,
        endpoint_url=rule.endpoint_url,
        enabled=rule.enabled,
        fields=tuple(rule.selected_fields),
        secret=rule.secret,
        request_id=request.request_id,
    )


def delivery_query(request: pb.ListPushDeliveriesRequest) -> DeliveryQuery:
    return DeliveryQuery(
        lead_id=request.lead_id,
        account_id=request.account_id,
        status=int(request.status),
        page_size=request.page_size,
        page_token=request.page_token,
    )


# ------------------------------------------------------------------------------------------------------ responses


def push_rule_message(rule: PushRule) -> pb.PushRule:
    """The rule without its secret (``has_secret`` says whether one is stored)."""
    return pb.PushRule(
        account_id=rule.account_id,
        endpoint_url=rule.endpoint_url,
        enabled=rule.enabled,
        selected_fields=list(rule.fields),
        has_secret=rule.has_secret,
        update_time=_timestamp(rule.update_time),
    )


def push_delivery_message(delivery: PushDelivery) -> pb.PushDelivery:
    """The delivery's state; its payload (personal data) is not part of the message."""
    return pb.PushDelivery(
        id=delivery.id,
        lead_id=delivery.lead_id,
        account_id=delivery.account_id,
        attempt_count=delivery.attempts,
        status=int(delivery.status),  # type: ignore[arg-type]
        last_http_status=delivery.last_http_status,
        last_error=delivery.last_error,
        next_attempt_time=_timestamp(delivery.next_attempt_time),
        create_time=_timestamp(delivery.create_time),
        update_time=_timestamp(delivery.update_time),
        deliver_time=_timestamp(delivery.delivered_time),
    )


def list_push_deliveries_response(
    deliveries: list[PushDelivery], next_page_token: str
) -> pb.ListPushDeliveriesResponse:
    return pb.ListPushDeliveriesResponse(
        deliveries=[push_delivery_message(d) for d in deliveries], next_page_token=next_page_token
    )


# ------------------------------------------------------------------------------------------------------ events


def _enum_name(enum: Any, value: int) -> str:
    try:
        return str(enum.Name(value))
    except ValueError:
        return str(value)  # a value newer than this code: keep the number rather than fail the push


def _json_time(message: Any, name: str) -> str | None:
    return getattr(message, name).ToJsonString() if message.HasField(name) else None


def accepted_lead_fields(
    event: events_pb2.LeadAccepted, contact: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Every pushable field, JSON-ready, named as in the Lead (and Submission) messages: enums by their protobuf
    names, times in RFC 3339, money as currency, units and nanos; None where there is no value. ``contact`` holds
    the stored contact fields the event does not carry (``STORED_CONTACT_FIELDS``, from ingest's leads table)."""
    stored = contact or {}
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
    return {
        "id": event.lead_id,
        "account_ids": list(event.account_ids) or [event.account_id],
        "verdict": _enum_name(lead_pb2.LeadVerdict, event.verdict),
        "name": stored.get("name") or None,
        "phone": event.phone or None,
        "phone_from_wechat": event.phone_from_wechat,
        "phone_region": region,
        "wechat": stored.get("wechat") or None,
        "email": stored.get("email") or None,
        "ip": stored.get("ip") or None,
        "device_id": stored.get("device_id") or None,
        "returning_of_lead_id": event.returning_of_lead_id or None,
        "first_submit_time": _json_time(event, "submit_time"),
        "create_time": _json_time(event, "occurred_time"),
        "account_id": event.account_id,
        "collect_account_id": event.collect_account_id if event.HasField("collect_account_id") else None,
        "submission_id": event.submission_id,
        "channel": _enum_name(lead_pb2.Channel, event.channel),
        "traffic_source": _enum_name(lead_pb2.TrafficSource, event.traffic_source),
        "business_source": _enum_name(lead_pb2.BusinessSource, event.business_source),
        "campaign_id": event.campaign_id or None,
        "adgroup_id": event.adgroup_id or None,
        "creative_id": event.creative_id or None,
        "cost": cost,
    }


# ------------------------------------------------------------------------------------------------------ RPCs


class PushRpc:
    """``IngestApi(push=PushRpc(push_handlers))``: each method takes the principal and the request message."""

    def __init__(self, handlers: PushHandlers) -> None:
        self._h = handlers

    async def set_push_rule(
        self, principal: Principal, request: pb.SetPushRuleRequest
    ) -> pb.SetPushRuleResponse:
        rule = await asyncio.to_thread(self._h.set_push_rule, principal, set_push_rule_command(request))
        return pb.SetPushRuleResponse(push_rule=push_rule_message(rule))

    async def get_push_rule(
        self, principal: Principal, request: pb.GetPushRuleRequest
    ) -> pb.GetPushRuleResponse:
        rule = await asyncio.to_thread(self._h.get_push_rule, principal, request.account_id)
        return pb.GetPushRuleResponse(push_rule=push_rule_message(rule))

    async def list_push_deliveries(
        self, principal: Principal, request: pb.ListPushDeliveriesRequest
    ) -> pb.ListPushDeliveriesResponse:
        page, token = await asyncio.to_thread(
            self._h.list_push_deliveries, principal, delivery_query(request)
        )
        return list_push_deliveries_response(page, token)
