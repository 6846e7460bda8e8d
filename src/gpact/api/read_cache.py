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

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

T = TypeVar("T")


class ReadCache:
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, state: Hashable, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
        """The stored answer for ``key`` at ``state`` (the version it was read at), or
        ``build()``'s."""
        full = (state, *key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                return cast(T, self._items[full])
        value = build()
        with self._lock:
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value
