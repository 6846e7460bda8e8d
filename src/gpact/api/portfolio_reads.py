"""Where the server builds a portfolio read that is not kept (model pages and count,
deadlines, obligations).

On PostgreSQL a deep page is milliseconds of PostgreSQL's work (a page at offset 9,950
walks 10,000 index entries: 2-6 ms); run on the event loop's blocking connection, every
other request waited for it, and the first pass over the 300 pages of 10,000 models put
the p99 of those reads at 250-470 ms. Here the query runs on an asyncio connection
(SQLAlchemy's asyncio engine over psycopg), so the loop serves the other requests
meanwhile; it costs about 0.2 ms more CPU per statement, which is why only these builds
use it, not the kept answers' token check. On SQLite the query runs in process, under the
GIL either way (0.3-1 ms): it stays on the loop's connection.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gpact.store import Database
from gpact.store.query import Query

T = TypeVar("T")
# asyncio connections per server process, beside the 40 of the blocking pool: with
# `--workers 2` that is 96 of PostgreSQL's default max_connections of 100
POOL_SIZE = 8


class PortfolioReads:
    """Runs the builds; started and stopped with the app (an asyncio engine belongs to the
    event loop that opened it)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._engine: AsyncEngine | None = None

    def start(self) -> None:
        if not self.db.is_sqlite:
            self._engine = create_async_engine(
                self.db.engine.url.set(drivername="postgresql+psycopg"), pool_size=POOL_SIZE,
                max_overflow=0, pool_pre_ping=True, isolation_level="AUTOCOMMIT")

    async def stop(self) -> None:
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()

    async def run(self, query: Query[T]) -> T:
        """``query``'s answer, read now (a kept answer's key was read before this)."""
        if self._engine is None:  # SQLite, or an app used without its lifespan
            with self.db.connection() as conn:
                return query.run(conn)
        async with self._engine.connect() as conn:
            return await query.arun(conn)
