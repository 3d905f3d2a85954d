"""bench.retention prunes the whole backlog it made, chunk by chunk, and reports each table."""

from __future__ import annotations

from pathlib import Path

from bench.retention import measure


def test_the_bench_prunes_every_row_it_made(tmp_path: Path) -> None:
    found = measure(f"sqlite:///{tmp_path / 'r.db'}", rows=450)
    assert [row[0] for row in found] == ["outbox", "inbox"]
    for _table, chunks, p50, largest, seconds in found:
        assert chunks == 3  # 200 + 200 + 50: the last chunk finds fewer than a chunk and stops
        assert 0 < p50 <= largest
        assert seconds > 0
