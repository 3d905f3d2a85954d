"""Which encoding `leadflow import` reads a CSV file in: BOMs, UTF-8, UTF-16 without a BOM, and GBK/GB18030 even
where the detector ranks a Korean or Japanese code page first."""

from __future__ import annotations

import codecs

import pytest
from charset_normalizer import from_bytes

from services.cli.encoding import EncodingUnknown, detect_bytes

HEADER = "account_id,channel,traffic_source,business_source,name,phone\n"
CHINESE = HEADER + "acct-1,FORM,AD_DIRECT,LANDING_PAGE,张三,13800138000\n"


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (codecs.BOM_UTF8 + CHINESE.encode(), "utf-8-sig"),
        (CHINESE.encode("utf-16"), "utf-16"),  # Python writes a BOM in the machine's order
        (codecs.BOM_UTF16_BE + CHINESE.encode("utf-16-be"), "utf-16"),
        (CHINESE.encode("utf-32"), "utf-32"),
        (CHINESE.encode("utf-8"), "utf-8"),
    ],
)
def test_a_byte_order_mark_or_valid_utf8_decides(data: bytes, codec: str) -> None:
    detected = detect_bytes(data)
    assert detected.encoding == codec
    assert data.decode(detected.encoding).lstrip("\ufeff") == CHINESE


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_not_taken_for_utf8(codec: str) -> None:
    data = CHINESE.encode(codec)
    assert data.decode(detect_bytes(data).encoding) == CHINESE


@pytest.mark.parametrize(
    "text",
    [
        "name,phone\n张三,13800138000\n",  # the detector ranks cp949 first on this one
        "account_id,name\nacct,王\n",  # ... and big5 on this one
        "name\n客户\n",  # ... and utf_16_le on this one
        CHINESE + "acct-2,FORM,AD_DIRECT,LANDING_PAGE,李四,13900139000\n",
    ],
)
def test_short_gbk_files_are_read_as_gb18030(text: str) -> None:
    data = text.encode("gbk")
    assert data.decode(detect_bytes(data).encoding) == text
    assert detect_bytes(data).label == "GB18030"


def test_the_detectors_own_first_guess_would_have_garbled_a_gbk_file() -> None:
    # Why the Chinese preference exists: without it the name below is read as Korean.
    data = "name,phone\n张三,13800138000\n".encode("gbk")
    first = from_bytes(data).best()
    assert first is not None and first.encoding != "gb18030"
    assert "张三" not in str(first)


def test_a_character_outside_gbk_decodes_as_gb18030() -> None:
    text = CHINESE + "acct-2,FORM,AD_DIRECT,LANDING_PAGE,刘䶮,13900139000\n"  # U+4DAE: GB18030 four-byte form
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    data = text.encode("gb18030")
    assert data.decode(detect_bytes(data).encoding) == text


def test_a_utf8_prefix_cut_inside_a_character_is_still_utf8() -> None:
    data = CHINESE.encode()
    cut = data[: data.index("张".encode()) + 1]
    assert detect_bytes(cut, complete=False).encoding == "utf-8"


def test_bytes_that_match_no_encoding_say_how_to_name_one() -> None:
    with pytest.raises(EncodingUnknown, match="--encoding"):
        detect_bytes(bytes(range(256)) * 8)
