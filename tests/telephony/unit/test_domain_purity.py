"""The telephony domain imports only itself, the standard library, pure libraries and the runtime's pure modules."""

from __future__ import annotations

import ast
from pathlib import Path

import services.telephony.domain as domain

FORBIDDEN = ("grpc", "sqlalchemy", "nats", "prometheus_client", "leadflow", "alembic", "psycopg")
# The runtime's pure modules the domain may use (docs/new-service.md), plus the pure timers port.
PURE_RUNTIME = {
    f"services.common.{name}"
    for name in ("errors", "validation", "uow", "clock", "ids", "timeconv", "iterutil", "timers")
}


def test_no_infrastructure_imports():
    root = Path(domain.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN or (
                    name.startswith("services.")
                    and not name.startswith("services.telephony.domain")
                    and name not in PURE_RUNTIME
                ):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
