"""The counters a service exports on /metrics, read with prometheus_client's own parser."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

STATEMENTS = "leadflow_db_statements"
TRANSACTIONS = "leadflow_db_transactions"
SUBMIT_GROUPS = "leadflow_ingest_submit_group_size"  # a histogram: its count is the groups stored
COUNTED = (STATEMENTS, TRANSACTIONS, SUBMIT_GROUPS)


def counters(metrics_port: int, names: tuple[str, ...] = COUNTED) -> dict[str, float]:
    """The value of each counter in ``names`` (family names, without ``_total``), summed over its labels, or of a
    histogram's observation count; 0.0 for a family the service does not export. Raises OSError when the endpoint
    does not answer."""
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as reply:
        text = reply.read().decode()
    found = dict.fromkeys(names, 0.0)
    for family in text_string_to_metric_families(text):
        if family.name in found:
            found[family.name] = sum(s.value for s in family.samples if s.name.endswith(("_total", "_count")))
    return found
