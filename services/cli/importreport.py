"""What `leadflow import` tells the user: the counts, every row to fix, the error file, and how far it got.

The counts come from the server's last ``ImportLeadsResponse`` (cumulative); rows to fix come from the server's
``rejections`` and ``failures`` (by stream index, mapped back to file lines) and from the rows this command could
not read. The error file repeats those rows with their original cells, in the original columns, plus three notes
(``error.line``, ``error.field``, ``error.reason``) that ``leadflow import`` ignores, so the user can correct the
cells and import the file as it is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.cli.leadrows import ERROR_NOTE_COLUMNS
from services.cli.tables import Table

# Rows to fix shown on screen; the error file has them all.
MAX_LISTED = 1000


@dataclass(frozen=True)
class Problem:
    """One reason a row was not imported: its file line, REJECTED or FAILED, the column, and the reason."""

    line: int
    verdict: str
    column: str
    reason: str


@dataclass
class ImportTally:
    """Everything known about one import run, updated as the server answers."""

    total: int
    sent_lines: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unreadable_rows: int = 0
    counts: pb.ImportLeadsResponse = field(default_factory=pb.ImportLeadsResponse)
    answered: bool = False

    @property
    def sent(self) -> int:
        return len(self.sent_lines)

    @property
    def settled(self) -> int:
        """Sent rows the server has answered: the sum of its cumulative counts."""
        c = self.counts
        return (
            c.new_count
            + c.duplicate_count
            + c.returning_count
            + c.replayed_count
            + c.rejected_count
            + c.failed_count
        )

    @property
    def failed(self) -> int:
        return self.counts.failed_count + self.unreadable_rows

    def unreadable(self, line: int, column: str, problem: str) -> None:
        self.unreadable_rows += 1
        self.problems.append(Problem(line, "FAILED", column, f"UNREADABLE_CELL: {problem}"))

    def absorb(self, response: pb.ImportLeadsResponse) -> None:
        """Take one server message: its counts replace ours, its lists add to ours."""
        self.answered = True
        self.counts = response
        for rejection in response.rejections:
            line = self._line(rejection.index)
            for reason in rejection.reasons:
                code = pb.RejectionCode.Name(reason.code).removeprefix("REJECTION_CODE_")
                rule = f" ({reason.rule})" if reason.rule else ""
                self.problems.append(
                    Problem(line, "REJECTED", reason.field, f"{code}{rule}: {reason.message}")
                )
            if not rejection.reasons:
                self.problems.append(Problem(line, "REJECTED", "", "no reason given"))
        for failure in response.failures:
            line, error = self._line(failure.index), failure.error
            if error.field_violations:
                for violation in error.field_violations:
                    reason = violation.reason or error.reason or error.code
                    self.problems.append(
                        Problem(line, "FAILED", violation.field, f"{reason}: {violation.description}")
                    )
            else:
                reason = " ".join(dict.fromkeys(x for x in (error.code, error.reason) if x))
                self.problems.append(Problem(line, "FAILED", "", f"{reason}: {error.message}"))

    def _line(self, index: int) -> int:
        return self.sent_lines[index] if 0 <= index < len(self.sent_lines) else -1

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: p.line)

    def has_failures(self) -> bool:
        return self.failed > 0


def print_summary(out: TextIO, tally: ImportTally, *, complete: bool) -> None:
    """The counts per verdict, then the rows to fix. ``complete``: every row of the file was sent and settled."""
    c = tally.counts
    rows = [
        ("rows in file", tally.total),
        ("sent", tally.sent),
        ("NEW", c.new_count),
        ("DUPLICATE", c.duplicate_count),
        ("RETURNING", c.returning_count),
        ("REPLAYED", c.replayed_count),
        ("REJECTED", c.rejected_count),
        ("FAILED", tally.failed),
    ]
    if not complete:
        rows.append(("not settled", tally.sent - tally.settled))
        rows.append(("not sent", tally.total - tally.sent - tally.unreadable_rows))
    out.write(f"{'verdict':<14}{'rows':>8}\n")
    for label, count in rows:
        out.write(f"{label:<14}{count:>8}\n")
    problems = tally.sorted_problems()
    if problems:
        out.write("\nrows to fix\n")
        out.write(f"{'line':>6}  {'verdict':<9} {'field':<20} reason\n")
        for p in problems[:MAX_LISTED]:
            out.write(f"{p.line:>6}  {p.verdict:<9} {p.column or '-':<20} {p.reason}\n")
        if len(problems) > MAX_LISTED:
            out.write(f"... and {len(problems) - MAX_LISTED} more: --errors FILE writes them all\n")
    listed_rows = len({p.line for p in problems})
    expected = c.rejected_count + tally.failed
    if expected > listed_rows:
        unlisted = expected - listed_rows
        being = "row is" if unlisted == 1 else "rows are"
        out.write(f"({unlisted} rejected or failed {being} counted but this server did not say which)\n")


def write_error_file(destination: Path, table: Table, problems: Iterable[Problem]) -> int:
    """Write the rows to fix, with their cells as read and the notes, as UTF-8 CSV with a BOM (so that Excel
    opens it as UTF-8). Returns how many rows it wrote; the file is written even with none, so it never shows
    an earlier run's rows."""
    by_line: dict[int, list[Problem]] = {}
    for problem in problems:
        by_line.setdefault(problem.line, []).append(problem)
    columns = [c for c in table.header if c and c not in ERROR_NOTE_COLUMNS]
    written = 0
    with destination.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([*columns, *ERROR_NOTE_COLUMNS])
        if by_line:
            for line, row in table.rows():
                found = by_line.get(line)
                if not found:
                    continue
                notes = [
                    str(line),
                    "; ".join(dict.fromkeys(p.column for p in found if p.column)),
                    "; ".join(f"{p.verdict} {p.reason}" for p in found),
                ]
                writer.writerow([*(row.get(c, "") for c in columns), *notes])
                written += 1
    return written
