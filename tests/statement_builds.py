"""Counting the SQLAlchemy statements a block of code builds, by the leadflow function that built them.

The hot paths execute statements built once (``services.common.statements``): building one costs more than running
it, and a statement built anew also misses the memoised cache key, so every execution pays for that too. A
statement is built when a Select, Insert, Update, Delete or TextClause is constructed, and when a generative method
(``.where()``, ``.values()``, ``.on_conflict_do_update()``, ``.with_for_update()`` …) copies one. What the
holders of ``services.common.statements`` build (once per dialect, table or shape) is not counted.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy.sql import base, dml, elements, selectable

SERVICES_ROOT = str(Path(__file__).resolve().parent.parent / "services")
HOLDERS = str(Path(SERVICES_ROOT) / "common" / "statements.py")  # PerDialect, PerTable, PerShape: built once


def _builder() -> str | None:
    """The innermost frame of leadflow's services that led here, as "path:function"; None when a statement holder
    of ``services.common.statements`` is building (once per dialect, table or shape, by design)."""
    frame = sys._getframe(2)
    found = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename == HOLDERS:
            return None
        if found is None and filename.startswith(SERVICES_ROOT):
            found = f"{filename[len(SERVICES_ROOT) - len('services') :]}:{frame.f_code.co_name}"
        frame = frame.f_back
    return found or "outside services/"


@contextmanager
def counting_statement_builds() -> Iterator[Counter[str]]:
    """Within the block, every statement built in this process (any thread) is counted by its builder."""
    built: Counter[str] = Counter()
    lock = threading.Lock()

    def counted(original: Any, only_clauses: bool = False) -> Any:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not only_clauses or isinstance(self, elements.ClauseElement):
                where = _builder()
                if where is not None:
                    with lock:
                        built[where] += 1
            return original(self, *args, **kwargs)

        return wrapper

    with ExitStack() as patches:
        for owner in (selectable.Select, dml.Insert, dml.Update, dml.Delete, elements.TextClause):
            patches.enter_context(mock.patch.object(owner, "__init__", counted(owner.__init__)))
        # Generative copies: .where(), .values(), … (results are generative too; only statements count).
        patches.enter_context(
            mock.patch.object(base.Generative, "_generate", counted(base.Generative._generate, True))
        )
        yield built
