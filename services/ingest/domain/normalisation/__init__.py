"""Normalisation and validation of lead contact data for ingest. Pure Python: no gRPC, SQLAlchemy or NATS.

The ingest service calls ``screen_contact`` once per submission with the tenant's ``ScreeningRules``; the
building blocks are public too (for blocklist configuration, imports and tests):

* ``clean_contact_value``: the one cleaning step of every contact field (invisible characters, NFKC, white space).
* ``normalise_phone`` / ``PhoneCheck`` / ``PhoneKind``: a phone field to the lead's number in E.164 with kind,
  归属地, carrier, extension and alternate numbers (spreadsheet artefacts, labels, several numbers in one cell);
  ``mobile_prefixes``: the overlay of allocated Chinese mobile prefixes.
* ``read_wechat`` / ``validate_wechat_id`` / ``wechat_as_phone``: the WeChat field, an ID or a mobile number.
* ``normalise_email`` (+ ``email_dedup_key``), ``normalise_ip``, ``normalise_device_id``: canonical identifiers,
  ``InvalidValue`` if not.
* ``clean_text`` (storage; ``TextTooLong``), ``fold_for_matching`` and ``KeywordMatcher`` (sensitive words).

Structural problems are field violations (INVALID_ARGUMENT, nothing stored); content problems are ``Rejection``s
with a ``RejectionCode`` (the lead is REJECTED, stored for audit). No message, rule or exception carries a raw
phone number, WeChat ID or other personal value (architecture §6).
"""

from services.ingest.domain.normalisation.cleaning import clean_contact_value, is_placeholder
from services.ingest.domain.normalisation.errors import InvalidValue, Rejection, RejectionCode, TextTooLong
from services.ingest.domain.normalisation.identifiers import (
    email_dedup_key,
    normalise_device_id,
    normalise_email,
    normalise_ip,
)
from services.ingest.domain.normalisation.mobile_prefixes import (
    AllocatedPrefix,
    allocated_cn_mobile,
    allocated_prefixes,
)
from services.ingest.domain.normalisation.phones import (
    PhoneCheck,
    PhoneKind,
    is_known_region,
    normalise_phone,
)
from services.ingest.domain.normalisation.screening import (
    FieldLimits,
    NormalisedContact,
    RawContact,
    Screening,
    ScreeningRules,
    screen_contact,
)
from services.ingest.domain.normalisation.text import KeywordMatcher, clean_text, fold_for_matching
from services.ingest.domain.normalisation.wechat import (
    WechatField,
    read_wechat,
    validate_wechat_id,
    wechat_as_phone,
)

__all__ = [
    "AllocatedPrefix",
    "FieldLimits",
    "InvalidValue",
    "KeywordMatcher",
    "NormalisedContact",
    "PhoneCheck",
    "PhoneKind",
    "RawContact",
    "Rejection",
    "RejectionCode",
    "Screening",
    "ScreeningRules",
    "TextTooLong",
    "WechatField",
    "allocated_cn_mobile",
    "allocated_prefixes",
    "clean_contact_value",
    "clean_text",
    "email_dedup_key",
    "fold_for_matching",
    "is_known_region",
    "is_placeholder",
    "normalise_device_id",
    "normalise_email",
    "normalise_ip",
    "normalise_phone",
    "read_wechat",
    "screen_contact",
    "validate_wechat_id",
    "wechat_as_phone",
]
