"""A read as data: its statement, its parameters and how its rows become the answer.

The services build the read once and either face runs it: ``run`` on a pooled connection
(SQLite; the CLI, the web pages and the worker threads), ``arun`` on an asyncio connection
(the server's uncached portfolio reads on PostgreSQL, which must not hold the event loop
while PostgreSQL walks a deep page: `gpact.api.async_reads`). One statement and one
mapping, so both give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncConnection

from gpact.store.db import Reader

T = TypeVar("T")


@dataclass(frozen=True)
class Query(Generic[T]):
    statement: Executable
    params: Mapping[str, Any]
    shape: Callable[[Sequence[Any]], T]  # the rows (SQLAlchemy Row tuples)

    def run(self, conn: Reader) -> T:
        return self.shape(conn.execute(self.statement, dict(self.params)).all())

    async def arun(self, conn: AsyncConnection) -> T:
        return self.shape((await conn.execute(self.statement, dict(self.params))).all())
