"""A local HTTP server that answers as Aliyun's Dyplsapi does, for the Aliyun carrier's tests.

It checks each request the way the API does: the ACS3-HMAC-SHA256 signature of the ``Authorization`` header over the
canonical request (method, path, sorted query, the signed headers, the payload's SHA-256), the action and version
headers, and the parameters each action requires; then answers with the documented JSON
(https://help.aliyun.com/document_detail/110258.html: ``Code``, ``Message``, ``RequestId``, ``SecretBindDTO``).
A wrong signature answers HTTP 400 ``SignatureDoesNotMatch`` as the gateway does.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

ACCESS_KEY_ID = "LTAI-test-key-id"
ACCESS_KEY_SECRET = "test-secret-for-the-fake-dyplsapi"


def canonical_query(query: str) -> str:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{k}={quote(v, safe='~')}" for k, v in pairs)


def expected_signature(
    method: str, path: str, query: str, headers: dict[str, str], signed: list[str], body: bytes
) -> str:
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
    payload = hashlib.sha256(body).hexdigest()
    request = (
        f"{method}\n{path}\n{canonical_query(query)}\n{canonical_headers}\n{';'.join(signed)}\n{payload}"
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(request.encode()).hexdigest()
    return hmac.new(ACCESS_KEY_SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class FakeDyplsapi:
    binds: list[dict[str, str]] = field(default_factory=list)
    unbinds: list[dict[str, str]] = field(default_factory=list)
    # OutId (leadflow's binding id) -> the SubsId BindAxb answered for it.
    subs_by_out_id: dict[str, str] = field(default_factory=dict)
    refuse_with: str = ""  # a business Code to answer BindAxb with (HTTP 200, Code != OK)
    _ids: Any = field(default_factory=lambda: itertools.count(1000180000000001))

    def answer(self, action: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        request_id = f"req-{next(self._ids)}"
        if action == "BindAxb":
            missing = [p for p in ("PoolKey", "PhoneNoA", "PhoneNoB") if not params.get(p)]
            if missing:
                return 400, {
                    "Code": "MissingParameter",
                    "Message": f"{missing[0]} is mandatory",
                    "RequestId": request_id,
                }
            if self.refuse_with:
                return 200, {
                    "Code": self.refuse_with,
                    "Message": "refused by the test",
                    "RequestId": request_id,
                }
            self.binds.append(params)
            subs = str(next(self._ids))
            self.subs_by_out_id[params.get("OutId", "")] = subs
            return 200, {
                "Code": "OK",
                "Message": "OK",
                "RequestId": request_id,
                "SecretBindDTO": {"SubsId": subs, "SecretNo": params.get("PhoneNoX", ""), "Extension": ""},
            }
        if action == "UnbindSubscription":
            self.unbinds.append(params)
            return 200, {"Code": "OK", "Message": "OK", "RequestId": request_id, "Chargeid": None}
        return 404, {"Code": "InvalidAction.NotFound", "Message": action, "RequestId": request_id}


def serve(api: FakeDyplsapi) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = self._check(url.path, url.query, headers, body)
            if status == 200 or answer.get("Code") not in (
                None,
                "SignatureDoesNotMatch",
                "InvalidAccessKeyId.NotFound",
            ):
                params = dict(parse_qsl(url.query, keep_blank_values=True))
                if status == 200:
                    status, answer = api.answer(headers.get("x-acs-action", ""), params)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json;charset=utf-8")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _check(
            self, path: str, query: str, headers: dict[str, str], body: bytes
        ) -> tuple[int, dict[str, Any]]:
            auth = headers.get("authorization", "")
            try:
                algorithm, rest = auth.split(" ", 1)
                parts = dict(item.split("=", 1) for item in rest.split(","))
            except ValueError:
                return 400, {"Code": "MissingAuthorization", "Message": "no Authorization header"}
            if algorithm != "ACS3-HMAC-SHA256" or parts.get("Credential") != ACCESS_KEY_ID:
                return 404, {
                    "Code": "InvalidAccessKeyId.NotFound",
                    "Message": "Specified access key is not found.",
                }
            if headers.get("x-acs-version") != "2017-05-25":
                return 400, {"Code": "InvalidVersion", "Message": "version"}
            if headers.get("x-acs-content-sha256") != hashlib.sha256(body).hexdigest():
                return 400, {"Code": "ContentSHA256Mismatch", "Message": "payload hash"}
            signed = parts.get("SignedHeaders", "").split(";")
            wanted = expected_signature("POST", path, query, headers, signed, body)
            if not hmac.compare_digest(wanted, parts.get("Signature", "")):
                return 400, {
                    "Code": "SignatureDoesNotMatch",
                    "Message": "The request signature does not conform to Aliyun standards.",
                }
            return 200, {}

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]
