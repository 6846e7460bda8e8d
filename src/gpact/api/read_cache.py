"""Answers of the portfolio-wide reads, kept until the organisation's portfolio changes.

The key of an answer includes the organisation's ``views_version`` (model pages and count)
or ``dues_version`` (deadlines, obligations; ``gpact.store.views``), which every change
those reads show moves in its own transaction: an answer stored under it
stays right until such a change, made by this process or any other; changes the reads do
not show (an obligation's state, evidence, documents, another organisation's models) keep
it. The version is read in the request's connection before the answer is built, so a
stored answer is never older than its key. Bounded: the least recently used answers are
dropped beyond 1024 (a page of 50 models is about 16 KB, so at most some 16 MiB; enough
for the 200 pages of 10,000 models and the pages of obligations, which a smaller bound
dropped in turn before they were read again).

An answer that is not kept is built by ``gpact.api.portfolio_reads`` (off the event loop's
critical path on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, cast

T = TypeVar("T")


class ReadCache:
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[Hashable, ...], asyncio.Task[Any]] = {}

    async def get(self, state: Hashable, key: tuple[Hashable, ...],
                  build: Callable[[], Awaitable[T]]) -> T:
        """The stored answer for ``key`` at ``state`` (the version it was read at), or
        ``build()``'s. Concurrent misses of one answer share one build (on the event loop;
        a waiter that goes away, a closed connection, does not cancel it for the others)."""
        full = (state, *key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                return cast(T, self._items[full])
        task = self._building.get(full)
        if task is None:
            task = self._building[full] = asyncio.ensure_future(build())
            task.add_done_callback(lambda done: self._built(full, done))
        return cast(T, await asyncio.shield(task))

    def _built(self, full: tuple[Hashable, ...], task: asyncio.Task[Any]) -> None:
        del self._building[full]
        if task.cancelled() or task.exception() is not None:
            return  # each waiter gets the error; nothing is kept
        value = task.result()
        with self._lock:
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
