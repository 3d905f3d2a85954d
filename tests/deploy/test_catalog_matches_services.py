"""deploy/gen's catalog says what each service consumes (the NATS permissions and the dashboard come from it); it
must say what the services' own consumers subscribe to, or a service would be refused a subject in production that
no test with the open dev NATS notices."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from deploy.gen.catalog import PLANNED_SUBJECTS, SERVICE_CATALOG
from services.common.config import SERVICES
from tests.harness import load_settings, service_environ


@pytest.mark.parametrize("service", SERVICES)
def test_the_catalog_lists_every_subject_the_service_consumes(service: str, tmp_path: Path) -> None:
    settings = load_settings(service, service_environ(service, tmp_path, "nats://127.0.0.1:1"))
    app = importlib.import_module(f"services.{service}.bootstrap").build_app(settings)
    try:
        consumed = {subject for spec in app.consumers for subject in spec.subjects}
    finally:
        app.database.dispose()
    [entry] = [s for s in SERVICE_CATALOG if s.name == service]
    # A planned subject (ARCHITECTURE §2, not yet in services/common/events.py) is listed before its consumer lands.
    assert set(entry.consumes) - set(PLANNED_SUBJECTS) == consumed
