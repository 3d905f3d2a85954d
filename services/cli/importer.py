"""`leadflow import FILE`: stream a CSV or Excel file of leads to ``IngestService.ImportLeads``.

The file: a header row of ``SubmitLeadRequest`` field names (``leadrows.py`` lists them and how cells are read),
then a row per lead; CSV in any encoding Excel or a CRM writes, detected (``encoding.py``), with ``,`` ``;`` or tab
between cells, or an .xlsx workbook (``tables.py``). The whole file is read once before anything is sent, so a
file that cannot be decoded fails before the first row reaches the server.

Every row carries a request_id (from its ``request_id`` column, or derived from its content), so importing the same
file again stores nothing twice: the server answers each row it already has with its first result. That makes an
interrupted import safe to finish by running the same command again.

Output: progress on stderr; on stdout the counts per verdict and every rejected or failed row with its file line,
column and reason; with ``--errors FILE`` those rows again, as a CSV to correct and import. Rows this command cannot
read (an unknown enum name, a malformed cost or time) are not sent and are listed as FAILED.

Ctrl-C or SIGTERM stops sending, waits up to ``STOP_GRACE_SECONDS`` for the server to settle the rows already sent
(a second signal stops at once), then reports how far the import got. The server's answer is read as a stream: a
server that sends cumulative progress after each stored chunk lets an interrupted import say exactly how many rows
were stored; one that answers only at the end is read the same way.

Exit status: 0 every row was stored or rejected by the rules; 1 some rows failed; 2 the file (or an option) cannot
be used; 3 the call failed (server unreachable, token refused, ...); 128 + the signal number when interrupted (130
for Ctrl-C, 143 for SIGTERM).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import grpc

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.cli.importreport import ImportTally, print_summary, write_error_file
from services.cli.leadrows import RowError, is_known_column, row_request, unknown_columns
from services.cli.tables import Table, UnreadableFile, open_table

# Read as a stream whatever the generated stub's shape: wire-compatible with a server that answers once (client
# streaming) and with one that also sends progress (bidirectional), see ImportLeads in ingest_service.proto.
IMPORT_METHOD = "/leadflow.ingest.v1.IngestService/ImportLeads"
STOP_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class ReadOptions:
    """How to read the file; None means detect."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


@dataclass
class Progress:
    """A one-line progress bar on a stream (stderr): rows read from the file (``every`` rows at a time) and, when
    the server reports them, rows it has settled."""

    total: int
    out: TextIO
    width: int = 30
    every: int = 50
    read: int = 0
    sent: int = 0
    settled: int = 0
    _drawn: bool = False

    def row_sent(self) -> None:
        self.sent += 1
        self.row_read()

    def row_read(self) -> None:
        """A row was read (sent, or left out because a cell could not be read)."""
        self.read += 1
        if self.read % self.every == 0 or self.read == self.total:
            self.draw()

    def server_settled(self, settled: int) -> None:
        self.settled = settled
        self.draw()

    def draw(self) -> None:
        fraction = self.read / self.total if self.total else 1.0
        filled = int(self.width * fraction)
        bar = "#" * filled + "." * (self.width - filled)
        settled = f", {self.settled} settled by the server" if self.settled else ""
        self.out.write(f"\r[{bar}] {self.read}/{self.total} rows ({fraction:.0%}){settled}")
        self.out.flush()
        self._drawn = True

    def newline(self) -> None:
        if self._drawn:
            self.out.write("\n")
            self.out.flush()
            self._drawn = False


