"""leadflow reads its NATS credentials from files (a mounted Secret), against a real nats-server that demands them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest

from services.common.config import ConfigError, NatsSettings, ServiceSettings
from services.common.natsconn import connect_nats, credential_options
from tests.deploy.natsserver import nats_server_with_config

USERS = """
authorization {
  users = [
    { user: ingest, password: $INGEST_PASSWORD, permissions: { publish: ">", subscribe: ["echo", "_INBOX_ingest.>"] } }
  ]
}
"""


def _settings(tmp_path: Path, **env: str) -> ServiceSettings:
    return ServiceSettings.from_env("ingest", {"LEADFLOW_DATA_DIR": str(tmp_path), **env})


def test_user_and_password_file_are_read_into_settings(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret-from-a-secret\n")
    settings = _settings(
        tmp_path,
        LEADFLOW_NATS_USER="ingest",
        LEADFLOW_NATS_PASSWORD_FILE=str(secret),
        LEADFLOW_NATS_INBOX_PREFIX="_INBOX_ingest",
        LEADFLOW_NATS_STREAM_REPLICAS="3",
    ).nats
    assert settings == NatsSettings(None, "ingest", secret, "_INBOX_ingest", 3)
    options = credential_options(settings)
    assert options["user"] == "ingest"
    assert options["password"]() == "s3cret-from-a-secret"  # stripped of the file's newline
    assert options["inbox_prefix"] == "_INBOX_ingest"
    # Re-read on every (re)connect: a rotated Secret is used without a restart.
    secret.write_text("rotated")
    assert options["password"]() == "rotated"


def test_a_creds_file_is_handed_to_the_client(tmp_path: Path) -> None:
    creds = tmp_path / "ingest.creds"
    creds.write_text("-----BEGIN NATS USER JWT-----\n...\n")
    settings = _settings(tmp_path, LEADFLOW_NATS_CREDS_FILE=str(creds)).nats
    assert settings.creds_file == creds
    options = credential_options(settings)
    assert options["user_credentials"] == str(creds)
    assert "password" not in options


def test_without_credentials_nothing_is_sent(tmp_path: Path) -> None:
    settings = _settings(tmp_path).nats
    assert credential_options(settings) == {"inbox_prefix": "_INBOX"}
    assert settings.stream_replicas == 1


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        (
            {"LEADFLOW_NATS_PASSWORD_FILE": "/nonexistent/password", "LEADFLOW_NATS_USER": "x"},
            "LEADFLOW_NATS_PASSWORD_FILE",
        ),
        ({"LEADFLOW_NATS_CREDS_FILE": "/nonexistent/x.creds"}, "LEADFLOW_NATS_CREDS_FILE"),
        ({"LEADFLOW_NATS_USER": "ingest"}, "LEADFLOW_NATS_PASSWORD_FILE"),
        ({"LEADFLOW_NATS_PASSWORD_FILE": "{pw}"}, "LEADFLOW_NATS_USER"),
        ({"LEADFLOW_NATS_CREDS_FILE": "{pw}", "LEADFLOW_NATS_USER": "ingest"}, "LEADFLOW_NATS_CREDS_FILE"),
        ({"LEADFLOW_NATS_STREAM_REPLICAS": "0"}, "LEADFLOW_NATS_STREAM_REPLICAS"),
        ({"LEADFLOW_NATS_INBOX_PREFIX": "_INBOX.>"}, "LEADFLOW_NATS_INBOX_PREFIX"),
    ],
)
def test_a_wrong_nats_credential_setting_names_its_variable(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    password = tmp_path / "pw"
    password.write_text("x")
    env = {k: v.replace("{pw}", str(password)) for k, v in env.items()}
    with pytest.raises(ConfigError) as err:
        _settings(tmp_path, **env)
    assert err.value.variable == variable


async def test_connects_to_a_server_that_demands_the_password_from_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("correct-horse-battery\n")
    settings = _settings(
        tmp_path,
        LEADFLOW_NATS_USER="ingest",
        LEADFLOW_NATS_PASSWORD_FILE=str(secret),
        LEADFLOW_NATS_INBOX_PREFIX="_INBOX_ingest",
    ).nats
    with nats_server_with_config(
        tmp_path / "nats", USERS, env={"INGEST_PASSWORD": "correct-horse-battery"}
    ) as url:
        nc = await connect_nats(url, "leadflow-ingest", asyncio.Event(), settings=settings)
        assert nc is not None
        try:
            # A request's reply arrives on the service's own inbox prefix, which its permissions allow.
            async def echo(msg: nats.aio.msg.Msg) -> None:
                await msg.respond(msg.data)

            sub = await nc.subscribe("echo", cb=echo)
            reply = await nc.request("echo", b"ping", timeout=5)
            assert reply.data == b"ping"
            assert reply.subject.startswith("_INBOX_ingest.")
            await sub.unsubscribe()
        finally:
            await nc.close()

        # Without the password, the same server refuses the connection.
        with pytest.raises(nats.errors.Error):
            await nats.connect(url, user="ingest", password="wrong", allow_reconnect=False, connect_timeout=2)
