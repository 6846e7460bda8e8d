"""Answers of the portfolio-wide reads, kept until the database changes.

Every change appends an audit event in its own transaction (see ``gpact.store.audit``), so
the hash of the audit head names the state of the whole database: an answer stored under it
stays right until the next change, made by this process or any other. The head is read in
the request's session before the answer is built, so a stored answer is never older than
its key. Bounded: the least recently used answers are dropped beyond 1024 (a page of 50
models is about 16 KB, so at most some 16 MiB; enough for the 200 pages of 10,000 models
and the pages of obligations, which a smaller bound dropped in turn before they were read
again).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from sqlalchemy import select

from gpact.store.db import Reader
from gpact.store.models import AuditHead

_HEAD = select(AuditHead.hash).where(AuditHead.id == 1)
T = TypeVar("T")


class ReadCache:
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def head(session: Reader) -> str | None:
        """The current database state: read first, in the request's own session."""
        return session.scalar(_HEAD)

    def get(self, head: str | None, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
        """The stored answer for ``key`` at database state ``head``, or ``build()``'s."""
        full = (head, *key)
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
