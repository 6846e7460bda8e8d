"""Load benchmark: concurrent clients against a real `gpact serve` on loopback.

    python benchmarks/server_load.py [--models 10000] [--clients 50] [--seconds 5]
                                     [--client auto|wrk|python] [--requests 5000]
                                     [--duration 60] [--workers 1] [--no-writes]
                                     [--db sqlite|postgresql|both]
                                     [--postgres URL|auto]

Seeds an organisation with N models (each assessed; see ``seed``) and starts
`gpact serve` in a subprocess on 127.0.0.1. The load comes from ``wrk`` when it is installed
(a C client: it leaves the CPU to the server): one run of C connections per endpoint group,
one group after the other, each for --seconds, rotating through the group's URLs with a
bearer token. Without wrk (or with ``--client python``) C concurrent httpx clients send a
mix of all groups until --requests are done or --duration passes. Reported per endpoint
group (the main reads, then the main writes: saving a profile, which reassesses the model,
and changing an obligation's state): requests, errors, p50/p99 latency and requests per
second, each latency with its ratio to the baseline measured in the same run (the health
endpoint under the same load: the HTTP + framework floor), the server's CPU time per request
(user + system, all its processes, one group at a time) and its peak resident memory
(VmHWM). With wrk a last phase runs every group at once for --seconds (one wrk per
group, the C connections shared out, about one in ten writing): the mixed workload, each
group's latencies measured under the others' load.
PostgreSQL ``auto`` starts a throwaway cluster (as the tests do, but with fsync on, as a
real server has it: every commit is flushed to disk, as on SQLite). Loopback only; bounded in
time (wrk) or in count and time (Python client).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gpact.services import accounts, registry
from gpact.store import Database, upgrade

ROOT = Path(__file__).resolve().parents[1]
PROFILE = (ROOT / "examples" / "frontier_systemic.yaml").read_text()
SERVE = "import sys; from gpact.cli.main import main; sys.exit(main(sys.argv[1:]))"


SERVICE_SEEDED = 50  # models made through the service; the rest are copies of their rows


def seed(url: str, models: int) -> tuple[str, list[int]]:
    """An organisation with ``models`` assessed models; returns a read-write token and the
    ids, in the order of their names (``Model-00000`` …).

    The first ``SERVICE_SEEDED`` are registered and assessed through the service, as the API
    does; the others copy the rows of one of them under their own name (same tables, same
    indexes, one insert per table per batch), so 10,000 models seed in seconds rather than
    the quarter of an hour the service would take. Reads and writes then see the same data
    either way.
    """
    db = Database(url)
    upgrade(db)
    with db.write() as s:
        org = accounts.create_organisation(s, "bench", "Bench", "benchmark")
        user = accounts.create_user(s, "bench@example.eu", "benchmark password", "benchmark")
        accounts.set_role(s, org, user, "admin", "benchmark")
        actor = accounts.actor_for(s, user, "bench")
        token, _ = accounts.create_token(s, actor, "load", ["read", "write"])
    ids = []
    for start in range(0, min(models, SERVICE_SEEDED), 100):
        with db.write() as s:
            for i in range(start, min(start + 100, models, SERVICE_SEEDED)):
                ids.append(registry.create_model(s, actor, _profile(i)).id)
    for start in range(SERVICE_SEEDED, models, 1000):
        ids += _copies(db, ids[0], range(start, min(start + 1000, models)))
    db.analyze()  # as autovacuum would have by the time a real portfolio has 10,000 models
    db.dispose()
    return token, ids


def _profile(i: int) -> str:
    return PROFILE.replace("Northwind-Ultra", f"Model-{i:05d}")


def _copies(db: Database, source: int, numbers: range) -> list[int]:
    """Models ``numbers`` as copies of model ``source``'s rows (profile, assessment, due
    dates, obligation tracks, deadlines) under their own names: one multi-row insert per
    table."""
    import hashlib

    from sqlalchemy import func, insert, select, update

    from gpact.store.models import (
        Assessment,
        CurrentDeadline,
        Model,
        ObligationDue,
        ObligationTrack,
        ProfileVersion,
    )

    def rows(table: Any, where: Any) -> list[dict[str, Any]]:
        skip = {"id", "model_id", "assessment_id"}
        return [{k: v for k, v in r._mapping.items() if k not in skip}
                for r in s.execute(select(*[c for c in table.__table__.c]).where(where))]

    def many(table: Any, values: list[dict[str, Any]]) -> None:
        """With RETURNING, SQLAlchemy sends batches of rows in multi-row INSERTs (without
        it, psycopg's executemany sends PostgreSQL one statement per row)."""
        s.execute(insert(table).returning(table.id), values).all()

    def ids(table: Any, values: list[dict[str, Any]]) -> list[int]:
        stmt = insert(table).returning(table.id, sort_by_parameter_order=True)
        return list(s.scalars(stmt, values))

    with db.write() as s:
        model = s.get(Model, source)
        assert model is not None and model.latest_assessment_id is not None
        assessment = s.get(Assessment, model.latest_assessment_id)
        assert assessment is not None
        dues = rows(ObligationDue, ObligationDue.assessment_id == assessment.id)
        tracks = rows(ObligationTrack, ObligationTrack.model_id == source)
        deadlines = rows(CurrentDeadline, CurrentDeadline.model_id == source)
        suffix = model.name.split(" ", 1)[1] if " " in model.name else ""
        texts = [_profile(i) for i in numbers]
        names = [f"Model-{i:05d} {suffix}".strip() for i in numbers]
        model_ids = ids(Model, [{"org_id": model.org_id, "name": name, "version": 1}
                                for name in names])
        profile_ids = ids(ProfileVersion, [
            {"model_id": m, "number": 1, "text": t, "created_by": "benchmark",
             "sha256": hashlib.sha256(t.encode()).hexdigest()}
            for m, t in zip(model_ids, texts, strict=True)])
        assessment_ids = ids(Assessment, [
            {"model_id": m, "profile_version_id": p, "as_of": assessment.as_of,
             "rulebook_version": assessment.rulebook_version,
             "gpact_version": assessment.gpact_version, "result": assessment.result,
             "summary": assessment.summary, "created_by": "benchmark"}
            for m, p in zip(model_ids, profile_ids, strict=True)])
        pairs = list(zip(model_ids, assessment_ids, strict=True))
        s.execute(update(Model).where(Model.id.in_(model_ids)).values(
            latest_assessment_id=select(func.max(Assessment.id))
            .where(Assessment.model_id == Model.id).scalar_subquery())
            .execution_options(synchronize_session=False))
        many(ObligationDue, [{**d, "assessment_id": a} for _, a in pairs for d in dues])
        many(ObligationTrack, [{**t, "model_id": m, "assessment_id": a}
                               for m, a in pairs for t in tracks])
        many(CurrentDeadline, [{**d, "model_id": m, "model_name": name}
                               for m, name in zip(model_ids, names, strict=True)
                               for d in deadlines])
    return model_ids


@contextmanager
def server(url: str, workers: int) -> Iterator[tuple[str, int]]:
    port = 8700 + random.randrange(200)
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--port", str(port),
                             "--db", url, "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts Python slowly
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server (all its worker processes) so far."""
    total = 0
    for p in [pid, *children(pid)]:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def load(base: str, token: str, groups: dict[str, list[str]], clients: int,
               requests: int, duration: float) -> dict[str, tuple[list[float], int]]:
    """Run ``clients`` concurrent loops until the budget is spent; each request picks an
    endpoint group at random, then one of its URLs."""
    results: dict[str, tuple[list[float], int]] = {}
    remaining = requests
    stop_at = time.monotonic() + duration
    headers = {"Authorization": f"Bearer {token}"}
    error_kinds: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    keys = sorted(groups)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal remaining
        while remaining > 0 and time.monotonic() < stop_at:
            remaining -= 1
            key = random.choice(keys)
            path = random.choice(groups[key])
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


WRK_SCRIPT = """
-- Rotates through the paths in the file given after --, starting each thread elsewhere;
-- prints one JSON line with the counts and latency percentiles (microseconds) at the end.
local paths, i = {}, 0
function setup(thread)
  thread:set("start", math.random(0, 1000000))
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = (start or 0) % #paths
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "us": %d, "p50": %d, "p99": %d, "errors": %d, "non2xx": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def wrk_write_script(what: str, method: str, path: str, body: str, answer: str) -> str:
    """A wrk script that writes: each request ``method path`` for the next model of the
    listing (``id key`` lines; in ``path`` and ``body`` ``@BODY@`` becomes the body file
    given after the listing, ``@ID@`` and ``@KEY@`` the model's id and key, ``@STATE@``
    in_progress or open as the version is odd or even) with If-Match of the version its
    last answer gave (``answer``: a Lua pattern capturing the model id and version), so no
    two writes conflict."""
    return f"""
-- {what}
local models, i, versions, file = {{}}, 0, {{}}, ""
function setup(thread)
  thread:set("start", math.random(0, 1000000))
end
function init(args)
  for line in io.lines(args[1]) do
    local id, key = line:match("^(%d+) (.+)$")
    models[#models + 1] = {{id = id, key = key}}
  end
  if args[2] then local fh = io.open(args[2]); file = fh:read("*a"); fh:close() end
  i = (start or 0) % #models
end
local function fill(text, m, version)
  return (text:gsub("@BODY@", function() return file end)
              :gsub("@ID@", m.id):gsub("@KEY@", function() return m.key end)
              :gsub("@STATE@", version % 2 == 1 and "in_progress" or "open"))
end
function request()
  i = i % #models + 1
  local m = models[i]
  local version = versions[m.id] or 1
  local headers = {{}}  -- wrk.format with headers drops the -H ones: copy them in
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
  headers["If-Match"] = '"' .. version .. '"'
  return wrk.format("{method}", fill("{path}", m, version), headers, fill('{body}', m, version))
end
function response(status, headers, body)
  local id, v = body:match('{answer}')
  if id then versions[id] = tonumber(v) end
end
""" + "function done" + WRK_SCRIPT.split("function done", 1)[1]  # the same summary line


WRK_WRITE_SCRIPT = wrk_write_script(
    "Saves profiles (each model's own, its name filled in).", "PUT",
    "/api/orgs/bench/models/@ID@/profile", "@BODY@", '^{"id":(%d+),.-"version":(%d+)')
WRK_TRACK_SCRIPT = wrk_write_script(
    "Changes obligation states (in_progress, then open again).", "PATCH",
    "/api/orgs/bench/models/@ID@/obligations/@KEY@",
    '{"state": "@STATE@"}', '^{"model_id":(%d+),.-"version":(%d+)')


@dataclass
class Result:
    """One endpoint group under load: latencies in ms."""

    requests: int
    errors: int
    p50: float
    p99: float
    per_second: float
    cpu_ms: float = float("nan")  # the server's CPU time per request (one group at a time)


def wrk_path() -> str | None:
    return shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)


