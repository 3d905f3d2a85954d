"""Request builders and small helpers for the ingest tests."""

from __future__ import annotations

import itertools
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf import timestamp_pb2

from leadflow.common.v1 import lead_pb2, money_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb

_counter = itertools.count(1)
_rng = random.Random(20260301)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


def mobile() -> str:
    """A valid, random Chinese mobile number in national form (138xxxxxxxx)."""
    return "138" + "".join(str(_rng.randrange(10)) for _ in range(8))


def ts(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def ago(**delta: float) -> timestamp_pb2.Timestamp:
    return ts(datetime.now(UTC) - timedelta(**delta))


def lead_request(**fields: Any) -> pb.SubmitLeadRequest:
    """A valid FORM / AD_DIRECT / LANDING_PAGE submission with a fresh request id and phone; override anything."""
    values: dict[str, Any] = {
        "account_id": "acct-1",
        "channel": lead_pb2.CHANNEL_FORM,
        "traffic_source": lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
        "business_source": lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
        "request_id": uuid.uuid4().hex,
        "name": "张三",
        "phone": mobile(),
        "cost": money_pb2.Money(currency_code="CNY", units=35, nanos=500_000_000),
        "consent": pb.Consent(contact=True),
    }
    values.update(fields)
    return pb.SubmitLeadRequest(**values)
