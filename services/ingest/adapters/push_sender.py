"""The outbound HTTP(S) POST of one push attempt, with a deadline. Standard library only (``http.client``), run in
a worker thread so the event loop never blocks.

- Deadline: ``timeout`` seconds for the whole attempt (connect, TLS, send, status line and headers); each socket
  operation gets what is left of it, and a guard on the event loop side shuts the socket down if a slow-dripping
  peer keeps the thread past the deadline. The response body is never read.
- Outcome: 2xx delivered; 410 gives up; every other status, timeout, connection, TLS or protocol error retries
  (``services.ingest.domain.push``). Redirects are not followed.
- Server-side request forgery: unless ``allow_private_networks``, the host name is resolved here, every address
  is checked (no loopback, private, link-local such as cloud metadata, multicast or reserved address), and the
  connection goes to the checked addresses themselves, so a DNS answer can't change between check and connect.
  TLS still verifies the certificate against the host name.
- Errors are short fixed texts (class names, never ``str(exc)``): an endpoint URL may carry secrets in its query
  string, and nothing here logs or stores it.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from services.ingest.domain.ports import PushSender
from services.ingest.domain.push import (
    AttemptOutcome,
    OutcomeKind,
    PushRequest,
    http_outcome,
    is_public_address,
    parse_retry_after,
)

USER_AGENT = "leadflow-push/1"

# The event-loop guard fires this long after the deadline: the thread's own socket timeouts normally end it first.
_GUARD_GRACE = 1.0

Resolver = Callable[..., list[tuple[Any, ...]]]


class _Blocked(Exception):
    """The endpoint resolves to an address pushes may not go to."""


class _DeadlineExceeded(Exception):
    pass


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._end = time.monotonic() + seconds

    @property
    def seconds(self) -> float:
        return self._seconds

    def remaining(self) -> float:
        left = self._end - time.monotonic()
        if left <= 0:
            raise _DeadlineExceeded
        return left


def _connect_any(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """Connect to the first of the checked addresses that answers (as ``socket.create_connection`` would)."""
    last: OSError | None = None
    for address in addresses:
        try:
            sock = socket.create_connection((address, port), timeout)
        except OSError as exc:
            last = exc
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise last if last is not None else OSError("no address to connect to")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects only to addresses resolved (and checked) beforehand; the Host header still names the host."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect_any(self._addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self, host: str, port: int, *, addresses: list[str], timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._addresses = addresses
        self._tls = context

    def connect(self) -> None:
        sock = _connect_any(self._addresses, self.port, self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class HttpPushSender(PushSender):
    def __init__(
        self,
        *,
        timeout: float = 10.0,
        allow_private_networks: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        resolver: Resolver = socket.getaddrinfo,
    ) -> None:
        if timeout <= 0:
            raise ValueError("the push timeout must be positive")
        self._timeout = timeout
        self._allow_private = allow_private_networks
        self._ssl = ssl_context or ssl.create_default_context()
        self._resolve = resolver

    @property
    def timeout(self) -> float:
        return self._timeout

    async def send(self, request: PushRequest) -> AttemptOutcome:
        holder: dict[str, http.client.HTTPConnection] = {}
        work = asyncio.ensure_future(asyncio.to_thread(self._post, request, holder))
        done, _ = await asyncio.wait({work}, timeout=self._timeout + _GUARD_GRACE)
        if work in done:
            return work.result()
        # The thread is stuck on a peer that drips bytes: cut its socket so the thread ends soon.
        conn = holder.get("conn")
        if conn is not None and conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)
        return self._timed_out()

    def _timed_out(self) -> AttemptOutcome:
        return AttemptOutcome(OutcomeKind.RETRY, error=f"timeout after {self._timeout:g}s")

    def _post(self, request: PushRequest, holder: dict[str, http.client.HTTPConnection]) -> AttemptOutcome:
        deadline = _Deadline(self._timeout)
        try:
            return self._exchange(request, deadline, holder)
        except (_DeadlineExceeded, TimeoutError):
            return self._timed_out()
        except _Blocked:
            return AttemptOutcome(
                OutcomeKind.RETRY, error="endpoint resolves to a loopback, private or reserved address"
            )
        except socket.gaierror:
            return AttemptOutcome(OutcomeKind.RETRY, error="host name lookup failed")
        except ssl.SSLError as exc:
            return AttemptOutcome(OutcomeKind.RETRY, error=f"TLS error ({type(exc).__name__})")
        except http.client.HTTPException as exc:
            return AttemptOutcome(OutcomeKind.RETRY, error=f"bad HTTP response ({type(exc).__name__})")
        except OSError as exc:
            return AttemptOutcome(OutcomeKind.RETRY, error=f"connection error ({type(exc).__name__})")

    def _addresses(self, host: str, port: int) -> list[str]:
        infos = self._resolve(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise socket.gaierror("no address")
        # Every address must pass, not just the first: the connection may fall through to any of them.
        if not self._allow_private:
            for address in addresses:
                if not is_public_address(ipaddress.ip_address(address.split("%", 1)[0])):
                    raise _Blocked
        return addresses

    def _exchange(
        self, request: PushRequest, deadline: _Deadline, holder: dict[str, http.client.HTTPConnection]
    ) -> AttemptOutcome:
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        addresses = self._addresses(host, port)
        conn: http.client.HTTPConnection
        if https:
            conn = _PinnedHTTPSConnection(
                host, port, addresses=addresses, timeout=deadline.remaining(), context=self._ssl
            )
        else:
            conn = _PinnedHTTPConnection(host, port, addresses=addresses, timeout=deadline.remaining())
        holder["conn"] = conn
        try:
            conn.connect()
            assert conn.sock is not None
            conn.sock.settimeout(deadline.remaining())
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            headers = {"User-Agent": USER_AGENT, "Connection": "close", **request.headers}
            conn.request("POST", target, body=request.body, headers=headers)
            conn.sock.settimeout(deadline.remaining())
            response = conn.getresponse()
            return http_outcome(
                response.status, response.reason or "", parse_retry_after(response.getheader("Retry-After"))
            )
        finally:
            conn.close()
