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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from services.ingest.domain.normalisation.errors import TextTooLong

_KEEP_FORMAT = frozenset("\u200c\u200d")  # ZWNJ, ZWJ
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_WHITESPACE_RUN = re.compile(r"\s+")
_SPACE_RUN = re.compile(r" {2,}")


def _strip_invisible(text: str, keep: frozenset[str]) -> str:
    out: list[str] = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) in _DROP_CATEGORIES and ch not in keep:
            continue
        else:
            out.append(ch)
    return "".join(out)


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
        text = _strip_invisible(text, _KEEP_FORMAT)
        text = _WHITESPACE_RUN.sub(" ", text).strip(" ")
    if len(text) > max_length:
        raise TextTooLong(max_length, len(text))
    return text


def fold_for_matching(text: str) -> str:
    """A form of ``text`` for substring matching only, never for storage.

    NFKC (full-width "ＶＩＰ" → "VIP", "①" → "1", ligatures split), then Unicode case folding ("VIP" → "vip",
    "ß" → "ss"), then NFKC again because case folding can leave a string that is not NFKC-normal. Control and
    format characters are removed, ZWJ/ZWNJ included, so that "V\\u200bIP" cannot slip past a keyword.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    if not folded.isprintable():
        folded = _strip_invisible(folded, frozenset())
    return folded


class KeywordMatcher:
    """A tenant's sensitive words, matched case- and width-insensitively as substrings.

    Build it once per blocklist version and reuse it for every submission. Keywords are trimmed; empty ones are
    ignored; keywords that fold to the same text keep the first spelling configured.
    """

    __slots__ = ("_any", "_keywords")

    def __init__(self, keywords: Iterable[str]) -> None:
        seen: set[str] = set()
        entries: list[tuple[str, str]] = []
        for keyword in keywords:
            configured = keyword.strip()
            folded = fold_for_matching(configured).strip()
            if not folded or folded in seen:
                continue
            seen.add(folded)
            entries.append((folded, configured))
        self._keywords: tuple[tuple[str, str], ...] = tuple(entries)
        # One alternation answers "does any keyword occur?" in a single pass (the regex engine filters positions
        # by the keywords' first characters); only texts that hit are scanned again in configuration order.
        self._any: re.Pattern[str] | None = (
            re.compile("|".join(re.escape(folded) for folded, _ in entries)) if entries else None
        )

    @property
    def keywords(self) -> tuple[str, ...]:
        """The effective keywords, as configured, in configuration order."""
        return tuple(configured for _, configured in self._keywords)

    def __len__(self) -> int:
        return len(self._keywords)

    def __repr__(self) -> str:
        return f"KeywordMatcher({len(self._keywords)} keywords)"

    def find(self, texts: Iterable[str]) -> str | None:
        """The first keyword, in configuration order, that occurs in any of ``texts``; ``None`` if none does."""
        if self._any is None:
            return None
        hits = [folded for folded in (fold_for_matching(t) for t in texts if t) if self._any.search(folded)]
        if not hits:
            return None
        for needle, configured in self._keywords:
            for haystack in hits:
                if needle in haystack:
                    return configured
        return None  # pragma: no cover - the alternation matched, so some keyword occurs
