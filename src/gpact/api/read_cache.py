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
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

import anyio.to_thread

T = TypeVar("T")


class ReadCache:
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[Hashable, ...], asyncio.Future[None]] = {}

    def get(self, state: Hashable, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
        """The stored answer for ``key`` at ``state`` (the version it was read at), or
        ``build()``'s."""
        found = self.find(state, key)
        if found is not None:
            return cast(T, found)
        value = build()
        self.put(state, key, value)
        return value

    async def get_off_loop(self, state: Hashable, key: tuple[Hashable, ...],
                           build: Callable[[], T]) -> T:
        """As ``get``, but a missing answer is built in a worker thread: the event loop
        serves the other connections meanwhile (a deep page on PostgreSQL took 13 ms of
        query, and stalled all of them). ``build`` takes a database connection of its own
        (the request's is given back first: the event loop must never wait for the pool).
        Requests for an answer already being built wait for that build (called from the
        event loop only, so the table of builds needs no lock)."""
        found = self.find(state, key)
        if found is not None:
            return cast(T, found)
        full = (state, *key)
        running = self._building.get(full)
        if running is not None:  # then look again (or build, if that build failed)
            await asyncio.wait([running])
            return await self.get_off_loop(state, key, build)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._building[full] = done
        try:
            value = await anyio.to_thread.run_sync(build)
            self.put(state, key, value)
        finally:
            del self._building[full]
            done.set_result(None)
        return value

    def find(self, state: Hashable, key: tuple[Hashable, ...]) -> object | None:
        full = (state, *key)
        with self._lock:
            found = self._items.get(full)
            if found is not None:
                self._items.move_to_end(full)
            return found

    def put(self, state: Hashable, key: tuple[Hashable, ...], value: object) -> None:
        with self._lock:
            self._items[(state, *key)] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
