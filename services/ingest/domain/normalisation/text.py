"""Free text: cleaning for storage, folding for keyword matching, and the tenant's sensitive-word matcher.

``clean_text`` decisions (name, attribute keys and values):

* Unicode NFC, so that the same visible text is stored with the same code points. Not NFKC: full-width letters
  and the like are what the person typed and are kept for display; matching folds them instead.
* Every run of whitespace (space, tab, newline, NBSP, U+3000 ideographic space, line/paragraph separators)
  becomes one ASCII space, and the ends are trimmed. Multi-line form answers therefore become one line.
* Control characters (Cc), lone surrogates (Cs) and format characters (Cf) are removed: zero-width spaces, BOM,
  soft hyphens, bidi embeddings/overrides/isolates (which can make stored text display differently from what
  it is) and tag characters (which can smuggle invisible text). Two Cf characters are kept because visible text
  needs them: U+200D ZERO WIDTH JOINER (emoji sequences such as family and profession emoji, Indic conjuncts)
  and U+200C ZERO WIDTH NON-JOINER (Persian and Indic spelling). Matching removes them too.
* Private-use and unassigned code points are kept (a newer Unicode than Python's may assign them).

Sensitive words are matched on a folded form of both the text and the keyword (``fold_for_matching``):

1. invisible characters removed (``cleaning.strip_invisible``, ZWJ/ZWNJ and variation selectors included);
2. NFKC, Unicode case folding, NFKC again (width: "ＶＩＰ" → "vip"; "ß" → "ss"; "①" → "1");
3. traditional Chinese → simplified with OpenCC's ``t2s`` conversion (https://github.com/BYVoid/OpenCC, the
   ``opencc`` package), so "貸款" matches a "贷款" rule and the other way round;
4. every white-space, punctuation (Unicode P*) and symbol (S*, emoji included) character removed, so that
   "加 微 信", "加.微.信", "加~微~信" and "加🌹微🌹信" all match a "加微信" rule.

A keyword that step 4 would empty ("$$$", "🔞") or shrink to a single character ("+v" → "v", which would match
every "v") is matched as it is after steps 1–3 instead (a *literal* keyword: "加+V" matches "+v", "+ v" does not).

``KeywordMatcher`` matches all keywords in one pass of an Aho–Corasick automaton (pyahocorasick,
https://pyahocorasick.readthedocs.io/), so ten thousand keywords cost what ten do; build it once per tenant
blocklist version (``ScreeningCache`` does).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import ahocorasick
import opencc

from services.ingest.domain.normalisation.cleaning import KEEP_JOINERS, drop_ignorables, strip_invisible
from services.ingest.domain.normalisation.errors import TextTooLong

_SPACE_RUN = re.compile(r" {2,}")
_SEPARATOR_CATEGORIES = ("P", "S", "Z")
_LAST_SCANNED = 0x1FFFF  # planes 0 and 1 hold every punctuation and symbol character (emoji included)


@cache
def _separators() -> dict[int, None]:
    """A ``str.translate`` table deleting white space, punctuation and symbols (built once, about 20 ms)."""
    table: dict[int, None] = {}
    for code in range(_LAST_SCANNED + 1):
        ch = chr(code)
        if ch.isspace() or unicodedata.category(ch)[0] in _SEPARATOR_CATEGORIES:
            table[code] = None
    return table


@cache
def _traditional_to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def clean_text(raw: str, *, max_length: int) -> str:
    """Trim, NFC, drop control/format characters (keeping ZWJ and ZWNJ), collapse whitespace runs to one space.

    Raises ``TextTooLong(max_length)`` when the cleaned text is longer than ``max_length`` code points; the
    exception does not carry the text.
    """
    text = unicodedata.normalize("NFC", raw)
    if text.isprintable():
        # Fast path, nearly every real input: no Cc/Cf/Cs and no whitespace other than U+0020.
        text = _SPACE_RUN.sub(" ", text).strip(" ")
    else:
        text = strip_invisible(text, keep=KEEP_JOINERS, ignorables=False)
        text = _SPACE_RUN.sub(" ", text).strip(" ")
    if len(text) > max_length:
        raise TextTooLong(max_length, len(text))
    return text


def _light_fold(text: str) -> str:
    """Steps 1-3 of the module docstring: invisible characters, width, case, traditional → simplified."""
    if text.isascii():  # NFKC is the identity on ASCII, and case folding is lower()
        return text.lower() if text.isprintable() else strip_invisible(text).lower()
    text = drop_ignorables(text)
    if not text.isprintable():
        text = strip_invisible(text)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    if folded.isascii():
        return folded
    return str(_traditional_to_simplified().convert(folded))


def _compact(folded: str) -> str:
    """Step 4: white space, punctuation and symbols removed (letters, digits and marks stay)."""
    return folded if folded.isalnum() else folded.translate(_separators())


def fold_for_matching(text: str) -> str:
    """The form of ``text`` that sensitive words are matched in (steps 1–4 of the module docstring); never for
    storage. "加 微 信" → "加微信", "ＶＩＰ" → "vip", "貸款" → "贷款", "V\\u200bIP" → "vip"."""
    return _compact(_light_fold(text))


class KeywordMatcher:
    """A tenant's sensitive words, matched on the folded form of text and keywords (see the module docstring).

    Build it once per blocklist version and reuse it for every submission. Keywords are trimmed; empty ones are
    ignored; keywords that fold to the same text keep the first spelling configured. ``find`` reports a keyword as
    configured.
    """

    __slots__ = ("_compact", "_keywords", "_literal")

    def __init__(self, keywords: Iterable[str]) -> None:
        seen: set[tuple[bool, str]] = set()
        configured_order: list[str] = []
        compact = ahocorasick.Automaton()
        literal = ahocorasick.Automaton()
        for keyword in keywords:
            configured = keyword.strip()
            light = _light_fold(configured).strip()
            folded = _compact(light)
            is_literal = not folded or (len(folded) == 1 and len(light) > 1)
            key = (is_literal, light if is_literal else folded)
            if not key[1] or key in seen:
                continue
            seen.add(key)
            (literal if is_literal else compact).add_word(key[1], (len(configured_order), configured))
            configured_order.append(configured)
        self._keywords: tuple[str, ...] = tuple(configured_order)
        self._compact = self._finish(compact)
        self._literal = self._finish(literal)

    @staticmethod
    def _finish(automaton: ahocorasick.Automaton) -> ahocorasick.Automaton | None:
        if len(automaton) == 0:
            return None
        automaton.make_automaton()
        return automaton

    @property
    def keywords(self) -> tuple[str, ...]:
        """The effective keywords, as configured, in configuration order."""
        return self._keywords

    def __len__(self) -> int:
        return len(self._keywords)

    def __repr__(self) -> str:
        return f"KeywordMatcher({len(self._keywords)} keywords)"

    def find(self, texts: Iterable[str]) -> str | None:
        """The first keyword, in configuration order, that occurs in any of ``texts``; ``None`` if none does.

        Cost: one pass over each folded text per automaton, whatever the number of keywords.
        """
        if self._compact is None and self._literal is None:
            return None
        best: int | None = None
        found = ""
        for text in texts:
            if not text:
                continue
            light = _light_fold(text)
            for automaton, haystack in (
                (self._compact, _compact(light)),
                (self._literal, light),
            ):
                if automaton is None or not haystack:
                    continue
                for _end, (index, configured) in automaton.iter(haystack):
                    if best is None or index < best:
                        best, found = index, configured
                        if index == 0:
                            return found
        return found if best is not None else None
