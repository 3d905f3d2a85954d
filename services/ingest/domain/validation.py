"""Structural validation of submissions and other requests. Pure.

Two kinds of bad input are told apart on purpose:

- A malformed request (a required field missing, an ``*_UNSPECIFIED`` or unknown enum where one is required, a
  field over its length limit, a control character in an identifier, a negative or malformed cost, a submit_time
  absurdly far in the future, an IP address, e-mail address or device id that is not one, more than 500 batch
  items) is the caller's bug: INVALID_ARGUMENT with one field violation per bad field, and nothing is stored.
- A well-formed lead whose content fails the tenant's rules (空错停: an empty, wrong-format or dead phone number;
  a blocklisted phone; a sensitive word) is not an error: it is answered with verdict REJECTED and its reasons,
  stored for audit, announced as ``lead.rejected``, never sent to dedup and never forwarded.

This module checks the first kind for everything but the contact fields, the name and the attributes, which the
normalisation module's ``screen_contact`` checks (its violations) together with the content rules (its
rejections).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.common.errors import FieldViolation, ViolationCollector
from services.common.validation import MAX_ACCOUNT_ID, check_identifier, has_control_characters  # noqa: F401
from services.ingest.domain.model import BusinessSource, Channel, Money, SubmitCommand, TrafficSource

MAX_EXTERNAL_ID = 128
MAX_REQUEST_ID = 64
MAX_AD_ID = 64
MAX_NOTICE_VERSION = 64
MAX_BATCH = 500
MAX_LEAD_ID = 128
MAX_NANOS = 999_999_999

# A submit_time later than this after the server's clock is a bug in the caller (a time zone or unit mix-up), not
# clock skew. Earlier than 2000 is the same kind of bug (seconds read as milliseconds, and the like).
FUTURE_TOLERANCE = timedelta(minutes=10)
EARLIEST_SUBMIT_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def check_enum(errors: ViolationCollector, path: str, value: int, enum: type, type_name: str) -> None:
    try:
        member = enum(value)
    except ValueError:
        errors.add(path, f"must be a known {type_name} value, got {value}")
        return
    if member == 0:
        errors.add(path, f"is required: set a {type_name} other than {type_name}_UNSPECIFIED")


def check_money(errors: ViolationCollector, path: str, money: Money) -> None:
    code = money.currency_code
    if not (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()):
        errors.add(f"{path}.currency_code", "must be a three-letter ISO 4217 code in upper case, such as CNY")
    if not -MAX_NANOS <= money.nanos <= MAX_NANOS:
        errors.add(f"{path}.nanos", "must be between -999,999,999 and 999,999,999")
    elif (money.units > 0 and money.nanos < 0) or (money.units < 0 and money.nanos > 0):
        errors.add(f"{path}.nanos", "must have the same sign as units")
    if money.units < 0 or money.nanos < 0:
        errors.add(f"{path}.units" if money.units < 0 else f"{path}.nanos", "a cost must not be negative")


def validate_submission(command: SubmitCommand, now: datetime, errors: ViolationCollector) -> None:
    """Adds a violation for every structurally bad field of ``command`` (contact formats excepted, see above)."""
    check_identifier(errors, "account_id", command.account_id, MAX_ACCOUNT_ID, required=True)
    if command.collect_account_id is not None:
        check_identifier(
            errors, "collect_account_id", command.collect_account_id, MAX_ACCOUNT_ID, required=True
        )
    check_enum(errors, "channel", command.channel, Channel, "CHANNEL")
    check_enum(errors, "traffic_source", command.traffic_source, TrafficSource, "TRAFFIC_SOURCE")
    check_enum(errors, "business_source", command.business_source, BusinessSource, "BUSINESS_SOURCE")
    check_identifier(errors, "external_id", command.external_id, MAX_EXTERNAL_ID)
    check_identifier(errors, "request_id", command.request_id, MAX_REQUEST_ID, required=True)
    for path, value in (
        ("campaign_id", command.campaign_id),
        ("adgroup_id", command.adgroup_id),
        ("creative_id", command.creative_id),
    ):
        check_identifier(errors, path, value, MAX_AD_ID)
    if command.cost is not None:
        check_money(errors, "cost", command.cost)
    if command.submit_time is not None:
        if command.submit_time > now + FUTURE_TOLERANCE:
            errors.add("submit_time", "lies in the future")
        elif command.submit_time < EARLIEST_SUBMIT_TIME:
            errors.add("submit_time", "lies before the year 2000")
    consent = command.consent
    if consent is not None:
        check_identifier(errors, "consent.notice_version", consent.notice_version, MAX_NOTICE_VERSION)
        if consent.grant_time is not None and consent.grant_time > now + FUTURE_TOLERANCE:
            errors.add("consent.grant_time", "lies in the future")


def check_batch_size(count: int, path: str = "requests") -> None:
    if not 1 <= count <= MAX_BATCH:
        errors = ViolationCollector([FieldViolation(path, f"must hold 1 to {MAX_BATCH} items, got {count}")])
        errors.raise_if_any()


def check_lead_id(lead_id: str, path: str = "lead_id") -> None:
    errors = ViolationCollector()
    check_identifier(errors, path, lead_id, MAX_LEAD_ID, required=True)
    errors.raise_if_any()
