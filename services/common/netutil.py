"""Small networking helpers: free loopback ports, and whether (or when) a port accepts connections."""

from __future__ import annotations

import os
import random
import socket
import time


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, chosen below the kernel's ephemeral range.

    Port 0 would hand out a port from the ephemeral range, where any outgoing connection made before the port is
    bound (a gRPC client, a NATS reconnect) may take it: the service then fails to listen. Ports below
    ``ip_local_port_range`` are never given to outgoing connections, so only another listener can take them.

    Checked strictly (a plain bind, see ``port_is_free``): a port that a server left a moment ago is not handed out
    again while its connections linger in TIME-WAIT. Tests and the bench hand these ports to gRPC servers, and
    once (CI, 423de37) gRPC refused to bind a port that only the lenient check had called free.
    """
    low = _ephemeral_range_start()
    candidates = list(range(_LOWEST_PICKED_PORT, low))
    for port in random.sample(candidates, k=min(64, len(candidates))):
        if port_is_free(port, host, reuse_address=False):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


_LOWEST_PICKED_PORT = 10000


def _ephemeral_range_start() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as handle:
            return int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default; other systems' ranges start higher


def port_is_free(port: int, host: str = "127.0.0.1", *, reuse_address: bool = True) -> bool:
    """Whether a server could listen on ``port`` now: nothing listens on it.

    ``reuse_address`` (the default, for `leadflow up`'s default ports): checked as the servers bind (gRPC,
    prometheus_client's HTTP server and nats-server all set SO_REUSEADDR), so the closed connections a port keeps in
    TIME-WAIT for a minute after its server stopped (a scrape of /metrics leaves some) do not count as taken and a
    quick `down` then `up` keeps ports 9101-9105. Not on Windows, where SO_REUSEADDR would let a bind share a port
    somebody listens on, and TIME-WAIT never blocks one. ``reuse_address=False``: a plain bind, which TIME-WAIT
    blocks too (``free_port``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if reuse_address and os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s") from None
            time.sleep(0.05)


def accepts_connections(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at host:port right now."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
