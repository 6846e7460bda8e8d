"""The sources file: what each ``source_id`` of a manifest is (name, link, version, …).

YAML (or JSON) with a ``sources`` list. It supplies what the template asks for beside the
numbers, e.g. the link and version of each large public dataset (section 2.1(c)) or the
crawler's user agent (section 2.3(b)).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from gpact import safeio
from gpact.errors import InputError

SourceKind = Literal["public_dataset", "licensed", "private_other", "crawled", "user_data",
                     "synthetic", "other"]


class Source(BaseModel):
    """One source of training content."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str | None = None
    kind: SourceKind | None = None
    link: str | None = None
    version: str | None = None
    licence: str | None = None
    description: str | None = None
    subset: str | None = None
    crawler: str | None = None
    collection_start: dt.date | None = None
    collection_end: dt.date | None = None

    def public(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source]


def load_sources(path: Path) -> dict[str, Source]:
    """Sources by id; one clear line per problem (file, field, what is wrong)."""
    doc = safeio.load(path, safeio.SETTINGS, yaml12_numbers=False).data  # bounded, one line
    if not isinstance(doc, dict):
        raise InputError(str(path), None, "expected a mapping with a 'sources' list "
                         "(each entry: id, name, kind, link, version, licence, …)")
    try:
        parsed = SourcesFile.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError(str(path), where or None, err["msg"]) from None
    by_id: dict[str, Source] = {}
    for i, source in enumerate(parsed.sources):
        if source.id in by_id:
            raise InputError(str(path), f"sources.{i}.id", f"duplicate id {source.id!r}")
        by_id[source.id] = source
    return by_id
