"""A fake ImportLeads that answers as the bidirectional server will: a cumulative progress message after each
chunk, the rejections and failures of that chunk, REPLAYED for a request_id seen before, and a final summary.

It can hold after a given number of settled rows, with the next chunk read but not settled (to interrupt the
client at a known point, with rows in flight), and fail with UNAVAILABLE after a given number (a server that goes
away). A unit-test fake of the server side, for the client's progress and interruption paths; the real server is
exercised in tests/ingest/api.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import grpc

from leadflow.common.v1 import errors_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.cli.importer import IMPORT_METHOD

REJECTED_PHONE = "12"


@dataclass
class FakeImport:
    chunk: int = 100
    hold_after: int | None = None
    fail_after: int | None = None
    received: int = 0
    held: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    first_results: dict[str, bool] = field(default_factory=dict)  # request_id -> rejected the first time

    async def import_leads(
        self, requests: AsyncIterator[pb.ImportLeadsRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ImportLeadsResponse]:
        counts = pb.ImportLeadsResponse()
        pending: list[pb.SubmitLeadRequest] = []
        settled = 0
        async for message in requests:
            counts.received_count += 1
            self.received += 1
            pending.append(message.request)
            if len(pending) == self.chunk:
                if self.hold_after is not None and settled >= self.hold_after and not self.held.is_set():
                    # Hold with a whole chunk read but not settled, so the client has rows in flight.
                    self.held.set()
                    await self.release.wait()
                yield self._settle(counts, pending, settled)
                settled += len(pending)
                pending = []
                if self.fail_after is not None and settled >= self.fail_after:
                    await context.abort(grpc.StatusCode.UNAVAILABLE, "the server is shutting down")
        yield self._settle(counts, pending, settled)

    def _settle(
        self, counts: pb.ImportLeadsResponse, chunk: list[pb.SubmitLeadRequest], first_index: int
    ) -> pb.ImportLeadsResponse:
        message = pb.ImportLeadsResponse()
        message.CopyFrom(counts)
        del message.rejections[:]
        del message.failures[:]
        for offset, request in enumerate(chunk):
            index = first_index + offset
            rejected = request.phone == REJECTED_PHONE
            if not request.account_id:
                message.failed_count += 1
                message.failures.append(
                    pb.ImportFailure(
                        index=index,
                        error=errors_pb2.ItemError(
                            code="INVALID_ARGUMENT",
                            reason="INVALID_ARGUMENT",
                            message="the request is invalid",
                            field_violations=[
                                errors_pb2.FieldViolation(field="account_id", description="is required")
                            ],
                        ),
                    )
                )
                continue
            if request.request_id in self.first_results:
                message.replayed_count += 1
                rejected = self.first_results[request.request_id]
            elif rejected:
                message.rejected_count += 1
            else:
                message.new_count += 1
            self.first_results.setdefault(request.request_id, rejected)
            if rejected:
                message.rejections.append(
                    pb.ImportRejection(
                        index=index,
                        reasons=[
                            pb.RejectionReason(
                                code=pb.REJECTION_CODE_PHONE_INVALID,
                                field="phone",
                                message="A Chinese mobile number has 11 digits; this one has 2.",
                                rule="phone.too_short",
                            )
                        ],
                    )
                )
        counts.CopyFrom(message)
        del counts.rejections[:]
        del counts.failures[:]
        return message


async def start_fake(fake: FakeImport) -> tuple[grpc.aio.Server, str]:
    server = grpc.aio.server()
    handler = grpc.stream_stream_rpc_method_handler(
        fake.import_leads,
        request_deserializer=pb.ImportLeadsRequest.FromString,
        response_serializer=pb.ImportLeadsResponse.SerializeToString,
    )
    service, method = IMPORT_METHOD.strip("/").split("/")
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(service, {method: handler})])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, f"127.0.0.1:{port}"
