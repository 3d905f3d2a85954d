"""Value messages several ingest messages share: money, rejection reasons, matches, regions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leadflow.common.v1 import lead_pb2, money_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.protoconv import timestamp_fields, to_enum
from services.ingest.domain.model import Contact, Match, Money
from services.ingest.domain.normalisation import Rejection, RejectionCode


def money_fields(money: Money | None) -> dict[str, Any] | None:
    """A Money message's fields as a dict (``protoconv.timestamp_fields`` says why); None for no money."""
    if money is None:
        return None
    return {"currency_code": money.currency_code, "units": money.units, "nanos": money.nanos}


def money(message: money_pb2.Money) -> Money:
    return Money(message.currency_code, message.units, message.nanos)


_PROTO_REJECTION: dict[RejectionCode, int] = {
    code: pb.RejectionCode.Value("REJECTION_CODE_" + code.value)
    for code in RejectionCode
    if code is not RejectionCode.CONTACT_EMPTY
}
_PROTO_REJECTION[RejectionCode.CONTACT_EMPTY] = pb.REJECTION_CODE_CONTACT_MISSING


def rejection_code(code: RejectionCode) -> pb.RejectionCode:
    return to_enum(pb.RejectionCode, _PROTO_REJECTION[code])


def rejection_message(rejection: Rejection) -> pb.RejectionReason:
    return pb.RejectionReason(**rejection_fields(rejection))


def rejection_fields(rejection: Rejection) -> dict[str, Any]:
    """A RejectionReason message's fields as a dict (``protoconv.timestamp_fields`` says why)."""
    return {
        "code": rejection_code(rejection.code),
        "field": rejection.field,
        "message": rejection.message,
        "rule": rejection.rule,
    }


def match_fields(matches: Sequence[Match]) -> list[dict[str, Any]]:
    """Match messages' fields as dicts (``protoconv.timestamp_fields`` says why)."""
    return [
        {
            "dimension": to_enum(lead_pb2.DedupDimension, m.dimension),
            "lead_id": m.lead_id,
            "first_seen_time": timestamp_fields(m.first_seen_time),
        }
        for m in matches
    ]


def matched_dimensions(matches: Sequence[Match]) -> list[lead_pb2.DedupDimension]:
    return [to_enum(lead_pb2.DedupDimension, d) for d in sorted({int(m.dimension) for m in matches})]


def region_fields(contact: Contact) -> dict[str, str] | None:
    """The phone's Region message fields as a dict; None when the region is unknown."""
    if not contact.phone_province:
        return None
    return {"province": contact.phone_province, "city": contact.phone_city}
