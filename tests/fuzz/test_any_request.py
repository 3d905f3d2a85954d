"""Any request to any public RPC (drawn from the request's descriptor): the answer is OK or a caller-side error,
never INTERNAL or UNKNOWN, and never a server that stops answering (every call has a deadline far above an honest
answer's time, so DEADLINE_EXCEEDED means a stuck handler)."""

from __future__ import annotations

import grpc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ
from tests.fuzz.rpcs import RPCS, Rpc
from tests.fuzz.stack import FuzzStack
from tests.fuzz.strategies import messages

pytestmark = pytest.mark.slow  # `make test-slow` (CI runs it)

TENANT = "fuzz-tenant"
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED}


@pytest.mark.parametrize("rpc", RPCS, ids=lambda rpc: rpc.id)
def test_no_request_breaks_the_service(fuzz_stack: FuzzStack, rpc: Rpc) -> None:
    metadata = fuzz_stack.metadata(rpc, TENANT)
    request = messages(rpc.input)
    drawn = st.lists(request, max_size=3) if rpc.client_streaming else request

    @FUZZ
    @given(drawn)
    def case(requests) -> None:  # type: ignore[no-untyped-def]
        answer = fuzz_stack.call(rpc, requests, metadata)
        assert answer.code not in NEVER, (answer, requests)

    case()
    assert fuzz_stack.is_serving()
