"""After the suite's runs (this module runs last in tests/fuzz): no Chinese mobile number in the services' log lines,
in the text of the errors they answered, in metric labels, or in the events they published, outside the fields meant
to carry one (phone fields, sealed values).

Phone numbers went only into phone fields (``strategies.carries_phone``); every other string the suite sent was
drawn without one, so a number found here leaked from a phone field.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from prometheus_client import REGISTRY

from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import events_pb2 as ingest_events
from leadflow.ingest.v1 import ingest_service_pb2 as ingest_pb
from leadflow.telephony.v1 import telephony_service_pb2 as telephony_pb
from tests.fuzz.events import settled_events
from tests.fuzz.rpcs import RPCS
from tests.fuzz.stack import FuzzStack
from tests.fuzz.strategies import MOBILE_RE, carries_phone

TENANT = "fuzz-scan"
SEALED = "leadflow.common.v1.EncryptedValue"
SERVICES_SOURCE = Path(__file__).resolve().parents[2] / "services"


def _national(number: str) -> str:
    return re.sub(r"\D", "", number)[-11:]


@functools.cache
def example_numbers() -> frozenset[str]:
    """The numbers the services quote as examples in their messages ("must be in E.164 form, for example
    +8613800138000"): part of the code, not a caller's data. The suite never sends them."""
    return frozenset(
        _national(match.group(0))
        for path in SERVICES_SOURCE.rglob("*.py")
        for match in MOBILE_RE.finditer(path.read_text())
    )


def leaked(text: str) -> bool:
    """Whether ``text`` holds a mobile number other than the services' own examples."""
    return any(_national(match.group(0)) not in example_numbers() for match in MOBILE_RE.finditer(text))


def _send_phones(stack: FuzzStack) -> list[str]:
    """Phones through every kind of phone field (a lead's, an agent's, a virtual number, the blocklist), so the scan
    has something to find even when this module runs alone; returns the numbers sent."""
    by_id = {rpc.id: rpc for rpc in RPCS}
    phones = ["+8613912340001", "13912340002", "139 1234 0003", "+8613912340004", "+8617012340005"]

    def call(rpc_id: str, request: Message) -> None:
        rpc = by_id[rpc_id]
        answer = stack.call(rpc, request, stack.metadata(rpc, TENANT))
        assert answer.code == grpc.StatusCode.OK, (rpc_id, answer)

    def rid() -> str:
        return uuid.uuid4().hex

    call(
        "ingest.SubmitLead",
        ingest_pb.SubmitLeadRequest(
            account_id="acct-1",
            channel=lead_pb2.CHANNEL_FORM,
            traffic_source=lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
            business_source=lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
            request_id=rid(),
            phone=phones[0],
            wechat=phones[1],
        ),
    )
    call(
        "ingest.SetBlocklist",
        ingest_pb.SetBlocklistRequest(
            entries=[ingest_pb.BlocklistEntry(kind=ingest_pb.BLOCKLIST_ENTRY_KIND_PHONE, value=phones[2])]
        ),
    )
    team = assign_pb.CreateTeamRequest(team=assign_pb.Team(display_name="Scan"), request_id=rid())
    rpc = by_id["assign.CreateTeam"]
    team_id = stack.call(rpc, team, stack.metadata(rpc, TENANT)).response.team.id
    call(
        "assign.CreateAgent",
        assign_pb.CreateAgentRequest(
            agent=assign_pb.Agent(team_id=team_id, display_name="Wang", user_id=rid(), phone=phones[3]),
            request_id=rid(),
        ),
    )
    call(
        "telephony.AddNumbers",
        telephony_pb.AddNumbersRequest(
            numbers=[telephony_pb.MaskedNumber(phone_number=phones[4])], request_id=rid()
        ),
    )
    return phones


def _strings_outside_phone_fields(message: Message, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, value) of every string in ``message`` except phone fields and sealed values."""
    if message.DESCRIPTOR.full_name == SEALED:
        return
    for field, value in message.ListFields():
        if carries_phone(message.DESCRIPTOR, field):
            continue
        where = f"{path}{field.name}"
        items = value if field.is_repeated else [value]
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            items = [f"{k}={v}" if not isinstance(v, Message) else k for k, v in value.items()]
        for item in items:
            if isinstance(item, Message):
                yield from _strings_outside_phone_fields(item, where + ".")
            elif field.type == FieldDescriptor.TYPE_STRING or isinstance(item, str):
                yield where, str(item)


def test_the_scan_finds_a_phone_where_one_is() -> None:
    # The positive control: the pattern finds each form the suite sends, and nothing in ids and trace ids.
    for text in ("phone=13912340001", "+86 139 1234 0003", '"139-1234-0005"', "tel:8613912340002"):
        assert MOBILE_RE.search(text), text
    for text in ("01JBX3M2Q3Z6Y7W8V9T0S1R2P3", "4bf92f3577b34da6a3ce929d0e0e4736", "2026-11-30T10:25:32.123"):
        assert not MOBILE_RE.search(text), text
    assert leaked("tel:13912340001") and not leaked("must be in E.164 form, for example +8613800138000")


def test_the_event_walk_skips_only_phone_fields_and_sealed_values() -> None:
    event = ingest_events.LeadAccepted(campaign_id="13912340009", account_ids=["acct-1", "+86 139 1234 0008"])
    event.encrypted_phone.key_id = "13912340007"  # inside a sealed value: not read
    found = dict(_strings_outside_phone_fields(event))
    assert found == {"campaign_id": "13912340009", "account_ids": "+86 139 1234 0008"}
    assert list(_strings_outside_phone_fields(telephony_pb.MaskedNumber(phone_number="+8613912340001"))) == []


def test_no_phone_in_logs_errors_metric_labels_or_events(fuzz_stack: FuzzStack) -> None:
    _send_phones(fuzz_stack)

    leaks: list[tuple[str, str]] = []
    for line in fuzz_stack.logs.text().splitlines():
        if leaked(line):
            leaks.append(("log", line[:300]))
    for text in fuzz_stack.error_texts:
        if leaked(text):
            leaks.append(("error", text[:300]))
    for family in REGISTRY.collect():
        for sample in family.samples:
            for label, value in sample.labels.items():
                if leaked(value):
                    leaks.append(("metric", f"{sample.name}{{{label}={value!r}}}"))

    events = settled_events(fuzz_stack.env["LEADFLOW_NATS_URL"], fuzz_stack.stream_start)
    subjects = {event.subject for event in events}
    for event in events:
        for where, value in _strings_outside_phone_fields(event.payload()):
            if leaked(value):
                leaks.append(("event", f"{event.subject} {where}={value[:80]!r}"))
    assert not leaks, leaks
    # The events scanned include the leads the phones went into (so the scan could have found them).
    assert "leadflow.lead.v1.accepted" in subjects, subjects
    assert len(fuzz_stack.logs.text()) > 0
