"""Where the server builds the portfolio reads that are not kept (model pages, deadlines,
obligations, and the kept model order they are found by).

A page is one short indexed read (0.2-0.7 ms): it runs on the event loop's blocking
connection, which costs less CPU than an asyncio one (SQLAlchemy's asyncio engine over
psycopg adds about 0.2 ms of CPU per statement and 0.8 ms per page measured in process).
The model order (``gpact.services.portfolio_order``) reads the whole portfolio: 50 ms for
10,000 models on PostgreSQL, which held every other request on the loop; there it runs on an
asyncio connection, so the loop serves the others meanwhile. On SQLite every query runs in
process, under the GIL either way: on the loop's connection.
"""

from __future__ import annotations

import asyncio
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gpact.store import Database
from gpact.store.query import Query

T = TypeVar("T")
# asyncio connections per server process, beside the 40 of the blocking pool (one order
# build at a time per organisation and version)
POOL_SIZE = 4
START_TIMEOUT = 5.0  # seconds a start waits for the first asyncio connection


class PortfolioReads:
    """Runs the builds; started and stopped with the app (an asyncio engine belongs to the
    event loop that opened it)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._engine: AsyncEngine | None = None

    async def start(self) -> None:
        """Opens the asyncio engine and one connection of it: its first connection also
        initialises the dialect (15 ms on an idle machine), which the first whole-portfolio
        read after a start, with every request waiting on it, would otherwise pay. If the
        database is not reachable within ``START_TIMEOUT``, the first read connects instead.
        """
        if not self.db.is_sqlite:
            self._engine = create_async_engine(
                self.db.engine.url.set(drivername="postgresql+psycopg"), pool_size=POOL_SIZE,
                max_overflow=0, pool_pre_ping=True, isolation_level="AUTOCOMMIT")
            try:
                async with asyncio.timeout(START_TIMEOUT), self._engine.connect():
                    pass
            except (DBAPIError, OSError, TimeoutError):
                pass

    async def stop(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()

    def here(self, query: Query[T]) -> T:
        """``query``'s answer, read now on the loop (a kept answer's key was read before)."""
        with self.db.connection() as conn:
            return query.run(conn)

    async def off_loop(self, query: Query[T]) -> T:
        """``query``'s answer on an asyncio connection (PostgreSQL), or ``here``."""
        if self._engine is None:  # SQLite, or an app used without its lifespan
            return self.here(query)
        async with self._engine.connect() as conn:
            return await query.arun(conn)
