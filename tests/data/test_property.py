"""Property: on random small manifests, gpact agrees with a naive row-by-row computation."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from publicsuffixlist import PublicSuffixList

from tests.data import manifests as m
from tests.data.test_summary import summary

ICANN = PublicSuffixList(only_icann=True)
HOSTS = ["www.example.com", "example.com", "news.bbc.co.uk", "a.b.c.org", "x.github.io",
         "shop.example.de", "WWW.Example.COM", "blog.example.de", "data.gov.uk", "t.co"]
URLS = st.one_of(
    st.builds(lambda h, p: f"https://{h}/{p}", st.sampled_from(HOSTS), st.integers(0, 9)),
    st.builds(lambda h: f"http://{h}:8080", st.sampled_from(HOSTS)),
    st.sampled_from([None, "not a url", "https:///x"]),
)
ROWS = st.lists(st.fixed_dictionaries({
    "kind": st.sampled_from(["crawled", "crawled", "public_dataset", "licensed", "bogus"]),
    "modality": st.sampled_from(["text", "text", "image", "audio", "Text"]),
    "bytes": st.one_of(st.integers(0, 10_000), st.integers(-5, -1), st.none()),
    "url": URLS,
    "language": st.sampled_from(["en", "de", None]),
}), min_size=1, max_size=40)


def naive(rows: list[dict[str, Any]]) -> dict[str, Any]:
    modalities: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    domains: dict[str, int] = defaultdict(int)
    skipped = 0
    for r in rows:
        host = None
        if r["kind"] == "crawled" and r["url"] and "://" in r["url"]:
            authority = r["url"].split("/")[2].split(":")[0].lower()
            host = authority or None
        valid = (r["kind"] != "bogus" and r["modality"] != "Text" and r["bytes"] is not None
                 and r["bytes"] >= 0 and (r["kind"] != "crawled" or host is not None))
        if not valid:
            skipped += 1
            continue
        modalities[r["modality"]][0] += 1
        modalities[r["modality"]][1] += r["bytes"]
        if host is not None:
            domains[ICANN.privatesuffix(host) or host] += r["bytes"]
    ranked = sorted(domains.items(), key=lambda kv: (-kv[1], kv[0]))
    k = math.ceil(len(ranked) / 10) if ranked else 0
    return {"modalities": {mod: tuple(v) for mod, v in modalities.items()},
            "top": ranked[:k], "domain_count": len(ranked), "skipped": skipped}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS)
def test_matches_naive_computation(tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    manifest = [m.row("src", r["kind"], r["modality"], r["bytes"], url=r["url"],
                      language=r["language"]) for r in rows]
    expected = naive(rows)
    path = m.write_parquet(tmp_path / "p.parquet", manifest)  # overwritten per example
    if not expected["modalities"]:
        return  # no valid row: an error, covered elsewhere
    doc = summary([path])
    assert {k: (v["items"], v["bytes"]) for k, v in doc["modalities"].items()} == \
        expected["modalities"]
    assert [(d["domain"], d["bytes"]) for d in doc["top_domains"]] == expected["top"]
    assert doc["domain_count"] == expected["domain_count"]
    assert doc["rows"]["skipped"] == expected["skipped"]
