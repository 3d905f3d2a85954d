"""Blocklists and per-tenant ingest settings."""

from __future__ import annotations

from datetime import datetime

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.protoconv import timestamp, to_enum
from services.ingest.domain.model import BlocklistEntry, BlocklistKind, TenantSettings


def blocklist_entries(request: pb.SetBlocklistRequest) -> list[BlocklistEntry]:
    """Entries as sent; a kind this code does not know stays UNSPECIFIED, which the handler refuses."""
    return [BlocklistEntry(kind=_kind(e.kind), value=e.value, note=e.note) for e in request.entries]


def _kind(value: int) -> BlocklistKind:
    try:
        return BlocklistKind(value)
    except ValueError:
        return BlocklistKind.UNSPECIFIED


def blocklist_entry_message(entry: BlocklistEntry) -> pb.BlocklistEntry:
    return pb.BlocklistEntry(
        kind=to_enum(pb.BlocklistEntryKind, entry.kind),
        value=entry.value,
        note=entry.note,
        create_time=timestamp(entry.create_time) if entry.create_time else None,
    )


def settings_message(settings: TenantSettings, update_time: datetime | None) -> pb.IngestSettings:
    message = pb.IngestSettings(
        default_region=settings.default_region,
        landline_allowed=settings.landline_allowed,
        phone_extension_allowed=settings.phone_extension_allowed,
        alternate_phones_kept=settings.alternate_phones_kept,
    )
    if update_time is not None:
        message.update_time.CopyFrom(timestamp(update_time))
    return message


def settings_update(request: pb.UpdateIngestSettingsRequest) -> tuple[TenantSettings, list[str]]:
    """The settings sent and the update mask's paths (the handler checks both)."""
    sent = request.settings
    settings = TenantSettings(
        default_region=sent.default_region,
        landline_allowed=sent.landline_allowed,
        phone_extension_allowed=sent.phone_extension_allowed,
        alternate_phones_kept=sent.alternate_phones_kept,
    )
    return settings, list(request.update_mask.paths)