class _Stopper:
    """Ctrl-C / SIGTERM during an import: the first stops sending and arms a grace timer, the second cancels."""

    def __init__(self, err: TextIO, progress: Progress, grace: float) -> None:
        self.err = err
        self.progress = progress
        self.grace = grace
        self.signum: int | None = None
        self.cancelled = False
        self._call: grpc.aio.Call | None = None
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None

    def install(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._loop.add_signal_handler(sig, self._on_signal, sig)

    def uninstall(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._loop.remove_signal_handler(sig)
        if self._timer is not None:
            self._timer.cancel()

    def watch(self, call: grpc.aio.Call) -> None:
        self._call = call

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def _on_signal(self, sig: int) -> None:
        self.progress.newline()
        if self.signum is None and self._call is None:
            self.signum = sig
            self.err.write(f"leadflow import: {signal.Signals(sig).name}: stopping before any row is sent\n")
        elif self.signum is None:
            self.signum = sig
            self.err.write(
                f"leadflow import: {signal.Signals(sig).name}: sending no more rows; waiting up to "
                f"{self.grace:.0f}s for the server to settle the {self.progress.sent} rows sent "
                "(signal again to stop at once)\n"
            )
            self._timer = self._loop.call_later(self.grace, self.cancel)
        else:
            self.cancel()
        self.err.flush()

    def cancel(self) -> None:
        if self._call is not None and not self._call.done():
            self.cancelled = True
            self._call.cancel()


async def run_import(
    path: Path,
    address: str,
    token: str,
    *,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    timeout: float | None = None,
    channel: grpc.aio.Channel | None = None,
    read: ReadOptions = ReadOptions(),
    errors_path: Path | None = None,
    stop_grace: float = STOP_GRACE_SECONDS,
) -> int:
    """Import ``path``; returns the exit status (see the module docstring)."""
    if errors_path is not None and errors_path.resolve() == path.resolve():
        err.write("leadflow import: --errors must name another file than the one imported\n")
        return 2
    progress = Progress(0, err)
    stopper = _Stopper(err, progress, stop_grace)
    stopper.install()
    try:
        return await _import(
            path,
            address,
            token,
            out=out,
            err=err,
            timeout=timeout,
            channel=channel,
            read=read,
            errors_path=errors_path,
            progress=progress,
            stopper=stopper,
        )
    finally:
        stopper.uninstall()


async def _import(
    path: Path,
    address: str,
    token: str,
    *,
    out: TextIO,
    err: TextIO,
    timeout: float | None,
    channel: grpc.aio.Channel | None,
    read: ReadOptions,
    errors_path: Path | None,
    progress: Progress,
    stopper: _Stopper,
) -> int:
    try:
        table = open_table(
            path,
            known_columns=is_known_column,
            encoding=read.encoding,
            delimiter=read.delimiter,
            sheet=read.sheet,
        )
        unknown = unknown_columns(table.header)
        if unknown:
            err.write(
                f"leadflow import: unknown columns in {path}: {', '.join(unknown)} (read as {table.description})\n"
            )
            return 2
        total = await asyncio.to_thread(_count, table)
    except (UnreadableFile, OSError) as exc:
        err.write(f"leadflow import: cannot read {path}: {exc}\n")
        return 2
    if stopper.signum is not None:
        err.write("leadflow import: nothing was sent, nothing was imported.\n")
        return 128 + stopper.signum
    err.write(f"leadflow import: {path.name}: {table.description}, {total} rows\n")

    tally = ImportTally(total)
    progress.total = total
    failure: grpc.aio.AioRpcError | None = None

    async def requests() -> AsyncIterator[pb.ImportLeadsRequest]:
        for line, row in table.rows():
            if stopper.requested:
                return
            try:
                request = row_request(row)
            except RowError as exc:
                tally.unreadable(line, exc.column, exc.problem)
                progress.row_read()
                continue
            tally.sent_lines.append(line)
            progress.row_sent()
            yield pb.ImportLeadsRequest(request=request)

    own_channel = channel is None
    channel = channel or grpc.aio.insecure_channel(address)
    try:
        import_leads = channel.stream_stream(
            IMPORT_METHOD,
            request_serializer=pb.ImportLeadsRequest.SerializeToString,
            response_deserializer=pb.ImportLeadsResponse.FromString,
        )
        call = import_leads(requests(), metadata=(("authorization", f"Bearer {token}"),), timeout=timeout)
        stopper.watch(call)
        try:
            async for response in call:
                tally.absorb(response)
                progress.server_settled(tally.settled)
        except grpc.aio.AioRpcError as exc:
            failure = exc
        except asyncio.CancelledError:
            if not stopper.cancelled:
                raise  # not ours: let it through
    finally:
        if own_channel:
            await channel.close()
    progress.newline()

    if failure is None and not stopper.cancelled and not tally.answered:
        err.write("leadflow import: the server ended the import without a summary\n")
        return 3
    every_row_sent = tally.sent + tally.unreadable_rows == tally.total
    complete = failure is None and not stopper.cancelled and every_row_sent and tally.settled >= tally.sent
    if tally.answered or tally.problems:
        print_summary(out, tally, complete=complete)
    if errors_path is not None:
        written = write_error_file(errors_path, table, tally.sorted_problems())
        rows = "row" if written == 1 else "rows"
        out.write(f"\n{written} {rows} to fix written to {errors_path}; correct them and import that file.\n")
    if failure is not None:
        err.write(f"leadflow import: the import failed: {_describe(failure)}\n")
    if complete:
        return 1 if tally.has_failures() else 0
    err.write(_how_far(tally, stopper, failure))
    return 128 + stopper.signum if stopper.signum is not None else 3


def _how_far(tally: ImportTally, stopper: _Stopper, failure: grpc.aio.AioRpcError | None) -> str:
    """Where an unfinished import stands, and that running the same command again finishes it."""
    if stopper.signum is not None:
        cause, again = f"interrupted by {signal.Signals(stopper.signum).name}", "Run the same command again"
    else:
        cause, again = "stopped by the error above", "Once that is fixed, run the same command again"
    counted = " (counted above)" if tally.answered else ""
    unsettled = tally.sent - tally.settled
    if tally.sent == 0:
        settled = "no row was sent"
    elif unsettled <= 0:
        settled = f"all {tally.sent} rows sent were settled by the server{counted}"
    else:
        settled = (
            f"the server settled {tally.settled} of the {tally.sent} rows sent{counted}; the other {unsettled} "
            "may or may not be stored"
        )
    unsent = tally.total - tally.sent - tally.unreadable_rows
    return (
        f"leadflow import: {cause}: {settled}; {unsent} of {tally.total} rows were not sent.\n"
        f"{again} to finish the import: rows already stored are answered with their first result instead of "
        "being stored again, so nothing is duplicated.\n"
    )


def _describe(failure: grpc.aio.AioRpcError) -> str:
    text = f"{failure.code().name}: {failure.details()}"
    if failure.code() is grpc.StatusCode.INTERNAL and failure.details() == "Internal error from Core":
        # grpc-python asyncio replaces the server's status with this one when the server ends the call while a
        # row is being written (https://github.com/grpc/grpc/issues/36066); the server's own reason is lost.
        text += " (the server ended the call while rows were being sent; its logs say why)"
    return text


def _count(table: Table) -> int:
    return sum(1 for _ in table.rows())


def main(
    path: str,
    address: str,
    token: str | None,
    timeout: float | None,
    read: ReadOptions,
    errors_path: str | None,
) -> int:
    if not token:
        sys.stderr.write("leadflow import: a bearer token is required (--token or LEADFLOW_TOKEN)\n")
        return 2
    return asyncio.run(
        run_import(
            Path(path),
            address,
            token,
            timeout=timeout,
            read=read,
            errors_path=Path(errors_path) if errors_path else None,
        )
    )
