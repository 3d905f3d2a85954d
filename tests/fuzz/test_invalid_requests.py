"""Clearly invalid requests (one field corrupted: an enum out of range, a string over any bound, a phone field with
no phone number) answer INVALID_ARGUMENT with a google.rpc.BadRequest field violation naming that field."""

from __future__ import annotations

import grpc
import pytest

from tests.fuzz.corruptions import Corruption, base_request, corruptions
from tests.fuzz.rpcs import RPCS, Rpc
from tests.fuzz.stack import Answer, FuzzStack

TENANT = "fuzz-invalid"
# A client stream's items fail or succeed on their own inside an OK stream (ImportLeads answers each rejected or
# failed submission in its responses), so its items are not corrupted here.
CORRUPTIONS = [c for rpc in RPCS if not rpc.client_streaming for c in corruptions(rpc)]
# Fields a method ignores without saying so in its proto (reported to the lead), with what it does instead.
IGNORED: dict[str, str] = {}
_BASE_ANSWERS: dict[str, Answer] = {}


def base_answer(stack: FuzzStack, rpc: Rpc) -> Answer:
    if rpc.id not in _BASE_ANSWERS:
        _BASE_ANSWERS[rpc.id] = stack.call(rpc, base_request(rpc), stack.metadata(rpc, TENANT))
    return _BASE_ANSWERS[rpc.id]


def names(violation_field: str, path: str) -> bool:
    """A violation names ``path`` when its field is the path or the path's own field inside it
    ("agent.display_name" for path "agent.display_name", or "display_name")."""
    return (
        violation_field == path
        or violation_field == path.rsplit(".", 1)[-1]
        or violation_field.startswith(path + ".")
    )


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=lambda c: c.id)
def test_a_corrupted_field_is_named_in_invalid_argument(
    fuzz_stack: FuzzStack, corruption: Corruption
) -> None:
    rpc = corruption.rpc
    base = base_answer(fuzz_stack, rpc)
    answer = fuzz_stack.call(rpc, corruption.request, fuzz_stack.metadata(rpc, TENANT))
    # An update naming a field that cannot change (Tag.scope) is refused on the mask path that names it.
    masked = "." in corruption.path and "update_mask" in rpc.input.fields_by_name
    named = answer.code == grpc.StatusCode.INVALID_ARGUMENT and any(
        names(field, corruption.path) or (masked and field.startswith("update_mask"))
        for field in answer.violation_fields
    )
    if not named and base.code == grpc.StatusCode.INVALID_ARGUMENT:
        pytest.skip(
            f"the plausible base is itself invalid ({', '.join(base.violation_fields)}): it masks the field"
        )
    if not named and base.code == answer.code == grpc.StatusCode.NOT_FOUND:
        pytest.skip(
            "the base names no existing resource and the method looks it up before validating the rest"
        )
    if corruption.id in IGNORED:
        pytest.skip(IGNORED[corruption.id])
    assert answer.code == grpc.StatusCode.INVALID_ARGUMENT, (answer, "base answered", base.code)
    assert named, answer.violation_fields
