"""The telephony gRPC servicer: proto -> domain command -> handler -> proto, and the business counters. No logic."""

from __future__ import annotations

import grpc

from leadflow.telephony.v1 import telephony_service_pb2 as pb
from leadflow.telephony.v1 import telephony_service_pb2_grpc
from services.common.clock import Clock
from services.common.grpcserver.context import current_principal
from services.telephony import metrics
from services.telephony.converters import call_events as event_converters
from services.telephony.converters import calls as call_converters
from services.telephony.converters import numbers as number_converters
from services.telephony.converters import settings as settings_converters
from services.telephony.handlers.bindings import BindingHandlers
from services.telephony.handlers.call_events import CallEventHandlers
from services.telephony.handlers.calls import CallHandlers
from services.telephony.handlers.numbers import NumberHandlers
from services.telephony.handlers.settings import SettingsHandlers


class TelephonyApi(telephony_service_pb2_grpc.TelephonyServiceServicer):
    def __init__(
        self,
        numbers: NumberHandlers,
        calls: CallHandlers,
        bindings: BindingHandlers,
        call_events: CallEventHandlers,
        settings: SettingsHandlers,
        clock: Clock,
    ) -> None:
        self._numbers = numbers
        self._calls = calls
        self._bindings = bindings
        self._events = call_events
        self._settings = settings
        self._clock = clock

    async def AddNumbers(
        self, request: pb.AddNumbersRequest, context: grpc.aio.ServicerContext
    ) -> pb.AddNumbersResponse:
        views = await self._numbers.add_numbers(
            current_principal(), number_converters.new_numbers(request), request.request_id
        )
        return pb.AddNumbersResponse(numbers=[number_converters.number_message(v) for v in views])

    async def ListNumbers(
        self, request: pb.ListNumbersRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListNumbersResponse:
        page = await self._numbers.list_numbers(
            current_principal(),
            number_converters.number_filter(request),
            request.page_size,
            request.page_token,
        )
        return pb.ListNumbersResponse(
            numbers=[number_converters.number_message(v) for v in page.items],
            next_page_token=page.next_page_token,
        )

    async def RetireNumber(
        self, request: pb.RetireNumberRequest, context: grpc.aio.ServicerContext
    ) -> pb.RetireNumberResponse:
        view = await self._numbers.retire_number(current_principal(), request.number_id, request.reason)
        return pb.RetireNumberResponse(number=number_converters.number_message(view))

    async def StartCall(
        self, request: pb.StartCallRequest, context: grpc.aio.ServicerContext
    ) -> pb.StartCallResponse:
        started = await self._calls.start_call(current_principal(), call_converters.start_command(request))
        if not started.replayed:
            metrics.CALLS_STARTED.inc()
        return pb.StartCallResponse(
            call=call_converters.call_message(started.call, started.call.start_time),
            binding=call_converters.binding_message(
                started.binding, started.call.masked_number, self._clock.now()
            ),
            dial_number=started.dial_number,
        )

    async def EndCall(
        self, request: pb.EndCallRequest, context: grpc.aio.ServicerContext
    ) -> pb.EndCallResponse:
        view, announced = await self._calls.end_call(current_principal(), request.call_id)
        metrics.count_completed(announced)
        return pb.EndCallResponse(call=call_converters.call_message(view.call, view.update_time))

    async def GetCall(
        self, request: pb.GetCallRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetCallResponse:
        view = await self._calls.get_call(current_principal(), request.call_id)
        return pb.GetCallResponse(call=call_converters.call_message(view.call, view.update_time))

    async def ListCalls(
        self, request: pb.ListCallsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListCallsResponse:
        page = await self._calls.list_calls(current_principal(), call_converters.list_query(request))
        return pb.ListCallsResponse(
            calls=[call_converters.call_message(v.call, v.update_time) for v in page.items],
            next_page_token=page.next_page_token,
        )

    async def ReleaseBinding(
        self, request: pb.ReleaseBindingRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReleaseBindingResponse:
        binding, masked = await self._bindings.release(current_principal(), request.binding_id)
        return pb.ReleaseBindingResponse(
            binding=call_converters.binding_message(binding, masked, self._clock.now())
        )

    async def ReportCallEvent(
        self, request: pb.ReportCallEventRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReportCallEventResponse:
        principal = current_principal()
        report = event_converters.report(request, self._clock.now())
        result = await self._events.report(principal.tenant_id, report)
        metrics.count_completed(result.announced)
        return pb.ReportCallEventResponse(
            call=call_converters.call_message(result.call, result.update_time), duplicate=result.duplicate
        )

    async def GetTelephonySettings(
        self, request: pb.GetTelephonySettingsRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetTelephonySettingsResponse:
        settings = await self._settings.get(current_principal())
        return pb.GetTelephonySettingsResponse(settings=settings_converters.settings_message(settings))

    async def UpdateTelephonySettings(
        self, request: pb.UpdateTelephonySettingsRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateTelephonySettingsResponse:
        settings = await self._settings.update(
            current_principal(), settings_converters.settings_patch(request)
        )
        return pb.UpdateTelephonySettingsResponse(settings=settings_converters.settings_message(settings))
