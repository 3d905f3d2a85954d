"""Reading a phone cell: what people, CRMs and spreadsheets put into a phone field, turned into the pieces of text
that may each be a phone number, before the phone library sees any of them. Pure text work; ``phones`` validates.

Steps, in order (``read_phone_cell``):

1. ``cleaning.clean_contact_value`` (invisible characters, NFKC, white space); a placeholder ("无", "-", "none")
   means no phone. Dashes and minus signs become "-", other Unicode decimal digits ASCII digits.
2. Spreadsheet artefacts of the whole cell:
   * Excel's text-forcing formula ``="13800138000"`` (also without quotes, ``=13800138000``) and a leading
     apostrophe ``'13800138000`` (Excel's text prefix) are unwrapped;
   * a float column ``13800138000.0`` / ``8613800138000.00`` loses its zero decimals;
   * thousands separators of a number column ``13,800,138,000`` are dropped (three or more groups of three);
   * scientific notation ``1.38001E+10`` is refused with ``phone.scientific_notation``: a spreadsheet shows six
     significant digits, so the rest of the number is lost. Only a mantissa that still carries every digit
     (``1.3800138001E+10``) is read, as the integer it denotes.
3. A masked number (``138****8000``, ``138xxxx8000``: some platforms export leads masked) is refused with
   ``phone.masked``: it cannot be called.
4. Extension markers become "#": 转, 分机, 分机号, 转分机 anywhere; ``ext``, ``ext.``, ``extension``, ``x`` and
   ``#`` after a digit and before one; RFC 3966 ``;ext=``.
5. Annotations become list separators: labels ("tel:", "手机：", "电话"), runs of Chinese text ("13800138000（本人）",
   "13800138000 微信同号", "或", "和"), bracketed groups without digits. Chinese text glued between two digits is not
   an annotation: the cell is then not a number.
6. The cell is cut into pieces at list separators ``;`` ``|`` ``、`` ``\\`` ``&`` and " or " / " and ". A piece keeps
   "," "/" "#" and spaces: whether "0755/12345678" is one number and "13800138000 13900139000" two is for
   ``phones`` to decide, with the phone library's validity as the judge.

Each piece is the number's own characters (ASCII digits, "+", "-", ".", "(", ")", "/", ",", "#", space) or carries
the reason it is not a number (letters, symbols, Chinese text inside the digits). Reasons describe the input and
never repeat it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from services.ingest.domain.normalisation.cleaning import clean_contact_value, is_placeholder

_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\ufe58\ufe63", "-"))
_FORMULA = re.compile(r'=\s*"?\s*([^"]*?)\s*"?')
_FLOAT = re.compile(r"(\+?[0-9]{7,})\.0+")
_THOUSANDS = re.compile(r"\+?[0-9]{1,3}(?:,[0-9]{3}){2,}(?:\.0+)?")
_SCIENTIFIC = re.compile(r"\+?([0-9])(?:\.([0-9]+))?[eE]\+?([0-9]{1,2})")
_MASKED = re.compile(r"[0-9]{2,}\s*[*xX×•]{3,}\s*[0-9]{2,}")
_RFC3966_EXTENSION = re.compile(r";\s*ext\s*=\s*", re.IGNORECASE)
_CHINESE_EXTENSION = re.compile(r"\s*(?:转分机号?|分机号?|转)\s*:?\s*")
_LATIN_EXTENSION = re.compile(r"(?<=[0-9)\s])\s*(?:extension|ext\.?|x|#)\s*:?\s*(?=[0-9])", re.IGNORECASE)
_LATIN_LABEL = re.compile(r"\b(?:tel|phone|mobile|mob|cellphone|cell|whatsapp)\b\s*[:.]?", re.IGNORECASE)
_LATIN_WORD_SEPARATOR = re.compile(r"\s(?:or|and)\s", re.IGNORECASE)
# Chinese (and other CJK) text, CJK punctuation and full-width brackets that NFKC keeps.
_CJK_RUN = re.compile(
    r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+"
)
_CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f]+")  # 、。「」【】: separators even between digits
_EMPTY_BRACKETS = re.compile(r"\([^()0-9]*\)|\[[^\[\]0-9]*\]|\{[^{}0-9]*\}")
_LIST_SEPARATORS = re.compile(r"[;|\\&]+")
_EDGE_JUNK = " .,;:!?*'\"`<>~=_-\u201c\u201d\u2018\u2019"
_NUMBER_PIECE = re.compile(r"[0-9+\-.()/,# ]+")
_DIGIT = re.compile(r"[0-9]")
_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Problem:
    """Why (part of) a cell is not a phone number: a stable ``rule`` and an English ``message`` about the input."""

    rule: str
    message: str


@dataclass(frozen=True)
class Piece:
    """One stretch of a cell that may hold one or more numbers: ``text`` in the number alphabet (see the module
    docstring), or ``problem`` when it is not a number."""

    text: str
    problem: Problem | None = None


@dataclass(frozen=True)
class PhoneCell:
    """A read cell: ``empty`` (nothing, or a placeholder), else ``pieces`` in order, or a ``problem`` of the whole
    cell (scientific notation, masked number, no digits at all)."""

    empty: bool
    pieces: tuple[Piece, ...] = ()
    problem: Problem | None = None


NOT_A_NUMBER_TEXT = Problem("phone.not_a_number", "The phone field holds text but no digits.")


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _scientific(match: re.Match[str]) -> str | Problem:
    """The integer a spreadsheet's scientific notation denotes, or the problem when its digits were cut off."""
    lead, decimals, exponent = match.group(1), match.group(2) or "", int(match.group(3))
    if len(decimals) != exponent:
        return Problem(
            "phone.scientific_notation",
            "The phone number is in scientific notation (like 1.38E+10), as a spreadsheet shows a long number in a "
            "numeric column: its last digits are lost. Format the column as text and export it again.",
        )
    return lead + decimals


