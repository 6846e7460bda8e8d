"""Answers of the portfolio-wide reads, kept until the database changes.

Every change appends an audit event in its own transaction (see ``gpact.store.audit``), so
the hash of the audit head names the state of the whole database: an answer stored under it
stays right until the next change, made by this process or any other. The head is read in
the request's session before the answer is built, so a stored answer is never older than
its key. Bounded: the least recently used answers are dropped.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact.store.models import AuditHead

_HEAD = select(AuditHead.hash).where(AuditHead.id == 1)


class ReadCache:
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Hashable, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, key: tuple[Hashable, ...],
            build: Callable[[], bytes]) -> bytes:
        """The stored answer for ``key`` at the current database state, or ``build()``'s."""
        full = (session.scalar(_HEAD), *key)
        with self._lock:
            body = self._items.get(full)
            if body is not None:
                self._items.move_to_end(full)
                return body
        body = build()
        with self._lock:
            self._items[full] = body
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return body
