"""The bridge from a submission to the normalisation module's ``screen_contact``, with the tenant's rules. Pure.

A ``ScreeningContext`` is the compiled form of one tenant's rules (settings, blocked phones, keyword matcher); the
handlers cache it per tenant and blocklist version. Dead numbers are looked up per submission through a predicate
the caller owns (the list grows with every dead call, so it is not cached).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from services.common.errors import FieldViolation
from services.ingest.domain.model import Contact, SubmitCommand, TenantSettings
from services.ingest.domain.normalisation import (
    KeywordMatcher,
    RawContact,
    Rejection,
    ScreeningRules,
    screen_contact,
)


@dataclass(frozen=True)
class Screened:
    contact: Contact
    attributes: dict[str, str]
    rejections: list[Rejection]
    violations: list[FieldViolation]


@dataclass(frozen=True)
class ScreeningContext:
    settings: TenantSettings
    blocked_phones: frozenset[str]
    keywords: KeywordMatcher

    @classmethod
    def build(
        cls, settings: TenantSettings, blocked_phones: Iterable[str], keywords: Iterable[str]
    ) -> ScreeningContext:
        return cls(settings, frozenset(blocked_phones), KeywordMatcher(keywords))

    def screen(self, command: SubmitCommand, is_dead: Callable[[str], bool]) -> Screened:
        rules = ScreeningRules(
            default_region=self.settings.default_region,
            allow_landline=self.settings.landline_allowed,
            blocked_phones=self.blocked_phones,
            sensitive_words=self.keywords,
            dead_numbers=is_dead,
            allow_extension=self.settings.phone_extension_allowed,
            keep_alternate_phones=self.settings.alternate_phones_kept,
        )
        raw = RawContact(
            name=command.name,
            phone=command.phone,
            wechat=command.wechat,
            email=command.email,
            ip=command.ip,
            device_id=command.device_id,
            attributes=command.attributes,
        )
        result = screen_contact(raw, rules)
        c = result.contact
        contact = Contact(
            name=c.name,
            phone=c.phone,
            phone_from_wechat=c.phone_from_wechat,
            wechat=c.wechat,
            email=c.email,
            ip=c.ip,
            device_id=c.device_id,
            phone_province=c.province,
            phone_city=c.city,
            phone_extension=c.phone_extension,
            alternate_phones=c.alternate_phones,
        )
        return Screened(contact, dict(c.attributes), list(result.rejections), list(result.violations))
