"""`leadflow migrate` and `leadflow token`."""

from __future__ import annotations

import importlib
import sys

from services.common.auth import TokenCodec
from services.common.config import AuthSettings, ConfigError, Env, ServiceSettings, data_dir


def migrate(service: str) -> int:
    from services.common import migrations

    try:
        settings = ServiceSettings.from_env(service)
    except ConfigError as exc:
        print(f"leadflow migrate {service}: configuration error: {exc}", file=sys.stderr)
        return 2
    tables = importlib.import_module(f"services.{service}.bootstrap")
    migrations.upgrade(tables.MIGRATIONS_DIR, settings.database_url)
    revision = migrations.current_revision(tables.MIGRATIONS_DIR, settings.database_url)
    print(f"{service}: database at revision {revision}")
    return 0


def mint_token(tenant: str, role: str, subject: str, ttl: int) -> int:
    env = Env()
    try:
        auth = AuthSettings.from_env(env, data_dir(env))
    except ConfigError as exc:
        print(f"leadflow token: configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        print(TokenCodec(auth).mint(tenant=tenant, role=role, subject=subject, ttl_seconds=ttl))
    except ValueError as exc:
        print(f"leadflow token: {exc}", file=sys.stderr)
        return 2
    return 0
