"""`leadflow import FILE.csv` against the real stack: progress on stderr, counts and rows to fix on stdout, the
error file, and a re-import that stores nothing twice."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sys
from pathlib import Path

import pytest

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.cli.importer import run_import
from tests.ingest.helpers import mobile, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")

HEADER = [
    "account_id",
    "channel",
    "traffic_source",
    "business_source",
    "name",
    "phone",
    "cost",
    "submit_time",
    "consent.contact",
    "attributes.城市",
]


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _rows() -> list[list[str]]:
    phone = mobile()
    rows = [
        [
            "acct-1",
            "FORM",
            "AD_DIRECT",
            "LANDING_PAGE",
            f"客户{i}",
            mobile(),
            "12.50",
            "2026-01-02T03:04:05+08:00",
            "true",
            "深圳",
        ]
        for i in range(120)
    ]
    rows += [
        ["acct-1", "form", "ad_direct", "landing_page", "重复", phone, "", "", "", ""],
        [
            "acct-1",
            "CHANNEL_FORM",
            "AD_DIRECT",
            "LANDING_PAGE",
            "重复",
            phone,
            "",
            "",
            "",
            "",
        ],  # line 123: duplicate
        ["acct-1", "FORM", "AD_DIRECT", "LANDING_PAGE", "空号", "12", "", "", "", ""],  # line 124: rejected
        ["acct-1", "FAX", "AD_DIRECT", "LANDING_PAGE", "x", mobile(), "", "", "", ""],  # line 125: unreadable
        ["", "FORM", "AD_DIRECT", "LANDING_PAGE", "x", mobile(), "", "", "", ""],  # line 126: server refuses
    ]
    return rows


def _count(text: str, label: str) -> int:
    match = re.search(rf"^{label}\s+(\d+)$", text, re.M)
    assert match, text
    return int(match.group(1))


async def test_import_file_and_reimport_is_idempotent(stack, tmp_path: Path) -> None:
    tenant = unique("tenant")
    path = tmp_path / "leads.csv"
    _write(path, _rows())
    token = stack.metadata(tenant)[0][1].removeprefix("Bearer ")
    out, err = io.StringIO(), io.StringIO()
    code = await run_import(path, stack.ingest_address, token, out=out, err=err)
    assert code == 1
    text = out.getvalue()
    assert _count(text, "NEW") == 121 and _count(text, "DUPLICATE") == 1
    assert _count(text, "REJECTED") == 1 and _count(text, "FAILED") == 2
    assert _count(text, "sent") == 124  # line 125 is not sent: its channel cannot be read
    to_fix = text.split("rows to fix")[1]
    assert re.search(r"^\s+125  FAILED\s+channel\s+UNREADABLE_CELL: unknown value 'FAX'$", to_fix, re.M), (
        to_fix
    )
    assert re.search(r"^\s+126  FAILED\s+account_id\s+\S+: ", to_fix, re.M), to_fix
    assert "125/125 rows (100%)" in err.getvalue()
    assert "UTF-8 CSV" in err.getvalue()
    listed = await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=stack.metadata(tenant))
    assert listed.total_size == 121

    again = io.StringIO()
    assert await run_import(path, stack.ingest_address, token, out=again, err=io.StringIO()) == 1
    # Every row is answered from the first import (counted REPLAYED by a server that tells replays apart, with
    # the first verdict otherwise): nothing new is stored.
    replayed_or_new = _count(again.getvalue(), "NEW") + _count(again.getvalue(), "REPLAYED")
    assert replayed_or_new >= 121
    listed = await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=stack.metadata(tenant))
    assert listed.total_size == 121


async def test_the_error_file_lists_the_rows_to_fix_and_imports_once_corrected(stack, tmp_path: Path) -> None:
    tenant = unique("tenant")
    path = tmp_path / "leads.csv"
    _write(path, _rows())
    errors = tmp_path / "to-fix.csv"
    token = stack.metadata(tenant)[0][1].removeprefix("Bearer ")
    out = io.StringIO()
    assert (
        await run_import(path, stack.ingest_address, token, out=out, err=io.StringIO(), errors_path=errors)
        == 1
    )
    assert "rows to fix written to" in out.getvalue()
    raw = errors.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel opens the UTF-8 file as UTF-8
    with errors.open(newline="", encoding="utf-8-sig") as handle:
        written = list(csv.DictReader(handle))
    by_line = {row["error.line"]: row for row in written}
    assert {"125", "126"} <= set(by_line)
    assert by_line["125"]["channel"] == "FAX" and by_line["125"]["error.field"] == "channel"
    assert "unknown value 'FAX'" in by_line["125"]["error.reason"]
    assert by_line["126"]["account_id"] == "" and by_line["126"]["error.field"] == "account_id"
    assert by_line["126"]["name"] == "x" and by_line["126"]["attributes.城市"] == ""

    # The user corrects the cells and imports the error file as it is: the notes are ignored.
    by_line["125"]["channel"] = "FORM"
    by_line["126"]["account_id"] = "acct-1"
    with errors.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(written[0]))
        writer.writeheader()
        writer.writerows([by_line["125"], by_line["126"]])
    fixed = io.StringIO()
    code = await run_import(errors, stack.ingest_address, token, out=fixed, err=io.StringIO())
    assert code == 0, fixed.getvalue()
    assert _count(fixed.getvalue(), "NEW") == 2
    listed = await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=stack.metadata(tenant))
    assert listed.total_size == 123


async def test_the_leadflow_command(stack, tmp_path: Path) -> None:
    tenant = unique("tenant")
    path = tmp_path / "ok.csv"
    _write(path, _rows()[:3])
    token = stack.metadata(tenant)[0][1].removeprefix("Bearer ")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.cli.main",
        "import",
        str(path),
        "--address",
        stack.ingest_address,
        "--token",
        token,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert _count(stdout.decode(), "NEW") == 3
    assert "3/3 rows" in stderr.decode()

    bad = tmp_path / "bad.csv"
    bad.write_text("account_id,favourite_colour\nacct,blue\n")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.cli.main",
        "import",
        str(bad),
        "--address",
        stack.ingest_address,
        "--token",
        token,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2 and "favourite_colour" in stderr.decode()
