"""The five services as Kubernetes runs them, on this machine: each its own process, authenticated to a real
nats-server as its own NATS user, with exactly the permissions of deploy/k8s/base/nats/accounts.conf."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.gen.natsauth import ADMIN_PASSWORD_VARIABLE, inbox_prefix, password_variable
from services.common.config import SERVICES
from tests.deploy.kube import K8S
from tests.deploy.natsserver import nats_server_with_config
from tests.platform.helpers import ServiceProcess, service_env, start_service, wait_serving


@dataclass
class Stack:
    nats_url: str
    admin_password: str
    passwords: dict[str, str]
    services: dict[str, ServiceProcess]

    def metrics(self, service: str) -> str:
        url = f"http://127.0.0.1:{self.services[service].metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310 - loopback
            return reply.read().decode()

    def sample(self, service: str, name: str, **labels: str) -> float:
        """The value of one sample, 0 when absent."""
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        pattern = re.compile(rf"^{re.escape(name)}(?:\{{([^}}]*)\}})? (\S+)$", re.M)
        for match in pattern.finditer(self.metrics(service)):
            found = ",".join(sorted((match.group(1) or "").split(","))) if match.group(1) else ""
            if found == wanted:
                return float(match.group(2))
        return 0.0


@contextmanager
def running_stack(tmp: Path) -> Iterator[Stack]:
    passwords = {s: secrets.token_hex(16) for s in SERVICES}
    admin = secrets.token_hex(16)
    env = {password_variable(s): p for s, p in passwords.items()} | {ADMIN_PASSWORD_VARIABLE: admin}
    accounts = (K8S / "base" / "nats" / "accounts.conf").read_text()
    with ExitStack() as stack:
        url = stack.enter_context(
            nats_server_with_config(
                tmp / "nats", 'include "accounts.conf"', env=env, includes={"accounts.conf": accounts}
            )
        )
        processes: dict[str, ServiceProcess] = {}
        try:
            envs = {}
            for service in SERVICES:
                secret = tmp / f"{service}.nats-password"
                secret.write_text(passwords[service])
                envs[service] = service_env(
                    service,
                    tmp / "data",
                    url,
                    LEADFLOW_NATS_USER=service,
                    LEADFLOW_NATS_PASSWORD_FILE=str(secret),
                    LEADFLOW_NATS_INBOX_PREFIX=inbox_prefix(service),
                    LEADFLOW_SHUTDOWN_DELAY_SECONDS="0",
                    LEADFLOW_SHUTDOWN_GRACE_SECONDS="2",
                )
            envs["ingest"]["LEADFLOW_INGEST_DEDUP_ADDRESS"] = (
                f"127.0.0.1:{envs['dedup']['LEADFLOW_DEDUP_GRPC_PORT']}"
            )
            for service in SERVICES:
                processes[service] = start_service(service, envs[service], tmp / f"{service}.log")
            for process in processes.values():
                wait_serving(process, timeout=60)
            yield Stack(url, admin, passwords, processes)
        finally:
            for process in processes.values():
                if process.process.poll() is None:
                    process.process.terminate()
            for process in processes.values():
                try:
                    process.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.process.kill()
                    process.process.wait()
            shutil.rmtree(tmp / "data", ignore_errors=True)
