"""One row of an import file as a ``SubmitLeadRequest``: which columns exist and how each cell is read.

Columns are ``SubmitLeadRequest`` field names, in any order, all optional except what the server requires
(``account_id``, ``channel``, ``traffic_source``, ``business_source``):

- text fields as they are: ``account_id``, ``collect_account_id``, ``external_id``, ``request_id``, ``name``,
  ``phone``, ``wechat``, ``email``, ``ip``, ``device_id``, ``campaign_id``, ``adgroup_id``, ``creative_id``;
- enums by name, with or without their prefix, any case: ``channel`` (FORM, INBOUND_CALL, WECHAT,
  PRIVATE_MESSAGE, THIRD_PARTY, IMPORT), ``traffic_source`` (AD_DIRECT, AD_INDIRECT, ORGANIC), ``business_source``
  (LANDING_PAGE, OFFICIAL_ACCOUNT, ...);
- ``cost`` as a decimal amount ("35.50") with ``cost.currency_code`` (default CNY);
- ``submit_time`` and ``consent.grant_time`` in ISO 8601 ("2026-03-01T08:00:00+08:00"; without an offset: UTC);
- ``consent.contact`` and ``consent.marketing`` as true/false/1/0/yes/no, ``consent.notice_version`` as text;
- ``attributes.<key>`` columns become the attribute ``<key>`` (empty cells are left out);
- ``error.line``, ``error.field``, ``error.reason``: the notes of an error file (``leadflow import --errors``),
  ignored, so a corrected error file imports as it is.

A row without ``request_id`` gets one derived from its content (the notes left out), so importing the same rows
again creates nothing new: the server answers each with its first result.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from google.protobuf import timestamp_pb2
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from leadflow.common.v1 import lead_pb2, money_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb

TEXT_FIELDS = (
    "account_id",
    "collect_account_id",
    "external_id",
    "request_id",
    "name",
    "phone",
    "wechat",
    "email",
    "ip",
    "device_id",
    "campaign_id",
    "adgroup_id",
    "creative_id",
)
ENUM_FIELDS: dict[str, tuple[EnumTypeWrapper, str]] = {
    "channel": (lead_pb2.Channel, "CHANNEL_"),
    "traffic_source": (lead_pb2.TrafficSource, "TRAFFIC_SOURCE_"),
    "business_source": (lead_pb2.BusinessSource, "BUSINESS_SOURCE_"),
}
OTHER_COLUMNS = {
    "cost",
    "cost.currency_code",
    "submit_time",
    "consent.contact",
    "consent.marketing",
    "consent.notice_version",
    "consent.grant_time",
}
ATTRIBUTE_PREFIX = "attributes."
ERROR_NOTE_COLUMNS = ("error.line", "error.field", "error.reason")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


class RowError(ValueError):
    def __init__(self, column: str, problem: str) -> None:
        super().__init__(f"{column}: {problem}")
        self.column = column
        self.problem = problem


def _timestamp(column: str, text: str) -> timestamp_pb2.Timestamp:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RowError(column, "is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _bool(column: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise RowError(column, "must be true or false")


def _money(text: str, currency: str) -> money_pb2.Money:
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise RowError("cost", "is not a decimal amount") from None
    if not amount.is_finite():
        raise RowError("cost", "is not a decimal amount")
    units = int(amount)
    nanos = int((amount - units) * 1_000_000_000)
    return money_pb2.Money(currency_code=(currency.strip() or "CNY").upper(), units=units, nanos=nanos)


_KNOWN = set(TEXT_FIELDS) | set(ENUM_FIELDS) | OTHER_COLUMNS | set(ERROR_NOTE_COLUMNS)


def is_known_column(name: str) -> bool:
    return name in _KNOWN or (name.startswith(ATTRIBUTE_PREFIX) and len(name) > len(ATTRIBUTE_PREFIX))


def unknown_columns(header: list[str]) -> list[str]:
    """The columns this command does not know (reported before anything is sent); empty names are ignored."""
    return [c for c in header if c and not is_known_column(c)]


def row_request(row: dict[str, str]) -> pb.SubmitLeadRequest:
    """One CSV row as a SubmitLeadRequest; raises RowError for a cell that cannot be read."""
    request = pb.SubmitLeadRequest()
    for name in TEXT_FIELDS:
        value = row.get(name)
        if value:
            setattr(request, name, value)
    for name, (enum, prefix) in ENUM_FIELDS.items():
        value = (row.get(name) or "").strip().upper()
        if not value:
            continue
        full = value if value.startswith(prefix) else prefix + value
        try:
            setattr(request, name, enum.Value(full))
        except ValueError:
            raise RowError(name, f"unknown value {value!r}") from None
    if row.get("cost"):
        request.cost.CopyFrom(_money(row["cost"], row.get("cost.currency_code") or "CNY"))
    if row.get("submit_time"):
        request.submit_time.CopyFrom(_timestamp("submit_time", row["submit_time"]))
    if any(
        row.get(c)
        for c in ("consent.contact", "consent.marketing", "consent.notice_version", "consent.grant_time")
    ):
        request.consent.contact = _bool("consent.contact", row.get("consent.contact") or "")
        request.consent.marketing = _bool("consent.marketing", row.get("consent.marketing") or "")
        request.consent.notice_version = row.get("consent.notice_version") or ""
        if row.get("consent.grant_time"):
            request.consent.grant_time.CopyFrom(_timestamp("consent.grant_time", row["consent.grant_time"]))
    for column, value in row.items():
        if column and column.startswith(ATTRIBUTE_PREFIX) and value:
            request.attributes[column[len(ATTRIBUTE_PREFIX) :]] = value
    if not request.request_id:
        # Stable for the row's content: a second import of the same file is answered from the first.
        content = sorted((k, v) for k, v in row.items() if k and k not in ERROR_NOTE_COLUMNS)
        canonical = json.dumps(content, ensure_ascii=False)
        request.request_id = "csv-" + hashlib.sha256(canonical.encode()).hexdigest()[:40]
    return request
