"""WeChat IDs (微信号).

WeChat's own rule for the ID a user sets: 6–20 characters, letters, digits, underscores (_) and minus signs (-),
starting with a letter; letters are case-insensitive; Chinese characters are not allowed. Sources: the WeChat
team's announcement of changeable IDs (WeChat 7.0.15, June 2020): "WeChat ID must be 6-20 characters starting with
a letter. It can contain numbers, letters, underscores and minus signs" (as quoted at
https://www.hacos.cn/en/blog/2020/06/05/6627d747a8/), and WeChat's FAQ on profile settings, "6–20 letters, digits,
underscores, or hyphens; must start with a letter (case-insensitive); Chinese not supported" (as compiled at
https://www.wattflow.net/en/blog/213214-ddc14e6).

Normalisation: NFKC (full-width letters and digits typed with a Chinese IME become ASCII), trim, drop a leading
label followed by a colon ("微信:", "微信号：", "WeChat:", "wx:", "vx:"), then lower-case: WeChat does not
distinguish case, so lower case is the one form that dedups "ZhangSan88" with "zhangsan88".

System-assigned "wxid_…" IDs of accounts that never set one are accepted when they fit the same rule; nothing
else is special-cased (QQ numbers and phone numbers start with a digit and are not WeChat IDs; a phone number is
recognised separately by ``wechat_as_phone``).
"""

from __future__ import annotations

import re
import unicodedata

_LABEL = re.compile(r"^(?:微信号|微信|wechat\s*id|wechat|weixin|wx|vx)\s*:\s*", re.IGNORECASE)
_WECHAT_ID = re.compile(r"[a-z][a-z0-9_-]{5,19}")


def validate_wechat_id(raw: str) -> str | None:
    """The normalised WeChat ID (lower case), or None when ``raw`` breaks WeChat's format rules."""
    text = _LABEL.sub("", unicodedata.normalize("NFKC", raw).strip(), count=1).strip()
    if not text.isascii():
        return None
    text = text.lower()
    return text if _WECHAT_ID.fullmatch(text) else None
