"""bench.instructions: the counted program submits real leads through ingest's handlers, and the figure is the
difference of two counted runs."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from bench import instructions


@pytest.mark.parametrize("shape", ["batch", "single"])
def test_each_round_submits_new_leads_through_the_handlers(shape: str) -> None:
    # gc_setting="default": the serving setting would change this test process's collector.
    assert asyncio.run(instructions._run_rounds(shape, rounds=2, batch_size=3, gc_setting="default")) == 6


@pytest.mark.parametrize("shape", ["batch", "single"])
def test_the_api_layer_answers_each_round_from_request_bytes(shape: str) -> None:
    # Fails unless every decoded request reaches the servicer and its encoded answer says NEW.
    assert (
        asyncio.run(
            instructions._run_rounds(shape, 2, 3, layer="api", prepared_rounds=5, gc_setting="default")
        )
        == 6
    )


def test_the_api_layers_requests_are_the_clients_wire_bytes() -> None:
    from leadflow.ingest.v1 import ingest_service_pb2 as pb

    lead = instructions._commands(2)
    commands = [lead(), lead()]
    (batch,) = instructions._request_bytes(commands, "batch")
    decoded = pb.BatchSubmitLeadsRequest.FromString(batch)
    assert [r.request_id for r in decoded.requests] == [c.request_id for c in commands]
    assert [r.phone for r in decoded.requests] == [c.phone for c in commands]
    assert decoded.requests[0].attributes == commands[0].attributes and decoded.requests[0].consent.contact
    singles = instructions._request_bytes(commands, "single")
    assert [pb.SubmitLeadRequest.FromString(b) for b in singles] == list(decoded.requests)


def test_the_figure_is_the_difference_of_the_two_runs_per_lead(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    totals = {1: 5_000_000, 4: 5_000_000 + 3 * 10 * 2_000}  # a start of 5 M, then 2,000 per lead
    calls = []

    def count(shape, rounds, size, valgrind, layer, prepared, gc_setting):  # type: ignore[no-untyped-def]
        calls.append((rounds, layer, prepared, gc_setting))
        return totals[rounds]

    monkeypatch.setattr(instructions, "_count", count)
    assert instructions.instructions_per_lead("batch", 3, 10, "valgrind", "api", "default") == 2_000
    # Both runs build the requests of the longer one, so the building cancels out.
    assert calls == [(1, "api", 4, "default"), (4, "api", 4, "default")]


def test_without_valgrind_it_says_so_and_counts_nothing(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert instructions.main(["--shape", "batch"]) == 2
    assert "valgrind is not installed" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_a_counted_run_gives_instructions_per_lead() -> None:
    figure = instructions.instructions_per_lead(
        "batch", rounds=1, batch_size=5, valgrind=shutil.which("valgrind")
    )
    assert 100_000 < figure < 100_000_000  # a lead is hundreds of thousands to millions of instructions
