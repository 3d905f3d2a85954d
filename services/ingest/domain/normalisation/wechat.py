"""WeChat field (微信号): a WeChat ID, or a mobile number (WeChat finds accounts by phone number), "same as my
phone", or neither.

Reading, the same for an ID and a number (``read_wechat_field`` / ``read_wechat``):

* ``cleaning.clean_contact_value`` (invisible characters such as a trailing U+200B; NFKC: full-width letters,
  digits and the full-width colon "：" typed with a Chinese IME become ASCII); a placeholder ("无", "-", "none")
  means no WeChat ID.
* A leading label is dropped, whatever its case and width:

  - Chinese labels (微信号, 微信, 我的微信, 加微信, V信, 威信, 薇信 ..., optionally followed by 是/为) with or without a
    separator, since no ID contains Chinese: "微信：zhangsan88", "微信号:13800138000", "微信zhangsan88";
  - Latin labels (wechat id, wechat, weixin, wx, vx, v) only when followed by ":" "=" or white space, since an ID
    may start with those letters ("wxid_…", "vxabc123"): "wx:zhangsan88", "VX 13800138000", "WeChat：Abc_123";
    glued to what follows only when that is a valid mobile number: "VX13800138000" (a person who writes that
    means their number, though the text would also pass as an ID).

* Then, in order: a WeChat ID (below); a mobile number (``phones.mobile_check``: the first valid mobile number
  without extension, in any form ``normalise_phone`` reads); "same as my phone" (微信同号 once the label is gone,
  同手机号, 手机同号, 同上 ...); else a ``Problem`` that says what the field holds (``wechat_problem``).

Validation of an ID (``validate_wechat_id``): 6–20 characters of letters, digits, "_" and "-"; letters are
case-insensitive and the ID is lower-cased, the one form that dedups "ZhangSan88" with "zhangsan88". The first
character may be a letter, "_" or "-". WeChat's 2020 announcement of changeable IDs (WeChat 7.0.15) says an ID
"must be 6-20 characters starting with a letter" (https://www.hacos.cn/en/blog/2020/06/05/6627d747a8/), but IDs that
start with "_" or "-" are in use (set under older clients' rules; rule pages compiled since, e.g.
https://oryoy.com/news/jie-mi-wei-xin-hao-she-zhi-ao-mi-zheng-ze-biao-da-shi-qing-song-zhang-wo-zhang-hao-ming-ming-gui-ze.html,
give ``^[a-zA-Z_][a-zA-Z0-9_-]{5,19}$``), and turning away a real person's ID costs a lead while accepting a
mistyped one costs nothing: the rule for the first character is therefore the lenient one. The length rule is
kept. A leading digit is not an ID (that is a QQ number or a phone number). System-assigned "wxid_…" IDs of
accounts that never set one fit the same rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.ingest.domain.normalisation.cleaning import clean_contact_value, is_placeholder
from services.ingest.domain.normalisation.phone_numbers import PhoneCheck
from services.ingest.domain.normalisation.phone_text import Problem
from services.ingest.domain.normalisation.phones import mobile_check, normalise_phone

_CHINESE_LABEL = re.compile(
    r"(?:我的|加)?(?:微信号码|微信号|微信|威信|薇信|v信|vx号|wx号)(?:号)?\s*(?:是|为)?\s*[:=]?\s*",
    re.IGNORECASE,
)
_LATIN_LABEL = re.compile(r"(?:wechat\s*id|wechat|weixin|wx|vx|v)(?:\s*[:=]\s*|\s+)", re.IGNORECASE)
_LATIN_LABEL_BEFORE_NUMBER = re.compile(r"(?:wechat|weixin|wx|vx|v)(?=\+?[0-9])", re.IGNORECASE)
_WECHAT_ID = re.compile(r"[a-z_-][a-z0-9_-]{5,19}")
_ID_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")
_PHONE_LIKE = re.compile(r"[0-9+\-() .,/;]+")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MIN_LENGTH, _MAX_LENGTH = 6, 20
# "Same as my phone number" (微信同号 once the label is gone, 同手机号, 手机同号, 与电话号码相同, 同上 ...).
_SAME_AS_PHONE = re.compile(
    r"同上|同号|(?:同|与|和|跟)(?:手机|电话)(?:号码?)?(?:同号|一样|相同)?|(?:手机|电话)(?:号码?)?(?:同号|一样|相同)"
)


@dataclass(frozen=True)
class WechatField:
    """A read WeChat field: ``wechat_id`` (lower case), or ``phone`` (a mobile number's check), or
    ``same_as_phone`` ("同手机号": the WeChat account is found by the lead's phone number), or ``problem``; all
    empty/None when no WeChat ID was given."""

    wechat_id: str = ""
    phone: PhoneCheck | None = None
    same_as_phone: bool = False
    problem: Problem | None = None

    @property
    def given(self) -> bool:
        return (
            bool(self.wechat_id) or self.phone is not None or self.same_as_phone or self.problem is not None
        )


def read_wechat_field(raw: str) -> str:
    """The WeChat field cleaned and without a label followed by a separator or Chinese ("" for nothing or a
    placeholder). A Latin label glued to a number ("VX13800138000") is left to ``read_wechat``. Never raises."""
    text = clean_contact_value(raw)
    if not text or is_placeholder(text):
        return ""
    label = _CHINESE_LABEL.match(text) or _LATIN_LABEL.match(text)
    if label is not None:
        text = text[label.end() :].strip()
    return "" if is_placeholder(text) else text


def read_wechat(raw: str, *, default_region: str = "CN") -> WechatField:
    """Read a WeChat field as an ID, a mobile number, "same as my phone", or neither (see the module docstring).
    A Latin label glued to a valid mobile number ("VX13800138000", "wx+8613800138000") makes it a phone number
    even though the text would also be a valid ID: a person who writes that means their number. Never raises."""
    text = read_wechat_field(raw)
    if not text:
        return WechatField()
    glued = _LATIN_LABEL_BEFORE_NUMBER.match(text)
    if glued is not None:
        check = mobile_check(text[glued.end() :], default_region=default_region, field="wechat")
        if check is not None:
            return WechatField(phone=check)
    lowered = text.lower()
    if lowered.isascii() and _WECHAT_ID.fullmatch(lowered):
        return WechatField(wechat_id=lowered)
    check = mobile_check(text, default_region=default_region, field="wechat")
    if check is not None:
        return WechatField(phone=check)
    if _SAME_AS_PHONE.fullmatch(text):
        return WechatField(same_as_phone=True)
    return WechatField(problem=wechat_problem(text, default_region=default_region))


def validate_wechat_id(raw: str) -> str | None:
    """The normalised WeChat ID (lower case), or None when ``raw`` is not a WeChat ID by WeChat's format rules.
    ``raw`` may be the field as sent, label and all."""
    return read_wechat(raw).wechat_id or None


def wechat_as_phone(raw: str, *, default_region: str = "CN") -> str | None:
    """The E.164 form of a WeChat field that holds one valid *mobile* number ("+86 138 0013 8000",
    "微信号:13800138000", "VX13800138000"), else None. A landline, 400/800 or invalid number is not taken."""
    check = read_wechat(raw, default_region=default_region).phone
    return check.e164 if check is not None else None


def wechat_problem(value: str, *, default_region: str = "CN") -> Problem:
    """What is wrong with a read WeChat field (``read_wechat_field``) that is neither an ID nor a mobile number,
    described by what it holds (a kind of number, its length, its character classes), never by repeating it."""
    if normalise_phone(value, default_region=default_region, field="wechat").e164 is not None:
        return Problem(
            "wechat.not_a_mobile",
            "The WeChat field holds a phone number, but no mobile number that can be dialled directly (a "
            "landline, a service number, or a number with an extension); WeChat finds accounts only by mobile "
            "number.",
        )
    if _PHONE_LIKE.fullmatch(value) and value[:1] in "+0123456789(":
        return Problem(
            "wechat.not_a_mobile",
            "The WeChat field holds digits that are neither a WeChat ID nor a valid mobile number (a QQ number, "
            "or a mobile number with digits missing or extra).",
        )
    if _CJK.search(value):
        return Problem("wechat.chinese_text", "The WeChat field contains Chinese text; WeChat IDs cannot.")
    if not _ID_CHARACTERS.fullmatch(value):
        what = "spaces" if " " in value else "characters other than letters, digits, '_' and '-'"
        return Problem("wechat.invalid_character", f"The WeChat ID contains {what}; WeChat IDs cannot.")
    if len(value) < _MIN_LENGTH:
        return Problem(
            "wechat.too_short",
            f"The WeChat ID has {len(value)} characters; WeChat IDs have {_MIN_LENGTH} to {_MAX_LENGTH}.",
        )
    if len(value) > _MAX_LENGTH:
        return Problem(
            "wechat.too_long",
            f"The WeChat ID has {len(value)} characters; WeChat IDs have {_MIN_LENGTH} to {_MAX_LENGTH}.",
        )
    return Problem(
        "wechat.starts_with_digit",
        "The WeChat ID starts with a digit but is not a mobile number; WeChat IDs start with a letter, '_' or '-'.",
    )
