"""Reading a table of leads from a CSV or Excel (.xlsx) file: a header row, then one row per lead.

CSV: the encoding is detected (``encoding.py``) unless named; the delimiter is the one of ``,`` ``;`` and tab that
splits the header into the most known column names, unless named or given by Excel's ``sep=`` first line
(https://support.microsoft.com/office/import-or-export-text-txt-or-csv-files-5250ac4c-663c-47ce-937b-339e391393ba).
Line numbers are the file's physical lines, counting a quoted multi-line cell as the lines it spans.

Excel: openpyxl in read-only mode (rows are streamed, never the whole workbook in memory), the first sheet unless
one is named, values rather than formulas. Line numbers are the sheet's row numbers. Cells become the text a user
sees for them: whole numbers without ``.0`` (a phone number column typed as numbers reads 13800138000), dates and
times in ISO 8601 (without an offset, so read as UTC, as in a CSV), booleans as true/false.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from services.cli.encoding import Detected, EncodingUnknown, detect_encoding

DELIMITERS = {",": "','", ";": "';'", "\t": "tab"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}

Row = dict[str, str]


class UnreadableFile(ValueError):
    """The file cannot be read as a table of leads; the message says why and what to do."""


@dataclass
class Table:
    """A readable table: ``header`` and ``rows()`` (each as (line number, {column: text})), read again on demand."""

    path: Path
    header: list[str]
    description: str
    _rows: Callable[[], Iterator[tuple[int, Row]]]

    def rows(self) -> Iterator[tuple[int, Row]]:
        """Every non-blank row after the header; raises UnreadableFile for bytes the encoding cannot decode."""
        return self._rows()


def open_table(
    path: Path,
    *,
    known_columns: Callable[[str], bool],
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Open ``path`` as a table; ``known_columns`` tells a lead column from noise when choosing the delimiter.

    Raises UnreadableFile (unknown encoding, a binary or old-format Excel file, an empty file, a missing sheet) and
    OSError.
    """
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _excel_table(path, sheet)
    if suffix == ".xls":
        raise UnreadableFile("old Excel .xls files cannot be read: save it as .xlsx or CSV (UTF-8)")
    return _csv_table(path, known_columns, encoding, delimiter)


def _csv_table(
    path: Path, known: Callable[[str], bool], encoding: str | None, delimiter: str | None
) -> Table:
    if encoding:
        try:
            detected = Detected(encoding, "named")
            _ = detected.label
        except LookupError:
            raise UnreadableFile(f"unknown encoding {encoding!r}") from None
    else:
        try:
            detected = detect_encoding(path)
        except EncodingUnknown as exc:
            raise UnreadableFile(str(exc)) from None
    first_lines = _first_lines(path, detected)
    skip_sep_line = bool(first_lines) and first_lines[0].strip().lower().startswith("sep=")
    if delimiter is None and skip_sep_line:
        delimiter = first_lines[0].strip()[4:5] or ","
    header_line = first_lines[1 if skip_sep_line else 0] if len(first_lines) > int(skip_sep_line) else ""
    if not header_line.strip():
        raise UnreadableFile("the file is empty: it needs a header row of column names")
    if delimiter is None:
        delimiter = _best_delimiter(header_line, known)
    header = [_clean_name(c) for c in next(csv.reader([header_line], delimiter=delimiter))]
    shown = DELIMITERS.get(delimiter, repr(delimiter))

    def rows() -> Iterator[tuple[int, Row]]:
        reader = csv.reader(_text_lines(path, detected), delimiter=delimiter)
        if skip_sep_line:
            next(reader, None)
        next(reader, None)  # the header
        end_of_previous = reader.line_num
        for cells in reader:
            # csv.reader yields every record, blank lines included, so a record starts right after the previous
            # one ends (a quoted cell may span lines).
            start, end_of_previous = end_of_previous + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            yield start, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}

    description = f"{detected.label} CSV ({detected.how}), {shown}-separated"
    return Table(path, header, description, rows)


def _first_lines(path: Path, detected: Detected) -> list[str]:
    lines = _text_lines(path, detected)
    try:
        return [line for _, line in zip(range(2), lines, strict=False)]
    finally:
        lines.close()


def _best_delimiter(header_line: str, known: Callable[[str], bool]) -> str:
    """The delimiter that splits the header into the most known column names (ties: the order of DELIMITERS)."""

    def score(candidate: str) -> int:
        cells = next(csv.reader([header_line], delimiter=candidate), [])
        return sum(1 for cell in cells if known(_clean_name(cell)))

    return max(DELIMITERS, key=score)


def _clean_name(cell: str) -> str:
    # Excel users pad headers with spaces; a stray BOM survives when a UTF-8 file is concatenated to another.
    return cell.strip().lstrip("\ufeff").strip()


def _text_lines(path: Path, detected: Detected) -> Generator[str, None, None]:
    """The file's lines as text; bytes the encoding cannot decode raise UnreadableFile naming their line."""
    if detected.wide:
        # UTF-16/32 lines cannot be split on the byte b"\n"; a decode error there (an odd byte out) is rare.
        with path.open(newline="", encoding=detected.encoding) as handle:
            try:
                yield from handle
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"the file is not valid {detected.label} ({exc.reason})") from None
        return
    # In every ASCII-compatible encoding b"\n" is never part of a multi-byte character, so splitting the bytes
    # first gives exact line numbers (a text wrapper decodes 8 KiB at a time and fails on the chunk instead).
    decoder = codecs.getincrementaldecoder(detected.encoding)()
    number = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):  # noqa: B007 - used after the loop
            try:
                yield decoder.decode(raw)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"line {number} is not valid {detected.label} ({exc.reason}); "
                    "name the file's encoding with --encoding"
                ) from None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UnreadableFile(f"the file ends inside a {detected.label} character (line {number})") from None


def _excel_table(path: Path, sheet_name: str | None) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    def open_sheet() -> tuple[Any, Any]:
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
            raise UnreadableFile(f"not a readable .xlsx workbook ({exc})") from None
        if sheet_name is None:
            return book, book.worksheets[0]
        if sheet_name not in book.sheetnames:
            book.close()
            raise UnreadableFile(f"no sheet {sheet_name!r}; the sheets are {', '.join(book.sheetnames)}")
        return book, book[sheet_name]

    def numbered_rows() -> Iterator[tuple[int, list[str]]]:
        book, sheet = open_sheet()
        try:
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                cells = [_cell_text(v) for v in values]
                if any(c.strip() for c in cells):
                    yield number, cells
        finally:
            book.close()

    first = next(numbered_rows(), None)
    if first is None:
        raise UnreadableFile("the sheet is empty: it needs a header row of column names")
    header_number, header_cells = first
    while header_cells and not header_cells[-1]:
        header_cells.pop()  # formatted but empty columns at the right
    header = [_clean_name(c) for c in header_cells]
    book, sheet = open_sheet()
    title = sheet.title
    book.close()

    def rows() -> Iterator[tuple[int, Row]]:
        for number, cells in numbered_rows():
            if number <= header_number:
                continue
            yield number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}

    return Table(path, header, f"Excel workbook, sheet {title!r}", rows)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # A float column holds 13800138000 as 13800138000.0; what the user typed had no ".0".
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)
