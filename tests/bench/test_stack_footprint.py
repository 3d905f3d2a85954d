"""`python -m bench.stack_footprint`: `leadflow up` on free ports with its own nats-server, and each process's idle
RSS split into its anonymous and file parts, optionally after dropping the shared libraries from the page cache."""

from __future__ import annotations

import re
from pathlib import Path

from bench.pagecache import drop_shared_libraries_from_cache
from bench.stack_footprint import main
from services.common.config import SERVICES


def test_only_shared_libraries_are_dropped(tmp_path: Path) -> None:
    for name in ("cygrpc.cpython-311-x86_64-linux-gnu.so", "libcrypto.so.3", "module.py", "notes.txt"):
        (tmp_path / "lib" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "lib" / name).write_bytes(b"\0" * 4096)
    assert drop_shared_libraries_from_cache([tmp_path]) == 2


def test_the_footprint_of_each_process_from_disk(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--idle", "1", "--libraries-from-disk"]) == 0
    printed = capsys.readouterr().out
    assert int(re.search(r"dropped from the page cache: (\d+) files", printed).group(1)) > 10  # type: ignore[union-attr]
    for process in (*SERVICES, "nats-server"):  # nats-server of its own, not whatever listens on 4222
        row = re.search(rf"^{process}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", printed, re.M)
        assert row, printed
        rss, _, anon, file = map(float, row.groups())
        assert 0 < anon < rss and 0 < file < rss
        assert abs(anon + file - rss) < 1.0  # VmRSS = RssAnon + RssFile (+ RssShmem, none here)
