"""Prometheus metrics shared by every service, and the /metrics HTTP endpoint.

Labels have bounded cardinality: service, RPC method, status code, subject, consumer. Never a lead id, phone or
tenant. One service runs per process, so the default registry is the service's registry.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

# gRPC server metrics, named as grpc-ecosystem/go-grpc-prometheus names them, so stock dashboards work.
GRPC_STARTED = Counter(
    "grpc_server_started_total",
    "RPCs started on the server.",
    ["grpc_type", "grpc_service", "grpc_method"],
)
GRPC_HANDLED = Counter(
    "grpc_server_handled_total",
    "RPCs completed on the server, by status code.",
    ["grpc_type", "grpc_service", "grpc_method", "grpc_code"],
)
GRPC_HANDLING_SECONDS = Histogram(
    "grpc_server_handling_seconds",
    "Time from receiving an RPC to sending its status.",
    ["grpc_type", "grpc_service", "grpc_method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# Events: transactional outbox and relay.
OUTBOX_BACKLOG = Gauge(
    "leadflow_outbox_backlog", "Committed outbox events not yet acknowledged by JetStream."
)
OUTBOX_OLDEST_AGE_SECONDS = Gauge(
    "leadflow_outbox_relay_lag_seconds", "Age of the oldest unsent outbox event (0 when the outbox is empty)."
)
OUTBOX_PUBLISHED = Counter(
    "leadflow_outbox_published_total", "Outbox events acknowledged by JetStream.", ["subject"]
)
OUTBOX_PUBLISH_ERRORS = Counter(
    "leadflow_outbox_publish_errors_total", "Outbox publish attempts that failed and will be retried."
)

MESSAGING_ROWS_PRUNED = Counter(
    "leadflow_messaging_rows_pruned_total",
    "Sent outbox rows and inbox records deleted past their retention (services.common.messaging.retention).",
    ["table"],
)
MESSAGING_RETENTION_FAILURES = Counter(
    "leadflow_messaging_retention_failures_total",
    "Rounds of messaging-table retention that failed (tried again next interval; the tables grow meanwhile).",
)

# Events: consumers, inbox and dead letters.
CONSUMER_PENDING = Gauge(
    "leadflow_consumer_pending_messages",
    "Messages in the stream not yet delivered to the consumer.",
    ["consumer"],
)
CONSUMER_ACK_PENDING = Gauge(
    "leadflow_consumer_ack_pending_messages",
    "Messages delivered to the consumer and not yet acknowledged.",
    ["consumer"],
)
CONSUMER_PROCESSED = Counter(
    "leadflow_consumer_processed_total",
    "Events applied by a consumer (first delivery that changed state).",
    ["consumer"],
)
CONSUMER_BATCH_EVENTS = Histogram(
    "leadflow_consumer_batch_events",
    "Events a consumer gave one transaction: a fetched batch with what its linger gathered "
    "(LEADFLOW_CONSUMER_LINGER_MS), less those acknowledged without one (already applied by their producer); "
    "a batch run again after a failure counts once.",
    ["consumer"],
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
CONSUMER_DUPLICATES = Counter(
    "leadflow_consumer_duplicates_total", "Redelivered events the inbox recognised and skipped.", ["consumer"]
)
CONSUMER_ALREADY_APPLIED = Counter(
    "leadflow_consumer_already_applied_total",
    "Events acknowledged without a transaction because their producer had applied them itself.",
    ["consumer"],
)
CONSUMER_REDELIVERIES = Counter(
    "leadflow_consumer_redeliveries_total", "Deliveries with a delivery count above one.", ["consumer"]
)
CONSUMER_FAILURES = Counter(
    "leadflow_consumer_failures_total",
    "Handler failures that were negatively acknowledged for a retry.",
    ["consumer"],
)
DEAD_LETTERS = Counter(
    "leadflow_dead_letters_total",
    "Events moved to the dead-letter table after the last allowed attempt.",
    ["consumer"],
)

# Databases: transactions that lost a race (run again, or given up as ABORTED), and whether writes succeed.
DB_TRANSACTION_RETRIES = Counter(
    "leadflow_db_transaction_retries_total",
    "Write transactions run again after losing a race (deadlock, serialization failure, compare-and-set).",
)
DB_TRANSACTIONS_ABORTED = Counter(
    "leadflow_db_transactions_aborted_total", "Write transactions given up after the last retry (ABORTED)."
)

NATS_CONNECTED = Gauge(
    "leadflow_nats_connected", "1 while the service is connected to NATS, 0 while it is not."
)

DB_WRITABLE = Gauge(
    "leadflow_db_writable",
    "1 while the service's database takes writes, 0 once it has refused them for a while.",
    ["service"],
)

# Timers (services.common.timerworker): fired, failed and overdue per kind (a small, fixed set per service).
TIMERS_FIRED = Counter("leadflow_timers_fired_total", "Timers fired (their handler committed).", ["kind"])
TIMER_FAILURES = Counter(
    "leadflow_timer_failures_total",
    "Timer firings whose handler failed (retried, then dead-lettered).",
    ["kind"],
)
TIMERS_OVERDUE = Gauge(
    "leadflow_timers_overdue", "Timers more than a minute past their due time and not fired yet.", ["kind"]
)


def serve_metrics(port: int, host: str = "127.0.0.1") -> int:
    """Start the /metrics HTTP endpoint on a daemon thread; returns the bound port (``port`` may be 0)."""
    server, _thread = start_http_server(port, addr=host)
    return int(server.server_address[1])
