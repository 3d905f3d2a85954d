"""The ``leadflow`` command: serve one service, run the whole stack, migrate, mint tokens, import leads."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from services.common.config import SERVICES


def _service_port(text: str) -> tuple[str, int]:
    name, _, port = text.partition("=")
    if name not in SERVICES:
        raise argparse.ArgumentTypeError(f"{name!r} is not a service; one of {', '.join(SERVICES)}")
    if not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"{port!r} is not a port (0 to 65535)")
    return name, int(port)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadflow", description="leadflow lead-processing backend")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run one service (configured from LEADFLOW_* environment variables)")
    serve.add_argument("service", choices=SERVICES)

    up = sub.add_parser("up", help="run nats-server and all five services on SQLite, until Ctrl-C")
    up.add_argument(
        "--data-dir", help="where databases, the JetStream store and logs live (LEADFLOW_DATA_DIR)"
    )
    up.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for every service to be SERVING"
    )
    up.add_argument(
        "--grpc-port",
        action="append",
        type=_service_port,
        default=[],
        metavar="SERVICE=PORT",
        help="a service's gRPC port, e.g. ingest=60051 (over LEADFLOW_<SVC>_GRPC_PORT; 0: a free port); repeatable",
    )
    up.add_argument(
        "--metrics-port",
        action="append",
        type=_service_port,
        default=[],
        metavar="SERVICE=PORT",
        help="a service's metrics port (over LEADFLOW_<SVC>_METRICS_PORT; 0: a free port); repeatable",
    )
    up.add_argument(
        "--dev-clock",
        action="store_true",
        help="run every service on one movable clock (LEADFLOW_DEV_CLOCK=true): `leadflow clock advance 2h` "
        "moves them all; for rehearsals and tests, never in production",
    )
    up.add_argument(
        "--nats-url",
        help="the NATS server to use (over LEADFLOW_NATS_URL); up starts nats-server there when it is a "
        "loopback address where nothing listens",
    )

    up.add_argument(
        "--then-demo",
        nargs="?",
        const="",
        default=None,
        metavar="ARGS",
        help="once all five are SERVING, run `leadflow demo ARGS` against this stack (ARGS one quoted string, "
        "e.g. --then-demo='--accelerate --leads 500'); the stack stays up after the demo until Ctrl-C",
    )

    down = sub.add_parser(
        "down", help="stop the stack `leadflow up` runs over the data directory (as Ctrl-C would) and wait"
    )
    down.add_argument("--data-dir", help="the stack's data directory (LEADFLOW_DATA_DIR, else ./.leadflow)")
    down.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="seconds to wait for the stack to stop (default %(default)s)",
    )

    migrate = sub.add_parser("migrate", help="apply a service's database migrations (the Kubernetes Job)")
    migrate.add_argument("service", choices=SERVICES)

    token = sub.add_parser("token", help="mint a bearer token for local use")
    token.add_argument("--tenant", required=True)
    token.add_argument("--role", required=True, choices=["admin", "agent", "service"])
    token.add_argument("--subject", default="dev")
    token.add_argument("--ttl", type=int, default=86400, help="lifetime in seconds")

    clock = sub.add_parser(
        "clock",
        help="show or move the time of a dev stack (leadflow up --dev-clock): show | set TIME | advance DUR",
    )
    clock.add_argument("action", choices=["show", "set", "advance"])
    clock.add_argument(
        "value", nargs="?", help="an ISO 8601 time for set; a duration such as 2h or 1d for advance"
    )
    clock.add_argument(
        "--nats-url",
        help="the stack's NATS (default LEADFLOW_NATS_URL, else the stack `leadflow up` runs over LEADFLOW_DATA_DIR, "
        "else nats://127.0.0.1:4222)",
    )

    _demo_parser(sub)

    call = sub.add_parser(
        "call",
        help="one unary RPC, request and answer as proto3 JSON (as grpcurl): leadflow call RefundService/GetEligibility "
        '\'{"leadId": "..."}\'',
    )
    call.add_argument(
        "method",
        help="Service/Method, the service by its proto name (RefundService or leadflow.refund.v1.RefundService)",
    )
    call.add_argument("json", nargs="?", help="the request in proto3 JSON (default {})")
    call.add_argument(
        "--address",
        help="HOST:PORT (default 127.0.0.1 and the service's port: LEADFLOW_<SVC>_GRPC_PORT, else the stack `leadflow "
        "up` runs over LEADFLOW_DATA_DIR, else 50051 ingest … 50055 refund)",
    )
    call.add_argument(
        "--token", default=os.environ.get("LEADFLOW_TOKEN"), help="bearer token (or LEADFLOW_TOKEN)"
    )
    call.add_argument("--timeout", type=_positive(float), default=10.0, help="seconds (default %(default)s)")

    imp = sub.add_parser(
        "import",
        help="stream a CSV or .xlsx file of leads to ingest's ImportLeads (columns: SubmitLeadRequest fields)",
    )
    imp.add_argument(
        "file",
        help="a CSV (any encoding Excel writes: UTF-8, UTF-16, GBK/GB18030; ',' ';' or tab) or .xlsx file, "
        "with a header row of SubmitLeadRequest field names",
    )
    imp.add_argument(
        "--address",
        help="ingest's gRPC address (default 127.0.0.1 and LEADFLOW_INGEST_GRPC_PORT, else the port of the stack "
        "`leadflow up` runs over LEADFLOW_DATA_DIR, else 50051)",
    )
    imp.add_argument(
        "--token", default=os.environ.get("LEADFLOW_TOKEN"), help="bearer token (or LEADFLOW_TOKEN)"
    )
    imp.add_argument("--timeout", type=float, default=None, help="deadline of the whole import, in seconds")
    imp.add_argument(
        "--errors",
        metavar="FILE",
        help="write the rejected and failed rows to FILE (UTF-8 CSV, original columns plus error.line, "
        "error.field, error.reason), to correct and import again",
    )
    imp.add_argument("--encoding", help="the CSV file's encoding, e.g. gb18030 or utf-16 (default: detected)")
    imp.add_argument(
        "--delimiter",
        choices=[",", ";", "tab"],
        help="the CSV file's cell separator (default: the one that splits the header into known columns)",
    )
    imp.add_argument("--sheet", help="the .xlsx sheet to read (default: the first)")
    return parser


def _positive(kind: type[int] | type[float]):  # type: ignore[no-untyped-def]
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
        return value

    return parse


def _demo_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = sub.add_parser(
        "demo",
        help="drive a running stack through a day of advertising (leads, agents, calls, refunds), shown live",
        description="A day of advertising through the five services' gRPC APIs: a tenant is set up, leads arrive "
        "across channels and accounts, agents call them through the simulated carrier, refunds are decided and "
        "paid; then the funnel is read back from the services. With --accelerate (on a `leadflow up --dev-clock` "
        "stack) the stack's clock runs a day in a minute, so refund windows of 24 h pass during the run.",
    )
    demo.add_argument(
        "--seed", type=int, default=1, help="the day's random seed: same seed, same submissions"
    )
    demo.add_argument(
        "--leads", type=_positive(int), default=300, help="leads of the day (default %(default)s)"
    )
    demo.add_argument(
        "--rate", type=_positive(float), default=25.0, help="at most this many submissions per wall second"
    )
    demo.add_argument(
        "--accelerate",
        action="store_true",
        help="run the day on the stack's dev clock, moving it forward (refused on a stack without one)",
    )
    demo.add_argument(
        "--day-seconds",
        type=_positive(float),
        default=60.0,
        help="with --accelerate: wall seconds per day of stack time (default %(default)s)",
    )
    demo.add_argument("--host", default="127.0.0.1", help="where the services listen (default %(default)s)")
    demo.add_argument(
        "--grpc-port",
        action="append",
        type=_service_port,
        default=[],
        metavar="SERVICE=PORT",
        help="a service's gRPC port (over LEADFLOW_<SVC>_GRPC_PORT, then the stack `leadflow up` runs over "
        "LEADFLOW_DATA_DIR, then the defaults 50051-50055); repeatable",
    )
    demo.add_argument(
        "--nats-url",
        help="the stack's NATS, for its dev clock (default LEADFLOW_NATS_URL, else the stack `leadflow up` runs "
        "over LEADFLOW_DATA_DIR, else nats://127.0.0.1:4222)",
    )
    demo.add_argument(
        "--token",
        help="an administrator token to act with (default: tokens minted with the key of LEADFLOW_DATA_DIR, "
        "./.leadflow, for a new tenant per run)",
    )
    demo.add_argument("--tenant", help="the tenant to set up and use (default: demo-s<seed>-<stack time>)")
    demo.add_argument(
        "--live",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the live view (default: when the output is a terminal)",
    )
    demo.add_argument(
        "--settle-seconds",
        type=_positive(float),
        default=60.0,
        help="how long to wait after the day for calls to end and refunds to be paid (default %(default)s)",
    )


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line, with `leadflow call`'s request JSON taken after its options too (`call M --token T
    '{...}'`, grpcurl's order): argparse gives an optional positional its default once an option comes first and
    then finds the JSON unrecognised."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "call":
        if args.json is None and len(extra) == 1 and not extra[0].startswith("-"):
            args.json = extra.pop()
        args.json = "{}" if args.json is None else args.json
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.command == "serve":
        from services.common.entrypoint import serve

        return serve(args.service)
    if args.command == "up":
        from services.cli.up import run_up

        return run_up(
            args.data_dir,
            args.timeout,
            grpc_ports=dict(args.grpc_port),
            metrics_ports=dict(args.metrics_port),
            nats_url=args.nats_url,
            dev_clock=args.dev_clock,
            then_demo=None if args.then_demo is None else shlex.split(args.then_demo),
        )
    if args.command == "down":
        from services.cli.down import run_down

        return run_down(args.data_dir, args.timeout)
    if args.command == "migrate":
        from services.cli.admin import migrate

        return migrate(args.service)
    if args.command == "token":
        from services.cli.admin import mint_token

        return mint_token(args.tenant, args.role, args.subject, args.ttl)
    if args.command == "clock":
        from services.cli.clock import run_clock

        if args.action != "show" and not args.value:
            print(f"leadflow clock {args.action}: a value is required", file=sys.stderr)
            return 2
        return run_clock(args.action, args.value, args.nats_url)
    if args.command == "call":
        from services.cli.call import run_call

        return run_call(args.method, args.json, args.address, args.token, args.timeout)
    if args.command == "demo":
        from services.cli.demo.run import DemoOptions, run_demo

        if args.token and args.tenant:
            print(
                "leadflow demo: --tenant comes from --token's tenant claim; give one of them", file=sys.stderr
            )
            return 2
        return run_demo(
            DemoOptions(
                seed=args.seed,
                leads=args.leads,
                rate=args.rate,
                accelerate=args.accelerate,
                day_seconds=args.day_seconds,
                host=args.host,
                grpc_ports=dict(args.grpc_port),
                nats_url=args.nats_url,
                token=args.token,
                tenant=args.tenant,
                live=args.live,
                settle_seconds=args.settle_seconds,
            )
        )
    if args.command == "import":
        from services.cli import stackfile
        from services.cli.importer import ReadOptions
        from services.cli.importer import main as run_import
        from services.common.config import Env

        delimiter = "\t" if args.delimiter == "tab" else args.delimiter
        read = ReadOptions(encoding=args.encoding, delimiter=delimiter, sheet=args.sheet)
        address = args.address or f"127.0.0.1:{stackfile.grpc_port(Env(), 'ingest')}"
        return run_import(args.file, address, args.token, args.timeout, read, args.errors)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
