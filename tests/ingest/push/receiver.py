"""A real HTTP(S) endpoint on a free loopback port that answers pushes from a script: a status code, or a sleep
past the sender's deadline. It records every request it receives (headers, body) for the test to check."""

from __future__ import annotations

import http.server
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self, *, default_status: int = 200, tls: ssl.SSLContext | None = None) -> None:
        self.default_status = default_status
        self.received: list[Received] = []
        self._script: deque[tuple[str, float]] = deque()
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                action = receiver._record(Received(self.path, dict(self.headers.items()), body))
                kind, value = action
                if kind == "sleep":
                    time.sleep(value)
                    status = 200
                else:
                    status = int(value)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up waiting and closed the connection

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="push-receiver", daemon=True)

    def _record(self, received: Received) -> tuple[str, float]:
        with self._lock:
            self.received.append(received)
            return self._script.popleft() if self._script else ("status", self.default_status)

    def answer(self, *actions: int | str) -> None:
        """Queue answers: an int is a status code, "sleep:<seconds>" stalls before answering 200."""
        with self._lock:
            for action in actions:
                if isinstance(action, str) and action.startswith("sleep:"):
                    self._script.append(("sleep", float(action.split(":", 1)[1])))
                else:
                    self._script.append(("status", float(action)))

    def url(self, path: str = "/hooks/leads?token=query-secret", host: str = "127.0.0.1") -> str:
        scheme = "https" if isinstance(self._server.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
