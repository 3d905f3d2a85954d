"""The ingest domain's values: submissions as received, leads, verdicts, statuses. Pure Python.

Enum values are the numbers of the leadflow.common.v1 / leadflow.ingest.v1 protobuf enums, so converters map them
one to one, but nothing here imports protobuf, gRPC or SQLAlchemy.

Times are timezone-aware UTC datetimes with microsecond precision (the stores keep integer microseconds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

# Shared by every service (services.common.leadenums); re-exported for ingest's modules.
from services.common.leadenums import BusinessSource as BusinessSource
from services.common.leadenums import Channel as Channel
from services.common.leadenums import LeadStatus as LeadStatus
from services.common.leadenums import TrafficSource as TrafficSource
from services.common.leadenums import Verdict as Verdict
from services.ingest.domain.normalisation.errors import Rejection


class Dimension(IntEnum):
    """A dedup dimension; ``label`` is the prefix of its fingerprint input ("phone:+8613800138000")."""

    UNSPECIFIED = 0
    PHONE = 1
    WECHAT = 2
    EMAIL = 3
    IP = 4
    DEVICE = 5

    @property
    def label(self) -> str:
        return self.name.lower()


class DedupAction(IntEnum):
    UNSPECIFIED = 0
    MERGE = 1
    FLAG = 2


class BlocklistKind(IntEnum):
    UNSPECIFIED = 0
    PHONE = 1
    KEYWORD = 2


@dataclass(frozen=True)
class Money:
    currency_code: str
    units: int
    nanos: int


@dataclass(frozen=True)
class Consent:
    contact: bool = False
    marketing: bool = False
    notice_version: str = ""
    grant_time: datetime | None = None


@dataclass(frozen=True)
class SubmitCommand:
    """A SubmitLeadRequest as plain values, exactly as the caller sent them (nothing trimmed or checked yet).

    Enums are the numbers the caller sent; ``cost`` is None when unset; ``submit_time`` None means "when ingest
    receives it".
    """

    account_id: str
    channel: int
    traffic_source: int
    business_source: int
    request_id: str
    collect_account_id: str | None = None
    external_id: str = ""
    name: str = ""
    phone: str = ""
    wechat: str = ""
    email: str = ""
    ip: str = ""
    device_id: str = ""
    campaign_id: str = ""
    adgroup_id: str = ""
    creative_id: str = ""
    cost: Money | None = None
    submit_time: datetime | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    consent: Consent | None = None


@dataclass(frozen=True)
class Contact:
    """The normalised personal data of a submission (E.164 phone, trimmed WeChat id, lower-case e-mail, ...).

    ``phone_extension`` is the extension (分机号) of ``phone``, digits only, "" when none; ``alternate_phones`` are
    the other numbers the phone field held, in E.164 and in the order written (dedup matches on them too, see
    ``fingerprints``). Both are personal data like ``phone``.
    """

    name: str = ""
    phone: str = ""
    phone_from_wechat: bool = False
    wechat: str = ""
    email: str = ""
    ip: str = ""
    device_id: str = ""
    phone_province: str = ""
    phone_city: str = ""
    phone_extension: str = ""
    alternate_phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """An existing lead the submission matched on one dimension (as dedup answered)."""

    dimension: Dimension
    lead_id: str
    first_seen_time: datetime


@dataclass(frozen=True)
class Submission:
    """One receipt of a lead, stored for every submission including rejected ones (for audit)."""

    id: str
    tenant_id: str
    lead_id: str  # empty when rejected
    account_id: str
    collect_account_id: str | None
    channel: Channel
    traffic_source: TrafficSource
    business_source: BusinessSource
    external_id: str
    request_id: str
    request_digest: bytes
    contact: Contact
    campaign_id: str
    adgroup_id: str
    creative_id: str
    cost: Money | None
    attributes: Mapping[str, str]
    consent: Consent
    verdict: Verdict
    rejections: tuple[Rejection, ...]
    matches: tuple[Match, ...]
    duplicate_of_lead_id: str
    returning_of_lead_id: str
    submit_time: datetime
    create_time: datetime


@dataclass(frozen=True)
class Lead:
    """One person, after deduplication; ``account_ids`` in the order the accounts first appeared.

    ``erase_time`` is set once the lead's personal data was erased (EraseLead, ``domain.erasure``): its ``contact``
    is empty from then on, and ``erased_by`` is the subject (JWT ``sub``) who asked for it.
    """

    id: str
    tenant_id: str
    account_ids: tuple[str, ...]
    status: LeadStatus
    verdict: Verdict
    contact: Contact
    invalid_reason: str
    channel: Channel
    traffic_source: TrafficSource
    business_source: BusinessSource
    first_submit_time: datetime
    last_submit_time: datetime
    submission_count: int
    create_time: datetime
    update_time: datetime
    returning_of_lead_id: str = ""
    duplicate_of_lead_id: str = ""
    erase_time: datetime | None = None
    erased_by: str = ""


@dataclass(frozen=True)
class SubmitResult:
    """The answer to one submission; ``lead`` is None when rejected. A replay (``replayed``: the submission was
    stored before, or repeats an earlier item of the same batch) returns the stored submission's answer with the
    lead as it is now."""

    verdict: Verdict
    submission: Submission
    lead: Lead | None
    matches: tuple[Match, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    duplicate_of_lead_id: str = ""
    returning_of_lead_id: str = ""
    replayed: bool = False


@dataclass(frozen=True)
class BlocklistEntry:
    kind: BlocklistKind
    value: str
    note: str = ""
    create_time: datetime | None = None


@dataclass(frozen=True)
class TenantSettings:
    """Per-tenant validation settings; a tenant without its own row uses the default row.

    ``phone_extension_allowed``: a phone number with an extension (分机号: "0755-12345678转8001", e-commerce privacy
    numbers "13512345678-9100") is accepted, its extension kept in ``Contact.phone_extension``; when False such a
    number is REJECTED (PHONE_INVALID, rule ``phone.extension_not_accepted``). ``alternate_phones_kept``: the other
    numbers of a phone field holding several ("13800138000 / 13900139000") are kept as
    ``Contact.alternate_phones``; when False they are dropped (the first usable number is the lead's phone either
    way).
    """

    default_region: str = "CN"
    landline_allowed: bool = True
    phone_extension_allowed: bool = True
    alternate_phones_kept: bool = True
