"""The domain list of section 2.3(h), kept in a Parquet file and streamed to the output.

10 % of the domains of a billion-row crawl are millions of entries: as Python objects they
would take some 400 bytes each. The engine writes the ranked list to a temporary Parquet
file instead (``RankedDomains.write``), the document holds that file as a read-only sequence
of entries, and ``write_json`` writes it batch by batch, so memory stays bounded by one batch
whatever the length of the list.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from json.encoder import encode_basestring as _string
from pathlib import Path
from typing import IO, Any, overload

import pyarrow as pa
import pyarrow.parquet as pq

BATCH = 1 << 16  # entries per row group and per read
SCHEMA = pa.schema([("domain", pa.string()), ("bytes", pa.int64()), ("items", pa.int64())])
_INDENT = 2  # the layout of ``gpact ... --format json`` (``cli.common.print_json``)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


class RankedDomains(Sequence[dict[str, Any]]):
    """The listed domains in rank order (``rank``, ``domain``, ``bytes``, ``items``,
    ``bytes_share`` of ``total``), read from the file one row group at a time."""

    def __init__(self, directory: tempfile.TemporaryDirectory[str], total: int) -> None:
        self._dir = directory  # removed with this object
        self.path = Path(directory.name) / "top_domains.parquet"
        self.total = total
        meta = pq.read_metadata(self.path)
        self._starts = [0]
        for i in range(meta.num_row_groups):
            self._starts.append(self._starts[-1] + meta.row_group(i).num_rows)

    @classmethod
    def write(cls, batches: Iterable[pa.RecordBatch], total: int) -> RankedDomains:
        """Store ``batches`` (domain, bytes, items; already in rank order, of any size) in
        row groups of ``BATCH`` entries."""
        directory = tempfile.TemporaryDirectory(prefix="gpact-domains-")
        with pq.ParquetWriter(Path(directory.name) / "top_domains.parquet", SCHEMA) as out:
            pending = pa.table({f.name: pa.array([], f.type) for f in SCHEMA})
            for batch in batches:
                pending = pa.concat_tables([pending, pa.Table.from_arrays(
                    [batch.column(i).cast(f.type) for i, f in enumerate(SCHEMA)],
                    schema=SCHEMA)])
                while pending.num_rows >= BATCH:
                    out.write_table(pending.slice(0, BATCH), row_group_size=BATCH)
                    pending = pending.slice(BATCH)
            if pending.num_rows:
                out.write_table(pending, row_group_size=BATCH)
        return cls(directory, total)

    def __len__(self) -> int:
        return self._starts[-1]

    def chunks(self) -> Iterator[list[dict[str, Any]]]:
        """The entries, one row group at a time."""
        file = pq.ParquetFile(self.path)
        for group in range(file.num_row_groups):
            yield self._entries(file.read_row_group(group), self._starts[group])

    def _entries(self, table: pa.Table, start: int) -> list[dict[str, Any]]:
        total = self.total
        return [{"rank": start + i + 1, "domain": d, "bytes": b, "items": n,
                 "bytes_share": share(b, total)}
                for i, (d, b, n) in enumerate(zip(table["domain"].to_pylist(),
                                                  table["bytes"].to_pylist(),
                                                  table["items"].to_pylist(), strict=True))]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return chain.from_iterable(self.chunks())

    @overload
    def __getitem__(self, key: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, key: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, key: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(key, slice):
            rows = range(len(self))[key]
            if rows.step > 0:  # e.g. the first --show entries: reads only their row groups
                return list(islice(self, rows.start, rows.stop, rows.step))
            return [self[i] for i in rows]
        index = range(len(self))[key]  # IndexError past the end, negative from the end
        group = next(g for g in range(len(self._starts) - 1) if index < self._starts[g + 1])
        table = pq.ParquetFile(self.path).read_row_group(group)
        start = self._starts[group]
        return self._entries(table.slice(index - start, 1), index)[0]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other,
                                                                      strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RankedDomains({len(self)} entries in {self.path})"


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=_INDENT, ensure_ascii=False, default=str)


def _lines(domains: RankedDomains, pad: str) -> Iterator[str]:
    """The entries as ``json.dumps(..., indent=2)`` lays them out ``pad`` deep, one row group
    at a time, from the columns (no dict per entry, nor the pure-Python encoder that
    ``indent`` implies)."""
    inner = pad + " " * _INDENT
    file = pq.ParquetFile(domains.path)
    for group in range(file.num_row_groups):
        table = file.read_row_group(group)
        rank = domains._starts[group]
        texts = []
        for d, b, n in zip(table["domain"].to_pylist(), table["bytes"].to_pylist(),
                           table["items"].to_pylist(), strict=True):
            rank += 1
            part = share(b, domains.total)
            texts.append(f'{pad}{{\n{inner}"rank": {rank},\n{inner}"domain": {_string(d)},\n'
                         f'{inner}"bytes": {b},\n{inner}"items": {n},\n{inner}"bytes_share": '
                         f'{"null" if part is None else float.__repr__(part)}\n{pad}}}')
        yield ",\n".join(texts)


def write_json(doc: dict[str, Any], out: IO[str]) -> None:
    """``doc`` as ``print_json`` writes it (same text), domain lists streamed batch by batch."""
    pad = " " * _INDENT
    out.write("{")
    for i, (key, value) in enumerate(doc.items()):
        out.write(("," if i else "") + "\n" + pad + json.dumps(key) + ": ")
        if isinstance(value, RankedDomains) and len(value):
            out.write("[")
            for j, text in enumerate(_lines(value, pad * 2)):
                out.write(("," if j else "") + "\n" + text)
            out.write("\n" + pad + "]")
        else:
            out.write(_dumps(list(value) if isinstance(value, RankedDomains) else value)
                      .replace("\n", "\n" + pad))
    out.write("\n}\n" if doc else "}\n")
