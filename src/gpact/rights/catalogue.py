"""The catalogue of AI-crawler product tokens, read from the rulebook (data with sources)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from gpact.errors import InputError
from gpact.rulebook import Rulebook, default_rulebook

CATALOGUE_KEY = "rights.ai_crawler_tokens"
_PRODUCT_TOKEN = re.compile(r"[A-Za-z0-9_\-]+")


@dataclass(frozen=True)
class CrawlerToken:
    token: str
    operator: str
    purpose: str
    source: str
    confidence: str


def ai_crawler_tokens(as_of: dt.date | None = None,
                      rulebook: Rulebook | None = None) -> list[CrawlerToken]:
    """The catalogue in force on ``as_of`` (today by default)."""
    book = rulebook or default_rulebook()
    entries = book.at(as_of or dt.date.today()).value(CATALOGUE_KEY)
    tokens = []
    for entry in entries:
        token = str(entry["token"])
        if not _PRODUCT_TOKEN.fullmatch(token):
            raise InputError(str(book.root / "rights" / "ai_crawler_tokens.yaml"), "token",
                             f"{token!r} is not a product token (letters, digits, '_', '-')")
        tokens.append(CrawlerToken(token, str(entry["operator"]), str(entry["purpose"]),
                                   str(entry["source"]), str(entry["confidence"])))
    return tokens
