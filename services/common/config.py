"""Environment configuration, validated at start.

Every setting is read from an environment variable. A missing or malformed value raises ``ConfigError``
naming the variable, and the process entry point turns that into a one-line message and exit code 2.
"""

from __future__ import annotations

import builtins
import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SERVICES: tuple[str, ...] = ("ingest", "dedup", "assign", "telephony", "refund")

# ARCHITECTURE §7: gRPC 50051-50055 and metrics 9101-9105, in service order.
DEFAULT_GRPC_PORTS = {name: 50051 + i for i, name in enumerate(SERVICES)}
DEFAULT_METRICS_PORTS = {name: 9101 + i for i, name in enumerate(SERVICES)}

# How long the services' streams keep a message (JetStream max_age, seconds; services.common.messaging.streams).
# The inbox must remember an applied event at least this long (services.common.messaging.retention).
STREAM_MAX_AGE_SECONDS = 14 * 24 * 3600.0
# The least inbox retention settings accept (hours): the streams' message age plus a day of margin.
MIN_INBOX_RETENTION_HOURS = int(STREAM_MAX_AGE_SECONDS // 3600) + 24


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the environment variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


class Env:
    """Typed reads of one environment mapping; every error names the variable."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def raw(self, name: builtins.str) -> builtins.str | None:
        value = self._environ.get(name)
        return None if value is None or value.strip() == "" else value.strip()

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str:
        value = self.raw(name)
        if value is None:
            if default is None:
                raise ConfigError(name, "is required but not set")
            return default
        return value

    def int(
        self,
        name: builtins.str,
        default: builtins.int,
        *,
        minimum: builtins.int | None = None,
        maximum: builtins.int | None = None,
    ) -> builtins.int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(name, f"must be an integer, got {value!r}") from None
        if minimum is not None and number < minimum:
            raise ConfigError(name, f"must be >= {minimum}, got {number}")
        if maximum is not None and number > maximum:
            raise ConfigError(name, f"must be <= {maximum}, got {number}")
        return number

    def float(
        self, name: builtins.str, default: builtins.float, *, minimum: builtins.float = 0.0
    ) -> builtins.float:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(name, f"must be a number, got {value!r}") from None
        if number < minimum:
            raise ConfigError(name, f"must be >= {minimum}, got {number}")
        return number

    def port(self, name: builtins.str, default: builtins.int) -> builtins.int:
        # 0 asks the OS for a free port; tests and `leadflow up` use that.
        return self.int(name, default, minimum=0, maximum=65535)

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(name, f"must be true or false, got {value!r}")

    def choice(
        self, name: builtins.str, default: builtins.str, choices: tuple[builtins.str, ...]
    ) -> builtins.str:
        value = self.str(name, default)
        if value not in choices:
            raise ConfigError(name, f"must be one of {', '.join(choices)}, got {value!r}")
        return value


def data_dir(env: Env) -> Path:
    return Path(env.str("LEADFLOW_DATA_DIR", str(Path.cwd() / ".leadflow"))).expanduser().resolve()


@dataclass(frozen=True)
class AuthSettings:
    """How bearer tokens are verified (and, for local use, minted)."""

    algorithm: str  # HS256 or RS256
    hs256_key: str | None
    rs256_public_key: str | None
    rs256_private_key: str | None
    issuer: str
    audience: str
    max_lifetime_seconds: int = 86400

    @classmethod
    def from_env(cls, env: Env, data_directory: Path) -> AuthSettings:
        algorithm = env.choice("LEADFLOW_JWT_ALGORITHM", "HS256", ("HS256", "RS256"))
        hs_key = env.raw("LEADFLOW_JWT_HS256_KEY")
        public = _read_key_file(env, "LEADFLOW_JWT_RS256_PUBLIC_KEY_FILE")
        private = _read_key_file(env, "LEADFLOW_JWT_RS256_PRIVATE_KEY_FILE")
        if algorithm == "HS256":
            if hs_key is None:
                hs_key = _local_dev_key(data_directory)
            if len(hs_key) < 32:
                raise ConfigError("LEADFLOW_JWT_HS256_KEY", "must be at least 32 characters")
        elif public is None:
            raise ConfigError(
                "LEADFLOW_JWT_RS256_PUBLIC_KEY_FILE", "is required when LEADFLOW_JWT_ALGORITHM=RS256"
            )
        return cls(
            algorithm=algorithm,
            hs256_key=hs_key,
            rs256_public_key=public,
            rs256_private_key=private,
            issuer=env.str("LEADFLOW_JWT_ISSUER", "leadflow"),
            audience=env.str("LEADFLOW_JWT_AUDIENCE", "leadflow"),
            # Tokens living longer than this are refused, whatever their exp says.
            max_lifetime_seconds=env.int("LEADFLOW_JWT_MAX_LIFETIME_SECONDS", 86400, minimum=60),
        )


def _read_key_file(env: Env, name: str) -> str | None:
    path = env.raw(name)
    if path is None:
        return None
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise ConfigError(name, f"cannot read {path}: {exc.strerror}") from None


def secret_key(env: Env, variable: str, data_directory: Path, file_name: str) -> bytes:
    """A secret from its variable (at least 32 characters) or, for local runs, from the data directory."""
    value = env.raw(variable)
    if value is None:
        return _local_dev_key(data_directory, file_name).encode()
    if len(value) < 32:
        raise ConfigError(variable, "must be at least 32 characters")
    return value.encode()


def _local_dev_key(data_directory: Path, file_name: str = "dev-jwt.key") -> str:
    """A per-data-directory random key, so a local stack works with no configuration and no shared secret
    is ever hard-coded. Production sets the variable from a Kubernetes Secret."""
    import secrets

    path = data_directory / file_name
    if not path.exists():
        data_directory.mkdir(parents=True, exist_ok=True)
        tmp = data_directory / f".{file_name}.{os.getpid()}"
        tmp.write_text(secrets.token_urlsafe(48))
        tmp.chmod(0o600)
        try:
            # link() fails if another process created the key first: every process ends up with the same key.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


@dataclass(frozen=True)
class TlsSettings:
    """Certificates for gRPC TLS (server and client side); mTLS when a client CA is given to the server."""

    cert_chain: bytes
    private_key: bytes
    ca_bundle: (
        bytes | None
    )  # verifies peers: clients' certificates on the server (mTLS), the server's on clients

    @classmethod
    def from_env(cls, env: Env) -> TlsSettings | None:
        cert = _read_key_file(env, "LEADFLOW_TLS_CERT_FILE")
        key = _read_key_file(env, "LEADFLOW_TLS_KEY_FILE")
        ca = _read_key_file(env, "LEADFLOW_TLS_CA_FILE")
        if cert is None and key is None:
            return None
        if cert is None or key is None:
            missing = "LEADFLOW_TLS_CERT_FILE" if cert is None else "LEADFLOW_TLS_KEY_FILE"
            raise ConfigError(missing, "is required when the other TLS file is set")
        return cls(cert.encode(), key.encode(), ca.encode() if ca else None)


@dataclass(frozen=True)
class NatsSettings:
    """How a service authenticates to NATS and which JetStream replication it asks for.

    - ``LEADFLOW_NATS_CREDS_FILE``: a ``.creds`` file (user JWT + nkey seed, decentralised auth), read by the client
      on every (re)connect, so a rotated Secret takes effect on the next reconnect;
    - or ``LEADFLOW_NATS_USER`` with ``LEADFLOW_NATS_PASSWORD_FILE``: a user of the server's ``authorization`` or
      ``accounts`` block, its password in a file (a mounted Secret), re-read on every (re)connect too;
    - ``LEADFLOW_NATS_INBOX_PREFIX`` (default ``_INBOX``): where request replies and pull-consumer deliveries
      arrive. Per-service users get their own prefix (``_INBOX_ingest``) so their subscribe permission
      (``_INBOX_ingest.>``) never covers another service's deliveries;
    - ``LEADFLOW_NATS_STREAM_REPLICAS`` (default 1, 1..5): replicas of the streams this service provisions;
      3 on a 3-node JetStream cluster.

    Setting both a creds file and a user is an error: the server would accept only one of them.
    """

    creds_file: Path | None = None
    user: str | None = None
    password_file: Path | None = None
    inbox_prefix: str = "_INBOX"
    stream_replicas: int = 1

    @classmethod
    def from_env(cls, env: Env) -> NatsSettings:
        creds = _readable_file(env, "LEADFLOW_NATS_CREDS_FILE")
        user = env.raw("LEADFLOW_NATS_USER")
        password = _readable_file(env, "LEADFLOW_NATS_PASSWORD_FILE")
        if creds is not None and (user is not None or password is not None):
            raise ConfigError(
                "LEADFLOW_NATS_CREDS_FILE", "set either it or LEADFLOW_NATS_USER/LEADFLOW_NATS_PASSWORD_FILE"
            )
        if (user is None) != (password is None):
            missing = "LEADFLOW_NATS_USER" if user is None else "LEADFLOW_NATS_PASSWORD_FILE"
            raise ConfigError(missing, "is required when the other NATS credential is set")
        prefix = env.str("LEADFLOW_NATS_INBOX_PREFIX", "_INBOX")
        if not prefix.replace("_", "").replace("-", "").isalnum():
            raise ConfigError("LEADFLOW_NATS_INBOX_PREFIX", f"must be one subject token, got {prefix!r}")
        return cls(
            creds_file=creds,
            user=user,
            password_file=password,
            inbox_prefix=prefix,
            stream_replicas=env.int("LEADFLOW_NATS_STREAM_REPLICAS", 1, minimum=1, maximum=5),
        )


def _readable_file(env: Env, name: str) -> Path | None:
    """The path in ``name``, checked readable now so that a wrong mount stops the process at start."""
    value = env.raw(name)
    if value is None:
        return None
    path = Path(value)
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise ConfigError(name, f"cannot read {value}: {exc.strerror}") from None
    return path


@dataclass(frozen=True)
class RetentionSettings:
    """How long the messaging tables keep what they no longer need (services.common.messaging.retention).

    - ``LEADFLOW_OUTBOX_RETENTION_HOURS`` (default 168, >= 1): sent outbox rows, kept for operators;
    - ``LEADFLOW_INBOX_RETENTION_HOURS`` (default 360, >= 360): records of applied events; never less than the
      streams' message age (14 days) plus a day, or a replayed event could be applied twice;
    - ``LEADFLOW_RETENTION_INTERVAL_SECONDS`` (default 600, >= 1): how often a replica prunes."""

    outbox_hours: int = 168
    inbox_hours: int = 360
    interval_seconds: float = 600.0

    @classmethod
    def from_env(cls, env: Env) -> RetentionSettings:
        inbox_hours = env.int("LEADFLOW_INBOX_RETENTION_HOURS", 360)
        if inbox_hours < MIN_INBOX_RETENTION_HOURS:
            raise ConfigError(
                "LEADFLOW_INBOX_RETENTION_HOURS",
                f"must be >= {MIN_INBOX_RETENTION_HOURS}, got {inbox_hours}: the streams keep a message "
                f"{STREAM_MAX_AGE_SECONDS / 86400:g} days and can deliver it again until then, so the inbox must "
                "remember it a day longer",
            )
        return cls(
            outbox_hours=env.int("LEADFLOW_OUTBOX_RETENTION_HOURS", 168, minimum=1),
            inbox_hours=inbox_hours,
            interval_seconds=env.float("LEADFLOW_RETENTION_INTERVAL_SECONDS", 600.0, minimum=1.0),
        )


EVENT_LOOPS = ("uvloop", "asyncio")


def uvloop_installed() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def event_loop(env: Env) -> str:
    """The event loop a service runs on (services.common.eventloop): ``uvloop`` or ``asyncio``, from
    LEADFLOW_EVENT_LOOP; by default uvloop where it is installed (Linux, macOS), asyncio elsewhere (Windows).

    Raises ConfigError naming LEADFLOW_EVENT_LOOP for another value, or for uvloop where it is not installed."""
    name = env.choice("LEADFLOW_EVENT_LOOP", "uvloop" if uvloop_installed() else "asyncio", EVENT_LOOPS)
    if name == "uvloop" and not uvloop_installed():
        raise ConfigError(
            "LEADFLOW_EVENT_LOOP", "uvloop is not installed here (it does not run on Windows); use asyncio"
        )
    return name


@dataclass(frozen=True)
class ServiceSettings:
    """Settings every service shares. A service adds its own in its settings.py."""

    service: str
    data_dir: Path
    grpc_host: str
    grpc_port: int
    metrics_host: str
    metrics_port: int
    database_url: str
    db_pool_size: int
    db_busy_timeout_ms: int
    db_unwritable_seconds: float
    nats_url: str
    auth: AuthSettings
    shutdown_grace_seconds: float
    shutdown_delay_seconds: float
    migrate_on_start: bool
    dev_clock: bool
    log_level: str
    event_loop: str
    max_message_bytes: int
    paging_key: bytes
    tls: TlsSettings | None
    nats: NatsSettings
    retention: RetentionSettings = RetentionSettings()
    # One log line per RPC (leadflow.access: method, status code, milliseconds, tenant), off by default: at thousands
    # of calls a second the lines cost more than the metrics that already count them.
    access_log: bool = False
    # How long an event consumer waits for more events after a short fetch while they keep coming, so a stream of
    # them is applied in batches (services.common.messaging.consumer, ``linger``); 0 turns it off.
    consumer_linger_seconds: float = 0.05

    @classmethod
    def from_env(cls, service: str, environ: Mapping[str, str] | None = None) -> ServiceSettings:
        if service not in SERVICES:
            raise ConfigError("service", f"unknown service {service!r}")
        env = Env(environ)
        prefix = f"LEADFLOW_{service.upper()}_"
        directory = data_dir(env)
        default_db = f"sqlite:///{directory / (service + '.db')}"
        database_url = env.str(prefix + "DATABASE_URL", default_db)
        if not database_url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ConfigError(prefix + "DATABASE_URL", "must be a sqlite:// or postgresql:// URL")
        nats_url = env.str("LEADFLOW_NATS_URL", "nats://127.0.0.1:4222")
        if not nats_url.startswith(("nats://", "tls://")):
            raise ConfigError("LEADFLOW_NATS_URL", f"must start with nats:// or tls://, got {nats_url!r}")
        return cls(
            service=service,
            data_dir=directory,
            grpc_host=env.str(prefix + "GRPC_HOST", "127.0.0.1"),
            grpc_port=env.port(prefix + "GRPC_PORT", DEFAULT_GRPC_PORTS[service]),
            metrics_host=env.str("LEADFLOW_METRICS_HOST", "127.0.0.1"),
            metrics_port=env.port(prefix + "METRICS_PORT", DEFAULT_METRICS_PORTS[service]),
            database_url=database_url,
            # PostgreSQL connections of one replica (as many again may overflow); SQLite ignores it.
            db_pool_size=env.int(prefix + "DB_POOL_SIZE", 10, minimum=1, maximum=200),
            # How long a write waits for the database's lock (never past the caller's deadline).
            db_busy_timeout_ms=env.int("LEADFLOW_DB_BUSY_TIMEOUT_MS", 30_000, minimum=1, maximum=300_000),
            # How long writes must fail before <service>/writes reports NOT_SERVING (services.common.writehealth).
            db_unwritable_seconds=env.float("LEADFLOW_DB_UNWRITABLE_SECONDS", 5.0, minimum=0.0),
            nats_url=nats_url,
            auth=AuthSettings.from_env(env, directory),
            shutdown_grace_seconds=env.float("LEADFLOW_SHUTDOWN_GRACE_SECONDS", 10.0),
            # Time between health turning NOT_SERVING and the port closing, so probes and balancers notice.
            shutdown_delay_seconds=env.float("LEADFLOW_SHUTDOWN_DELAY_SECONDS", 1.0),
            migrate_on_start=env.bool("LEADFLOW_MIGRATE_ON_START", True),
            # A development stack's shared, movable clock (services.common.devclock); never set in production.
            dev_clock=env.bool("LEADFLOW_DEV_CLOCK", False),
            log_level=env.choice("LEADFLOW_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
            access_log=env.bool("LEADFLOW_ACCESS_LOG", False),
            event_loop=event_loop(env),
            max_message_bytes=env.int("LEADFLOW_GRPC_MAX_MESSAGE_BYTES", 4 * 1024 * 1024, minimum=1024),
            paging_key=secret_key(env, "LEADFLOW_PAGE_TOKEN_KEY", directory, "page-token.key"),
            tls=TlsSettings.from_env(env),
            nats=NatsSettings.from_env(env),
            retention=RetentionSettings.from_env(env),
            consumer_linger_seconds=env.int("LEADFLOW_CONSUMER_LINGER_MS", 50, minimum=0, maximum=1000) / 1e3,
        )
