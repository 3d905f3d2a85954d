"""The Grafana dashboard (built with grafana-foundation-sdk, Grafana's own typed builders): RED per service and
the lead funnel, submitted → rejected / duplicate / accepted → assigned → called → outcome mix → refunded.

Metric names come from the team's metrics contract (docs: METRICS in the brief; services/common/metrics.py).
"""

from __future__ import annotations

import json

from grafana_foundation_sdk.builders import (
    bargauge,
    common,
    dashboard,
    piechart,
    prometheus,
    stat,
    timeseries,
)
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.common import StackingMode
from grafana_foundation_sdk.models.dashboard import DataSourceRef

from deploy.gen import catalog

UID = "leadflow-overview"
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
RATE = "$__rate_interval"


def _query(expr: str, legend: str = "", ref: str = "A") -> prometheus.Dataquery:
    return prometheus.Dataquery().expr(expr).legend_format(legend or "__auto").ref_id(ref)


def _series(title: str, unit: str, *queries: prometheus.Dataquery, stacked: bool = False, width: int = 8):
    panel = timeseries.Panel().title(title).unit(unit).datasource(DATASOURCE).span(width).height(8)
    if stacked:
        panel = panel.stacking(common.StackingConfig().mode(StackingMode.NORMAL))
    for query in queries:
        panel = panel.with_target(query)
    return panel


def _funnel():
    steps = [
        ("submitted", "sum(increase(leadflow_ingest_submissions_total[$__range]))"),
        ("rejected", 'sum(increase(leadflow_ingest_submissions_total{verdict="REJECTED"}[$__range]))'),
        ("duplicate", 'sum(increase(leadflow_ingest_submissions_total{verdict="DUPLICATE"}[$__range]))'),
        ("accepted", 'sum(increase(leadflow_ingest_submissions_total{verdict=~"NEW|RETURNING"}[$__range]))'),
        ("assigned", "sum(increase(leadflow_assign_assignments_total[$__range]))"),
        ("called", "sum(increase(leadflow_telephony_calls_started_total[$__range]))"),
        ("refunded", "sum(increase(leadflow_refund_refunds_total[$__range]))"),
    ]
    panel = (
        bargauge.Panel()
        .title("Lead funnel (selected range)")
        .description(
            "Submitted → rejected / duplicate / accepted → assigned → called → refunded, over the range."
        )
        .datasource(DATASOURCE)
        .span(16)
        .height(9)
        .unit("short")
        .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
    )
    for i, (legend, expr) in enumerate(steps):
        panel = panel.with_target(_query(expr, legend, chr(ord("A") + i)).instant())
    return panel


def _outcome_mix():
    return (
        piechart.Panel()
        .title("Call outcome mix (selected range)")
        .datasource(DATASOURCE)
        .span(8)
        .height(9)
        .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .with_target(
            _query(
                "sum by (outcome) (increase(leadflow_telephony_calls_completed_total[$__range]))",
                "{{outcome}}",
            ).instant()
        )
    )


def _refunded_amount():
    return (
        stat.Panel()
        .title("Refunded amount (selected range)")
        .description("Sum of refunds paid into the ledger, in yuan (fen / 100), per currency.")
        .datasource(DATASOURCE)
        .span(8)
        .height(6)
        .unit("none")
        .with_target(
            _query(
                "sum by (currency) (increase(leadflow_refund_refunded_amount_fen_total[$__range])) / 100",
                "{{currency}}",
            ).instant()
        )
    )


def _red_row(builder: dashboard.Dashboard, service: catalog.Service) -> dashboard.Dashboard:
    svc = f'grpc_service="{service.grpc_service}"'
    builder = builder.with_row(dashboard.Row(f"{service.name}: rate, errors, duration"))
    return (
        builder.with_panel(
            _series(
                "Requests by method",
                "reqps",
                _query(
                    f"sum by (grpc_method) (rate(grpc_server_started_total{{{svc}}}[{RATE}]))",
                    "{{grpc_method}}",
                ),
            )
        )
        .with_panel(
            _series(
                "Errors by code (share of handled)",
                "percentunit",
                _query(
                    f'sum by (grpc_code) (rate(grpc_server_handled_total{{{svc},grpc_code!="OK"}}[{RATE}]))'
                    f" / ignoring(grpc_code) group_left sum(rate(grpc_server_handled_total{{{svc}}}[{RATE}]))",
                    "{{grpc_code}}",
                ),
            )
        )
        .with_panel(
            _series(
                "Latency p50 / p99 by method",
                "s",
                _query(
                    "histogram_quantile(0.5, sum by (le, grpc_method) "
                    f"(rate(grpc_server_handling_seconds_bucket{{{svc}}}[{RATE}])))",
                    "p50 {{grpc_method}}",
                    "A",
                ),
                _query(
                    "histogram_quantile(0.99, sum by (le, grpc_method) "
                    f"(rate(grpc_server_handling_seconds_bucket{{{svc}}}[{RATE}])))",
                    "p99 {{grpc_method}}",
                    "B",
                ),
            )
        )
    )


