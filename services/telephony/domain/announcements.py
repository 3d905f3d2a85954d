"""Early-media announcement text → outcome, by the keyword rules of ``mappings/announcements.csv``.

Carriers play a recorded announcement before answer when a call cannot be completed ("您拨打的号码是空号，请查证后
再拨", "您拨打的电话已关机", "The number you dialed does not exist"). The text is normalised (NFKC, case-folded,
whitespace collapsed) and the rules are tried in file order: specific words come before general ones ("网络忙"
before "忙", "空号" before anything else), and the first rule whose keyword occurs decides.
"""

from __future__ import annotations

import re
import unicodedata

from services.telephony.domain.codebook import AnnouncementRule, Codebook

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def match(text: str, codebook: Codebook) -> AnnouncementRule | None:
    """The first rule whose keyword occurs in ``text``, or None when none does (or the text is empty)."""
    normalised = normalise(text)
    if not normalised:
        return None
    return next((rule for rule in codebook.announcement_rules if rule.keyword in normalised), None)
