"""The Grafana dashboard: generated from deploy/gen/dashboard.py (drift-checked in test_render), with RED for each
service and the whole lead funnel, on one data-source variable."""

from __future__ import annotations

import json

from deploy.gen import catalog
from tests.deploy.kube import of_kind, render
from tests.deploy.promql import DASHBOARD, metric_names


def _dashboard() -> dict:  # type: ignore[type-arg]
    return json.loads(DASHBOARD.read_text())


def test_the_configmap_carries_the_same_dashboard_for_the_grafana_sidecar() -> None:
    (config_map,) = [
        c for c in of_kind(render("prod"), "ConfigMap") if c["metadata"]["name"] == "leadflow-dashboard"
    ]
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(config_map["data"]["leadflow.json"]) == _dashboard()


def test_red_for_every_service() -> None:
    exprs = [t["expr"] for p in _dashboard()["panels"] for t in p.get("targets", [])]
    for service in catalog.SERVICE_CATALOG:
        mine = [e for e in exprs if f'grpc_service="{service.grpc_service}"' in e]
        used = set().union(*(metric_names(e) for e in mine)) if mine else set()
        assert "grpc_server_started_total" in used, f"{service.name}: rate"
        assert "grpc_server_handled_total" in used, f"{service.name}: errors"
        assert "grpc_server_handling_seconds_bucket" in used, f"{service.name}: duration"
        assert any("histogram_quantile(0.99" in e for e in mine)


def test_the_lead_funnel_in_order() -> None:
    panels = {p.get("title"): p for p in _dashboard()["panels"]}
    funnel = panels["Lead funnel (selected range)"]
    assert [t["legendFormat"] for t in funnel["targets"]] == [
        "submitted",
        "rejected",
        "duplicate",
        "accepted",
        "assigned",
        "called",
        "refunded",
    ]
    assert (
        "leadflow_telephony_calls_completed_total"
        in panels["Call outcome mix (selected range)"]["targets"][0]["expr"]
    )


def test_every_panel_queries_the_datasource_variable_and_panels_do_not_overlap() -> None:
    dashboard = _dashboard()
    assert dashboard["uid"] == "leadflow-overview"
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]
    occupied: set[tuple[int, int]] = set()
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
            assert panel["targets"], panel["title"]
        pos = panel["gridPos"]
        cells = {
            (x, y) for x in range(pos["x"], pos["x"] + pos["w"]) for y in range(pos["y"], pos["y"] + pos["h"])
        }
        assert not cells & occupied, f"{panel.get('title')} overlaps another panel"
        assert pos["x"] + pos["w"] <= 24
        occupied |= cells
