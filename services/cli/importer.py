"""`leadflow import FILE.csv`: stream a CSV file of leads to ``IngestService.ImportLeads``.

The CSV has a header row; columns are ``SubmitLeadRequest`` field names, in any order, all optional except what the
server requires (``account_id``, ``channel``, ``traffic_source``, ``business_source``):

- text fields as they are: ``account_id``, ``collect_account_id``, ``external_id``, ``request_id``, ``name``,
  ``phone``, ``wechat``, ``email``, ``ip``, ``device_id``, ``campaign_id``, ``adgroup_id``, ``creative_id``;
- enums by name, with or without their prefix, any case: ``channel`` (FORM, INBOUND_CALL, WECHAT,
  PRIVATE_MESSAGE, THIRD_PARTY, IMPORT), ``traffic_source`` (AD_DIRECT, AD_INDIRECT, ORGANIC), ``business_source``
  (LANDING_PAGE, OFFICIAL_ACCOUNT, ...);
- ``cost`` as a decimal amount ("35.50") with ``cost.currency_code`` (default CNY);
- ``submit_time`` and ``consent.grant_time`` in ISO 8601 ("2026-03-01T08:00:00+08:00"; without an offset: UTC);
- ``consent.contact`` and ``consent.marketing`` as true/false/1/0/yes/no, ``consent.notice_version`` as text;
- ``attributes.<key>`` columns become the attribute ``<key>`` (empty cells are left out).

A row without ``request_id`` gets one derived from its content, so importing the same file again creates nothing
new (the server answers each row with its first result). Rows this command cannot read (an unknown enum name, a
malformed cost or time) are not sent and are reported as failures with their line numbers, like the rows the
server refuses. A progress bar goes to stderr; the summary table (counts per verdict, then every failure with its
CSV line number) goes to stdout. Exit status: 0 when every row was accepted or rejected by the rules, 1 when some
rows failed, 2 when the file cannot be read, 3 when the call itself failed (the server is unreachable, the token is
refused, ...).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

import grpc
from google.protobuf import timestamp_pb2

from leadflow.common.v1 import lead_pb2, money_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from leadflow.ingest.v1 import ingest_service_pb2_grpc

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
ENUM_FIELDS: dict[str, tuple[Any, str]] = {
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
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


class RowError(ValueError):
    def __init__(self, column: str, problem: str) -> None:
        super().__init__(f"{column}: {problem}")
        self.column = column


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


def check_header(header: list[str]) -> list[str]:
    """The columns this command does not know (reported before anything is sent)."""
    known = set(TEXT_FIELDS) | set(ENUM_FIELDS) | OTHER_COLUMNS
    return [c for c in header if c not in known and not (c.startswith(ATTRIBUTE_PREFIX) and len(c) > 11)]


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
        canonical = json.dumps(sorted((k, v) for k, v in row.items() if k), ensure_ascii=False)
        request.request_id = "csv-" + hashlib.sha256(canonical.encode()).hexdigest()[:40]
    return request


@dataclass
class Failure:
    line: int
    code: str
    reason: str
    message: str
    fields: list[str] = field(default_factory=list)


@dataclass
class Progress:
    """A plain-text progress bar on a stream (stderr), redrawn at most every ``every`` rows."""

    total: int
    out: TextIO
    width: int = 30
    every: int = 50
    done: int = 0

    def step(self) -> None:
        self.done += 1
        if self.done % self.every == 0 or self.done == self.total:
            self.draw()

    def draw(self) -> None:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(self.width * fraction)
        bar = "#" * filled + "." * (self.width - filled)
        self.out.write(f"\r[{bar}] {self.done}/{self.total} rows ({fraction:.0%})")
        self.out.flush()

    def finish(self) -> None:
        self.draw()
        self.out.write("\n")
        self.out.flush()


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, {k: (v or "") for k, v in row.items() if k is not None}


def count_rows(path: Path) -> int:
    return sum(1 for _ in _rows(path))


async def run_import(
    path: Path,
    address: str,
    token: str,
    *,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    timeout: float | None = None,
    channel: grpc.aio.Channel | None = None,
) -> int:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
        total = count_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        err.write(f"leadflow import: cannot read {path}: {exc}\n")
        return 2
    unknown = check_header(header)
    if unknown:
        err.write(f"leadflow import: unknown columns in {path}: {', '.join(unknown)}\n")
        return 2

    progress = Progress(total, err)
    local_failures: list[Failure] = []
    sent_lines: list[int] = []

    async def requests() -> AsyncIterator[pb.ImportLeadsRequest]:
        for line, row in _rows(path):
            progress.step()
            try:
                request = row_request(row)
            except RowError as exc:
                local_failures.append(
                    Failure(line, "INVALID_ARGUMENT", "UNREADABLE_CELL", str(exc), [exc.column])
                )
                continue
            sent_lines.append(line)
            yield pb.ImportLeadsRequest(request=request)

    own_channel = channel is None
    channel = channel or grpc.aio.insecure_channel(address)
    try:
        stub = ingest_service_pb2_grpc.IngestServiceStub(channel)
        summary = await stub.ImportLeads(
            requests(), metadata=(("authorization", f"Bearer {token}"),), timeout=timeout
        )
    except grpc.aio.AioRpcError as exc:
        progress.finish()
        err.write(f"leadflow import: the import failed: {exc.code().name}: {exc.details()}\n")
        return 3
    finally:
        if own_channel:
            await channel.close()
    progress.finish()
    failures = local_failures + [
        Failure(
            sent_lines[f.index] if 0 <= f.index < len(sent_lines) else -1,
            f.error.code,
            f.error.reason,
            f.error.message,
            [v.field for v in f.error.field_violations],
        )
        for f in summary.failures
    ]
    failures.sort(key=lambda f: f.line)
    print_summary(out, summary, failures, total)
    return 1 if failures or summary.failed_count else 0


def print_summary(out: TextIO, summary: pb.ImportLeadsResponse, failures: list[Failure], total: int) -> None:
    rows = [
        ("rows in file", total),
        ("sent", summary.received_count),
        ("NEW", summary.new_count),
        ("DUPLICATE", summary.duplicate_count),
        ("RETURNING", summary.returning_count),
        ("REJECTED", summary.rejected_count),
        ("FAILED", summary.failed_count + (total - summary.received_count)),
    ]
    out.write(f"{'verdict':<14}{'rows':>8}\n")
    for label, count in rows:
        out.write(f"{label:<14}{count:>8}\n")
    if failures:
        out.write("\nfailed rows\n")
        out.write(f"{'line':>6}  {'code':<20} {'reason':<24} fields / message\n")
        for f in failures:
            detail = ", ".join(f.fields) if f.fields else f.message
            out.write(f"{f.line:>6}  {f.code:<20} {f.reason:<24} {detail}\n")
        shown = summary.failed_count + (total - summary.received_count)
        if shown > len(failures):
            out.write(f"... and {shown - len(failures)} more (the server lists the first 1,000)\n")


def main(path: str, address: str, token: str | None, timeout: float | None) -> int:
    if not token:
        sys.stderr.write("leadflow import: a bearer token is required (--token or LEADFLOW_TOKEN)\n")
        return 2
    return asyncio.run(run_import(Path(path), address, token, timeout=timeout))
