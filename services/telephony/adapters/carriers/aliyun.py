"""Aliyun 号码隐私保护 (Dyplsapi, API version 2017-05-25) through the official SDK ``alibabacloud-dyplsapi20170525``.

* ``bind``: BindAxb (https://help.aliyun.com/document_detail/110258.html) with our X (``PhoneNoX``), A and B in
  national form, ``Expiration`` in Beijing wall-clock time ("yyyy-MM-dd HH:mm:ss"), and leadflow's binding id as
  ``OutId`` so receipts can be traced back; the answer's ``SecretBindDTO.SubsId`` is the carrier's binding id.
* ``unbind``: UnbindSubscription with ``SubsId`` and ``SecretNo``; a binding the platform no longer has counts as
  released.

The SDK signs every request (ACS3-HMAC-SHA256 over the canonical request, ``Authorization`` header) and posts the
parameters in the query. The endpoint is configurable (``LEADFLOW_TELEPHONY_ALIYUN_ENDPOINT``), which is how the
tests point it at a local server that answers as the API does. The SDK is synchronous: calls run on a thread, with
the configured connect and read timeouts. An answer whose ``Code`` is not ``OK`` is a refusal (CarrierError with that
code); throttling, 5xx and network failures are retryable.
"""

from __future__ import annotations

import asyncio

from alibabacloud_dyplsapi20170525 import models as dypls
from alibabacloud_dyplsapi20170525.client import Client
from alibabacloud_tea_openapi import models as openapi
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException
from alibabacloud_tea_util import models as tea_util
from Tea.exceptions import TeaException

from services.telephony.adapters.carriers.aliyun_config import DEFAULT_ENDPOINT, AliyunConfig
from services.telephony.domain.ports import BindRequest, Carrier, CarrierError
from services.telephony.domain.provider_times import BEIJING

PROVIDER = "aliyun"
_EXPIRATION_FORMAT = "%Y-%m-%d %H:%M:%S"
# Codes of an answer that mean the binding is already gone (unbinding it again is a success).
GONE_CODES = frozenset({"isv.NO_SUBS_EXIST", "isv.SUBS_NOT_EXIST", "isv.NO_SUBS"})
RETRYABLE_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "isp.RAM_PERMISSION_DENY"})
__all__ = ["DEFAULT_ENDPOINT", "PROVIDER", "AliyunCarrier", "AliyunConfig", "national"]


def national(e164: str) -> str:
    """Aliyun takes Chinese numbers without the country code ("+8613800138000" -> "13800138000")."""
    return e164[3:] if e164.startswith("+86") else e164.lstrip("+")


class AliyunCarrier(Carrier):
    name = PROVIDER
    supports_callback = False  # Dyplsapi routes calls the parties dial; it does not place legs

    def __init__(self, config: AliyunConfig) -> None:
        self._config = config
        timeout_ms = int(config.timeout_seconds * 1000)
        self._client = Client(
            openapi.Config(
                access_key_id=config.access_key_id,
                access_key_secret=config.access_key_secret,
                endpoint=config.endpoint,
                protocol=config.protocol,
                connect_timeout=timeout_ms,
                read_timeout=timeout_ms,
            )
        )
        self._runtime = tea_util.RuntimeOptions(
            connect_timeout=timeout_ms, read_timeout=timeout_ms, autoretry=False, max_attempts=1
        )

    async def bind(self, request: BindRequest) -> str:
        call = dypls.BindAxbRequest(
            pool_key=self._config.pool_key,
            phone_no_a=national(request.agent_phone),
            phone_no_b=national(request.lead_phone),
            phone_no_x=national(request.masked_number),
            expiration=request.expire_time.astimezone(BEIJING).strftime(_EXPIRATION_FORMAT),
            out_id=request.binding_id,
            is_recording_enabled=self._config.record_calls,
        )
        response = await self._call(self._client.bind_axb_with_options, call)
        body = response.body
        if (
            body is None
            or body.code != "OK"
            or body.secret_bind_dto is None
            or not body.secret_bind_dto.subs_id
        ):
            code = (body.code if body is not None else None) or "EMPTY_ANSWER"
            raise CarrierError(
                PROVIDER, code, (body.message if body else "") or "", retryable=code in RETRYABLE_CODES
            )
        return str(body.secret_bind_dto.subs_id)

    async def unbind(self, provider_binding_id: str, masked_number: str) -> None:
        call = dypls.UnbindSubscriptionRequest(
            pool_key=self._config.pool_key, subs_id=provider_binding_id, secret_no=national(masked_number)
        )
        response = await self._call(self._client.unbind_subscription_with_options, call)
        body = response.body
        code = (body.code if body is not None else None) or "EMPTY_ANSWER"
        if code != "OK" and code not in GONE_CODES:
            raise CarrierError(
                PROVIDER, code, (body.message if body else "") or "", retryable=code in RETRYABLE_CODES
            )

    async def _call(self, method, request):  # type: ignore[no-untyped-def]
        try:
            return await asyncio.to_thread(method, request, self._runtime)
        except ThrottlingException as error:
            raise CarrierError(PROVIDER, str(error.code), "throttled", retryable=True) from None
        except ClientException as error:  # 4xx: signature, permission, parameters
            raise CarrierError(PROVIDER, str(error.code), str(error.message), retryable=False) from None
        except TeaException as error:  # 5xx and the SDK's own failures
            raise CarrierError(
                PROVIDER, str(error.code or "SERVER_ERROR"), "server error", retryable=True
            ) from None
        except OSError as error:  # connection refused, reset, timed out
            raise CarrierError(PROVIDER, "UNREACHABLE", type(error).__name__, retryable=True) from None