def build() -> dashboard.Dashboard:
    builder = (
        dashboard.Dashboard("leadflow")
        .uid(UID)
        .tags(["leadflow"])
        .refresh("30s")
        .time("now-6h", "now")
        .timezone("browser")
        .with_variable(dashboard.DatasourceVariable("datasource").label("Data source").type("prometheus"))
        .with_row(dashboard.Row("Lead funnel"))
        .with_panel(_funnel())
        .with_panel(_outcome_mix())
        .with_panel(
            _series(
                "Submissions by verdict",
                "ops",
                _query(f"sum by (verdict) (rate(leadflow_ingest_submissions_total[{RATE}]))", "{{verdict}}"),
                stacked=True,
            )
        )
        .with_panel(
            _series(
                "Rejections by reason",
                "ops",
                _query(f"sum by (reason) (rate(leadflow_ingest_rejections_total[{RATE}]))", "{{reason}}"),
                stacked=True,
            )
        )
        .with_panel(
            _series(
                "Assignments by method",
                "ops",
                _query(f"sum by (method) (rate(leadflow_assign_assignments_total[{RATE}]))", "{{method}}"),
                stacked=True,
            )
        )
        .with_panel(
            _series(
                "Refunds by reason",
                "ops",
                _query(f"sum by (reason) (rate(leadflow_refund_refunds_total[{RATE}]))", "{{reason}}"),
                stacked=True,
            )
        )
        .with_panel(_refunded_amount())
        .with_panel(
            _series(
                "Overdue reminders and pool size",
                "short",
                _query("sum(leadflow_assign_reminders_overdue)", "overdue reminders", "A"),
                _query("sum(leadflow_assign_pool_leads)", "leads in public pool", "B"),
            )
        )
    )
    for service in catalog.SERVICE_CATALOG:
        builder = _red_row(builder, service)
    return (
        builder.with_row(dashboard.Row("Events"))
        .with_panel(
            _series(
                "Outbox backlog by service",
                "short",
                _query("sum by (service) (leadflow_outbox_backlog)", "{{service}}"),
            )
        )
        .with_panel(
            _series(
                "Outbox relay lag by service",
                "s",
                _query("max by (service) (leadflow_outbox_relay_lag_seconds)", "{{service}}"),
            )
        )
        .with_panel(
            _series(
                "Consumer pending by consumer",
                "short",
                _query("max by (consumer) (leadflow_consumer_pending_messages)", "{{consumer}}"),
            )
        )
        .with_panel(
            _series(
                "Events processed by consumer",
                "ops",
                _query(
                    f"sum by (consumer) (rate(leadflow_consumer_processed_total[{RATE}]))", "{{consumer}}"
                ),
            )
        )
        .with_panel(
            _series(
                "Events per consumer transaction (batching, LEADFLOW_CONSUMER_LINGER_MS)",
                "short",
                _query(
                    f"sum by (consumer) (rate(leadflow_consumer_batch_events_sum[{RATE}]))"
                    f" / sum by (consumer) (rate(leadflow_consumer_batch_events_count[{RATE}]))",
                    "{{consumer}}",
                ),
            )
        )
        .with_panel(
            _series(
                "Redeliveries and failures by consumer",
                "ops",
                _query(
                    f"sum by (consumer) (rate(leadflow_consumer_redeliveries_total[{RATE}]))",
                    "redeliver {{consumer}}",
                    "A",
                ),
                _query(
                    f"sum by (consumer) (rate(leadflow_consumer_failures_total[{RATE}]))",
                    "fail {{consumer}}",
                    "B",
                ),
            )
        )
        .with_panel(
            _series(
                "Dead letters (selected range)",
                "short",
                _query("sum by (consumer) (increase(leadflow_dead_letters_total[$__range]))", "{{consumer}}"),
            )
        )
        .with_panel(
            _series(
                "Messaging rows pruned by service and table, failed retention rounds",
                "ops",
                _query(
                    f"sum by (service, table) (rate(leadflow_messaging_rows_pruned_total[{RATE}]))",
                    "{{service}} {{table}}",
                    "A",
                ),
                _query(
                    f"sum by (service) (rate(leadflow_messaging_retention_failures_total[{RATE}]))",
                    "failed {{service}}",
                    "B",
                ),
            )
        )
        .with_row(dashboard.Row("Dependencies"))
        .with_panel(
            _series(
                "NATS connected / database writable (replicas reporting 1)",
                "short",
                _query("sum by (service) (leadflow_nats_connected)", "nats {{service}}", "A"),
                _query("sum by (service) (leadflow_db_writable)", "db {{service}}", "B"),
            )
        )
        .with_panel(
            _series(
                "Database transaction retries and aborts",
                "ops",
                _query(
                    f"sum by (service) (rate(leadflow_db_transaction_retries_total[{RATE}]))",
                    "retry {{service}}",
                    "A",
                ),
                _query(
                    f"sum by (service) (rate(leadflow_db_transactions_aborted_total[{RATE}]))",
                    "abort {{service}}",
                    "B",
                ),
            )
        )
        .with_panel(
            _series(
                # Bursts queue here by design (LEADFLOW_INGEST_DEDUP_MAX_IN_FLIGHT); a level that stays up means
                # dedup is the bottleneck (runbook LeadflowGrpcErrorRatioHigh).
                "ingest calls waiting for dedup, and ingest's group commit size (p50)",
                "short",
                _query("sum(leadflow_ingest_dedup_calls_waiting)", "waiting for dedup", "A"),
                _query(
                    "histogram_quantile(0.5, sum by (le) "
                    f"(rate(leadflow_ingest_submit_group_size_bucket[{RATE}])))",
                    "SubmitLeads per group commit",
                    "B",
                ),
            )
        )
    )


def dashboard_json() -> str:
    return json.dumps(build().build(), cls=JSONEncoder, indent=2, sort_keys=True) + "\n"
