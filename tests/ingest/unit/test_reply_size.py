"""An answer made large by duplicates joined to larger leads (one person across thousands of accounts) is trimmed to
the message limit: those items' lead is left unset from the end, only as many as needed (issue 12 item 12)."""

from __future__ import annotations

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.ingest.converters.reply_size import fit_answer

LIMIT = 4 * 1024 * 1024


def test_duplicates_of_larger_leads_lose_their_lead_from_the_end_until_the_answer_fits() -> None:
    big = pb.Lead(
        id="lead-big", account_ids=[f"account-{i:05d}" for i in range(2000)]
    )  # a person of many accounts
    answer = pb.BatchSubmitLeadsResponse(
        results=[
            pb.SubmitLeadResult(
                index=i,
                response=pb.SubmitLeadResponse(
                    lead=big,
                    verdict=lead_pb2.LEAD_VERDICT_DUPLICATE if i % 2 else lead_pb2.LEAD_VERDICT_NEW,
                    duplicate_of_lead_id="lead-big" if i % 2 else "",
                ),
            )
            for i in range(10)
        ]
    )
    limit = answer.ByteSize() - 30_000
    fitted = fit_answer(answer, limit)
    assert fitted.ByteSize() <= limit
    kept = [r.response.HasField("lead") for r in fitted.results]
    # NEW items keep their lead; duplicates lose theirs from the last one backwards, and only as many as needed.
    assert all(kept[i] for i in range(0, 10, 2))
    assert big.ByteSize() > 30_000  # so one trimmed duplicate is enough, and it is the last one
    assert kept[1::2] == [True, True, True, True, False]
    assert all(r.response.duplicate_of_lead_id == "lead-big" for r in fitted.results[1::2])
    untouched = fit_answer(pb.BatchSubmitLeadsResponse(results=answer.results[:1]), LIMIT)
    assert untouched.results[0].response.HasField("lead")
