"""Metric names used by the alerts and the dashboard, and metric families a /metrics page exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.kube import K8S

ALERTS = K8S / "components" / "monitoring" / "alerts.yaml"
DASHBOARD = K8S / "components" / "monitoring" / "leadflow-dashboard.json"
# Ours: the services' own metrics. Others (kube-state-metrics) are listed where they are used.
OWN_PREFIXES = ("leadflow_", "grpc_server_")
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def alert_rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load(ALERTS.read_text())
    return [rule for group in doc["spec"]["groups"] for rule in group["rules"]]


def rule_file_text() -> str:
    """The PrometheusRule's spec as a plain Prometheus rule file (what promtool reads)."""
    return yaml.safe_dump({"groups": yaml.safe_load(ALERTS.read_text())["spec"]["groups"]}, sort_keys=False)


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def metric_names(expression: str) -> set[str]:
    """Names in a PromQL expression that are our metrics (label names like grpc_service never match)."""
    without_strings = re.sub(r'"[^"]*"', '""', expression)
    without_labels = re.sub(r"\{[^}]*\}", "", without_strings)
    return {n for n in _NAME.findall(without_labels) if n.startswith(OWN_PREFIXES)}


def used_metrics() -> dict[str, set[str]]:
    """metric name -> where it is used (alert names, "dashboard")."""
    used: dict[str, set[str]] = {}
    for rule in alert_rules():
        for name in metric_names(rule["expr"]):
            used.setdefault(name, set()).add(rule["alert"])
    for expression in dashboard_expressions():
        for name in metric_names(expression):
            used.setdefault(name, set()).add("dashboard")
    return used


def exported_names(exposition: str) -> set[str]:
    """Every series name a text exposition can produce, from its TYPE lines (a labelled metric with no child yet
    still has its HELP and TYPE): counter x → x_total, histogram x → x_bucket/_sum/_count."""
    names: set[str] = set()
    for family, kind in re.findall(r"^# TYPE (\S+) (\S+)$", exposition, re.M):
        if kind == "counter":
            names |= {family if family.endswith("_total") else f"{family}_total"}
        elif kind == "histogram":
            names |= {f"{family}_bucket", f"{family}_sum", f"{family}_count"}
        else:
            names.add(family)
    return names


def strip_suffix(name: str) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def runbook_path(url: str) -> Path:
    return K8S.parents[1] / "docs" / "runbooks" / url.rsplit("/", 1)[-1]
