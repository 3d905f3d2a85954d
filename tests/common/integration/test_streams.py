"""ensure_stream creates a producer's stream, leaves it alone when unchanged, and updates it when its spec moves."""

from __future__ import annotations

import nats
import pytest
from nats.js.api import RetentionPolicy, StorageType

from services.common.messaging import StreamSpec, ensure_stream
from services.common.messaging.streams import _differs

pytestmark = pytest.mark.timeout(30)


async def test_create_keep_and_update(nats_server):
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    try:
        spec = StreamSpec("LEADFLOW_STREAMTEST", ["leadflow.streamtest.v1.accepted"])
        created = await ensure_stream(js, spec)
        assert created.config.subjects == ["leadflow.streamtest.v1.accepted"]
        assert created.config.storage == StorageType.FILE
        assert created.config.retention == RetentionPolicy.LIMITS
        assert created.config.duplicate_window == 120.0
        assert not _differs(created.config, spec.config()), (
            "the server's defaults must not look like a change"
        )

        await js.publish("leadflow.streamtest.v1.accepted", b"kept")
        again = await ensure_stream(js, spec)
        assert again.state.messages == 1, "an unchanged spec must not touch the stream"

        wider = StreamSpec(spec.name, spec.subjects + ("leadflow.streamtest.v1.rejected",), max_age=3600)
        updated = await ensure_stream(js, wider)
        assert set(updated.config.subjects) == set(wider.subjects)
        assert updated.config.max_age == 3600
        assert updated.state.messages == 1
        ack = await js.publish("leadflow.streamtest.v1.rejected", b"new subject")
        assert ack.stream == spec.name
    finally:
        await nc.close()


def test_spec_needs_subjects():
    with pytest.raises(ValueError, match="subject"):
        StreamSpec("LEADFLOW_EMPTY", ())
