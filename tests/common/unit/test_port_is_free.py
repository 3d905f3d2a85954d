"""A port is free for a server when nothing listens on it, even while closed connections linger in TIME-WAIT (a
quick `leadflow down` then `up` kept moving the metrics ports when a /metrics scrape had left some); free_port,
which hands ports to tests' gRPC servers, stays strict."""

from __future__ import annotations

import socket

import pytest

from services.common import netutil
from services.common.netutil import free_port, port_is_free


def _listener(port: int) -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the services' servers bind
    server.bind(("127.0.0.1", port))
    server.listen()
    return server


def _leave_time_wait(port: int) -> None:
    """A server on ``port`` answers one connection and closes it first (as an HTTP server does after a scrape), so
    the port keeps that connection in TIME-WAIT; then the server stops."""
    server = _listener(port)
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server side closes first: its end goes to TIME-WAIT
    client.recv(1)  # end of file: the close reached the client
    client.close()
    server.close()


def test_a_port_whose_server_stopped_is_free_while_its_connections_linger_in_time_wait() -> None:
    port = free_port()
    _leave_time_wait(port)
    assert not port_is_free(port, reuse_address=False), (
        "the test must leave a connection in TIME-WAIT, which blocks a bind without SO_REUSEADDR"
    )
    assert port_is_free(port)
    _listener(port).close()  # and a server can indeed listen there


def test_a_port_somebody_listens_on_is_taken() -> None:
    port = free_port()
    server = _listener(port)
    try:
        assert not port_is_free(port)
    finally:
        server.close()
    assert port_is_free(port)


def test_free_port_never_hands_out_a_port_still_in_time_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests and the bench give free_port's ports to gRPC servers: only a plainly free port will do.
    lingering, other = free_port(), free_port()
    assert lingering != other
    _leave_time_wait(lingering)
    monkeypatch.setattr(netutil.random, "sample", lambda _population, k: [lingering, other])
    assert free_port() == other
