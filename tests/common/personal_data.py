"""Finding personal data at rest: the forms a value can take in a file or a row, and scans of bytes, files and
database tables for them. Used by the erasure tests (issue 13 item 6) to show that nothing of an erased person is left.

A scan that finds nothing proves something only when it can find: each test also checks a positive control (a value
that must still be there) with the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa

from services.common.db import Database


def mobile_forms(national: str) -> tuple[str, ...]:
    """The textual forms of a Chinese mobile number people and systems write: ``13800138000``, ``+8613800138000``,
    ``8613800138000``, ``008613800138000``, ``138 0013 8000``, ``138-0013-8000``, ``+86 138 0013 8000``."""
    assert len(national) == 11 and national.isdigit()
    spaced = f"{national[:3]} {national[3:7]} {national[7:]}"
    return (
        national,
        "+86" + national,
        "86" + national,
        "0086" + national,
        spaced,
        spaced.replace(" ", "-"),
        "+86 " + spaced,
    )


def byte_forms(values: Iterable[str]) -> set[bytes]:
    """Each value as UTF-8, UTF-16 (either order) and JSON-escaped text."""
    out: set[bytes] = set()
    for value in values:
        out.update({value.encode(), value.encode("utf-16-le"), value.encode("utf-16-be")})
        out.add(value.encode("unicode_escape"))
    return out


def found_in(data: bytes, forms: Iterable[bytes]) -> list[bytes]:
    return sorted(form for form in forms if form in data)


def scan_tree(root: Path, values: Iterable[str], *, skip: Iterable[str] = ()) -> dict[str, list[bytes]]:
    """Every file under ``root`` (databases, their WAL, the JetStream store, logs) that holds one of ``values`` in
    any byte form; files whose name ends with one of ``skip`` are left out. Empty when nothing is found."""
    forms = byte_forms(values)
    hits: dict[str, list[bytes]] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(path.name.endswith(end) for end in skip):
            continue
        found = found_in(path.read_bytes(), forms)
        if found:
            hits[str(path.relative_to(root))] = found
    return hits


def rows_holding(
    database: Database, metadata: sa.MetaData, values: Iterable[str], *, tenant: str | None = None
) -> list[tuple[str, str]]:
    """(table, column) of every stored value containing one of ``values``, over every table of ``metadata``; with
    ``tenant``, only that tenant's rows of the tables that have a tenant_id (others are read whole)."""
    wanted = list(values)
    hits: list[tuple[str, str]] = []
    with database.read() as session:
        for table in metadata.sorted_tables:
            query = sa.select(table)
            if tenant is not None and "tenant_id" in table.c:
                query = query.where(table.c.tenant_id == tenant)
            for row in session.execute(query).mappings():
                for column, value in row.items():
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    if any(w in text for w in wanted):
                        hits.append((table.name, column))
    return sorted(set(hits))
