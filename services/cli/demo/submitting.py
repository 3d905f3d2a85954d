"""Planned submissions as SubmitLeadRequest messages, and what the demo learns from each answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from google.protobuf import timestamp_pb2

from leadflow.common.v1 import lead_pb2, money_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as ingest_pb
from services.cli.demo.plan import Submission

FEN_PER_YUAN = 100
NANOS_PER_FEN = 10_000_000


def money(fen: int) -> money_pb2.Money:
    return money_pb2.Money(
        currency_code="CNY", units=fen // FEN_PER_YUAN, nanos=(fen % FEN_PER_YUAN) * NANOS_PER_FEN
    )


def fen_of(amount: money_pb2.Money) -> int:
    """An amount in fen (CNY has two decimals: nanos below a fen are dropped)."""
    return amount.units * FEN_PER_YUAN + amount.nanos // NANOS_PER_FEN


def request_of(planned: Submission, submit_time: datetime | None) -> ingest_pb.SubmitLeadRequest:
    """The request for ``planned``; ``submit_time`` None lets ingest stamp its own receive time."""
    request = ingest_pb.SubmitLeadRequest(
        request_id=planned.request_id,
        external_id=planned.external_id,
        account_id=planned.account_id,
        channel=lead_pb2.Channel.Value(f"CHANNEL_{planned.channel}"),
        traffic_source=lead_pb2.TrafficSource.Value(f"TRAFFIC_SOURCE_{planned.traffic_source}"),
        business_source=lead_pb2.BusinessSource.Value(f"BUSINESS_SOURCE_{planned.business_source}"),
        name=planned.name,
        phone=planned.phone,
        wechat=planned.wechat,
        ip=planned.ip,
        campaign_id=planned.campaign_id,
        adgroup_id=planned.adgroup_id,
        creative_id=planned.creative_id,
        attributes=dict(planned.attributes),
        consent=ingest_pb.Consent(contact=True, notice_version="2024-01"),
    )
    if planned.charged:
        request.cost.CopyFrom(money(planned.cost_fen))
    if submit_time is not None:
        stamp = timestamp_pb2.Timestamp()
        stamp.FromDatetime(submit_time)
        request.submit_time.CopyFrom(stamp)
    return request


@dataclass(frozen=True)
class Answer:
    """What one SubmitLead answered: verdict (NEW, DUPLICATE, RETURNING, REJECTED), the lead, rejection codes and
    the dimensions a duplicate matched on (short names)."""

    verdict: str
    lead_id: str
    rejections: tuple[str, ...]
    matched: tuple[str, ...]
    phone_from_wechat: bool
    alternate_phones: int


def answer_of(reply: ingest_pb.SubmitLeadResponse) -> Answer:
    return Answer(
        verdict=lead_pb2.LeadVerdict.Name(reply.verdict).removeprefix("LEAD_VERDICT_"),
        lead_id=reply.lead.id,
        rejections=tuple(
            ingest_pb.RejectionCode.Name(r.code).removeprefix("REJECTION_CODE_")
            for r in reply.rejection_reasons
        ),
        matched=tuple(
            lead_pb2.DedupDimension.Name(m.dimension).removeprefix("DEDUP_DIMENSION_") for m in reply.matches
        ),
        phone_from_wechat=reply.lead.phone_from_wechat,
        alternate_phones=len(reply.lead.alternate_phones),
    )