def _unwrap_spreadsheet(text: str) -> str | Problem:
    """The cell without the whole-cell artefacts of step 2 of the module docstring."""
    if text.startswith("="):
        formula = _FORMULA.fullmatch(text)
        if formula is not None:
            text = formula.group(1)
    text = text.lstrip("'").strip()
    if (scientific := _SCIENTIFIC.fullmatch(text)) is not None:
        return _scientific(scientific)
    if (floating := _FLOAT.fullmatch(text)) is not None:
        return floating.group(1)
    if _THOUSANDS.fullmatch(text):
        return text.split(".", 1)[0].replace(",", "")
    return text


def _describe_non_number(piece: str) -> Problem:
    if _LETTER.search(piece):
        return Problem(
            "phone.not_a_number",
            "The phone field contains letters; a phone number has only digits, spaces and the signs + - ( ).",
        )
    return Problem(
        "phone.not_a_number",
        "The phone field contains symbols that are not part of a phone number (only digits, spaces and the signs "
        "+ - ( ) are).",
    )


_CJK_INSIDE = Problem(
    "phone.not_a_number",
    "The phone field has Chinese text between its digits, so it is not one phone number.",
)


def _separate_annotations(text: str) -> str | Problem:
    """Labels, Chinese text and digit-free brackets replaced by ";" (step 5 of the module docstring)."""
    for run in _CJK_RUN.finditer(text):
        glued = text[run.start() - 1 : run.start()].isdigit() and text[run.end() : run.end() + 1].isdigit()
        if glued and not _CJK_PUNCTUATION.fullmatch(run.group()):
            return _CJK_INSIDE
    text = _CJK_RUN.sub(";", text)
    text = _LATIN_LABEL.sub(";", text)
    text = _LATIN_WORD_SEPARATOR.sub(";", text)
    while True:
        stripped = _EMPTY_BRACKETS.sub(";", text)
        if stripped == text:
            return text
        text = stripped


def read_phone_cell(raw: str) -> PhoneCell:
    """Read one phone cell into pieces (see the module docstring). Pure; never raises."""
    text = clean_contact_value(raw)
    if text.isdigit() and text.isascii() and len(text) > 1:
        return PhoneCell(empty=False, pieces=(Piece(text),))  # fast path: nearly every real input
    if not text or is_placeholder(text):
        return PhoneCell(empty=True)
    text = text.translate(_DASHES)
    if not text.isascii():
        text = _ascii_digits(text)
    unwrapped = _unwrap_spreadsheet(text)
    if isinstance(unwrapped, Problem):
        return PhoneCell(empty=False, problem=unwrapped)
    text = unwrapped
    if _MASKED.search(text):
        return PhoneCell(
            empty=False,
            problem=Problem(
                "phone.masked",
                "The phone number is masked (some digits replaced by '*' or 'x'), so it cannot be called.",
            ),
        )
    if not _DIGIT.search(text):
        return PhoneCell(empty=False, problem=NOT_A_NUMBER_TEXT)
    text = _RFC3966_EXTENSION.sub("#", text)
    text = _CHINESE_EXTENSION.sub("#", text)
    text = _LATIN_EXTENSION.sub("#", text)
    separated = _separate_annotations(text)
    if isinstance(separated, Problem):
        return PhoneCell(empty=False, problem=separated)

    pieces: list[Piece] = []
    for part in _LIST_SEPARATORS.split(separated):
        piece = part.strip(_EDGE_JUNK)
        if not piece:
            continue
        if _NUMBER_PIECE.fullmatch(piece) and _DIGIT.search(piece):
            pieces.append(Piece(piece))
        elif _DIGIT.search(piece) or _LETTER.search(piece):
            pieces.append(Piece(piece, _describe_non_number(piece)))
    if not pieces:
        return PhoneCell(empty=False, problem=NOT_A_NUMBER_TEXT)
    return PhoneCell(empty=False, pieces=tuple(pieces))
