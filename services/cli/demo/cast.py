"""Who is in the demo: the advertiser accounts, teams, agents, rules and masked numbers of the demo tenant.

An education advertiser buys leads on three platforms (an Ocean Engine account, the parent of a dedup group, and a
Kuaishou and a Tencent Ads account bound to it), and a car dealer is a second advertiser of the same agency tenant
with its own account and key space. Five teams share the work: two regional teams, an online team for WeChat and
private messages, a general team, and the dealer's salesman. Agents work day or late shifts; leads that arrive
when nobody works wait in the public pool (公海) for the morning.

Agent phones and masked numbers are drawn from the seed (``people.draw_mobile``), so a seed gives the same cast.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from services.cli.demo.people import draw_mobile

GROUP_PARENT = "edu-douyin"
GROUP_CHILDREN = ("edu-kuaishou", "edu-tencent")
GROUP_ACCOUNTS = (GROUP_PARENT, *GROUP_CHILDREN)
DEALER = "auto-dealer"
ACCOUNTS = (*GROUP_ACCOUNTS, DEALER)
ACCOUNT_SHARES: tuple[tuple[str, float], ...] = (
    (GROUP_PARENT, 0.42),
    ("edu-kuaishou", 0.25),
    ("edu-tencent", 0.20),
    (DEALER, 0.13),
)
TIME_ZONE = "Asia/Shanghai"
CALLABLE_HOURS = ((9, 0), (21, 0))  # the advertiser's calling window, stricter than telephony's 08:00-21:00
DEDUP_WINDOW_DAYS = 30  # the group's window on phone and WeChat: a person back after it is RETURNING
DEALER_WINDOW_DAYS = 7

SOUTH = ("广东省", "广西壮族自治区", "福建省", "海南省")
NORTH = ("北京市", "天津市", "河北省", "山东省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省")

BLOCKED_KEYWORDS = ("刷单", "代开发票", "套现", "贷款中介")


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str


@dataclass(frozen=True)
class AgentSpec:
    """An agent: ``shift`` is (start hour, end hour) every day in Asia/Shanghai; ``regions`` empty means all."""

    key: str
    name: str
    team: str
    shift: tuple[int, int]
    regions: tuple[str, ...] = ()
    weight: int = 1
    daily_capacity: int = 0
    max_held_leads: int = 0
    admin: bool = False

    @property
    def user_id(self) -> str:
        return f"agent-{self.key}"


@dataclass(frozen=True)
class RuleSpec:
    """One assignment rule: criteria by channel names or provinces, a method, a team or an agent key."""

    rule_id: str
    name: str
    method: str  # ROUND_ROBIN, WEIGHTED, LEAST_LOADED, DESIGNATED, POOL
    team: str = ""
    agent: str = ""
    channels: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()


TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec("south", "华南组"),
    TeamSpec("north", "华北组"),
    TeamSpec("online", "线上客服组"),
    TeamSpec("general", "综合组"),
    TeamSpec("auto", "汽车销售组"),
)

AGENTS: tuple[AgentSpec, ...] = (
    AgentSpec("chenxm", "陈晓敏", "south", (9, 18), SOUTH, admin=True),
    AgentSpec("huangzq", "黄志强", "south", (10, 19), SOUTH),
    AgentSpec("linjy", "林佳怡", "south", (12, 21), SOUTH),
    AgentSpec("zhaol", "赵磊", "north", (9, 18), NORTH, weight=3, admin=True),
    AgentSpec("sunt", "孙婷", "north", (12, 21), NORTH, weight=1),
    AgentSpec("zhouyx", "周雨萱", "online", (9, 18), admin=True),
    AgentSpec("wuh", "吴浩", "online", (13, 22)),
    AgentSpec("zhengk", "郑凯", "general", (9, 18), admin=True),
    AgentSpec("wangf", "王芳", "general", (10, 19), daily_capacity=40),
    AgentSpec("liuy", "刘洋", "general", (12, 21)),
    AgentSpec("majh", "马建华", "auto", (9, 18), max_held_leads=60, admin=True),
)

GROUP_RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        "im-to-online",
        "私信和微信线索给线上客服",
        "ROUND_ROBIN",
        team="online",
        channels=("WECHAT", "PRIVATE_MESSAGE"),
    ),
    RuleSpec("third-party-to-pool", "第三方线索进公海", "POOL", channels=("THIRD_PARTY",)),
    RuleSpec("south-china", "华南线索", "LEAST_LOADED", team="south", provinces=SOUTH),
    RuleSpec("north-china", "华北线索", "WEIGHTED", team="north", provinces=NORTH),
    RuleSpec("everyone-else", "其余线索轮流分配", "ROUND_ROBIN", team="general"),
)
DEALER_RULES: tuple[RuleSpec, ...] = (
    RuleSpec("dealer-sales", "汽车线索给销售顾问", "DESIGNATED", agent="majh"),
    RuleSpec("dealer-backup", "销售顾问不在时综合组接", "ROUND_ROBIN", team="general"),
)

# Masked numbers (X) of the pool: where the advertiser rents them, so most leads are called from a local number.
MASKED_NUMBER_PLACES: tuple[tuple[str, str], ...] = (
    ("广东省", "深圳市"),
    ("广东省", "深圳市"),
    ("广东省", "广州市"),
    ("北京市", "北京市"),
    ("北京市", "北京市"),
    ("上海市", "上海市"),
    ("浙江省", "杭州市"),
    ("江苏省", "南京市"),
    ("四川省", "成都市"),
    ("山东省", "济南市"),
    ("河南省", "郑州市"),
    ("湖北省", "武汉市"),
)


@dataclass(frozen=True)
class Cast:
    """The drawn phones: each agent's own (A side), the masked numbers (X), and the blocklisted phones."""

    agent_phones: dict[str, str]
    masked_numbers: tuple[str, ...]
    blocked_phones: tuple[str, ...]


def draw_cast(seed: int) -> Cast:
    rng = random.Random(f"{seed}:cast")
    agent_phones = {agent.key: draw_mobile(rng).e164 for agent in AGENTS}
    masked = tuple(draw_mobile(rng, province, city).e164 for province, city in MASKED_NUMBER_PLACES)
    blocked = tuple(draw_mobile(rng).digits for _ in range(3))
    return Cast(agent_phones, masked, blocked)
