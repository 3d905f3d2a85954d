"""Value messages several ingest messages share: money, rejection reasons, matches, regions."""

from __future__ import annotations

from collections.abc import Sequence

from leadflow.common.v1 import lead_pb2, money_pb2, region_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.protoconv import timestamp, to_enum
from services.ingest.domain.model import Contact, Match, Money
from services.ingest.domain.normalisation import Rejection, RejectionCode


def money_message(money: Money | None) -> money_pb2.Money | None:
    if money is None:
        return None
    return money_pb2.Money(currency_code=money.currency_code, units=money.units, nanos=money.nanos)


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
    return pb.RejectionReason(
        code=rejection_code(rejection.code),
        field=rejection.field,
        message=rejection.message,
        rule=rejection.rule,
    )


def match_messages(matches: Sequence[Match]) -> list[pb.Match]:
    return [
        pb.Match(
            dimension=to_enum(lead_pb2.DedupDimension, m.dimension),
            lead_id=m.lead_id,
            first_seen_time=timestamp(m.first_seen_time),
        )
        for m in matches
    ]


def matched_dimensions(matches: Sequence[Match]) -> list[lead_pb2.DedupDimension]:
    return [to_enum(lead_pb2.DedupDimension, d) for d in sorted({int(m.dimension) for m in matches})]


def region_message(contact: Contact) -> region_pb2.Region | None:
    if not contact.phone_province:
        return None
    return region_pb2.Region(province=contact.phone_province, city=contact.phone_city)
