"""An OutboxRelay in a process of its own, so that tests can SIGKILL it at any moment.

    python tests/common/relay_process.py DATABASE_URL NATS_URL [--batch-size N]

SIGTERM stops it cleanly (the batch in flight is finished); SIGKILL is the crash under test.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

import nats
import sqlalchemy as sa

from services.common.db import Database
from services.common.messaging import OutboxRelay, messaging_tables


async def relay(database_url: str, nats_url: str, batch_size: int) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    database = Database(database_url)
    nc = await nats.connect(nats_url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    try:
        outbox = OutboxRelay(
            database,
            messaging_tables(sa.MetaData()),
            nc.jetstream(),
            batch_size=batch_size,
            poll_interval=0.05,
            ack_timeout=2.0,
            lock_retry_interval=0.1,
        )
        # The crash test waits for this line before it aims its SIGKILLs or sends SIGTERM.
        logging.getLogger(__name__).info("relay process ready")
        await outbox.run(stop)
    finally:
        await nc.drain()
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("nats_url")
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(message)s")
    asyncio.run(relay(args.database_url, args.nats_url, args.batch_size))


if __name__ == "__main__":
    main()
