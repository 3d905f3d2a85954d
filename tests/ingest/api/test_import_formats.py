"""`leadflow import` reads the files advertisers really have, through the real stack: GBK and GB18030 CSV (what
Chinese Excel writes), UTF-16 with a BOM, `;` and tab between cells, Excel's `sep=` line, and .xlsx workbooks."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.cli.importer import ReadOptions, run_import
from tests.ingest.helpers import mobile, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")

HEADER = ["account_id", "channel", "traffic_source", "business_source", "name", "phone", "attributes.城市"]
NAMES = ["张三", "李四", "王小明", "欧阳娜娜", "刘䶮"]  # 䶮 (U+4DAE) exists in GB18030 but not in GBK


def _rows(names: list[str]) -> list[list[str]]:
    return [["acct-1", "FORM", "AD_DIRECT", "LANDING_PAGE", name, mobile(), "深圳"] for name in names]


def _csv_text(rows: list[list[str]], delimiter: str, newline: str = "\r\n") -> str:
    return newline.join(delimiter.join(cells) for cells in [HEADER, *rows]) + newline


def _new_count(text: str) -> int:
    match = re.search(r"^NEW\s+(\d+)$", text, re.M)
    assert match, text
    return int(match.group(1))


async def _import_and_read_names(stack, path: Path, expected: int, **kwargs) -> tuple[set[str], str]:
    tenant = unique("tenant")
    token = stack.metadata(tenant)[0][1].removeprefix("Bearer ")
    out, err = io.StringIO(), io.StringIO()
    code = await run_import(path, stack.ingest_address, token, out=out, err=err, **kwargs)
    assert code == 0, out.getvalue() + err.getvalue()
    assert _new_count(out.getvalue()) == expected
    listed = await stack.ingest_stub().ListLeads(
        pb.ListLeadsRequest(page_size=100), metadata=stack.metadata(tenant)
    )
    return {lead.name for lead in listed.leads}, err.getvalue()


@pytest.mark.parametrize(
    ("codec", "delimiter", "label", "names"),
    [
        ("gbk", ",", "GB18030 CSV (detected)", NAMES[:4]),
        ("gbk", ";", "GB18030 CSV (detected)", NAMES[:4]),
        ("gb18030", ",", "GB18030 CSV (detected)", NAMES),
        ("utf-16", "\t", "UTF-16 CSV (byte order mark)", NAMES),  # Excel's "Unicode text"
        ("utf-16", ",", "UTF-16 CSV (byte order mark)", NAMES),
        ("utf-8-sig", ";", "UTF-8 CSV (byte order mark)", NAMES),
        ("utf-8", "\t", "UTF-8 CSV (valid UTF-8)", NAMES),
    ],
)
async def test_csv_encodings_and_delimiters(
    stack, tmp_path: Path, codec: str, delimiter: str, label: str, names: list[str]
) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(_csv_text(_rows(names), delimiter).encode(codec))
    read_back, progress = await _import_and_read_names(stack, path, len(names))
    assert read_back == set(names)
    shown = {",": "','", ";": "';'", "\t": "tab"}[delimiter]
    assert f"{label}, {shown}-separated, {len(names)} rows" in progress


async def test_a_gbk_file_named_as_utf8_fails_before_anything_is_sent(stack, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(_csv_text(_rows(NAMES[:4]), ",").encode("gbk"))
    tenant = unique("tenant")
    token = stack.metadata(tenant)[0][1].removeprefix("Bearer ")
    err = io.StringIO()
    code = await run_import(
        path, stack.ingest_address, token, out=io.StringIO(), err=err, read=ReadOptions("utf-8")
    )
    assert code == 2
    assert (
        "line 1 is not valid UTF-8" in err.getvalue()
    )  # the header: attributes.城市 and "codec can't decode" not in err.getvalue()
    listed = await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=stack.metadata(tenant))
    assert listed.total_size == 0


async def test_excels_sep_line(stack, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(("sep=;\r\n" + _csv_text(_rows(NAMES[:2]), ";")).encode("gbk"))
    read_back, _ = await _import_and_read_names(stack, path, 2)
    assert read_back == set(NAMES[:2])


async def test_xlsx_workbook(stack, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "线索"
    sheet.append([*HEADER, "cost", "submit_time", "consent.contact"])
    phones = [int(mobile()), float(mobile()), mobile()]  # a number column, a float column, text
    for name, phone in zip(NAMES[:3], phones, strict=True):
        sheet.append(
            [
                "acct-1",
                "FORM",
                "AD_DIRECT",
                "LANDING_PAGE",
                name,
                phone,
                "深圳",
                35.5,
                dt.datetime(2026, 1, 2),
                True,
            ]
        )
    sheet.append([None] * 10)  # formatted but empty: skipped, and the next row keeps its number
    sheet.append(["acct-1", "FAX", "AD_DIRECT", "LANDING_PAGE", "x", mobile(), "", None, None, None])
    book.save(path)

    tenant = unique("tenant")
    token = stack.metadata(tenant)[0][1].removeprefix("Bearer ")
    out, err = io.StringIO(), io.StringIO()
    code = await run_import(path, stack.ingest_address, token, out=out, err=err)
    assert code == 1  # the FAX row
    assert _new_count(out.getvalue()) == 3
    assert re.search(r"^\s+6  FAILED\s+channel\s+UNREADABLE_CELL", out.getvalue(), re.M), out.getvalue()
    assert "Excel workbook, sheet '线索', 4 rows" in err.getvalue()
    listed = await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=stack.metadata(tenant))
    assert {lead.name for lead in listed.leads} == set(NAMES[:3])
    assert {lead.phone for lead in listed.leads} == {f"+86{int(p)}" for p in phones}
