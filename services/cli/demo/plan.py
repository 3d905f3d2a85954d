"""The demo day's submissions, drawn from the seed alone: the same seed gives the same submissions, byte for byte.

Leads arrive from 08:00 to midnight (Asia/Shanghai) with the two daily peaks of Chinese lead traffic (late morning
and the evening after work). Each submission has a story, what the demo means it to show:

========================= ======================================================================================
story                     what is submitted (and what ingest and dedup should make of it)
========================= ======================================================================================
NEW                       a first-time person through one account: NEW
DUPLICATE_SAME_ACCOUNT    the same person again through the same account, charged again: DUPLICATE (the second
                          charge is refunded as DUPLICATE_CHARGE)
DUPLICATE_OTHER_ACCOUNT   the same person through another account of the group: DUPLICATE
OTHER_ADVERTISER          a person of the education group also asks the car dealer: NEW in the dealer's key space
RETURNING                 a person first seen 35-60 days ago (seeded before the day), back after the 30-day window:
                          RETURNING
WECHAT_PHONE              a WeChat lead with no phone whose WeChat ID is a mobile number: NEW, phone from WeChat
SEVERAL_NUMBERS           two numbers in one phone cell: NEW, the second kept as an alternate phone
BAD_NUMBER                a number that cannot be one (too short or long, unallocated prefix, a letter): REJECTED
LANDLINE                  a landline or 400 number, which this mobile-only advertiser refuses: REJECTED
BLOCKED_PHONE             a number on the tenant's blocklist: REJECTED
SENSITIVE_WORD            a blocked keyword in the message: REJECTED
NO_CONTACT                neither phone nor WeChat: REJECTED
LATE_REPEAT               in the evening, a number first submitted before 14:00: REJECTED as a dead number when a
                          call proved it empty or suspended meanwhile, otherwise DUPLICATE
========================= ======================================================================================

Numbers are written in the forms people and spreadsheets use (``phoneformats``). The history (the RETURNING
persons' first submissions) is part of the plan, with negative offsets and no charge.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from services.cli.demo import cast
from services.cli.demo.people import MobileNumber, draw_mobile, draw_name, draw_province, pick
from services.cli.demo.phoneformats import draw_form, write

DAY_FIRST_HOUR = 8
# Leads per hour of the day from 08:00 to 23:00 (relative): a late-morning peak and a larger evening one.
HOURLY_WEIGHTS: tuple[int, ...] = (2, 5, 8, 8, 6, 6, 7, 7, 6, 5, 5, 7, 9, 9, 6, 3)
HOUR = 3600
DAY = 24 * HOUR


class Story(StrEnum):
    NEW = "NEW"
    DUPLICATE_SAME_ACCOUNT = "DUPLICATE_SAME_ACCOUNT"
    DUPLICATE_OTHER_ACCOUNT = "DUPLICATE_OTHER_ACCOUNT"
    OTHER_ADVERTISER = "OTHER_ADVERTISER"
    RETURNING = "RETURNING"
    WECHAT_PHONE = "WECHAT_PHONE"
    SEVERAL_NUMBERS = "SEVERAL_NUMBERS"
    BAD_NUMBER = "BAD_NUMBER"
    LANDLINE = "LANDLINE"
    BLOCKED_PHONE = "BLOCKED_PHONE"
    SENSITIVE_WORD = "SENSITIVE_WORD"
    NO_CONTACT = "NO_CONTACT"
    LATE_REPEAT = "LATE_REPEAT"
    HISTORY = "HISTORY"


# Shares of the day's submissions; NEW takes what is left.
STORY_SHARES: tuple[tuple[Story, float], ...] = (
    (Story.DUPLICATE_SAME_ACCOUNT, 0.05),
    (Story.DUPLICATE_OTHER_ACCOUNT, 0.06),
    (Story.OTHER_ADVERTISER, 0.02),
    (Story.RETURNING, 0.04),
    (Story.WECHAT_PHONE, 0.05),
    (Story.SEVERAL_NUMBERS, 0.03),
    (Story.BAD_NUMBER, 0.04),
    (Story.LANDLINE, 0.02),
    (Story.BLOCKED_PHONE, 0.01),
    (Story.SENSITIVE_WORD, 0.02),
    (Story.NO_CONTACT, 0.01),
    (Story.LATE_REPEAT, 0.03),
)
HISTORY_SHARE = 0.05
MIN_LEADS_FOR_EVERY_STORY = 25
LATE_REPEAT_FROM = 11 * 3600  # 19:00

# Channel: (share, business sources, cost range in yuan for the education group; None: a fixed price).
CHANNELS: tuple[tuple[str, float], ...] = (
    ("FORM", 0.50),
    ("WECHAT", 0.12),
    ("PRIVATE_MESSAGE", 0.10),
    ("INBOUND_CALL", 0.12),
    ("THIRD_PARTY", 0.16),
)
BUSINESS_SOURCES: dict[str, tuple[str, ...]] = {
    "FORM": ("LANDING_PAGE", "LEAD_FORM", "INSTANT_FORM"),
    "WECHAT": ("OFFICIAL_ACCOUNT", "CUSTOMER_SERVICE_CHAT"),
    "PRIVATE_MESSAGE": ("PRIVATE_MESSAGE",),
    "INBOUND_CALL": ("LANDING_PAGE",),
    "THIRD_PARTY": ("OTHER",),
}
COST_YUAN: dict[str, tuple[int, int]] = {
    "FORM": (80, 160),
    "WECHAT": (40, 90),
    "PRIVATE_MESSAGE": (30, 70),
    "INBOUND_CALL": (120, 220),
    "THIRD_PARTY": (50, 50),
}
DEALER_COST_YUAN = (150, 300)
TRAFFIC: tuple[tuple[str, float], ...] = (("AD_DIRECT", 0.80), ("AD_INDIRECT", 0.12), ("ORGANIC", 0.08))
PLATFORM_PREFIX = {"edu-douyin": "oe", "edu-kuaishou": "ks", "edu-tencent": "gdt", cast.DEALER: "dlr"}
COURSES = ("雅思", "考研", "少儿英语", "CPA", "Python编程", "教师资格证")
CAR_MODELS = ("SUV 2.0T", "新能源轿车", "MPV 七座", "紧凑型轿车")
UNALLOCATED = ("154", "160", "161", "163", "164", "168", "169", "179", "194")
LANDLINES = ("010-6{}", "0755-8{}", "021-5{}", "020-3{}", "400-{}")


@dataclass(frozen=True)
class Submission:
    """One planned SubmitLead: when (seconds from the day's 08:00; negative for the history), why (story, phone
    form), and the request's fields (enum fields by their short names, cost in fen, 0 for free)."""

    index: int
    offset_seconds: int
    story: str
    person: int  # the person's index, -1 when the submission has no person behind it
    phone_form: str
    request_id: str
    external_id: str
    account_id: str
    channel: str
    traffic_source: str
    business_source: str
    name: str
    phone: str
    wechat: str
    ip: str
    campaign_id: str
    adgroup_id: str
    creative_id: str
    cost_fen: int
    attributes: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def charged(self) -> bool:
        return self.cost_fen > 0


