"""The portfolio's order, read once per version: model names in order, with each model's number
of obligation rows, so that a deep page is found without an SQL ``OFFSET``.

An ``OFFSET`` walks every skipped entry: a model page at offset 9,950 of 10,000 models, or an
obligations page at row 9,900, cost 2-6 ms on PostgreSQL each time it was built. The server
keeps this order instead (``gpact.api.read_cache``, under the organisation's
``dues_version``, which every change of it moves: a model added, deleted or renamed, an
assessment whose obligation rows differ; see ``gpact.store.views``). A page is then the
seek to its first name in the ``(org_id, name)`` index: 50 models, or the rows of the few
models an obligations page covers. ``registry.list_models`` gives the same model pages by ``OFFSET``
for callers that keep nothing (the web pages); ``tests/server/test_portfolio_reads.py``
checks both, and the obligations pages against every row sorted and sliced.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from sqlalchemy import bindparam, func, select

from gpact.services.accounts import Actor
from gpact.services.registry import ModelRow, Page, model_rows, require
from gpact.store.models import Model, ObligationDue
from gpact.store.query import Query

_OBLIGATION_COLUMNS = (Model.id, Model.name, ObligationDue.obligation, ObligationDue.source,
                       ObligationDue.status, ObligationDue.applies_from, ObligationDue.due)
_OBLIGATION_KEYS = ("model_id", "model", "obligation", "source", "status", "applies_from",
                    "due")
_ROWS = (select(func.count()).where(ObligationDue.assessment_id == Model.latest_assessment_id)
         .correlate(Model).scalar_subquery())
_NAMES = select(Model.name).where(Model.org_id == bindparam("org_id")).order_by(Model.name)
_ORDER = (select(Model.name, _ROWS).where(Model.org_id == bindparam("org_id"))
          .order_by(Model.name))
# a page starts at its first name in the (org_id, name) index: one seek, not an OFFSET,
# then the next ``limit`` entries, each joined to its assessment by key. (Not registry's
# deferred join on ids: PostgreSQL hash-joins that subquery against a scan of every model,
# 0.6 ms of the page's 1.1 at 10,000 models, growing with them.)
_MODELS = (model_rows(summary_text=True)
           .where(Model.org_id == bindparam("org_id"), Model.name >= bindparam("first"))
           .order_by(Model.name).limit(bindparam("limit")))
_OBLIGATIONS = (select(*_OBLIGATION_COLUMNS)
                .join(ObligationDue, ObligationDue.assessment_id == Model.latest_assessment_id)
                .where(Model.org_id == bindparam("org_id"), Model.name >= bindparam("first"),
                       Model.name <= bindparam("last"))
                .order_by(Model.name, ObligationDue.id)
                .limit(bindparam("limit")).offset(bindparam("offset")))


@dataclass(frozen=True)
class PortfolioOrder:
    """Model names in order; ``starts[i]``: the obligation rows before model ``i``."""

    names: tuple[str, ...]
    starts: tuple[int, ...]  # len(names) + 1 entries; the last is the number of rows

    @classmethod
    def of(cls, rows: Sequence[Any]) -> PortfolioOrder:
        return cls(tuple(r[0] for r in rows), tuple(accumulate((r[1] for r in rows), initial=0)))

    def obligation_models(self, limit: int, offset: int) -> tuple[tuple[str, ...], int]:
        """The models whose rows make up rows ``offset`` to ``offset + limit``, and how many
        of their rows come before ``offset``."""
        if limit <= 0 or offset >= self.starts[-1]:
            return (), 0
        first = bisect_right(self.starts, offset) - 1
        last = bisect_right(self.starts, offset + limit - 1) - 1
        return self.names[first:last + 1], offset - self.starts[first]


def order_query(actor: Actor) -> Query[PortfolioOrder]:
    require(actor, "read")
    return Query(_ORDER, {"org_id": actor.org_id}, PortfolioOrder.of)


def names_query(actor: Actor) -> Query[tuple[str, ...]]:
    """The model names in order, for the model pages: the index alone, no rows counted
    (3-5 ms for 10,000 models on PostgreSQL against some 50 for ``order_query``)."""
    require(actor, "read")
    return Query(_NAMES, {"org_id": actor.org_id}, lambda rows: tuple(r[0] for r in rows))


def model_page_query(actor: Actor, names: Sequence[str], limit: int,
                     offset: int) -> Query[Page]:
    """``registry.list_models``'s page, from its first name in ``names`` (in order); each
    summary as its stored JSON text, for ``gpact.api.schemas.model_page_json``."""
    require(actor, "read")
    page = names[offset:offset + limit]
    return Query(_MODELS, {"org_id": actor.org_id, "first": page[0] if page else "",
                           "limit": len(page)},
                 lambda rows: Page([(ModelRow(*r[:5]), r[5], r[6]) for r in rows],
                                   len(names), limit, offset))


def obligations_query(actor: Actor, order: PortfolioOrder, limit: int,
                      offset: int) -> Query[list[dict[str, Any]]]:
    """Every obligation of each model's latest assessment, by model name and then in the
    assessment's order: the page's rows, read from the few models that hold them."""
    require(actor, "read")
    names, skip = order.obligation_models(limit, offset)
    return Query(_OBLIGATIONS, {"org_id": actor.org_id, "first": names[0] if names else "",
                                "last": names[-1] if names else "", "limit": limit if names
                                else 0, "offset": skip},
                 lambda rows: [dict(zip(_OBLIGATION_KEYS, r, strict=True)) for r in rows])
