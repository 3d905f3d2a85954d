"""CPU time per lead of ingest's contact screening (domain only, one thread, ``time.process_time``), and sensitive
words at 10 vs 10,000 keywords.

`.venv/bin/python -m bench.screening [--leads 20000]`

Rows: ``screen_contact`` for a plain lead (phone, WeChat, name, two attributes) with 10 and with 10,000 tenant
keywords; a lead with spreadsheet and cell artefacts (extension, second number, invisible characters); and the
one-off cost of building a 10,000-keyword matcher (done once per tenant blocklist version by ``ScreeningCache``).
"""

from __future__ import annotations

import argparse
import random
import time

from services.ingest.domain.normalisation import KeywordMatcher, RawContact, ScreeningRules, screen_contact

_ALPHABET = (
    "的一是不了在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后"
)


def _keywords(count: int) -> list[str]:
    rng = random.Random(12)
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(3, 6))) for _ in range(count)]


def _per_lead_us(raw: RawContact, rules: ScreeningRules, leads: int) -> float:
    screen_contact(raw, rules)  # warm caches (separator table, OpenCC, prefix table)
    start = time.process_time()
    for _ in range(leads):
        screen_contact(raw, rules)
    return (time.process_time() - start) / leads * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=20_000)
    args = parser.parse_args(argv)

    plain = RawContact(
        name="张三",
        phone="13800138000",
        wechat="zhangsan88",
        attributes={"城市": "深圳", "备注": "想了解一下贷款利率，方便的话请电话联系我，谢谢"},
    )
    messy = RawContact(
        name="张三",
        phone="\u202d13512345678-9100 / 139 0013 9000\u202c",
        wechat="微信：ZhangSan_88\u200b",
        email="Zhang.San+ad@gmail.com",
        attributes={"城市": "深圳", "备注": "請 加 微 信 詳 談"},
    )
    start = time.process_time()
    big = KeywordMatcher(_keywords(10_000))
    build_ms = (time.process_time() - start) * 1e3
    small = KeywordMatcher(_keywords(10))

    rows = [
        ("plain lead, 10 keywords", plain, ScreeningRules(sensitive_words=small)),
        ("plain lead, 10,000 keywords", plain, ScreeningRules(sensitive_words=big)),
        ("messy lead, 10 keywords", messy, ScreeningRules(sensitive_words=small)),
        ("messy lead, 10,000 keywords", messy, ScreeningRules(sensitive_words=big)),
    ]
    print(f"{'case':<32}{'µs per lead':>14}")
    for label, raw, rules in rows:
        print(f"{label:<32}{_per_lead_us(raw, rules, args.leads):>14.1f}")
    print(f"building a 10,000-keyword matcher: {build_ms:.0f} ms (once per tenant blocklist version)")


if __name__ == "__main__":
    main()