@dataclass(frozen=True)
class Person:
    index: int
    mobile: MobileNumber
    name: str
    wechat_id: str
    account_id: str
    channel: str
    first_offset: int


@dataclass(frozen=True)
class DayPlan:
    seed: int
    history: tuple[Submission, ...]
    day: tuple[Submission, ...]

    @property
    def submissions(self) -> tuple[Submission, ...]:
        return self.history + self.day

    def digest(self) -> str:
        """SHA-256 of the plan's canonical JSON: equal for equal plans (the determinism check)."""
        blob = json.dumps([asdict(s) for s in self.submissions], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def expected(self, story: Story) -> int:
        return sum(1 for s in self.day if s.story == story)


def draw_wechat_id(rng: random.Random) -> str:
    """A WeChat ID as WeChat allows them (微信号: 6-20 characters, a letter first, then letters, digits, _ and -):
    a pinyin-like name with digits, or the wxid_ form of accounts that never chose one."""
    if rng.random() < 0.3:
        return "wxid_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
    name = rng.choice(
        ("zhang", "li", "wang", "chen", "liu", "yang", "huang", "zhao", "xiaomei", "ahua", "lele")
    )
    return f"{name}{rng.choice(('', '_', '-'))}{rng.randint(1970, 2005) if rng.random() < 0.5 else rng.randint(1000, 9999)}"


class _Planner:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"{seed}:plan")
        self.people: list[Person] = []
        self.submissions: list[Submission] = []
        self.returned: set[int] = set()
        self.blocked_phones = cast.draw_cast(seed).blocked_phones

    # ------------------------------------------------------------------ people

    def new_person(self, offset: int, account: str, channel: str, *, register: bool = True) -> Person:
        """A new person; ``register`` False keeps them out of later stories (their submission is rejected)."""
        rng = self.rng
        mobile = draw_mobile(rng, draw_province(rng))
        wechat = draw_wechat_id(rng)
        person = Person(len(self.people), mobile, draw_name(rng), wechat, account, channel, offset)
        if register:
            self.people.append(person)
        return person

    def earlier(self, offset: int, *, within: int | None = None, before: int | None = None) -> Person | None:
        """A person of the day first seen before ``offset`` (within ``within`` seconds of it, or before the
        offset ``before``)."""
        candidates = [
            p
            for p in self.people
            if 0 <= p.first_offset < offset
            and (within is None or offset - p.first_offset <= within)
            and (before is None or p.first_offset < before)
        ]
        return self.rng.choice(candidates) if candidates else None

    # ------------------------------------------------------------------ one submission

    def add(
        self,
        offset: int,
        story: Story,
        *,
        account: str,
        channel: str,
        person: Person | None,
        phone: str = "",
        wechat: str = "",
        form: str = "",
        name: str | None = None,
        message: str = "",
        free: bool = False,
        paid: bool = False,
    ) -> None:
        rng = self.rng
        index = len(self.submissions)
        traffic = "ORGANIC" if free else pick(rng, TRAFFIC[:2] if paid else TRAFFIC)
        low, high = DEALER_COST_YUAN if account == cast.DEALER else COST_YUAN[channel]
        cost = 0 if traffic == "ORGANIC" else rng.randint(low, high) * 100 + rng.choice((0, 0, 0, 50))
        if account == cast.DEALER:
            attributes = [
                ("意向车型", rng.choice(CAR_MODELS)),
                ("购车时间", rng.choice(("一个月内", "三个月内", "半年内"))),
            ]
        else:
            attributes = [("意向课程", rng.choice(COURSES))]
        if message:
            attributes.append(("留言", message))
        campaign = rng.randint(1, 3)
        self.submissions.append(
            Submission(
                index=index,
                offset_seconds=offset,
                story=str(story),
                person=person.index if person else -1,
                phone_form=form,
                request_id=f"demo-{self.seed}-{index:06d}",
                external_id=f"{PLATFORM_PREFIX[account]}-{self.seed}-{index:06d}",
                account_id=account,
                channel=channel,
                traffic_source=traffic,
                business_source=rng.choice(BUSINESS_SOURCES[channel]),
                name=name if name is not None else (person.name if person else draw_name(rng)),
                phone=phone,
                wechat=wechat,
                ip=self._ip() if channel == "FORM" else "",
                campaign_id=f"cmp-{PLATFORM_PREFIX[account]}-{campaign}",
                adgroup_id=f"ag-{PLATFORM_PREFIX[account]}-{campaign}{rng.randint(1, 4)}",
                creative_id=f"cr-{PLATFORM_PREFIX[account]}-{rng.randint(1, 12)}",
                cost_fen=cost,
                attributes=tuple(attributes),
            )
        )

    def _ip(self) -> str:
        rng = self.rng
        first = rng.choice((36, 39, 58, 60, 101, 112, 113, 117, 120, 180, 183, 223))
        return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"

    def written(self, person: Person) -> tuple[str, str]:
        form = draw_form(self.rng)
        return write(form, person.mobile.digits), form

    # ------------------------------------------------------------------ stories

    def fresh(self, offset: int, story: Story = Story.NEW) -> None:
        rng = self.rng
        account = pick(rng, cast.ACCOUNT_SHARES)
        channel = pick(rng, CHANNELS)
        person = self.new_person(offset, account, channel)
        phone, form = self.written(person)
        wechat = person.wechat_id if channel == "WECHAT" else ""
        self.add(
            offset,
            story,
            account=account,
            channel=channel,
            person=person,
            phone=phone,
            wechat=wechat,
            form=form,
        )

    def story(self, offset: int, story: Story) -> None:
        rng = self.rng
        if story is Story.DUPLICATE_SAME_ACCOUNT:
            person = self.earlier(offset, within=6 * HOUR)
            if person is None:
                return self.fresh(offset)
            phone, form = self.written(person)
            return self.add(
                offset,
                story,
                account=person.account_id,
                channel=person.channel,
                person=person,
                phone=phone,
                form=form,
                paid=True,
            )
        if story is Story.DUPLICATE_OTHER_ACCOUNT:
            person = self.earlier(offset)
            if person is None or person.account_id not in cast.GROUP_ACCOUNTS:
                return self.fresh(offset)
            account = rng.choice([a for a in cast.GROUP_ACCOUNTS if a != person.account_id])
            phone, form = self.written(person)
            return self.add(
                offset,
                story,
                account=account,
                channel=pick(rng, CHANNELS[:2]),
                person=person,
                phone=phone,
                form=form,
            )
        if story is Story.OTHER_ADVERTISER:
            person = self.earlier(offset)
            if person is None or person.account_id == cast.DEALER:
                return self.fresh(offset)
            phone, form = self.written(person)
            return self.add(
                offset, story, account=cast.DEALER, channel="FORM", person=person, phone=phone, form=form
            )
        if story is Story.RETURNING:
            waiting = [p for p in self.people if p.first_offset < 0 and p.index not in self.returned]
            if not waiting:
                return self.fresh(offset)
            person = rng.choice(waiting)
            self.returned.add(person.index)
            phone, form = self.written(person)
            account = rng.choice(cast.GROUP_ACCOUNTS)
            return self.add(
                offset,
                story,
                account=account,
                channel=pick(rng, CHANNELS),
                person=person,
                phone=phone,
                form=form,
            )
        if story is Story.WECHAT_PHONE:
            account = rng.choice(cast.GROUP_ACCOUNTS)
            person = self.new_person(offset, account, "WECHAT")
            return self.add(
                offset, story, account=account, channel="WECHAT", person=person, wechat=person.mobile.digits
            )
        if story is Story.SEVERAL_NUMBERS:
            account = pick(rng, cast.ACCOUNT_SHARES)
            person = self.new_person(offset, account, "FORM")
            second = draw_mobile(rng, person.mobile.province).digits
            separator = rng.choice((" / ", "，", ";", " "))
            return self.add(
                offset,
                story,
                account=account,
                channel="FORM",
                person=person,
                phone=person.mobile.digits + separator + second,
                form="several",
            )
        if story is Story.BAD_NUMBER:
            digits = draw_mobile(rng).digits
            kind = rng.choice(("too_short", "too_long", "unallocated", "letter"))
            text = {
                "too_short": digits[:-1],
                "too_long": digits + str(rng.randint(0, 9)),
                "unallocated": rng.choice(UNALLOCATED) + digits[3:],
                "letter": digits[:5] + "o" + digits[6:],
            }[kind]
            return self.add(
                offset,
                story,
                account=pick(rng, cast.ACCOUNT_SHARES),
                channel="FORM",
                person=None,
                phone=text,
                form=kind,
            )
        if story is Story.LANDLINE:
            pattern = rng.choice(LANDLINES)
            text = pattern.format(
                f"{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
                if pattern.startswith("400")
                else str(rng.randint(1000000, 9999999))
            )
            return self.add(
                offset,
                story,
                account=pick(rng, cast.ACCOUNT_SHARES),
                channel="INBOUND_CALL",
                person=None,
                phone=text,
                form="landline",
            )
        if story is Story.BLOCKED_PHONE:
            digits = rng.choice(self.blocked_phones)
            return self.add(
                offset,
                story,
                account=pick(rng, cast.ACCOUNT_SHARES),
                channel="FORM",
                person=None,
                phone=digits,
                form="plain",
            )
        if story is Story.SENSITIVE_WORD:
            account = pick(rng, cast.ACCOUNT_SHARES)
            person = self.new_person(offset, account, "FORM", register=False)
            message = f"长期{rng.choice(cast.BLOCKED_KEYWORDS)}，加微信详聊"
            return self.add(
                offset,
                story,
                account=account,
                channel="FORM",
                person=None,
                name=person.name,
                phone=person.mobile.digits,
                form="plain",
                message=message,
            )
        if story is Story.NO_CONTACT:
            return self.add(
                offset, story, account=pick(rng, cast.ACCOUNT_SHARES), channel="PRIVATE_MESSAGE", person=None
            )
        if story is Story.LATE_REPEAT:
            person = (
                self.earlier(offset, before=(14 - DAY_FIRST_HOUR) * HOUR)
                if offset >= LATE_REPEAT_FROM
                else None
            )
            if person is None:
                return self.fresh(offset)
            phone, form = self.written(person)
            return self.add(
                offset,
                story,
                account=person.account_id,
                channel=person.channel,
                person=person,
                phone=phone,
                form=form,
            )
        return self.fresh(offset, story)

    def history(self, count: int) -> None:
        for _ in range(count):
            offset = -int(self.rng.uniform(35, 60) * DAY)
            account = self.rng.choice(cast.GROUP_ACCOUNTS)
            person = self.new_person(offset, account, "FORM")
            phone, form = self.written(person)
            self.add(
                offset,
                Story.HISTORY,
                account=account,
                channel="FORM",
                person=person,
                phone=phone,
                form=form,
                free=True,
            )

    def day_offsets(self, count: int) -> list[int]:
        hours = list(range(len(HOURLY_WEIGHTS)))
        picked = self.rng.choices(hours, HOURLY_WEIGHTS, k=count)
        return sorted(hour * HOUR + self.rng.randrange(HOUR) for hour in picked)


