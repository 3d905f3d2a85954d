"""How people and spreadsheets write a mobile number: the forms leads arrive in, each one ingest must read.

Every form keeps the number intact, so the lead's phone is the same person's number whichever form carried it:

- ``plain`` 13800138000, ``e164`` +8613800138000, ``intl_spaced`` +86 138 0013 8000, ``prefix_0086`` 0086
  13800138000, ``dashed`` 138-0013-8000, ``spaced`` 138 0013 8000: typed or pasted by hand;
- ``formula`` ="13800138000": Excel's text-forcing formula, left in CSV exports of CRMs;
- ``float`` 13800138000.0: a number column read back as a float (pandas, WPS exports);
- ``bidi`` U+202D 13800138000 U+202C: copied from a phone's contact card, which wraps numbers in a left-to-right
  override and a pop-directional-formatting mark;
- ``fullwidth`` １３８００１３８０００: typed with a Chinese input method in full-width mode.
"""

from __future__ import annotations

import random

FORMS: tuple[tuple[str, float], ...] = (
    ("plain", 0.52),
    ("e164", 0.06),
    ("intl_spaced", 0.06),
    ("prefix_0086", 0.03),
    ("dashed", 0.06),
    ("spaced", 0.05),
    ("formula", 0.05),
    ("float", 0.05),
    ("bidi", 0.07),
    ("fullwidth", 0.05),
)
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def write(form: str, digits: str) -> str:
    """``digits`` (11 national digits) written in ``form``; ValueError for an unknown form."""
    if form == "plain":
        return digits
    if form == "e164":
        return "+86" + digits
    if form == "intl_spaced":
        return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
    if form == "prefix_0086":
        return "0086 " + digits
    if form == "dashed":
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if form == "spaced":
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if form == "formula":
        return f'="{digits}"'
    if form == "float":
        return digits + ".0"
    if form == "bidi":
        return "\u202d" + digits + "\u202c"
    if form == "fullwidth":
        return digits.translate(_FULLWIDTH)
    raise ValueError(f"unknown phone form {form!r}")


def draw_form(rng: random.Random) -> str:
    return rng.choices([f for f, _ in FORMS], [w for _, w in FORMS])[0]
