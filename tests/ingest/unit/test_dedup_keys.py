"""Issue 12 items 3 and 7 at the fingerprint level: the e-mail dedup key (gmail canonical mailbox) and alternate
phones as extra PHONE keys; and the tenant settings that choose the phone-cell policies."""

from __future__ import annotations

import pytest

from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.model import Channel, Contact, Dimension, SubmitCommand, TenantSettings
from services.ingest.domain.normalisation import (
    RawContact,
    RejectionCode,
    ScreeningRules,
    email_dedup_key,
    normalise_email,
    screen_contact,
)
from services.ingest.domain.screening import ScreeningContext

FP = Fingerprinter(b"k" * 32)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("zhang.san+ad1@gmail.com", "zhangsan@gmail.com"),
        ("zhangsan@gmail.com", "zhangsan@gmail.com"),
        ("Zhang.San@GMail.com", "zhangsan@gmail.com"),
        ("z.h.a.n.g.s.a.n@gmail.com", "zhangsan@gmail.com"),
        ("zhangsan+lead+form@gmail.com", "zhangsan@gmail.com"),
        ("zhang.san@googlemail.com", "zhangsan@gmail.com"),
        ("zhangsan+x@googlemail.com", "zhangsan@gmail.com"),
        # Other providers: lower case only (their dot and plus rules differ, a wrong merge is worse).
        ("zhang.san+ad1@qq.com", "zhang.san+ad1@qq.com"),
        ("Zhang.San@163.com", "zhang.san@163.com"),
        ("zhang.san@gmail.com.cn", "zhang.san@gmail.com.cn"),
        ("zhang.san@mail.gmail.com", "zhang.san@mail.gmail.com"),
        ("", ""),
    ],
)
def test_email_dedup_key(address: str, key: str) -> None:
    assert email_dedup_key(address) == key


def test_the_stored_address_is_not_the_dedup_key() -> None:
    screening = screen_contact(RawContact(email="Zhang.San+ad1@gmail.com"), ScreeningRules())
    assert screening.contact.email == "zhang.san+ad1@gmail.com"  # as sent (lower-cased, as the API documents)
    assert normalise_email(" zhang.san+ad1@googlemail.com ") == "zhang.san+ad1@googlemail.com"


def _email_print(address: str) -> bytes:
    return dict(FP.of_contact("t", Contact(email=normalise_email(address))))[Dimension.EMAIL]


def test_gmail_variants_are_one_person_for_dedup() -> None:
    prints = {
        _email_print(a)
        for a in (
            "zhang.san+ad1@gmail.com",
            "zhangsan@gmail.com",
            "ZhangSan@googlemail.com",
            "z.hangsan+x@gmail.com",
        )
    }
    assert len(prints) == 1
    assert _email_print("zhang.san@qq.com") != _email_print("zhangsan@qq.com")


def test_alternate_phones_are_extra_phone_keys_when_asked_for() -> None:
    contact = Contact(
        phone="+8613800138000", alternate_phones=("+8613900139000", "+8613800138000", "+8613900139000")
    )
    default = FP.of_contact("t", contact)
    assert [dim for dim, _ in default] == [Dimension.PHONE]  # dedup takes one key per dimension today
    with_alternates = FP.of_contact("t", contact, alternate_phones=True)
    assert [dim for dim, _ in with_alternates] == [Dimension.PHONE, Dimension.PHONE]
    assert with_alternates[1][1] == FP.fingerprint("t", Dimension.PHONE, "+8613900139000")
    assert FP.of_alternate_phones("t", contact) == (with_alternates[1],)
    # A lead whose phone is another's alternate matches it on that key.
    other = Contact(phone="+8613900139000")
    assert dict(FP.of_contact("t", other))[Dimension.PHONE] == with_alternates[1][1]


def _command(**fields: str) -> SubmitCommand:
    return SubmitCommand(
        account_id="a", channel=Channel.FORM, traffic_source=1, business_source=1, request_id="r", **fields
    )


def test_tenant_settings_defaults_keep_extensions_and_alternates() -> None:
    assert (TenantSettings().phone_extension_allowed, TenantSettings().alternate_phones_kept) == (True, True)
    context = ScreeningContext.build(TenantSettings(), [], [])
    screened = context.screen(_command(phone="13512345678-9100 / 13900139000"), lambda _: False)
    assert screened.rejections == [] and screened.violations == []
    assert screened.contact.phone == "+8613512345678"
    assert screened.contact.phone_extension == "9100"
    assert screened.contact.alternate_phones == ("+8613900139000",)


def test_tenant_settings_can_refuse_extensions_and_drop_alternates() -> None:
    settings = TenantSettings(phone_extension_allowed=False, alternate_phones_kept=False)
    context = ScreeningContext.build(settings, [], [])
    screened = context.screen(_command(phone="13800138000 / 13900139000"), lambda _: False)
    assert screened.rejections == [] and screened.contact.alternate_phones == ()
    screened = context.screen(_command(phone="13512345678-9100"), lambda _: False)
    assert [(r.code, r.rule) for r in screened.rejections] == [
        (RejectionCode.PHONE_INVALID, "phone.extension_not_accepted")
    ]


def test_screening_context_blocks_a_blocklisted_alternate_and_matches_keywords_normalised() -> None:
    context = ScreeningContext.build(TenantSettings(), ["+8613900139000"], ["加微信"])
    screened = context.screen(
        _command(phone="13800138000 / 13900139000", attributes={"备注": "加.微.信"}), lambda _: False
    )
    assert [(r.code, r.rule) for r in screened.rejections] == [
        (RejectionCode.BLOCKLISTED_PHONE, "blocklist:139****9000"),
        (RejectionCode.SENSITIVE_WORD, "加微信"),
    ]
