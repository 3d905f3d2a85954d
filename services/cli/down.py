"""`leadflow down`: stop the stack `leadflow up` runs over a data directory, from another terminal or script.

It sends the `up` process SIGTERM (what Ctrl-C does: each service drains and exits, then nats-server) and waits
until `up` has let go of ``up.lock``, so when it returns 0 the ports and the SQLite files are free.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from services.cli import stackfile
from services.common.config import Env, data_dir

POLL_SECONDS = 0.2


def run_down(data_dir_arg: str | None, timeout: float) -> int:
    """0 once the stack over the data directory (``--data-dir``, else LEADFLOW_DATA_DIR, else ./.leadflow) has
    stopped, also when none was running (said on stderr); 1 when it is still running after ``timeout`` seconds."""
    folder = Path(data_dir_arg).resolve() if data_dir_arg else data_dir(Env())
    pid = stackfile.holder(folder)
    if pid is None:
        print(f"leadflow down: no stack runs over {folder}", file=sys.stderr)
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return 0  # it stopped between the look and the signal
    print(f"stopping the stack over {folder} (leadflow up, pid {pid})…", flush=True)
    deadline = time.monotonic() + timeout
    while stackfile.holder(folder) is not None:
        if time.monotonic() > deadline:
            print(
                f"leadflow down: the stack (pid {pid}) is still stopping after {timeout:.0f}s; its services' "
                f"logs are in {folder / 'logs'}",
                file=sys.stderr,
            )
            return 1
        time.sleep(POLL_SECONDS)
    print("stopped.", flush=True)
    return 0
