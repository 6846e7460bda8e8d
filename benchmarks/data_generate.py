"""Write a realistic synthetic training-content manifest (Parquet) for the data benchmarks.

Rows follow design.md §4. Crawled rows (about 60 %) point at hosts whose sizes follow a
Zipf-like law over millions of hosts, spread over registrable domains under a mix of public
suffixes (``.com``, ``.co.uk``, ``.com.au``, ``.github.io``, …). The rest come from a few
public datasets, licensed and synthetic sources, in several modalities. Written in row groups
so memory stays bounded whatever ``--rows`` is.

    python benchmarks/data_generate.py --rows 10_000_000 --hosts 3_000_000 --out /tmp/m10
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SUFFIXES = ["com", "com", "com", "com", "org", "net", "de", "fr", "co.uk", "com.au", "io",
            "it", "es", "nl", "pl", "co.jp", "github.io", "blogspot.com", "eu", "ac.uk"]
SUBS = ["www", "www", "www", "blog", "news", "m", "shop", "docs", "forum", "en"]
LANGUAGES = ["en", "en", "en", "en", "de", "fr", "es", "it", "nl", "pl", "pt", "sv", "ja", "zh"]
OTHER_SOURCES = [  # source_id, source_kind, modality, weight
    ("fineweb-2", "public_dataset", "text", 0.12),
    ("wikipedia-2025-06", "public_dataset", "text", 0.03),
    ("the-stack-v2", "public_dataset", "text", 0.05),
    ("arxiv-2025", "public_dataset", "text", 0.004),
    ("laion-subset", "public_dataset", "image", 0.04),
    ("news-licence-2025", "licensed", "text", 0.05),
    ("stock-images", "licensed", "image", 0.03),
    ("podcasts", "licensed", "audio", 0.02),
    ("video-archive", "private_other", "video", 0.01),
    ("synthetic-math", "synthetic", "text", 0.076),
    ("user-feedback", "user_data", "text", 0.01),
]
CRAWL_SHARE = 0.60
START = np.datetime64("2024-01-01T00:00:00", "s")
SPAN_S = 600 * 86400


def host_names(n_hosts: int, rng: np.random.Generator) -> pa.Array:
    """``n_hosts`` host names over ``n_hosts // 2`` registrable domains. (The subdomain
    cycles with ``i // n_domains``, which is 0 or 1, and both pick ``www``: names ``i`` and
    ``i + n_domains`` coincide, so there are about ``n_hosts / 2`` distinct names. Kept as is
    so that the figures in docs/data.md stay comparable.)"""
    n_domains = max(1, n_hosts // 2)
    dom = np.arange(n_hosts) % n_domains
    suffix = np.asarray(SUFFIXES)[rng.integers(0, len(SUFFIXES), n_domains)][dom]
    sub = np.asarray(SUBS)[(np.arange(n_hosts) // n_domains) % len(SUBS)]
    domain_label = pc.binary_join_element_wise("site", pc.cast(pa.array(dom), pa.string()), "")
    names = pc.binary_join_element_wise(pa.array(sub), domain_label, pa.array(suffix), ".")
    return names.cast(pa.large_string())  # past ~100 M hosts the text exceeds 2 GiB


def zipf_ranks(n: int, n_hosts: int, s: float, rng: np.random.Generator) -> np.ndarray:
    """Ranks 0..n_hosts-1 drawn with P(r) ~ (r+1)^-s (inverse CDF of the continuous law)."""
    u = rng.random(n)
    a = 1.0 - s
    r = ((n_hosts ** a - 1.0) * u + 1.0) ** (1.0 / a)
    return np.minimum(r.astype(np.int64) - 1, n_hosts - 1).clip(0)


def chunk(n: int, hosts: pa.Array, s: float, rng: np.random.Generator, offset: int) -> pa.Table:
    crawled = rng.random(n) < CRAWL_SHARE
    weights = np.asarray([w for *_, w in OTHER_SOURCES])
    other_ix = rng.choice(len(OTHER_SOURCES), n, p=weights / weights.sum())
    src = np.where(crawled, "crawl-2025", np.asarray([o[0] for o in OTHER_SOURCES])[other_ix])
    kind = np.where(crawled, "crawled", np.asarray([o[1] for o in OTHER_SOURCES])[other_ix])
    modality = np.where(crawled, np.where(rng.random(n) < 0.9, "text", "image"),
                        np.asarray([o[2] for o in OTHER_SOURCES])[other_ix])
    host_ix = zipf_ranks(n, len(hosts), s, rng)
    path = pc.cast(pa.array(np.arange(offset, offset + n)), pa.string())
    url = pc.binary_join_element_wise("https://", hosts.take(pa.array(host_ix)).cast(
        pa.string()), "/p/", path, "")
    url = pc.if_else(pa.array(crawled), url, pa.nulls(n, pa.string()))
    nbytes = rng.lognormal(8.5, 1.2, n).astype(np.int64) + 1
    is_text = modality == "text"
    is_av = (modality == "audio") | (modality == "video")
    tokens = pa.array(np.where(is_text, nbytes // 4, 0), mask=~is_text)
    seconds = pa.array(np.where(is_av, nbytes / 16000.0, 0.0), mask=~is_av)
    ts = START + rng.integers(0, SPAN_S, n).astype("timedelta64[s]")
    return pa.table({
        "source_id": pa.array(src).dictionary_encode(),
        "source_kind": pa.array(kind).dictionary_encode(),
        "modality": pa.array(modality).dictionary_encode(),
        "url": url,
        "bytes": pa.array(nbytes),
        "tokens": tokens,
        "seconds": seconds,
        "collected_at": pa.array(ts, pa.timestamp("s")),
        "language": pa.array(np.asarray(LANGUAGES)[rng.integers(0, len(LANGUAGES), n)])
        .dictionary_encode(),
    })


def generate(out: Path, rows: int, n_hosts: int, files: int = 1, s: float = 1.0,
             chunk_rows: int = 1_000_000, seed: int = 7) -> list[Path]:
    """Write ``rows`` rows into ``files`` Parquet files under ``out``; returns their paths."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    hosts = host_names(n_hosts, rng)
    s = s if s != 1.0 else 0.999_999  # the inverse CDF above needs s != 1
    paths = []
    per_file = -(-rows // files)
    written = 0
    for i in range(files):
        path = out / f"part-{i:04d}.parquet"
        target = min(per_file, rows - written)
        with pq.ParquetWriter(path, chunk(1, hosts, s, rng, 0).schema,
                              compression="zstd") as writer:
            done = 0
            while done < target:
                n = min(chunk_rows, target - done)
                writer.write_table(chunk(n, hosts, s, rng, written + done),
                                   row_group_size=chunk_rows)
                done += n
        written += target
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=1_000_000,
                        help="distinct hosts to draw from (about half as many domains)")
    parser.add_argument("--files", type=int, default=1)
    parser.add_argument("--zipf", type=float, default=1.0, help="Zipf exponent of host sizes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    t0 = time.perf_counter()
    paths = generate(args.out, args.rows, args.hosts, args.files, args.zipf, seed=args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {args.rows:,} rows in {len(paths)} file(s), {size / 2**20:.0f} MiB, "
          f"to {args.out} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
