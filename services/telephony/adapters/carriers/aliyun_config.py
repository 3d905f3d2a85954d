"""The Aliyun carrier's settings, apart from the carrier so that reading them does not import Aliyun's SDK (~28 MB of
RSS with its HTTP stack), which only a service configured for Aliyun loads."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ENDPOINT = "dyplsapi.aliyuncs.com"


@dataclass(frozen=True)
class AliyunConfig:
    access_key_id: str
    access_key_secret: str
    pool_key: str
    endpoint: str = DEFAULT_ENDPOINT
    protocol: str = "HTTPS"
    timeout_seconds: float = 5.0
    record_calls: bool = False
