"""The pure pieces of the messaging runtime."""

from __future__ import annotations

import asyncio

import pytest

from services.common.messaging import acked_prefix, redelivery_delay
from services.common.messaging.inbox import truncate_error
from services.common.messaging.waiting import Backoff, wait_for_any


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ([], 0),
        ([True, True, True], 3),
        ([False, True, True], 0),
        ([True, False, True], 1),  # the acked third row is retried too: it must not overtake the second
        ([True, True, False], 2),
        ([False, False], 0),
    ],
)
def test_acked_prefix(outcomes, expected):
    assert acked_prefix(outcomes) == expected


def test_redelivery_delay_follows_backoff_then_repeats_the_last_step():
    backoff = [0.5, 2, 10]
    assert [redelivery_delay(backoff, n) for n in range(1, 6)] == [0.5, 2, 10, 10, 10]
    assert redelivery_delay([], 3) == 0.0


def test_backoff_doubles_up_to_the_cap_and_resets():
    backoff = Backoff(initial=0.1, maximum=0.5)
    assert [backoff.next() for _ in range(5)] == [0.1, 0.2, 0.4, 0.5, 0.5]
    backoff.reset()
    assert backoff.next() == 0.1
    with pytest.raises(ValueError):
        Backoff(initial=1, maximum=0.5)


def test_truncate_error_keeps_the_end():
    assert truncate_error("short", limit=10) == "short"
    text = "Traceback ...\n" + "x" * 100 + "\nValueError: the reason"
    cut = truncate_error(text, limit=40)
    assert len(cut) == 40
    assert cut.startswith("...") and cut.endswith("ValueError: the reason")


async def test_wait_for_any_returns_on_the_first_event_or_the_timeout():
    stop, wake = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await wait_for_any(stop, wake, timeout=0.05)
    assert loop.time() - started >= 0.04
    loop.call_later(0.01, wake.set)
    started = loop.time()
    await wait_for_any(stop, wake, timeout=5)
    assert loop.time() - started < 1


def test_control_characters_ascii_fast_path_agrees_with_the_unicode_categories() -> None:
    """has_control_characters answers ASCII ids without looking up categories; for every ASCII character, alone
    and inside an id, the answer is the category rule's (Cc, Cf, Cs, Co, Cn)."""
    import unicodedata

    from services.common.validation import has_control_characters

    refused = {"Cc", "Cf", "Cs", "Co", "Cn"}
    for code in range(128):
        ch = chr(code)
        expected = unicodedata.category(ch) in refused
        assert has_control_characters(ch) is expected, hex(code)
        assert has_control_characters(f"acct-{ch}-1") is expected, hex(code)
    assert has_control_characters("acct\u200b1") and not has_control_characters("账户-1")
