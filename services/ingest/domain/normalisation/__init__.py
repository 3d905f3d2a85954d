"""Normalisation and validation of lead contact data for ingest. Pure Python: no gRPC, SQLAlchemy or NATS.

The ingest service calls ``screen_contact`` once per submission with the tenant's ``ScreeningRules``; the
building blocks are public too (for blocklist configuration, imports and tests):

* ``normalise_phone`` / ``PhoneCheck`` / ``PhoneKind``: phone numbers to E.164 with kind, 归属地 and carrier;
  ``wechat_as_phone``: a WeChat ID that is really a mobile number.
* ``validate_wechat_id``: WeChat IDs under WeChat's own rules, lower-cased.
* ``normalise_email``, ``normalise_ip``, ``normalise_device_id``: canonical identifiers, ``InvalidValue`` if not.
* ``clean_text`` (storage; ``TextTooLong``), ``fold_for_matching`` and ``KeywordMatcher`` (sensitive words).

Structural problems are field violations (INVALID_ARGUMENT, nothing stored); content problems are ``Rejection``s
with a ``RejectionCode`` (the lead is REJECTED, stored for audit). No message, rule or exception carries a raw
phone number, WeChat ID or other personal value (architecture §6).
"""

from services.ingest.domain.normalisation.errors import InvalidValue, Rejection, RejectionCode, TextTooLong
from services.ingest.domain.normalisation.identifiers import (
    normalise_device_id,
    normalise_email,
    normalise_ip,
)
from services.ingest.domain.normalisation.phones import (
    PhoneCheck,
    PhoneKind,
    is_known_region,
    normalise_phone,
    wechat_as_phone,
)
from services.ingest.domain.normalisation.regions import split_region
from services.ingest.domain.normalisation.screening import (
    FieldLimits,
    NormalisedContact,
    RawContact,
    Screening,
    ScreeningRules,
    screen_contact,
)
from services.ingest.domain.normalisation.text import KeywordMatcher, clean_text, fold_for_matching
from services.ingest.domain.normalisation.wechat import validate_wechat_id

__all__ = [
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
    "clean_text",
    "fold_for_matching",
    "is_known_region",
    "normalise_device_id",
    "normalise_email",
    "normalise_ip",
    "normalise_phone",
    "screen_contact",
    "split_region",
    "validate_wechat_id",
    "wechat_as_phone",
]
