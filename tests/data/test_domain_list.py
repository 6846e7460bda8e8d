"""The domain list and its figures computed in the engine and streamed from disk give what
the in-memory computation over every domain gave (numpy over all sizes, a list of dicts)."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from gpact.data import Options, RankedDomains, write_json
from gpact.data.domain_list import BATCH
from gpact.data.engine import DOMAINS_VIEW, run
from gpact.data.engine_duckdb import DuckDBBackend
from gpact.data.inputs import expand
from gpact.data.summary import domain_list_length, summarize
from gpact.rulebook import default_rulebook
from tests.data import manifests as m
from tests.data.conftest import AS_OF


class _KeepsDomains(DuckDBBackend):
    """Keeps the whole per-domain table before the engine drops it (the old input)."""

    domains: pa.Table

    def drop(self, *names: str) -> None:
        if DOMAINS_VIEW in names:
            self.domains = self.arrow(f"SELECT * FROM {DOMAINS_VIEW}", "test")
        super().drop(*names)


def in_memory(domains: pa.Table, k: int) -> dict[str, Any]:
    """The previous computation: all domains sorted in Python, figures by numpy."""
    order = pc.sort_indices(domains, sort_keys=[("bytes_sum", "descending"),
                                                ("domain", "ascending")])
    ranked = domains.take(order)
    sizes = np.asarray(ranked["bytes_sum"], dtype=np.int64)
    total, n = int(sizes.sum()), len(sizes)
    top = [{"rank": i + 1, "domain": d, "bytes": b, "items": c,
            "bytes_share": round(b / total, 6) if total else None}
           for i, (d, b, c) in enumerate(zip(ranked["domain"].to_pylist()[:k],
                                             ranked["bytes_sum"].to_pylist()[:k],
                                             ranked["items_sum"].to_pylist()[:k], strict=True))]
    cum = np.cumsum(sizes, dtype=np.float64)

    def share(j: int) -> float:
        return round(float(cum[j - 1]) / total, 6) if j else 0.0

    conc = {"top_list_bytes_share": share(k), "top_1_percent_bytes_share": share(
        math.ceil(n / 100)), "top_10_percent_bytes_share": share(math.ceil(n / 10)),
        "domains_for_half_of_bytes": int(np.searchsorted(cum, total / 2) + 1),
        "hhi": round(float(np.sum(np.square(sizes / total))), 6)}
    ties = int((sizes[k:] == sizes[k - 1]).sum()) if 0 < k < n else 0
    return {"top": top, "concentration": conc, "ties": ties, "count": n}


def _manifests(tmp_path: Path) -> list[list[Path]]:
    from benchmarks.data_generate import generate

    ties = [m.crawled(f"https://www.site{i}.com/x", 100 if i < 30 else i) for i in range(60)]
    mixed = [*ties, m.crawled("https://MÜNCHEN.de/", 175), m.crawled('https://q"x.org/', 7),
             m.crawled("https://zero.net/", 0), m.crawled("https://uk/", 100)]
    return [[m.write_parquet(tmp_path / "ties.parquet", mixed)],
            generate(tmp_path / "gen", rows=4000, n_hosts=700, files=2)]


@pytest.mark.parametrize("sme", [False, True])
def test_engine_figures_equal_the_in_memory_computation(tmp_path: Path, sme: bool) -> None:
    options = Options(as_of=AS_OF, sme=sme)
    rules = default_rulebook().at(AS_OF)
    for paths in _manifests(tmp_path):
        files = expand([str(p) for p in paths])
        backend = _KeepsDomains()
        agg = run(backend, files, {}, top_count=lambda n: domain_list_length(n, rules, sme))
        doc = summarize(files, agg, engine="duckdb", mapping={}, options=options)
        expected = in_memory(backend.domains, doc["domain_rule"]["count"])
        assert isinstance(doc["top_domains"], RankedDomains)
        assert list(doc["top_domains"]) == expected["top"] and doc["top_domains"] == expected["top"]
        assert doc["domain_concentration"] == expected["concentration"]
        assert doc["domain_rule"]["ties_at_cutoff"] == expected["ties"]
        assert doc["domain_count"] == expected["count"]
    assert expected["count"] > 100 and expected["ties"] == 0


def test_streamed_json_is_the_text_print_json_wrote(tmp_path: Path) -> None:
    doc = summarize_doc(_manifests(tmp_path)[0])
    out = io.StringIO()
    write_json(doc, out)
    plain = {k: list(v) if isinstance(v, RankedDomains) else v for k, v in doc.items()}
    assert out.getvalue() == json.dumps(plain, indent=2, ensure_ascii=False, default=str) + "\n"
    assert json.loads(out.getvalue())["top_domains"][0]["domain"] == "münchen.de"


def summarize_doc(paths: list[Path]) -> dict[str, Any]:
    from gpact.data import summarize_manifests

    return summarize_manifests([str(p) for p in paths], Options(as_of=AS_OF))


class _Writes(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return super().write(text)


def test_a_long_list_is_stored_and_written_batch_by_batch() -> None:
    n = 2 * BATCH + 5
    consumed = []

    def batches() -> Any:
        for start in range(0, n, 1000):  # the engine's batches, of any size
            stop = min(n, start + 1000)
            consumed.append(stop)
            yield pa.RecordBatch.from_pydict({
                "domain": [f"d{i:06d}.example" for i in range(start, stop)],
                "bytes": list(range(n - start, n - stop, -1)),
                "items": [1] * (stop - start)})

    ranked = RankedDomains.write(batches(), total=n * (n + 1) // 2)
    assert consumed[-1] == n and len(ranked) == n
    sizes = [len(chunk) for chunk in ranked.chunks()]
    assert sizes == [BATCH, BATCH, 5]
    assert ranked[0]["domain"] == "d000000.example" and ranked[0]["rank"] == 1
    assert ranked[-1] == {"rank": n, "domain": f"d{n - 1:06d}.example", "bytes": 1,
                          "items": 1, "bytes_share": round(1 / ranked.total, 6)}
    assert ranked[BATCH]["rank"] == BATCH + 1
    assert [d["rank"] for d in ranked[BATCH - 1:BATCH + 2]] == [BATCH, BATCH + 1, BATCH + 2]
    assert [d["rank"] for d in ranked[2:7:2]] == [3, 5, 7]
    with pytest.raises(IndexError):
        ranked[n]
    out = _Writes()
    write_json({"top_domains": ranked, "domain_count": n}, out)
    # one write per row group, none holding more than one batch of entries
    per_write = [p.count('"rank"') for p in out.parts if '"rank"' in p]
    assert per_write == sizes
    assert [d["rank"] for d in json.loads(out.getvalue())["top_domains"]] == list(
        range(1, n + 1))


def test_empty_list(tmp_path: Path) -> None:
    ranked = RankedDomains.write(iter(()), total=0)
    assert len(ranked) == 0 and ranked == [] and ranked[:3] == []
    out = io.StringIO()
    write_json({"top_domains": ranked}, out)
    assert out.getvalue() == '{\n  "top_domains": []\n}\n'
