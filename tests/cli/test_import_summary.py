"""The summary `leadflow import` prints: counts, and a line for the rejected rows the server did not name, in the
singular or the plural as their number asks."""

from __future__ import annotations

import io

import pytest

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.cli.importreport import ImportTally, print_summary


@pytest.mark.parametrize(
    ("rejected", "said"), [(1, "1 rejected or failed row is"), (3, "3 rejected or failed rows are")]
)
def test_rejected_rows_the_server_did_not_name_are_counted_in_words_that_agree(
    rejected: int, said: str
) -> None:
    tally = ImportTally(total=5, sent_lines=[2, 3, 4, 5, 6], answered=True)
    tally.counts = pb.ImportLeadsResponse(new_count=5 - rejected, rejected_count=rejected)
    out = io.StringIO()
    print_summary(out, tally, complete=True)
    assert f"({said} counted but this server did not say which)" in out.getvalue()
