"""What erasing a lead's personal data (EraseLead, the PIPL right to deletion) removes from ingest, and what it keeps.
Pure.

Removed: every personal field of the lead and of its submissions (``Contact``: name, phone, extension, alternate
phones, WeChat ID, e-mail, IP, device id, and the phone's region, which is derived from the number), the submissions'
free-form attributes (form answers, where people write anything), the REJECTED submissions' personal fields when they
carry one of the lead's numbers (they are not attached to any lead, so the number is how they are found), the
payloads of the lead's push deliveries (a push not yet delivered is given up: there is nothing left to send), and the
dead-number entries of the lead's numbers.

Kept, because accounting and audits need them and they identify nobody without the removed fields: ids (lead,
submissions, external ids, campaign ids), accounts, status, verdicts, counts, times, charges, consent flags, rejection
reasons, match records (lead ids and times), push attempts' statuses, and the keyed request digests (HMAC under a key
only ingest holds, so they reveal nothing).

Not touched: the tenant's blocklist, which is the tenant's own list rather than the lead's data (an erasure request
that covers a blocked number is handled by SetBlocklist); the outbox's past events, whose personal fields are sealed
(``services.common.sealing``).
"""

from __future__ import annotations

from services.ingest.domain.model import Contact

# Push deliveries of an erased lead: what their last error says when the erasure gives them up.
GIVEN_UP_ERROR = "the lead was erased"


def numbers_of(contact: Contact) -> tuple[str, ...]:
    """The phone numbers (E.164) of a contact: its phone and its alternate phones, once each, in order."""
    return tuple(dict.fromkeys(p for p in (contact.phone, *contact.alternate_phones) if p))


def erased_contact(contact: Contact) -> Contact:
    """The contact of an erased lead or submission: every personal field empty. ``phone_from_wechat`` stays: it says
    where a (now erased) number came from, not what it was."""
    return Contact(phone_from_wechat=contact.phone_from_wechat)
