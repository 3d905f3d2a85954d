"""The one cleaning step every contact field goes through before it is read: phone, WeChat ID, e-mail address, and
the text that blocklists and sensitive words are matched against.

``clean_contact_value``:

1. Invisible characters are removed: control characters (Cc) other than white space, format characters (Cf: the
   bidi marks and embeddings U+200E/U+200F/U+202A–U+202E a phone's contacts app wraps numbers in, zero-width space
   U+200B, word joiner U+2060, BOM U+FEFF, soft hyphen, tag characters ...), lone surrogates (Cs), and the rest of
   Unicode's *Default_Ignorable_Code_Point* set, which is invisible without being Cf (variation selectors, the
   combining grapheme joiner U+034F, Hangul fillers U+115F/U+1160/U+3164/U+FFA0, Mongolian free variation
   selectors); plus U+2800 BRAILLE PATTERN BLANK, which renders as a blank and is used to pad fields. Source of the
   set: Unicode 15.1 ``DerivedCoreProperties.txt``, property Default_Ignorable_Code_Point
   (https://www.unicode.org/Public/15.1.0/ucd/DerivedCoreProperties.txt), and UAX #44 §5.7.2.
2. NFKC (Unicode normalisation form KC): full-width digits, letters and signs typed with a Chinese IME become
   ASCII ("１３８", "＋８６", "ｚｈａｎｇ＠ｑｑ．ｃｏｍ", "微信："), ligatures and circled digits are unfolded. Right for
   identifiers, which have one spelling; wrong for names and free text kept for display (``text.clean_text`` keeps
   NFC there).
3. Every run of white space (space, tab, newline, NBSP, U+3000 ideographic space ...) becomes one ASCII space, and
   the ends are trimmed.

Invisible characters are removed *before* NFKC so that a removed character can never sit between a base letter
and a combining mark NFKC would then have composed.

``is_placeholder`` recognises what forms and spreadsheets put in a field that has no value ("无", "暂无", "none",
"n/a", "-", "null" ...): such a field counts as not given, not as a malformed value.
"""

from __future__ import annotations

import re
import unicodedata

# Default_Ignorable_Code_Point ranges that are not already Cc/Cf/Cs (Unicode 15.1 DerivedCoreProperties.txt),
# plus U+2800 BRAILLE PATTERN BLANK (visible as a blank, used to pad fields; not a default-ignorable).
_IGNORABLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x115F, 0x1160),  # HANGUL CHOSEONG/JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ/AA
    (0x180B, 0x180F),  # MONGOLIAN FREE VARIATION SELECTORS (180E is Cf)
    (0x2065, 0x2065),  # unassigned, in the invisible-operators block
    (0x2800, 0x2800),  # BRAILLE PATTERN BLANK (not a default-ignorable: a blank that pads fields)
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTORS 1-16
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # unassigned specials
    (0x1BCA0, 0x1BCA3),  # SHORTHAND FORMAT CONTROLS (Cf)
    (0x1D173, 0x1D17A),  # MUSICAL SYMBOL BEGIN/END BEAM ... (Cf)
    (0xE0000, 0xE0FFF),  # tags (Cf) and VARIATION SELECTORS 17-256
)
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_SPACE_RUN = re.compile(r" {2,}")
_WHITESPACE_RUN = re.compile(r"\s+")

KEEP_JOINERS = frozenset("\u200c\u200d")
"""ZWNJ and ZWJ: format characters visible text needs (emoji sequences, Persian and Indic spelling)."""

_PLACEHOLDERS = frozenset(
    {
        "无",
        "没有",
        "暂无",
        "空",
        "未填",
        "未知",
        "不详",
        "none",
        "null",
        "(null)",
        "nil",
        "undefined",
        "unknown",
        "n/a",
        "na",
        "-",
        "--",
        "---",
        "/",
        ".",
        "0",
    }
)


IGNORABLES = frozenset(code for low, high in _IGNORABLE_RANGES for code in range(low, high + 1))
"""The default-ignorable code points that are not Cc/Cf/Cs: ``str.isprintable`` calls them printable (variation
selectors, Hangul fillers ...), so they need looking for on their own."""
_IGNORABLE_RUN = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _IGNORABLE_RANGES) + "]+"
)


def drop_ignorables(text: str) -> str:
    """``text`` without the code points of ``IGNORABLES``."""
    return _IGNORABLE_RUN.sub("", text)


def strip_invisible(text: str, *, keep: frozenset[str] = frozenset(), ignorables: bool = True) -> str:
    """``text`` with every white-space character turned into a space and invisible characters removed.

    Removed: Cc (white space excepted), Cf and Cs, except the characters in ``keep``; with ``ignorables`` also the
    default-ignorable code points that are not in those categories (see the module docstring). Storage of free text
    passes ``ignorables=False`` (variation selectors choose how an emoji looks) and keeps ``KEEP_JOINERS``.
    """
    out: list[str] = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif ch in keep:
            out.append(ch)
        elif unicodedata.category(ch) in _DROPPED_CATEGORIES or (ignorables and ord(ch) in IGNORABLES):
            continue
        else:
            out.append(ch)
    return "".join(out)


def clean_contact_value(raw: str) -> str:
    """The cleaned form of a contact field (phone, WeChat ID, e-mail): invisible characters removed, NFKC, white
    space runs collapsed to one space, trimmed. Pure; never raises."""
    if raw.isascii() and raw.isprintable():
        # Fast path, nearly every real input: nothing invisible, nothing NFKC changes, no white space but U+0020.
        return _SPACE_RUN.sub(" ", raw).strip(" ")
    text = unicodedata.normalize("NFKC", strip_invisible(raw))
    return _WHITESPACE_RUN.sub(" ", text).strip(" ")


def is_placeholder(cleaned: str) -> bool:
    """Whether a cleaned field value is a stand-in for *no value* ("无", "暂无", "none", "n/a", "-", ...)."""
    return cleaned.casefold() in _PLACEHOLDERS
