"""The bad-input suite's fixture (all five services in-process, once per session, on the session's nats-server)
and its Hypothesis settings.

``LEADFLOW_FUZZ_EXAMPLES`` sets the cases per RPC (500 by default, what ``make test`` runs; ``make fuzz`` runs
more). ``LEADFLOW_FUZZ_RANDOM=1`` draws new cases each run instead of the fixed (derandomized) sequence CI replays.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.conftest import NatsServer
from tests.fuzz.events import stream_positions
from tests.fuzz.stack import FuzzStack, start_stack

EXAMPLES = int(os.environ.get("LEADFLOW_FUZZ_EXAMPLES", "500"))

settings.register_profile(
    "leadflow-fuzz",
    max_examples=EXAMPLES,
    deadline=None,  # a case's time is the server's: the call's own deadline catches a stuck server
    derandomize=os.environ.get("LEADFLOW_FUZZ_RANDOM") != "1",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)
# Applied per test (``@FUZZ``) rather than loaded globally, so the rest of the suite keeps its own settings.
FUZZ = settings(settings.get_profile("leadflow-fuzz"))


# Package scope, not session: the stack stops when the fuzz tests end. A stack left running would go on setting
# process-wide gauges (leadflow_db_writable{service="ingest"}) under the labels later tests read for their own stacks.
@pytest.fixture(scope="package")
def fuzz_stack(
    shared_nats_server: NatsServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzStack]:
    stack = start_stack(tmp_path_factory.mktemp("fuzz"), shared_nats_server.url)
    stack.stream_start = stream_positions(shared_nats_server.url)
    try:
        yield stack
    finally:
        stack.stop()
