"""IP addresses, device identifiers and e-mail addresses."""

from __future__ import annotations

import pytest

from services.ingest.domain.normalisation import (
    InvalidValue,
    normalise_device_id,
    normalise_email,
    normalise_ip,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("  203.0.113.7 \n", "203.0.113.7"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
        ("::1", "::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4-mapped
        ("::FFFF:cb00:7107", "203.0.113.7"),
        ("64:ff9b::203.0.113.7", "64:ff9b::cb00:7107"),  # NAT64 is not IPv4-mapped: kept as IPv6
    ],
)
def test_normalise_ip(raw: str, expected: str) -> None:
    assert normalise_ip(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "256.1.1.1",
        "1.2.3",
        "010.1.1.1",  # leading zeros are ambiguous (octal)
        "１.２.３.４",
        "1.2.3.4:8080",
        "[2001:db8::1]",
        "1.2.3.0/24",
        "1.2.3.4, 5.6.7.8",
        "fe80::1%eth0",
        "localhost",
        "2001:db8::g",
    ],
)
def test_normalise_ip_rejects(raw: str) -> None:
    with pytest.raises(InvalidValue) as info:
        normalise_ip(raw)
    if raw:
        assert raw not in info.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("6D92078A-8246-4BA4-AE5B-76104861E7DC", "6d92078a-8246-4ba4-ae5b-76104861e7dc"),  # IDFA
        (" 6d92078a-8246-4ba4-ae5b-76104861e7dc ", "6d92078a-8246-4ba4-ae5b-76104861e7dc"),
        ("00000000-0000-0000-0000-000000000000", ""),  # limit-ad-tracking IDFA: no id
        ("352099001761481", "352099001761481"),  # IMEI
        ("35-209900-176148-1", "352099001761481"),
        ("35 209900 176148 1", "352099001761481"),
        ("35-209900-176148-23", "3520990017614823"),  # IMEISV
        ("000000000000000", ""),
        ("a0000012345678", "A0000012345678"),  # hex MEID
        ("E10ADC3949BA59ABBE56E057F20F883E", "e10adc3949ba59abbe56e057f20f883e"),  # MD5 of an IMEI
        ("9774d56d682e549c", "9774d56d682e549c"),  # Android ID, as is
        ("AA:BB:CC:DD:EE:FF", "AA:BB:CC:DD:EE:FF"),  # MAC, as is
        ("vendor.Oaid_123-x", "vendor.Oaid_123-x"),
        ("null", ""),
        ("unknown", ""),
        ("x" * 128, "x" * 128),
    ],
)
def test_normalise_device_id(raw: str, expected: str) -> None:
    assert normalise_device_id(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "abc def", "设备号", "id/with/slash", "x" * 129, "a\u200bb", "id;drop"]
)
def test_normalise_device_id_rejects(raw: str) -> None:
    with pytest.raises(InvalidValue) as info:
        normalise_device_id(raw)
    if raw.strip():
        assert raw.strip() not in info.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zhangsan@qq.com", "zhangsan@qq.com"),
        ("  Zhang.San@QQ.COM ", "zhang.san@qq.com"),
        ("１２３４５６＠ｑｑ．ｃｏｍ", "123456@qq.com"),  # typed with a Chinese IME
        ("a+tag@example.co.uk", "a+tag@example.co.uk"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("user@例子.中国", "user@xn--fsqu00a.xn--fiqs8s"),
        ("user@例子。中国", "user@xn--fsqu00a.xn--fiqs8s"),  # ideographic full stop
        ("user@Bücher.de", "user@xn--bcher-kva.de"),
        ("user@example.com.", "user@example.com"),
        ("用户@example.cn", "用户@example.cn"),  # RFC 6531 local part
        ("a\u200b@qq.com", "a@qq.com"),  # invisible characters are cleaned away (issue 12 item 1)
        ("\ufeffzhang@qq.com\u200e", "zhang@qq.com"),
        ("mailto:Zhang@QQ.com", "zhang@qq.com"),
        ("邮箱：zhang@qq.com", "zhang@qq.com"),
        ("无", ""),  # a placeholder is no address
        ("", ""),
    ],
)
def test_normalise_email(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "zhangsan",
        "zhangsan@",
        "@qq.com",
        "zhang san@qq.com",
        "zhangsan@qq",
        "zhangsan@localhost",
        "zhangsan@1.2.3.4",
        "zhangsan@[1.2.3.4]",
        "zhangsan@qq..com",
        "zhangsan@-qq.com",
        "zhangsan@qq_mail.com",
        ".zhangsan@qq.com",
        "zhang..san@qq.com",
        '"zhang san"@qq.com',
        "a@b@qq.com",
        "x" * 65 + "@qq.com",
        "a@" + "b" * 64 + ".com",
        "a@" + ("b" * 60 + ".") * 5 + "com",
    ],
)
def test_normalise_email_rejects(raw: str) -> None:
    with pytest.raises(InvalidValue) as info:
        normalise_email(raw)
    if raw:
        assert raw not in info.value.message
