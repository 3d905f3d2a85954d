"""The alerts are valid Prometheus rules (promtool), page on symptoms with a runbook each, and fire when they should
(promtool's rule unit tests, tests/deploy/alerts_test.yaml)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.deploy.kube import promtool
from tests.deploy.promql import alert_rules, rule_file_text, runbook_path

ISSUE_ALERTS = {
    "LeadflowGrpcErrorRatioHigh",
    "LeadflowGrpcLatencyHigh",
    "LeadflowOutboxBacklogGrowing",
    "LeadflowConsumerLagHigh",
    "LeadflowDeadLetters",
    "LeadflowRemindersOverdue",
    "LeadflowRefundRateAnomaly",
    "LeadflowLedgerImbalance",
    "LeadflowNatsUnreachable",
    "LeadflowNoReadyReplica",
}


def test_promtool_accepts_the_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(rule_file_text())
    done = subprocess.run(
        [promtool(), "check", "rules", str(rules)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in done.stdout


def test_the_alerts_fire_on_the_symptoms_they_describe(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(rule_file_text())
    tests = Path(__file__).with_name("alerts_test.yaml")
    (tmp_path / "alerts_test.yaml").write_text(tests.read_text())
    done = subprocess.run(
        [promtool(), "test", "rules", "alerts_test.yaml"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_every_alert_has_severity_summary_description_and_a_runbook_page() -> None:
    rules = alert_rules()
    assert ISSUE_ALERTS <= {r["alert"] for r in rules}
    for rule in rules:
        name = rule["alert"]
        assert rule["labels"]["severity"] in ("page", "ticket"), name
        for annotation in ("summary", "description", "runbook_url"):
            assert rule["annotations"].get(annotation), f"{name}: {annotation}"
        page = runbook_path(rule["annotations"]["runbook_url"])
        assert page.name == f"{name}.md"
        assert page.exists(), f"{name}: {page} is missing"
        text = page.read_text()
        for heading in ("## What it means", "## How to look", "## How to fix"):
            assert heading in text, f"{page.name}: {heading}"
