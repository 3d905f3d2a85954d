"""Every service's migrations are a line of revisions named by their files' four-digit prefixes, which is what
``migrate_first.head_revision`` reads to skip the migration child for a database already at head."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from services.common.config import SERVICES
from services.common.migrate_first import head_revision

ROOT = Path(__file__).resolve().parents[3]


def _assigned(path: Path, name: str) -> object:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name} assigns no {name}")


@pytest.mark.parametrize("service", SERVICES)
def test_revisions_are_the_file_prefixes_in_one_line(service: str) -> None:
    migrations = ROOT / "services" / service / "adapters" / "db" / "migrations"
    files = sorted(f for f in (migrations / "versions").glob("*.py") if f.name != "__init__.py")
    assert files, service
    previous = None
    for index, path in enumerate(files, start=1):
        assert path.name[:5] == f"{index:04d}_", (
            f"{path.name}: files are numbered 0001_, 0002_, ... without gaps"
        )
        assert _assigned(path, "revision") == path.name[:4]
        assert _assigned(path, "down_revision") == previous
        previous = path.name[:4]
    assert head_revision(migrations) == previous
