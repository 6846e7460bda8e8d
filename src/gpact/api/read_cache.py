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


class _BuildGone(Exception):
    """The request building an answer went away (its client closed the connection)."""


class ReadCache:
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[Hashable, ...], asyncio.Future[Any]] = {}

    async def get(self, state: Hashable, key: tuple[Hashable, ...],
                  build: Callable[[], Awaitable[T]]) -> T:
        """The stored answer for ``key`` at ``state`` (the version it was read at), or
        ``build()``'s. The first request that misses builds it in its own coroutine (a task
        would send it to the back of the event loop's queue once more: under load, tens of
        milliseconds); concurrent misses of that answer wait for its build. If the builder's
        client goes away, a waiter builds it; a build's error reaches every waiter."""
        full = (state, *key)
        while True:
            with self._lock:
                if full in self._items:
                    self._items.move_to_end(full)
                    return cast(T, self._items[full])
            pending = self._building.get(full)
            if pending is None:
                break
            try:  # shielded: a waiter that goes away does not cancel the build
                return cast(T, await asyncio.shield(pending))
            except _BuildGone:
                continue
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._building[full] = done
        try:
            value = await build()
        except BaseException as exc:
            del self._building[full]
            done.set_exception(_BuildGone() if isinstance(exc, asyncio.CancelledError)
                               else exc)
            done.exception()  # retrieved: nobody may be waiting
            raise
        del self._building[full]
        with self._lock:
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        done.set_result(value)
        return value
