"""The cyclic garbage collector, set for a serving process.

CPython collects its youngest generation every 700 net container allocations and, now and then, every tracked
object. A started service holds ~100,000 long-lived objects (SQLAlchemy's tables and compiled statements, protobuf
descriptors, phone metadata, gRPC and NATS state) that no collection will ever free, yet each full collection walks
them all: 40-60 ms of CPU, with the event loop stopped, every time enough request objects have lived through two
young collections (which, at hundreds of leads a second, happens to the leads in flight). Measured on ingest's submit
path in batches of 100 (``bench.instructions``' counted program, 1,000 leads; CPU time per lead on a 2-core VM):
the collector took ~65 µs per lead by default (gen0 7-12, gen1 4-5, one full collection of 53 ms), ~3 µs after
``tune_for_serving``.

``tune_for_serving``, once the service is started:
- collects once and then freezes what exists (``gc.freeze``): start-up's objects move to the permanent generation
  and are never walked again (the garbage of start-up is collected first, so nothing cyclic is frozen with them);
- raises the youngest generation's threshold from 700 to ``GEN0_THRESHOLD``: fewer young collections, each over
  the objects of the requests in flight, which the next threshold would find alive anyway. Cyclic garbage waits
  longer to be freed: at most ``GEN0_THRESHOLD`` container objects (a few MB), the price of the CPU above.
The approach is CPython's documented use of ``gc.freeze`` and the one Instagram described for its Django servers.
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 10_000


def tune_for_serving() -> None:
    """Collect, freeze the survivors, and set the youngest generation's threshold to ``GEN0_THRESHOLD`` (the older
    generations' thresholds are kept). For a service's own process only: it changes the whole interpreter."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, middle, old)
