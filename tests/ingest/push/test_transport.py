"""HTTPS pushes (certificate checked against the host name) and the lead.accepted consumer over a real NATS."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from pathlib import Path

import nats
import pytest

from services.common.clock import FakeClock
from services.common.db import Database
from services.common.events import INGEST_STREAM, LEAD_ACCEPTED
from services.common.messaging import EventConsumer, ensure_stream
from services.ingest.adapters.db.tables import messaging
from services.ingest.adapters.push_sender import HttpPushSender
from services.ingest.consumers import PUSH_CONSUMER, consumer_specs
from services.ingest.domain.push import DeliveryQuery, DeliveryStatus
from services.ingest.handlers.events import EventHandlers
from tests.ingest.push.conftest import TEST_CONFIG
from tests.ingest.push.helpers import (
    SEALER,
    SessionPush,
    SyncPushHandlers,
    accepted,
    admin,
    get,
    push_worker,
    schedule,
    set_rule,
)
from tests.ingest.push.receiver import Receiver


def _self_signed(tmp: Path) -> tuple[Path, Path, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_text(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file, pem


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_https_push_verifies_the_certificate(
    tmp_path: Path, handlers: SyncPushHandlers, database: Database, repository: SessionPush, clock: FakeClock
) -> None:
    cert_file, key_file, pem = _self_signed(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_file, key_file)
    with Receiver(tls=server_tls) as receiver:
        set_rule(handlers, receiver.url(host="localhost"))
        untrusted = schedule(handlers, database, accepted())
        strangers = push_worker(
            database, clock, TEST_CONFIG, sender=HttpPushSender(timeout=2, allow_private_networks=True)
        )
        assert await strangers.run_once() == 1
        refused = get(handlers, database, repository, "tenant-a", untrusted.id)
        assert (refused.status, refused.last_error) == (
            DeliveryStatus.FAILED,
            "TLS error (SSLCertVerificationError)",
        )

        trusting = HttpPushSender(
            timeout=2, allow_private_networks=True, ssl_context=ssl.create_default_context(cadata=pem)
        )
        clock.set(refused.next_attempt_time)
        assert await push_worker(database, clock, TEST_CONFIG, sender=trusting).run_once() == 1
        assert (
            get(handlers, database, repository, "tenant-a", untrusted.id).status == DeliveryStatus.DELIVERED
        )
        assert len(receiver.received) == 1  # the refused handshake never got to send the lead


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_lead_accepted_consumer_schedules_a_delivery(
    nats_server, handlers: SyncPushHandlers, database: Database
) -> None:
    """The consumer spec the ingest bootstrap wires: durable PUSH_CONSUMER on the ingest stream, lead.accepted."""
    [spec] = [
        s
        for s in consumer_specs(EventHandlers(FakeClock()), handlers.push, SEALER)
        if s.name == PUSH_CONSUMER
    ]
    assert (spec.name, spec.stream, spec.subjects) == (PUSH_CONSUMER, INGEST_STREAM, [LEAD_ACCEPTED])
    set_rule(handlers, "http://127.0.0.1:9/hook")
    event = accepted()
    nc = await nats.connect(nats_server.url)
    stop = asyncio.Event()
    try:
        js = nc.jetstream()
        await ensure_stream(js, INGEST_STREAM)
        consumer = EventConsumer(
            database,
            messaging,
            js,
            name=spec.name,
            stream=spec.stream.name,
            subjects=spec.subjects,
            handler=spec.handler,
            bind=handlers.transactions.bind,
            fetch_timeout=0.2,
        )
        task = asyncio.create_task(consumer.run(stop))
        for _ in range(2):  # the second copy has the same event id: JetStream or the inbox drops it
            await js.publish(
                LEAD_ACCEPTED, event.SerializeToString(), headers={"Nats-Msg-Id": event.event_id}
            )
        page: list = []
        for _ in range(100):
            page, _ = handlers.list_push_deliveries(admin(), DeliveryQuery(lead_id=event.lead_id))
            if page:
                break
            await asyncio.sleep(0.05)
        assert [(d.event_id, d.status) for d in page] == [(event.event_id, DeliveryStatus.PENDING)]
        assert page[0].payload["phone"] == "+8613800138000"
        stop.set()
        await asyncio.wait_for(task, timeout=5)
    finally:
        await nc.close()


async def test_a_host_name_with_any_private_address_is_refused_before_connecting() -> None:
    from services.ingest.domain.push import OutcomeKind, PushRequest

    looked_up = []

    def resolver(host: str, port: int, **_: object) -> list[tuple]:
        looked_up.append((host, port))
        return [(2, 1, 6, "", ("93.184.216.34", port)), (2, 1, 6, "", ("169.254.169.254", port))]

    sender = HttpPushSender(timeout=1, resolver=resolver)
    outcome = await sender.send(
        PushRequest(url="https://rebind.example.com/hook?k=v", body=b"{}", headers={})
    )
    assert looked_up == [("rebind.example.com", 443)]
    assert (outcome.kind, outcome.http_status) == (OutcomeKind.RETRY, 0)
    assert outcome.error == "endpoint resolves to a loopback, private or reserved address"
