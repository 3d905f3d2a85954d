"""The ingest gRPC servicer: proto -> domain command -> handler -> proto. No logic here.

The tenant comes from the verified token (``current_principal``); domain errors are mapped to gRPC status (with
ErrorInfo and BadRequest details) by the shared interceptor. Handlers do their database work on the database's own
threads (``services.common.dbtx``) and call dedup on the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from typing import Any

import grpc

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from leadflow.ingest.v1 import ingest_service_pb2_grpc
from services.common.errors import DomainError, Unavailable
from services.common.grpcserver.context import current_principal
from services.common.protoconv import timestamp
from services.ingest import metrics
from services.ingest.converters import leads, push, reply_size, rules, submit
from services.ingest.domain.model import SubmitResult
from services.ingest.handlers.erasure import ErasureHandlers
from services.ingest.handlers.leads import LeadHandlers
from services.ingest.handlers.push import PushHandlers
from services.ingest.handlers.rules import RuleHandlers
from services.ingest.handlers.submit import SubmitHandlers


class IngestApi(ingest_service_pb2_grpc.IngestServiceServicer):
    def __init__(
        self,
        submitting: SubmitHandlers,
        reading: LeadHandlers,
        rule_handlers: RuleHandlers,
        push_handlers: PushHandlers,
        erasure: ErasureHandlers,
        *,
        import_chunk: int = 200,
        draining: threading.Event | None = None,
        max_message_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        self._submit = submitting
        self._leads = reading
        self._rules = rule_handlers
        self._push = push_handlers
        self._erasure = erasure
        self._import_chunk = import_chunk
        self._max_message_bytes = max_message_bytes  # the server's send and receive limit
        self._draining = draining or threading.Event()  # set when the service starts shutting down

    async def SubmitLead(
        self, request: pb.SubmitLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.SubmitLeadResponse:
        result = await self._submit.submit(current_principal(), submit.submit_command(request))
        metrics.count_submissions([result])
        return submit.submit_response(result)

    async def BatchSubmitLeads(
        self, request: pb.BatchSubmitLeadsRequest, context: grpc.aio.ServicerContext
    ) -> pb.BatchSubmitLeadsResponse:
        reply_size.check_batch_answer_fits(request, self._max_message_bytes)  # before anything is written
        commands = [submit.submit_command_or_error(item) for item in request.requests]
        outcomes = await self._submit.submit_batch(current_principal(), commands)
        metrics.count_submissions(outcomes)
        return reply_size.fit_answer(submit.batch_submit_response(outcomes), self._max_message_bytes)

    async def ImportLeads(
        self, request_iterator: AsyncIterator[pb.ImportLeadsRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ImportLeadsResponse]:
        """Store the stream chunk by chunk, answering each stored chunk with the progress so far; on shutdown,
        finish the chunk in hand, report it, and end with UNAVAILABLE (see the proto)."""
        principal = current_principal()
        progress = submit.ImportProgress()
        chunk: list[Any] = []

        async def flush() -> pb.ImportLeadsResponse:
            first_index = progress.received - len(chunk)
            try:
                outcomes: list[SubmitResult | DomainError] = await self._submit.submit_batch(
                    principal, chunk, check_size=False
                )
            except (
                DomainError
            ) as error:  # dedup unavailable for the whole chunk: each item failed, nothing stored
                outcomes = [error] * len(chunk)
            metrics.count_submissions(outcomes)
            chunk.clear()
            return progress.settle(first_index, outcomes)

        async for message in request_iterator:
            progress.received += 1
            chunk.append(submit.submit_command_or_error(message.request))
            if len(chunk) >= self._import_chunk:
                yield await flush()
                if self._draining.is_set():
                    raise Unavailable(
                        f"the server is shutting down; the first {progress.received} submissions are settled, "
                        "resend the rest (or the whole stream: it is idempotent)",
                        reason="SHUTTING_DOWN",
                    )
        yield await flush() if chunk else progress.message()

    async def GetLead(
        self, request: pb.GetLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetLeadResponse:
        lead = await self._leads.get_lead(current_principal(), request.lead_id)
        return pb.GetLeadResponse(lead=leads.lead_message(lead))

    async def ListLeads(
        self, request: pb.ListLeadsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListLeadsResponse:
        page = await self._leads.list_leads(
            current_principal(), leads.lead_filter(request), request.page_size, request.page_token
        )
        return pb.ListLeadsResponse(
            leads=[leads.lead_message(lead) for lead in page.items],
            next_page_token=page.next_page_token,
            total_size=page.total_size,
        )

    async def ListLeadSubmissions(
        self, request: pb.ListLeadSubmissionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListLeadSubmissionsResponse:
        page = await self._leads.list_submissions(
            current_principal(), leads.submission_filter(request), request.page_size, request.page_token
        )
        return pb.ListLeadSubmissionsResponse(
            submissions=[leads.submission_message(s) for s in page.items],
            next_page_token=page.next_page_token,
        )

    async def SetBlocklist(
        self, request: pb.SetBlocklistRequest, context: grpc.aio.ServicerContext
    ) -> pb.SetBlocklistResponse:
        replaced = await self._rules.set_blocklist(current_principal(), rules.blocklist_entries(request))
        return pb.SetBlocklistResponse(
            phone_count=replaced.phone_count,
            keyword_count=replaced.keyword_count,
            update_time=timestamp(replaced.update_time),
        )

    async def ListBlocklist(
        self, request: pb.ListBlocklistRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListBlocklistResponse:
        page = await self._rules.list_blocklist(
            current_principal(), int(request.kind), request.page_size, request.page_token
        )
        return pb.ListBlocklistResponse(
            entries=[rules.blocklist_entry_message(e) for e in page.items],
            next_page_token=page.next_page_token,
        )

    async def GetIngestSettings(
        self, request: pb.GetIngestSettingsRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetIngestSettingsResponse:
        view = await self._rules.get_settings(current_principal())
        return pb.GetIngestSettingsResponse(settings=rules.settings_message(view.settings, view.update_time))

    async def UpdateIngestSettings(
        self, request: pb.UpdateIngestSettingsRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateIngestSettingsResponse:
        settings, mask = rules.settings_update(request)
        view = await self._rules.update_settings(current_principal(), settings, mask)
        return pb.UpdateIngestSettingsResponse(
            settings=rules.settings_message(view.settings, view.update_time)
        )

    async def SetPushRule(
        self, request: pb.SetPushRuleRequest, context: grpc.aio.ServicerContext
    ) -> pb.SetPushRuleResponse:
        rule = await self._push.set_push_rule(current_principal(), push.set_push_rule_command(request))
        return pb.SetPushRuleResponse(push_rule=push.push_rule_message(rule))

    async def GetPushRule(
        self, request: pb.GetPushRuleRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetPushRuleResponse:
        rule = await self._push.get_push_rule(current_principal(), request.account_id)
        return pb.GetPushRuleResponse(push_rule=push.push_rule_message(rule))

    async def ListPushDeliveries(
        self, request: pb.ListPushDeliveriesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListPushDeliveriesResponse:
        page = await self._push.list_push_deliveries(current_principal(), push.delivery_query(request))
        return push.list_push_deliveries_response(page)

    async def EraseLead(
        self, request: pb.EraseLeadRequest, context: grpc.aio.ServicerContext
    ) -> pb.EraseLeadResponse:
        result = await self._erasure.erase(current_principal(), request.lead_id)
        if result.erased_now:
            metrics.LEADS_ERASED.inc()
        return pb.EraseLeadResponse(
            lead=leads.lead_message(result.lead), keys_forgotten=result.keys_forgotten
        )
