"""Load benchmark: concurrent clients against a real `gpact serve` on loopback.

    python benchmarks/server_load.py [--models 1000] [--clients 50] [--requests 5000]
                                     [--duration 60] [--workers 1]
                                     [--db sqlite|postgresql|both]
                                     [--postgres URL|auto]

Seeds an organisation with N models (each assessed, as the web app does), starts
`gpact serve` in a subprocess on 127.0.0.1, then runs C concurrent clients until R requests
are done or the time limit passes. Reported per endpoint: p50/p99 latency, requests per
second and errors, each with its ratio to the baseline measured in the same run (the health
endpoint under the same load: the HTTP + framework floor), and the server's peak resident
memory (VmHWM). PostgreSQL ``auto`` starts a throwaway cluster (as the tests do).
Loopback only; bounded by --requests and --duration.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from gpact.services import accounts, registry
from gpact.store import Database, upgrade

ROOT = Path(__file__).resolve().parents[1]
PROFILE = (ROOT / "examples" / "frontier_systemic.yaml").read_text()
SERVE = "import sys; from gpact.cli.main import main; sys.exit(main(sys.argv[1:]))"


def seed(url: str, models: int) -> tuple[str, list[int]]:
    """An organisation with ``models`` assessed models; returns a read token and the ids."""
    db = Database(url)
    upgrade(db)
    with db.write() as s:
        org = accounts.create_organisation(s, "bench", "Bench", "benchmark")
        user = accounts.create_user(s, "bench@example.eu", "benchmark password", "benchmark")
        accounts.set_role(s, org, user, "admin", "benchmark")
        actor = accounts.actor_for(s, user, "bench")
        token, _ = accounts.create_token(s, actor, "load", ["read"])
    ids = []
    for start in range(0, models, 100):
        with db.write() as s:
            for i in range(start, min(start + 100, models)):
                text = PROFILE.replace("Northwind-Ultra", f"Model-{i:05d}")
                ids.append(registry.create_model(s, actor, text).id)
    db.dispose()
    return token, ids


@contextmanager
def server(url: str, workers: int) -> Iterator[tuple[str, int]]:
    port = 8700 + random.randrange(200)
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--port", str(port),
                             "--db", url, "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gpact serve did not start")
            time.sleep(0.1)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def children(pid: int) -> list[int]:
    """Worker processes of a multi-worker server."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def load(base: str, token: str, paths: list[list[str]], clients: int, requests: int,
               duration: float) -> dict[str, tuple[list[float], int]]:
    """Run ``clients`` concurrent loops until the budget is spent; each request picks an
    endpoint (one list of ``paths``) at random, then one of its URLs."""
    results: dict[str, tuple[list[float], int]] = {}
    remaining = requests
    stop_at = time.monotonic() + duration
    headers = {"Authorization": f"Bearer {token}"}
    error_kinds: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal remaining
        while remaining > 0 and time.monotonic() < stop_at:
            remaining -= 1
            path = random.choice(random.choice(paths))
            key = re.sub(r"/\d+", "/{id}", path.split("?")[0])
            started = time.perf_counter()
            try:
                response = await http.get(path)
                ok = response.status_code == 200
                kind = str(response.status_code)
            except httpx.HTTPError as exc:
                ok, kind = False, type(exc).__name__
            if not ok:
                error_kinds[kind] = error_kinds.get(kind, 0) + 1
            elapsed = (time.perf_counter() - started) * 1000
            times, errors = results.setdefault(key, ([], 0))
            times.append(elapsed)
            if not ok:
                results[key] = (times, errors + 1)

    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits,
                                 timeout=30) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    if error_kinds:
        print(f"errors by kind: {error_kinds}")
    return results


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else (values[0] if values else float("nan"))


def run(kind: str, url: str, args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    token, ids = seed(url, args.models)
    seeded = time.perf_counter() - t0
    print(f"\n== {kind}: {args.models} models seeded in {seeded:.1f}s; {args.clients} clients, "
          f"at most {args.requests} requests or {args.duration:.0f}s per phase")
    with server(url, args.workers) as (base, pid):
        random.seed(1)
        baseline = asyncio.run(load(base, token, [["/api/health"]], args.clients,
                                    args.requests // 4, args.duration / 4))
        pages = max(1, args.models // 50)
        paths = [[f"/api/orgs/bench/models?limit=50&offset={50 * p}" for p in range(pages)],
                 [f"/api/orgs/bench/models/{i}" for i in ids],
                 [f"/api/orgs/bench/models/{i}/assessments/latest" for i in ids],
                 ["/api/orgs/bench/deadlines?limit=50"]]
        t1 = time.perf_counter()
        measured = asyncio.run(load(base, token, paths, args.clients, args.requests,
                                    args.duration))
        wall = time.perf_counter() - t1
        rss = sum(peak_rss_mib(p) for p in [pid, *children(pid)])
    base_times, _ = baseline["/api/health"]
    b50, b99 = pct(base_times, 50), pct(base_times, 99)
    print(f"{'endpoint':<50}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'p50/base':>10}{'p99/base':>10}")
    print(f"{'GET /api/health (baseline)':<50}{len(base_times):>9}{baseline['/api/health'][1]:>8}"
          f"{b50:>9.1f}{b99:>9.1f}{1.0:>10.2f}{1.0:>10.2f}")
    total = 0
    for key, (times, errors) in sorted(measured.items()):
        total += len(times)
        p50, p99 = pct(times, 50), pct(times, 99)
        print(f"{'GET ' + key:<50}{len(times):>9}{errors:>8}{p50:>9.1f}{p99:>9.1f}"
              f"{p50 / b50:>10.2f}{p99 / b99:>10.2f}")
    print(f"throughput {total / wall:.0f} requests/s; server peak RSS {rss:.0f} MiB "
          f"({args.workers} worker{'s' if args.workers > 1 else ''})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1, help="gpact serve --workers")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres", default="auto",
                        help="PostgreSQL server URL (without database), or 'auto'.")
    args = parser.parse_args()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gpact-load-")))
        if args.db in ("sqlite", "both"):
            run("SQLite", f"sqlite:///{folder / 'load.db'}", args)
        if args.db in ("postgresql", "both"):
            sys.path.insert(0, str(ROOT))
            from tests.server import pg

            admin = stack.enter_context(pg.cluster()) if args.postgres == "auto" \
                else args.postgres.rstrip("/")
            run("PostgreSQL", pg.fresh_database(admin), args)


if __name__ == "__main__":
    main()