def wrk_load(wrk: str, base: str, token: str, paths: list[str], args: argparse.Namespace,
             folder: Path, write: Write | None = None) -> Result:
    """One wrk run of ``args.clients`` connections over ``paths`` (or the ``write``) for
    ``args.seconds``."""
    script, listing = folder / "rotate.lua", folder / "paths.txt"
    script.write_text(WRK_SCRIPT if write is None else write.script)
    listing.write_text("\n".join(paths) + "\n")
    extra = [] if write is None else [str(write.body)]
    threads = min(args.threads, args.clients)
    out = subprocess.run([wrk, f"-t{threads}", f"-c{args.clients}", f"-d{args.seconds}s",
                          "--timeout", "10s", "-H", f"Authorization: Bearer {token}",
                          "-s", str(script), base + (paths[0] if write is None else "/"),
                          "--", str(listing), *extra],
                         capture_output=True, text=True, check=True,
                         timeout=args.seconds + 30).stdout
    row = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    return Result(row["requests"], row["errors"] + row["non2xx"], row["p50"] / 1000,
                  row["p99"] / 1000, row["requests"] / (row["us"] / 1e6))


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else (values[0] if values else float("nan"))


def python_load(base: str, token: str, groups: dict[str, list[str]], clients: int,
                requests: int, duration: float) -> dict[str, Result]:
    """The httpx fallback: a random mix of all groups in one phase."""
    started = time.perf_counter()
    raw = asyncio.run(load(base, token, groups, clients, requests, duration))
    wall = time.perf_counter() - started
    return {key: Result(len(times), errors, pct(times, 50), pct(times, 99), len(times) / wall)
            for key, (times, errors) in raw.items()}


