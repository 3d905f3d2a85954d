"""Stream definitions: one stream per producing service, with explicit subjects that never overlap."""

from __future__ import annotations

from dataclasses import dataclass

import nats.js.errors
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig, StreamInfo

from services.common.config import STREAM_MAX_AGE_SECONDS

# JetStream drops a re-published message with a Nats-Msg-Id it stored this recently: the window in which a relay
# that crashed between the ack and marking the row sent can come back without creating a duplicate.
DEFAULT_DUPLICATE_WINDOW = 120.0
DEFAULT_MAX_AGE = STREAM_MAX_AGE_SECONDS

# JSStreamNameExistErr: another replica created the stream between our lookup and our add.
_STREAM_NAME_IN_USE = 10058


@dataclass(frozen=True)
class StreamSpec:
    """A producing service's stream, e.g. ``StreamSpec("LEADFLOW_INGEST", ("leadflow.lead.v1.accepted", ...))``."""

    name: str
    subjects: tuple[str, ...]
    description: str | None = None
    duplicate_window: float = DEFAULT_DUPLICATE_WINDOW
    max_age: float = DEFAULT_MAX_AGE
    max_bytes: int = -1
    num_replicas: int = 1

    def __post_init__(self) -> None:
        # Accept a list too, but keep the spec hashable and immutable.
        object.__setattr__(self, "subjects", tuple(self.subjects))
        if not self.subjects:
            raise ValueError(f"stream {self.name}: at least one subject is required")

    def config(self) -> StreamConfig:
        return StreamConfig(
            name=self.name,
            description=self.description,
            subjects=list(self.subjects),
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            duplicate_window=self.duplicate_window,
            max_age=self.max_age,
            max_bytes=self.max_bytes,
            num_replicas=self.num_replicas,
        )


def _differs(current: StreamConfig, wanted: StreamConfig) -> bool:
    return (
        set(current.subjects or ()) != set(wanted.subjects or ())
        or current.description != wanted.description
        or abs((current.duplicate_window or 0) - wanted.duplicate_window) > 1e-6
        or abs((current.max_age or 0) - (wanted.max_age or 0)) > 1e-6
        or (current.max_bytes or -1) != wanted.max_bytes
        or (current.num_replicas or 1) != wanted.num_replicas
    )


async def ensure_stream(js: JetStreamContext, spec: StreamSpec) -> StreamInfo:
    """Create the stream, or update it when its subjects or limits differ from ``spec``. Safe to run on every
    start of every replica. Changes JetStream refuses (e.g. storage type) surface as its API error."""
    wanted = spec.config()
    try:
        info = await js.stream_info(spec.name)
    except nats.js.errors.NotFoundError:
        try:
            return await js.add_stream(wanted)
        except nats.js.errors.APIError as exc:
            if exc.err_code != _STREAM_NAME_IN_USE:
                raise
            info = await js.stream_info(spec.name)
    if _differs(info.config, wanted):
        return await js.update_stream(wanted)
    return info
