"""``--tiny`` and ``--quick`` shrink the per-service benches too (a trial found ``--tiny`` running them at full size:
dedup preloading 10^6 keys in a "smoke run under a minute")."""

from __future__ import annotations

from bench.__main__ import SERVICE_SIZES
from bench.dedup_claims import parse_args


def _keys(mode: str) -> int:
    return max(int(n) for n in parse_args(list(SERVICE_SIZES[mode].dedup_args)).keys.split(","))


def test_each_mode_is_smaller_than_the_next() -> None:
    tiny, quick, full = (SERVICE_SIZES[mode] for mode in ("tiny", "quick", "full"))
    assert tiny.pairs < quick.pairs < full.pairs
    assert tiny.refund_leads < quick.refund_leads < full.refund_leads
    assert _keys("tiny") < _keys("quick") < _keys("full") == 1_000_000
