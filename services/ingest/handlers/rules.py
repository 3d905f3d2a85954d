"""Rule use cases: the tenant's blocklist (phones and sensitive words) and its ingest settings; and the screening
context every submission is checked with, cached per tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import FieldViolation, InvalidArgument, ViolationCollector
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.uow import Transactions
from services.ingest.domain import validation
from services.ingest.domain.model import BlocklistEntry, BlocklistKind, TenantSettings
from services.ingest.domain.normalisation import is_known_region, normalise_phone
from services.ingest.domain.ports import IngestUnitOfWork
from services.ingest.domain.screening import ScreeningContext

LIST_BLOCKLIST_DEFAULT = 100
MAX_BLOCKLIST_ENTRIES = 10_000
MAX_BLOCKLIST_VALUE = 64
MAX_BLOCKLIST_NOTE = 256
SETTINGS_FIELDS = frozenset(
    {"default_region", "landline_allowed", "phone_extension_allowed", "alternate_phones_kept"}
)


@dataclass(frozen=True)
class BlocklistReplaced:
    phone_count: int
    keyword_count: int
    update_time: datetime


@dataclass(frozen=True)
class SettingsView:
    """The tenant's settings, and when its own row last changed (None while it uses the default row)."""

    settings: TenantSettings
    update_time: datetime | None


class ScreeningCache:
    """Per-tenant screening context (settings and compiled keyword matcher), rebuilt when the tenant's blocklist
    version or settings change, so replicas see every change on their next submission.

    Shared by the submitting threads without a lock: a dict's get and set are atomic, and a race only builds the
    same context twice."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[Any, ScreeningContext]] = {}

    def context(self, uow: IngestUnitOfWork, tenant: str) -> ScreeningContext:
        stamp = uow.rules.settings(tenant)
        cached = self._cache.get(tenant)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        context = ScreeningContext.build(
            stamp[0], uow.rules.blocked_phones(tenant), uow.rules.keywords(tenant)
        )
        self._cache[tenant] = (stamp, context)
        return context

    def invalidate(self, tenant: str) -> None:
        self._cache.pop(tenant, None)


def blocklist_phone(value: str, default_region: str) -> str | None:
    """A blocklist phone entry in E.164 (landlines allowed), or None when it is no phone number."""
    return normalise_phone(value, default_region=default_region, allow_landline=True).e164


class RuleHandlers:
    def __init__(
        self,
        transactions: Transactions[IngestUnitOfWork],
        clock: Clock,
        page_tokens: PageTokens,
        screening: ScreeningCache,
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._tokens = page_tokens
        self._screening = screening

    # ------------------------------------------------------------------ blocklists

    async def set_blocklist(
        self, principal: Principal, entries: Sequence[BlocklistEntry]
    ) -> BlocklistReplaced:
        """Replace the tenant's blocklist: phones normalised to E.164 (an entry that is no phone number is
        INVALID_ARGUMENT), keywords trimmed; entries with the same kind and value merge (the first note wins)."""
        errors = ViolationCollector()
        if len(entries) > MAX_BLOCKLIST_ENTRIES:
            errors.add("entries", f"must hold at most {MAX_BLOCKLIST_ENTRIES} entries, got {len(entries)}")
            errors.raise_if_any()
        tenant = principal.tenant_id
        settings, _version = await self._tx.read(lambda uow: uow.rules.settings(tenant))
        merged: dict[tuple[BlocklistKind, str], BlocklistEntry] = {}
        for index, entry in enumerate(entries):
            checked = _check_entry(errors, f"entries[{index}]", entry, settings.default_region)
            if checked is not None:
                merged.setdefault((checked.kind, checked.value), checked)
        errors.raise_if_any()
        now = self._clock.now()
        phones, keywords = await self._tx.write(
            lambda uow: uow.rules.replace_blocklist(tenant, list(merged.values()), now)
        )
        return BlocklistReplaced(phones, keywords, now)

    async def list_blocklist(
        self, principal: Principal, kind: int, page_size: int, page_token: str
    ) -> Page[BlocklistEntry]:
        """Entries ordered by kind, then value."""
        wanted: BlocklistKind | None = None
        if kind:
            try:
                wanted = BlocklistKind(kind)
            except ValueError:
                raise InvalidArgument(FieldViolation("kind", f"must be a known value, got {kind}")) from None
        size = resolve_page_size(page_size, default=LIST_BLOCKLIST_DEFAULT)
        binding = filter_binding(principal.tenant_id, "blocklist", kind)
        after = read_cursor(self._tokens.decode(page_token, binding=binding), ("k", int), ("v", str))
        found = await self._tx.read(
            lambda uow: uow.rules.list_blocklist(principal.tenant_id, wanted, after, size + 1)  # type: ignore[arg-type]
        )
        return next_page(
            found, size, self._tokens, binding, lambda last: {"k": int(last.kind), "v": last.value}
        )

    # ------------------------------------------------------------------ settings

    async def get_settings(self, principal: Principal) -> SettingsView:
        """The tenant's settings (the default row's until changed) and when the tenant's own row last changed."""
        tenant = principal.tenant_id
        return await self._tx.read(lambda uow: _view(uow, tenant))

    async def update_settings(
        self, principal: Principal, settings: TenantSettings, mask: Sequence[str]
    ) -> SettingsView:
        """Change the fields named in ``mask`` ("*" for all). The screening cache compares the stored settings on
        every submission, so every replica applies the change to its next submission; this replica's entry is
        dropped as well."""
        errors = ViolationCollector()
        paths = [path.strip() for path in mask]
        if not paths:
            errors.add("update_mask", f"is required: name some of {', '.join(sorted(SETTINGS_FIELDS))}, or *")
        fields: set[str] = set()
        for path in paths:
            if path == "*":
                fields.update(SETTINGS_FIELDS)
            elif path in SETTINGS_FIELDS:
                fields.add(path)
            else:
                errors.add("update_mask", f"{path!r} is not a field that can be changed")
        region = settings.default_region.strip().upper()
        if "default_region" in fields and not is_known_region(region):
            errors.add(
                "settings.default_region", "must be a known ISO 3166-1 alpha-2 region, such as CN or HK"
            )
        errors.raise_if_any()
        wanted = replace(settings, default_region=region)
        tenant, now = principal.tenant_id, self._clock.now()

        def update(uow: IngestUnitOfWork) -> SettingsView:
            uow.rules.update_settings(tenant, wanted, frozenset(fields), now)
            return _view(uow, tenant)

        view = await self._tx.write(update)
        self._screening.invalidate(tenant)
        return view