def groups_for(ids: list[int], models: int) -> dict[str, list[str]]:
    pages = max(1, models // 50)
    return {
        "/api/orgs/bench/models?limit=50&offset={n}":
            [f"/api/orgs/bench/models?limit=50&offset={50 * p}" for p in range(pages)],
        "/api/orgs/bench/models/{id}": [f"/api/orgs/bench/models/{i}" for i in ids],
        "/api/orgs/bench/models/{id}/assessments/latest":
            [f"/api/orgs/bench/models/{i}/assessments/latest" for i in ids],
        "/api/orgs/bench/deadlines?limit=50": ["/api/orgs/bench/deadlines?limit=50"],
        "/api/orgs/bench/obligations?limit=100&offset={n}":
            [f"/api/orgs/bench/obligations?limit=100&offset={100 * p}"
             for p in range(max(1, min(pages, 100)))],
    }


@dataclass
class Write:
    """A write endpoint group for wrk: its Lua script, the listing of models (``id name``
    lines) and a body file the script fills in per model."""

    script: str
    listing: list[str]
    body: Path


def writes_for(ids: list[int], obligation: str, folder: Path, phase: int) -> dict[str, Write]:
    """The main writes: saving a profile (which reassesses the model) and changing the
    state of an obligation. Each write and each ``phase`` (0: alone, 1: mixed) has its own
    quarter of the models, whose versions its script follows, so no write is stale."""
    body = folder / "profile_body.json"
    body.write_text(json.dumps({"profile": PROFILE.replace("Northwind-Ultra", "@KEY@")}))
    quarter = max(1, len(ids) // 4)  # a tiny smoke run shares models (and may see 409s)

    def part(n: int) -> list[int]:
        return [k % len(ids) for k in range(n * quarter, (n + 1) * quarter)]

    return {
        "PUT /api/orgs/bench/models/{id}/profile (save, reassess)":
            Write(WRK_WRITE_SCRIPT, [f"{ids[n]} Model-{n:05d}" for n in part(phase)], body),
        "PATCH /api/orgs/bench/models/{id}/obligations/{key} (state)":
            Write(WRK_TRACK_SCRIPT, [f"{ids[n]} {obligation}" for n in part(2 + phase)],
                  body),
    }


def tracked_obligation(base: str, token: str, model_id: int) -> str:
    """An obligation that applies to the seeded models (the copies all share it)."""
    answer = httpx.get(f"{base}/api/orgs/bench/models/{model_id}/obligations",
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
    answer.raise_for_status()
    return str(answer.json()[0]["obligation"])


def mixed_load(wrk: str, base: str, token: str, groups: dict[str, list[str]],
               writes: dict[str, Write], args: argparse.Namespace,
               folder: Path) -> dict[str, Result]:
    """All endpoint groups at once: one wrk per group, started together, the connections
    shared out so that about one in ten is a writer (each connection sends its next request
    when the last is answered, so the share of requests follows the latencies)."""
    writers = max(len(writes), round(args.clients / 10))
    readers = max(len(groups), args.clients - writers)
    shares = {**{k: readers // len(groups) + (n < readers % len(groups))
                 for n, k in enumerate(groups)},
              **{k: writers // len(writes) + (n < writers % len(writes))
                 for n, k in enumerate(writes)}}
    runs = {}
    for n, key in enumerate([*groups, *writes]):
        sub = folder / f"mixed{n}"
        sub.mkdir(exist_ok=True)
        write = writes.get(key)
        script, listing = sub / "rotate.lua", sub / "paths.txt"
        script.write_text(WRK_SCRIPT if write is None else write.script)
        listing.write_text("\n".join(groups[key] if write is None else write.listing) + "\n")
        extra = [] if write is None else [str(write.body)]
        runs[key] = subprocess.Popen(
            [wrk, "-t1", f"-c{shares[key]}", f"-d{args.seconds}s", "--timeout", "10s",
             "-H", f"Authorization: Bearer {token}", "-s", str(script), base + "/", "--",
             str(listing), *extra], stdout=subprocess.PIPE, text=True)
    results = {}
    for key, proc in runs.items():
        out, _ = proc.communicate(timeout=args.seconds + 60)
        row = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
        name = ("GET " + key if key in groups else key) + f" [{shares[key]} conn]"
        results[name] = Result(row["requests"], row["errors"] + row["non2xx"],
                               row["p50"] / 1000, row["p99"] / 1000,
                               row["requests"] / (row["us"] / 1e6))
    return results


def run(kind: str, url: str, args: argparse.Namespace, folder: Path) -> None:
    t0 = time.perf_counter()
    token, ids = seed(url, args.models)
    seeded = time.perf_counter() - t0
    wrk = wrk_path() if args.client in ("auto", "wrk") else None
    if args.client == "wrk" and wrk is None:
        raise SystemExit("--client wrk: wrk is not installed")
    if wrk:
        client = (f"wrk ({wrk}, {min(args.threads, args.clients)} threads, {args.clients} "
                  f"connections, {args.seconds:g}s per endpoint group, one group at a time)")
    else:
        client = (f"Python httpx ({args.clients} clients in this process, a mix of all groups; "
                  f"at most {args.requests} requests or {args.duration:g}s)")
    print(f"\n== {kind}: {args.models} models seeded in {seeded:.1f}s; load client: {client}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    groups = groups_for(ids, args.models)
    with server(url, args.workers) as (base, pid):
        random.seed(1)
        mixed: dict[str, Result] = {}
        mixed_cpu = ""
        if wrk:
            def timed(paths: list[str], write: Write | None = None) -> Result:
                before = cpu_seconds(pid)
                result = wrk_load(wrk, base, token, paths, args, folder, write)
                result.cpu_ms = (cpu_seconds(pid) - before) * 1000 / max(1, result.requests)
                return result

            baseline = timed(["/api/health"])
            measured = {"GET " + key: timed(paths) for key, paths in groups.items()}
            # the pages' first pass builds every answer (the server just started); once
            # kept, they are what a server that has been up serves: both are shown
            measured |= {f"GET {key} (again, kept)": timed(paths)
                         for key, paths in groups.items() if "{n}" in key}
            if not args.no_writes:
                obligation = tracked_obligation(base, token, ids[-1])
                measured |= {key: timed(write.listing, write)
                             for key, write in writes_for(ids, obligation, folder, 0).items()}
                before = cpu_seconds(pid)
                mixed = mixed_load(wrk, base, token, groups,
                                   writes_for(ids, obligation, folder, 1), args, folder)
                used = cpu_seconds(pid) - before
                done = sum(r.requests for r in mixed.values())
                mixed_cpu = (f"mixed phase: server CPU {used:.1f} s in {args.seconds} s "
                             f"({100 * used / args.seconds:.0f}% of one core), "
                             f"{1000 * used / max(1, done):.2f} ms per request")
        else:
            baseline = python_load(base, token, {"/api/health": ["/api/health"]}, args.clients,
                                   args.requests // 4, args.duration / 4)["/api/health"]
            measured = {"GET " + key: r for key, r in python_load(
                base, token, groups, args.clients, args.requests, args.duration).items()}
            print("(writes are measured with wrk only)")
        rss = sum(peak_rss_mib(p) for p in [pid, *children(pid)])
    table(f"one endpoint group at a time, {args.clients} connections", baseline, measured)
    if mixed:
        table(f"mixed: every group at once, {args.clients} connections in all, about one in "
              "ten writing", baseline, mixed)
        print(mixed_cpu)
    print(f"server peak RSS {rss:.0f} MiB ({args.workers} worker"
          f"{'s' if args.workers > 1 else ''}); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def table(title: str, baseline: Result, measured: dict[str, Result]) -> None:
    print(f"-- {title}")
    print(f"{'endpoint':<72}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'p50/base':>10}{'p99/base':>10}{'req/s':>8}{'CPU ms':>8}")
    rows = [("GET /api/health (baseline, alone)", baseline), *sorted(measured.items())]
    for key, r in rows:
        print(f"{key:<72}{r.requests:>9}{r.errors:>8}{r.p50:>9.1f}{r.p99:>9.1f}"
              f"{r.p50 / baseline.p50:>10.2f}{r.p99 / baseline.p99:>10.2f}"
              f"{r.per_second:>8.0f}{r.cpu_ms:>8.2f}")
    for kind in ("GET", "P"):
        chosen = [r for key, r in measured.items() if key.startswith(kind)]
        if chosen:
            worst = max(r.p99 for r in chosen)
            errors = sum(r.errors for r in chosen)
            print(f"worst {'read' if kind == 'GET' else 'write'} p99 {worst:.1f} ms, "
                  f"{errors} errors (target p99 < 100 ms, no errors: "
                  f"{'met' if worst < 100 and not errors else 'NOT met'})")
    kept = [r.p99 for key, r in measured.items()
            if key.startswith("GET") and ("{n}" not in key or "(again, kept)" in key)]
    if any("(again, kept)" in key for key in measured):
        print(f"worst read p99 with the pages kept (their first pass left out) "
              f"{max(kept):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10000)
    parser.add_argument("--no-writes", action="store_true", help="reads only")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto",
                        help="load generator: wrk when installed (auto), or the Python one")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="wrk: seconds per endpoint group")
    parser.add_argument("--threads", type=int, default=1, help="wrk: client threads")
    parser.add_argument("--requests", type=int, default=5000, help="Python client: at most")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="Python client: seconds at most")
    parser.add_argument("--workers", type=int, default=1, help="gpact serve --workers")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres", default="auto",
                        help="PostgreSQL server URL (without database), or 'auto'.")
    args = parser.parse_args()
    args.seconds = max(1, round(args.seconds))  # wrk takes whole seconds
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gpact-load-")))
        if args.db in ("sqlite", "both"):
            run("SQLite", f"sqlite:///{folder / 'load.db'}", args, folder)
        if args.db in ("postgresql", "both"):
            sys.path.insert(0, str(ROOT))
            from tests.server import pg

            admin = stack.enter_context(pg.cluster(durable=True)) if args.postgres == "auto" \
                else args.postgres.rstrip("/")
            run("PostgreSQL", pg.fresh_database(admin), args, folder)


if __name__ == "__main__":
    main()
