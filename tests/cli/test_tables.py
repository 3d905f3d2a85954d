"""Reading tables of leads: delimiters, Excel's `sep=` line, line numbers, decode errors, and .xlsx cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from services.cli.leadrows import is_known_column
from services.cli.tables import UnreadableFile, open_table


def _open(path: Path, **kwargs: str):
    return open_table(path, known_columns=is_known_column, **kwargs)


@pytest.mark.parametrize(
    ("delimiter", "shown"), [(",", "','-separated"), (";", "';'-separated"), ("\t", "tab-separated")]
)
def test_the_delimiter_is_the_one_that_splits_the_header_into_known_columns(
    tmp_path: Path, delimiter: str, shown: str
) -> None:
    path = tmp_path / "leads.csv"
    # The other candidates appear inside cells, so counting them alone would guess wrong.
    lines = [
        delimiter.join(["account_id", "name", "attributes.remark"]),
        delimiter.join(["acct-1", "张三", '"a, b; c"']),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = _open(path)
    assert table.header == ["account_id", "name", "attributes.remark"]
    assert shown in table.description
    assert list(table.rows()) == [
        (2, {"account_id": "acct-1", "name": "张三", "attributes.remark": "a, b; c"})
    ]


def test_excels_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("sep=;\naccount_id;name\nacct-1;张三\n", encoding="utf-8")
    table = _open(path)
    assert table.header == ["account_id", "name"]
    assert list(table.rows()) == [(3, {"account_id": "acct-1", "name": "张三"})]


def test_line_numbers_count_multi_line_cells_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(
        b'account_id,attributes.remark\r\nacct-1,"two\r\nlines"\r\n\r\nacct-2,one\r\nacct-3,"a ""quoted"" word"\r\n'
    )
    rows = list(_open(path).rows())
    assert [line for line, _ in rows] == [2, 5, 6]
    assert rows[0][1]["attributes.remark"] == "two\r\nlines"
    assert rows[2][1]["attributes.remark"] == 'a "quoted" word'


def test_short_rows_are_padded_and_headers_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(" account_id , name ,phone\nacct-1\n", encoding="utf-8-sig")
    table = _open(path)
    assert table.header == ["account_id", "name", "phone"]
    assert list(table.rows()) == [(2, {"account_id": "acct-1", "name": "", "phone": ""})]


def test_a_line_the_named_encoding_cannot_decode_is_named(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    text = "account_id,name\n" + "".join(f"acct-{i},x\n" for i in range(2, 40)) + "acct-40,张三\n"
    path.write_bytes(text.encode("gbk"))
    table = _open(path, encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"line 40 is not valid UTF-8.*--encoding"):
        list(table.rows())
    assert [row["name"] for _, row in _open(path).rows()][-1] == "张三"  # detected: GB18030


def test_an_unknown_encoding_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("account_id\nacct\n")
    with pytest.raises(UnreadableFile, match="unknown encoding"):
        _open(path, encoding="klingon")


@pytest.mark.parametrize("content", [b"", b"\n\n"])
def test_an_empty_file_asks_for_a_header(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match="header row"):
        _open(path)


def test_old_excel_files_are_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "leads.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UnreadableFile, match=r"\.xlsx or CSV"):
        _open(path)


def _workbook(path: Path, rows: list[list[object]], title: str = "线索") -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.create_sheet("other").append(["account_id"])
    book.save(path)


def test_xlsx_cells_read_as_the_user_sees_them(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    _workbook(
        path,
        [
            ["account_id", "phone", "cost", "submit_time", "consent.contact", "attributes.年龄", None],
            ["acct-1", 13800138000, 12.5, dt.datetime(2026, 1, 2, 3, 4, 5), True, 30, None],
            [None, None, None, None, None, None, None],  # a blank row keeps its number
            ["acct-2", 13900139000.0, 0.1, dt.date(2026, 1, 3), False, 30.0, None],
        ],
    )
    table = _open(path)
    assert table.header == [
        "account_id",
        "phone",
        "cost",
        "submit_time",
        "consent.contact",
        "attributes.年龄",
    ]
    assert "sheet '线索'" in table.description
    assert list(table.rows()) == [
        (
            2,
            {
                "account_id": "acct-1",
                "phone": "13800138000",
                "cost": "12.5",
                "submit_time": "2026-01-02T03:04:05",
                "consent.contact": "true",
                "attributes.年龄": "30",
            },
        ),
        (
            4,
            {
                "account_id": "acct-2",
                "phone": "13900139000",
                "cost": "0.1",
                "submit_time": "2026-01-03T00:00:00",
                "consent.contact": "false",
                "attributes.年龄": "30",
            },
        ),
    ]


def test_xlsx_sheet_by_name(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    _workbook(path, [["name"], ["张三"]])
    assert list(_open(path, sheet="other").rows()) == []
    assert _open(path, sheet="other").header == ["account_id"]
    with pytest.raises(UnreadableFile, match="no sheet 'missing'; the sheets are 线索, other"):
        _open(path, sheet="missing")


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    path.write_text("account_id\nacct\n")
    with pytest.raises(UnreadableFile, match="not a readable .xlsx workbook"):
        _open(path)
