"""Issue 10's scenarios through the consumers and timers (``tests.refund.scenarios``), on this directory's world."""

from tests.refund.scenarios import *  # noqa: F403 - the shared scenarios, collected here on this world
