"""Which text encoding a CSV file of leads was saved in.

Advertisers' files come from Excel and CRMs: UTF-8 (with or without a BOM), UTF-16 (Excel's "Unicode text", with a
BOM), and GBK / GB18030, which Chinese-locale Excel writes by default ("CSV (逗号分隔)" on a Chinese Windows).

The order of the checks, most certain first:

1. a byte order mark names the encoding (Unicode FAQ "UTF-8, UTF-16, UTF-32 & BOM", https://unicode.org/faq/utf_bom);
2. bytes that are valid UTF-8 are UTF-8 (a GBK file with a Chinese character is almost never valid UTF-8);
3. otherwise charset-normalizer ranks candidate encodings. GBK and GB2312 are read as GB18030, their superset
   (GB 18030-2005 includes every GBK code point at the same bytes), so a rarer character encoded by a GB18030
   writer decodes too. When GB18030 is among the candidates and decodes the bytes, it wins even over a higher-ranked
   Korean or Japanese code page: on a short file of Chinese names the detector cannot tell them apart, and leadflow's
   files are Chinese. ``--encoding`` overrides the whole guess.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

# How much of the file the guess looks at; a decode error further on is reported with its line number.
SAMPLE_BYTES = 8 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
CHINESE_FAMILY = {"gb18030", "gbk", "gb2312", "cp936", "hz"}
_WIDE = ("utf_16", "utf_32")  # charset-normalizer's names: utf_16, utf_16_le, utf_32_be, ...


class EncodingUnknown(ValueError):
    """The bytes match no encoding well enough; the message says how to name one."""


@dataclass(frozen=True)
class Detected:
    """The encoding to open the file with (a Python codec name) and how it was chosen (for the user)."""

    encoding: str
    how: str

    @property
    def wide(self) -> bool:
        """UTF-16 or UTF-32: lines cannot be found by splitting bytes on b"\\n"."""
        return codecs.lookup(self.encoding).name.startswith(("utf-16", "utf-32"))

    @property
    def label(self) -> str:
        name = codecs.lookup(self.encoding).name
        return "UTF-8" if name == "utf-8-sig" else name.upper().replace("_", "-")


def detect_encoding(path: Path) -> Detected:
    """Guess the encoding of ``path`` from its first ``SAMPLE_BYTES`` bytes; raises EncodingUnknown or OSError."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
        complete = not handle.read(1)
    return detect_bytes(sample, complete=complete)


def detect_bytes(sample: bytes, *, complete: bool = True) -> Detected:
    """Guess the encoding of ``sample``; ``complete`` is False when the sample is a prefix of the file."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return Detected(encoding, "byte order mark")
    # NUL is valid UTF-8 but never in a text table: NULs mean UTF-16/32 without a BOM (or not text at all).
    if b"\x00" not in sample and _is_utf8(sample, complete):
        return Detected("utf-8", "valid UTF-8")
    usable = sample if complete else sample[: sample.rfind(b"\n") + 1] or sample
    matches = [m.encoding for m in from_bytes(usable)]
    if b"\x00" not in usable:
        # UTF-16/32 text of an ASCII header has NUL bytes; without any, such a guess is noise.
        matches = [m for m in matches if not m.startswith(_WIDE)]
    if not matches:
        raise EncodingUnknown(
            "cannot tell which encoding the file is in; save it as UTF-8 or name it with --encoding (e.g. gb18030)"
        )
    if any(m in CHINESE_FAMILY for m in matches) and _decodes(usable, "gb18030"):
        return Detected("gb18030", "detected")
    return Detected(matches[0], "detected")


def _is_utf8(sample: bytes, complete: bool) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=complete)  # a prefix may end inside a character
    except UnicodeDecodeError:
        return False
    return True


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        sample.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
