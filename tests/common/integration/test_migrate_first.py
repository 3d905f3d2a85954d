"""Migrations before serving run in a child process: the schema is at head when ``upgrade_before_serving``
returns, replicas starting together all get there, a failed upgrade stops the start, and the serving process never
has Alembic loaded. SQLite files and, in the PostgreSQL tier, PostgreSQL (``database_url``)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from services.common.migrate_first import MigrationFailed, upgrade_before_serving
from services.common.migrations import alembic_config, current_revision
from services.dedup.bootstrap import MIGRATIONS_DIR

ROOT = Path(__file__).resolve().parents[3]


def _head(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(MIGRATIONS_DIR, database_url)).get_current_head()


def test_the_schema_is_at_head_when_the_upgrade_returns(database_url: str) -> None:
    asyncio.run(upgrade_before_serving("dedup", MIGRATIONS_DIR, database_url, "WARNING", child=True))
    assert current_revision(MIGRATIONS_DIR, database_url) == _head(database_url)


def test_replicas_starting_together_all_reach_head(database_url: str) -> None:
    async def three_replicas() -> None:
        await asyncio.gather(
            *(
                upgrade_before_serving("dedup", MIGRATIONS_DIR, database_url, "WARNING", child=True)
                for _ in range(3)
            )
        )

    asyncio.run(three_replicas())  # raises MigrationFailed if any replica's upgrade failed
    assert current_revision(MIGRATIONS_DIR, database_url) == _head(database_url)


def test_a_failed_upgrade_raises_and_leaves_no_schema(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    url = f"sqlite:///{blocker / 'dedup.db'}"  # its parent is a file: the database cannot be created
    with pytest.raises(MigrationFailed):
        asyncio.run(upgrade_before_serving("dedup", MIGRATIONS_DIR, url, "CRITICAL", child=True))
    assert not (blocker / "dedup.db").exists()


def test_a_database_at_head_starts_no_child_and_this_process_migrates_when_it_has_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.common.migrate_first as migrate_first

    children: list[str] = []
    monkeypatch.setattr(migrate_first, "_run_child", lambda service, *_: children.append(service))
    url = f"sqlite:///{tmp_path / 'dedup.db'}"
    asyncio.run(upgrade_before_serving("dedup", MIGRATIONS_DIR, url, "WARNING"))  # alembic is loaded here
    assert children == [] and current_revision(MIGRATIONS_DIR, url) == _head(url)
    asyncio.run(upgrade_before_serving("dedup", MIGRATIONS_DIR, url, "WARNING", child=True))  # at head: no-op
    assert children == ["dedup"]  # asked for explicitly, the child runs even at head
    assert migrate_first._at_head(MIGRATIONS_DIR, url)


def test_an_in_memory_database_is_migrated_in_this_process() -> None:
    url = "sqlite://"  # a child's in-memory database would vanish with the child
    asyncio.run(upgrade_before_serving("dedup", MIGRATIONS_DIR, url, "WARNING"))
    assert "alembic" in sys.modules


@pytest.mark.parametrize("service", ["dedup", "ingest"])
def test_a_started_service_has_not_loaded_alembic(service: str, tmp_path: Path, nats_server) -> None:  # type: ignore[no-untyped-def]
    """Start the service in a fresh interpreter (migrating a new database on start), then look at its modules."""
    code = (
        "import asyncio, importlib, sys\n"
        "from pathlib import Path\n"
        "from services.common.runtime import RunningService\n"
        "from tests.platform.helpers import service_env\n"  # not tests.harness: it loads Alembic on purpose
        "async def main():\n"
        f"    env = service_env({service!r}, Path({str(tmp_path)!r}), {nats_server.url!r})\n"
        f"    settings = importlib.import_module('services.{service}.settings').load(env)\n"
        f"    running = RunningService(importlib.import_module('services.{service}.bootstrap').build_app(settings))\n"
        "    await running.start()\n"
        "    loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako'))\n"
        "    await running.stop()\n"
        "    print(loaded)\n"
        "    from services.common.migrations import current_revision\n"
        "    print(current_revision(running.app.migrations_dir, running.app.settings.database_url))\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    loaded, revision = done.stdout.splitlines()[-2:]
    assert loaded == "[]"
    assert revision != "None"  # it did migrate, in its child