def _view(uow: IngestUnitOfWork, tenant: str) -> SettingsView:
    settings, _version = uow.rules.settings(tenant)
    return SettingsView(settings, uow.rules.settings_update_time(tenant))


def _check_entry(
    errors: ViolationCollector, path: str, entry: BlocklistEntry, default_region: str
) -> BlocklistEntry | None:
    """The entry as stored (phone in E.164, value and note trimmed), or None after adding its violations."""
    kind = entry.kind
    if kind is BlocklistKind.UNSPECIFIED:
        errors.add(f"{path}.kind", "must be PHONE or KEYWORD")
        return None
    if len(entry.note) > MAX_BLOCKLIST_NOTE:
        errors.add(f"{path}.note", f"must be at most {MAX_BLOCKLIST_NOTE} characters")
    elif validation.has_control_characters(entry.note.replace("\n", " ").replace("\t", " ")):
        errors.add(f"{path}.note", "must not contain control characters")
    value = entry.value.strip()
    if not value:
        errors.add(f"{path}.value", "is required")
        return None
    if len(value) > MAX_BLOCKLIST_VALUE:
        errors.add(f"{path}.value", f"must be at most {MAX_BLOCKLIST_VALUE} characters")
        return None
    if kind is BlocklistKind.PHONE:
        normalised = blocklist_phone(value, default_region)
        if normalised is None:
            errors.add(f"{path}.value", "is not a valid phone number")
            return None
        value = normalised
    elif validation.has_control_characters(value):
        errors.add(f"{path}.value", "must not contain control characters")
        return None
    return BlocklistEntry(kind, value, entry.note.strip())