def story_quota(leads: int) -> dict[Story, int]:
    """How many submissions of each story a day of ``leads`` has: each story's share, rounded, and at least one of
    each from ``MIN_LEADS_FOR_EVERY_STORY`` leads on, so that a small demo still shows every case; NEW the rest."""
    quota = {story: round(leads * share) for story, share in STORY_SHARES}
    if leads >= MIN_LEADS_FOR_EVERY_STORY:
        quota = {story: max(1, count) for story, count in quota.items()}
    quota[Story.NEW] = max(0, leads - sum(quota.values()))
    return quota


def plan_day(seed: int, leads: int) -> DayPlan:
    """The plan of a day of ``leads`` submissions (plus the history of the returning persons) for ``seed``.

    Stories are dealt by quota (``story_quota``) over the day's arrival times: LATE_REPEATs to evening arrivals,
    the others shuffled over the rest. A story that needs an earlier person and finds none becomes NEW."""
    if leads < 1:
        raise ValueError("a day needs at least one lead")
    planner = _Planner(seed)
    quota = story_quota(leads)
    planner.history(max(1, round(leads * HISTORY_SHARE), quota[Story.RETURNING]) if leads >= 10 else 0)
    history = tuple(planner.submissions)
    offsets = planner.day_offsets(leads)
    stories = [
        story for story, count in quota.items() if story is not Story.LATE_REPEAT for _ in range(count)
    ]
    planner.rng.shuffle(stories)
    evening = [i for i, offset in enumerate(offsets) if offset >= LATE_REPEAT_FROM]
    late = set(planner.rng.sample(evening, min(len(evening), quota[Story.LATE_REPEAT])))
    dealt = iter(stories + [Story.NEW] * len(late))
    for i, offset in enumerate(offsets):
        planner.story(offset, Story.LATE_REPEAT if i in late else next(dealt))
    return DayPlan(seed, history, tuple(planner.submissions[len(history) :]))
