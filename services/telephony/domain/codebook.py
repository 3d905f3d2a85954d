"""The mapping tables of provider and standard codes, read from ``mappings/*.csv``.

Files (every row cites its source in its ``source`` column; a code whose meaning is not documented is absent):

* ``aliyun.csv`` (Aliyun 号码隐私保护 SecretReport ``release_cause``, ``unconnected_cause``, ``call_type``),
  ``huawei.csv`` (Huawei 隐私保护通话 ``stateCode``), ``tencent_cloud.csv`` (Tencent Cloud 号码保护
  ``callEndStatus`` and ``callEndStatusDetail``), ``freeswitch.csv`` (FreeSWITCH ``hangup_cause`` names):
  ``field,code,outcome,refinable,meaning,source``;
* ``q850.csv`` (Q.850 causes, with the SIP statuses they become per RFC 3398 section 8.2.6.1) and ``sip.csv`` (SIP
  final responses without a cause, per RFC 3261 section 21 / RFC 3398 section 7.2.4.1), same columns;
* ``fields.csv``: which field of a provider wins when two of its fields disagree (``precedence`` 1 first);
* ``announcements.csv``: keyword rules, first matching row wins (see ``announcements``).

``outcome`` empty means the code gives no verdict on its own (normal clearing: it is reported for answered and
unanswered calls alike, so only the times can tell). ``refinable`` ``yes`` marks a coarse verdict ("特殊回铃音",
"subscriber absent") that a more specific verdict from a weaker tier may replace (see ``classify``).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from services.telephony.domain.evidence import Q850_FIELD, Q850_PROVIDER, SIP_FIELD, SIP_PROVIDER
from services.telephony.domain.outcomes import CallOutcome, outcome_named

MAPPINGS_DIR = Path(__file__).with_name("mappings")
PROVIDER_FILES = ("aliyun", "huawei", "tencent_cloud", "freeswitch")
STANDARD_FILES = {SIP_PROVIDER: "sip", Q850_PROVIDER: "q850"}


@dataclass(frozen=True, slots=True)
class CodeMeaning:
    """One row of a code table: what ``code`` of ``provider``'s ``field`` means and where that is documented."""

    provider: str
    field: str
    code: str
    outcome: CallOutcome | None
    refinable: bool
    meaning: str
    source: str


@dataclass(frozen=True, slots=True)
class AnnouncementRule:
    """A keyword rule: an announcement containing ``keyword`` (case-insensitive) means ``outcome``."""

    order: int
    keyword: str
    outcome: CallOutcome
    language: str
    source: str


@dataclass(frozen=True)
class Codebook:
    codes: Mapping[tuple[str, str, str], CodeMeaning]
    field_precedence: Mapping[tuple[str, str], int]
    announcement_rules: tuple[AnnouncementRule, ...]
    q850_to_sip: Mapping[int, tuple[int, ...]]

    def meaning(self, provider: str, field: str, code: str) -> CodeMeaning | None:
        """The row for this code, or None when the code is not in the tables (unknown codes give no verdict)."""
        return self.codes.get((provider, field, code.strip()))

    def precedence(self, provider: str, field: str) -> int:
        """Rank of a provider's field among its fields, 1 first; fields not ranked come last."""
        return self.field_precedence.get((provider, field), 1_000)


def _yes_no(value: str, where: str) -> bool:
    if value not in ("yes", "no"):
        raise ValueError(f"{where}: refinable must be yes or no, got {value!r}")
    return value == "yes"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        if not row.get("source", "").strip():
            raise ValueError(f"{path.name} line {number}: every row must cite its source")
    return rows


def _code_rows(provider: str, path: Path) -> list[CodeMeaning]:
    meanings = []
    for number, row in enumerate(_rows(path), start=2):
        where = f"{path.name} line {number}"
        meanings.append(
            CodeMeaning(
                provider=provider,
                field=row["field"],
                code=row["code"],
                outcome=outcome_named(row["outcome"]),
                refinable=_yes_no(row["refinable"], where),
                meaning=row["meaning"],
                source=row["source"],
            )
        )
    return meanings


def load_codebook(directory: Path = MAPPINGS_DIR) -> Codebook:
    """Read every table in ``directory``. Raises ValueError for a malformed row or a duplicated code."""
    codes: dict[tuple[str, str, str], CodeMeaning] = {}
    tables = [(name, name) for name in PROVIDER_FILES] + list(STANDARD_FILES.items())
    for provider, stem in tables:
        for meaning in _code_rows(provider, directory / f"{stem}.csv"):
            key = (meaning.provider, meaning.field, meaning.code)
            if key in codes:
                raise ValueError(f"{stem}.csv: {meaning.field} {meaning.code} appears twice")
            codes[key] = meaning
    precedence = {(r["provider"], r["field"]): int(r["precedence"]) for r in _rows(directory / "fields.csv")}
    rules = tuple(
        AnnouncementRule(order, r["keyword"].casefold(), outcome, r["language"], r["source"])
        for order, r in enumerate(_rows(directory / "announcements.csv"))
        if (outcome := outcome_named(r["outcome"])) is not None
    )
    q850_to_sip = {
        int(r["code"]): tuple(int(s) for s in r["sip_status"].split())
        for r in _rows(directory / "q850.csv")
        if r["field"] == Q850_FIELD
    }
    unknown_fields = {(p, f) for p, f, _ in codes if p not in STANDARD_FILES} - set(precedence)
    if unknown_fields:
        raise ValueError(f"fields.csv does not rank {sorted(unknown_fields)}")
    if any(f != SIP_FIELD for p, f, _ in codes if p == SIP_PROVIDER):
        raise ValueError("sip.csv rows must use field sip_status")
    return Codebook(codes, precedence, rules, q850_to_sip)


@cache
def default_codebook() -> Codebook:
    """The tables shipped with the package, read once per process."""
    return load_codebook()
