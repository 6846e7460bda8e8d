"""robots.txt checks per second: gpact's RFC 9309 engine vs protego and urllib.robotparser.

One command, one run, same synthetic workload for all three; times are CPU seconds of this
process (``time.process_time``), measured host by host with the engines interleaved:

    python benchmarks/rights_robots.py                     # 2 000 hosts, 2 000 000 URLs
    python benchmarks/rights_robots.py --hosts 50 --urls 20000   # smoke size

Each host gets a realistic robots.txt (5-60 rules in several groups, wildcards, end anchors,
percent-escapes, comments, sitemaps, a versioned user-agent line); its URLs mostly hit the rule
vocabulary. Every engine parses each host's file once, then answers for all of that host's
URLs (gpact in one batch call, the others one ``can_fetch`` per URL). Printed: checks/s,
the ratio to protego, parse time, peak RSS, and how often each baseline disagrees with gpact,
with examples. A sample of gpact's answers is re-checked against the naive reference matcher
(``gpact.rights.reference``) so the speed does not come at the cost of correctness.

``--jobs N`` (default: every usable core) then runs the same workload end to end (parse,
compile, checks, and sending hosts and answers between processes) through
``gpact.rights.policy.allowed_many`` in one process and on N worker processes, and protego
the same way (the same worker pool, chunks of hosts cut and sent the same way, one
``can_fetch`` per URL), interleaved and repeated; times are wall clock, the only measure
that counts work spread over processes, so the load average is printed with them, and with
each the CPU seconds of the busiest process (this one or a worker): what the wall clock
would be if each process had a core of its own, a figure that the other load on a shared
machine does not move much.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gpact.rights import RobotsPolicy, reference, split_url
from gpact.rights.parallel import Workers, usable_cores
from gpact.rights.policy import CHUNK_URLS, HostUrls, allowed_many

AGENT = "ExampleBot"
SEGMENTS = ["products", "search", "admin", "wp-admin", "cart", "user", "blog", "tag", "api",
            "static", "img", "private", "archive", "news", "p", "category", "login", "feed"]
EXTS = ["", "", "", ".html", ".php", ".pdf", ".gif", ".jpg", ".json"]
QUERIES = ["", "", "", "?q=shoes", "?sort=price", "?page=2", "?id=7&ref=home", "?sessionid=x1"]
ODD = ["caf%C3%A9", "%7Euser", "na%2Fme", "größe", "a%2a", "x$y", "sp ace"]


@dataclass
class Host:
    origin: str
    body: str
    urls: list[str]


def _pattern(rng: random.Random) -> str:
    depth = rng.choice([1, 1, 2, 2, 3])
    parts = [rng.choice(SEGMENTS) for _ in range(depth)]
    pattern = "/" + "/".join(parts)
    roll = rng.random()
    if roll < 0.15:
        pattern = "/*" + rng.choice(EXTS[3:]) + "$"
    elif roll < 0.30:
        pattern += "/*" + rng.choice(["?", "?sort=", ".php", "/edit", "sessionid"])
    elif roll < 0.40:
        pattern += rng.choice([".html$", "/$", "$"])
    elif roll < 0.45:
        pattern = "/" + rng.choice(SEGMENTS) + "/" + rng.choice(ODD)
    elif roll < 0.70:
        pattern += "/"
    return pattern


def _robots(rng: random.Random, host: str) -> str:
    lines = [f"# robots.txt for {host}", f"Sitemap: https://{host}/sitemap.xml", ""]
    total = rng.randint(5, 60)
    groups = [["*"]]
    if rng.random() < 0.5:
        groups.append([rng.choice([AGENT] * 30 + [AGENT.lower()] * 18 + [f"{AGENT}/2.1"])])
    if rng.random() < 0.5:
        groups.append(rng.sample(["GPTBot", "CCBot", "Google-Extended", "ClaudeBot"], 2))
    if rng.random() < 0.1:
        groups.append(["ExampleBot-News"])
    share = max(1, total // len(groups))
    for agents in groups:
        for agent in agents:
            lines.append(f"{rng.choice(['User-agent', 'user-agent', 'USER-AGENT'])}: {agent}")
        if rng.random() < 0.1:
            lines.append("Disallow: /")
        for _ in range(share):
            key = "Allow" if rng.random() < 0.3 else "Disallow"
            lines.append(f"{key}: {_pattern(rng)}" + (" # note" if rng.random() < 0.05 else ""))
        lines.append("")
    return "\n".join(lines) + "\n"


def _url(rng: random.Random, origin: str) -> str:
    depth = rng.choice([0, 1, 1, 2, 2, 3, 4])
    parts = [rng.choice(SEGMENTS) if rng.random() < 0.8 else f"item{rng.randint(1, 999)}"
             for _ in range(depth)]
    if rng.random() < 0.03:
        parts.append(rng.choice(ODD))
    path = "/" + "/".join(parts)
    if parts and rng.random() < 0.3:
        path += rng.choice(["/", rng.choice(EXTS)])
    return origin + path + rng.choice(QUERIES)


def workload(hosts: int, urls: int, seed: int) -> list[Host]:
    rng = random.Random(seed)
    per_host = max(1, urls // hosts)
    out = []
    for i in range(hosts):
        host = f"host{i}.example"
        origin = f"https://{host}"
        out.append(Host(origin, _robots(rng, host), [_url(rng, origin) for _ in range(per_host)]))
    return out


@dataclass
class Engine:
    """How one library parses a host's file and answers for its URLs, with the time spent."""

    name: str
    prepare: Callable[[Host], Any]
    check: Callable[[Any, Host], list[bool]]
    parse_s: float = 0.0
    check_s: float = 0.0
    wall_s: float = 0.0
    answers: list[list[bool]] = field(default_factory=list)

    def run(self, host: Host) -> None:
        # CPU time of this process: on a shared machine, time spent waiting for a core is
        # not counted against whichever engine happened to be running (wall: ``wall_s``).
        w0, t0 = time.perf_counter(), time.process_time()
        parsed = self.prepare(host)
        t1 = time.process_time()
        self.answers.append(self.check(parsed, host))
        self.check_s += time.process_time() - t1
        self.parse_s += t1 - t0
        self.wall_s += time.perf_counter() - w0


def _gpact_prepare(host: Host) -> RobotsPolicy:
    policy = RobotsPolicy(200, host.body, origin=host.origin)
    policy.compiled(AGENT).compile(host.origin)  # many URLs follow: build the regex up front
    return policy


def _gpact_lazy(host: Host) -> RobotsPolicy:
    return RobotsPolicy(200, host.body, origin=host.origin)  # compiles only if it pays


def _protego_prepare(host: Host) -> Any:
    from protego import Protego

    return Protego.parse(host.body)


def _urllib_prepare(host: Host) -> urllib.robotparser.RobotFileParser:
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(host.body.splitlines())
    return rp


def engines(skip: list[str], lazy: bool = False) -> list[Engine]:
    found = [Engine("gpact", _gpact_lazy if lazy else _gpact_prepare,
                    lambda policy, host: policy.allowed(host.urls, AGENT))]
    if "protego" not in skip:
        found.append(Engine("protego", _protego_prepare, lambda rp, host: [
            bool(rp.can_fetch(url, AGENT)) for url in host.urls]))
    if "urllib" not in skip:
        found.append(Engine("urllib.robotparser", _urllib_prepare, lambda rp, host: [
            rp.can_fetch(AGENT, url) for url in host.urls]))
    return found


def many_hosts(points: list[int], urls: int, seed: int, skip: list[str], repeat: int) -> None:
    """End to end (parse + checks) with few URLs per host, as in a real crawl: each host's
    robots.txt is new (no cache hit), gpact decides itself whether compiling pays."""
    print(f"many hosts: end to end (parse + compile + checks, CPU), {urls} URLs per point, "
          f"every robots.txt distinct; ratio gpact/other: median (min-max) of {repeat} runs")
    for per_host in points:
        rates: dict[str, list[float]] = {}
        for r in range(repeat):
            count = max(1, urls // per_host)
            hosts = workload(count, count * per_host, seed + 1000 * r + per_host)
            n = sum(len(h.urls) for h in hosts)
            contenders = engines(skip, lazy=True)
            for host in hosts:
                for engine in contenders:
                    engine.run(host)
            for engine in contenders:
                rates.setdefault(engine.name, []).append(n / (engine.parse_s + engine.check_s))
        ours = rates.pop("gpact")
        line = (f"{per_host:>6} URLs/host x {max(1, urls // per_host):>6} hosts: gpact "
                f"{statistics.median(ours):>10,.0f} URLs/s")
        for name, theirs in rates.items():
            ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
            line += (f"; {name} {statistics.median(theirs):>9,.0f}/s, gpact "
                     f"{statistics.median(ratios):.1f}x ({min(ratios):.1f}-{max(ratios):.1f})")
        print(line)


def _protego_chunk(hosts: list[HostUrls], token: str) -> list[bytes]:
    """protego's share of the parallel run: what ``allowed_many`` does, with protego."""
    from protego import Protego

    out = []
    for host in hosts:
        rp = Protego.parse(host.body if isinstance(host.body, str) else "")
        out.append(bytes(bool(rp.can_fetch(url, token)) for url in host.urls))
    return out


def _protego_many(hosts: list[HostUrls], token: str, pool: Workers | None) -> list[list[bool]]:
    """Spread as ``allowed_many`` spreads: chunks of about CHUNK_URLS, sent as workers free up."""
    if pool is None:
        packed: Any = [_protego_chunk(hosts, token)]
    else:
        size = max(1, min(CHUNK_URLS // max(1, len(hosts[0].urls)), len(hosts) // (2 * pool.jobs)))
        packed = pool.imap(_protego_chunk, ((hosts[a:a + size], token)
                                            for a in range(0, len(hosts), size)))
    return [list(map(bool, answers)) for part in packed for answers in part]


def _forget() -> None:
    """Empty gpact's cache of parsed and compiled robots.txt bodies (every run parses anew)."""
    from gpact.rights import policy

    policy._contents.clear()


def parallel(hosts: list[Host], jobs: int, repeat: int, skip: list[str]) -> None:
    """End to end on 1 and ``jobs`` processes, gpact and protego, wall clock, interleaved."""
    batch = [HostUrls(200, h.body, h.urls, h.origin) for h in hosts]
    n = sum(len(h.urls) for h in hosts)
    t = time.perf_counter()
    with Workers(jobs) as pool:
        pool.map(abs, [(k,) for k in range(jobs)])  # started: the start-up is timed apart
        started = time.perf_counter() - t
        runs: dict[str, list[float]] = {}
        contenders: list[tuple[str, Callable[[Workers | None], list[list[bool]]]]] = [
            ("gpact", lambda p: allowed_many(batch, AGENT, 1) if p is None
             else allowed_many(batch, AGENT, pool=p))]
        if "protego" not in skip:
            contenders.append(("protego", lambda p: _protego_many(batch, AGENT, p)))
        answers: dict[str, list[list[bool]]] = {}
        loads = []
        busiest: dict[str, list[float]] = {}  # CPU seconds of the busiest process, per run
        for _ in range(repeat):
            for name, run in contenders:
                for workers in (None, pool):
                    _forget()
                    pool.map(_forget, [()] * jobs)  # one task per worker: round-robin
                    before = _cpu(pool)
                    w0 = time.perf_counter()
                    answers[name] = run(workers)
                    key = f"{name} x{1 if workers is None else jobs}"
                    runs.setdefault(key, []).append(n / (time.perf_counter() - w0))
                    busiest.setdefault(key, []).append(max(
                        b - a for a, b in zip(before, _cpu(pool), strict=True)))
                    loads.append(os.getloadavg()[0])
    print(f"end to end, wall clock (parse + compile + checks, hosts and answers sent between "
          f"processes), median of {repeat}; load average {min(loads):.1f}-{max(loads):.1f}; "
          f"{jobs} workers started in {started:.1f}s (not counted)")
    for name, rates in runs.items():
        line = f"{name:>20}: {statistics.median(rates):>12,.0f} URLs/s ({min(rates):,.0f}-" \
               f"{max(rates):,.0f})"
        protego = runs.get("protego" + name[len(name.split(" ")[0]):])
        if name.startswith("gpact") and protego is not None:
            line += f"; {statistics.median(rates) / statistics.median(protego):.1f}x protego"
        cpu = statistics.median(busiest[name])
        rate = f"{n / cpu:,.0f} URLs/s" if cpu else "too short to time"  # (10 ms ticks)
        print(line + f"; busiest process {cpu:.2f}s CPU -> {rate}")
    print(f"{'':>22}(-> URLs over the CPU seconds of the busiest process, this one or a worker: "
          "the wall-clock rate if each process had a core of its own)")
    if "protego" in answers:
        differ = sum(a != b for x, y in zip(answers["gpact"], answers["protego"], strict=True)
                     for a, b in zip(x, y, strict=True))
        print(f"{'':>22}(answers as in the single-process run: protego differs on {differ})")


def _cpu(pool: Workers) -> list[float]:
    """CPU seconds (user + system) so far of this process and of each worker."""
    mine = os.times()
    return [mine.user + mine.system] + [t.user + t.system
                                         for t in pool.map(os.times, [()] * pool.jobs)]


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=2000)
    ap.add_argument("--urls", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=9309)
    ap.add_argument("--verify", type=int, default=20000,
                    help="URLs re-checked against the naive reference matcher")
    ap.add_argument("--skip", nargs="*", default=[], choices=["protego", "urllib"])
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--per-host", default="1,10,100,1000",
                    help="URLs per host for the many-hosts workload ('' to skip)")
    ap.add_argument("--many-urls", type=int, default=20000,
                    help="URLs per point of the many-hosts workload")
    ap.add_argument("--repeat", type=int, default=3, help="runs per many-hosts point")
    ap.add_argument("--jobs", type=int, default=usable_cores(),
                    help="worker processes for the parallel run (1: skip it)")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    hosts = workload(args.hosts, args.urls, args.seed)
    n = sum(len(h.urls) for h in hosts)
    print(f"workload: {len(hosts)} hosts, {n} URLs, "
          f"{sum(h.body.count(chr(10)) for h in hosts) / len(hosts):.0f} lines/robots.txt "
          f"(built in {time.perf_counter() - t:.1f}s)")

    # Host by host, every engine in turn: on a shared machine all of them see the same load.
    contenders = engines(args.skip)
    for host in hosts:
        for engine in contenders:
            engine.run(host)
    gpact_rate = n / contenders[0].check_s
    for engine in contenders:
        print(f"{engine.name:>20}: {n / engine.check_s:>12,.0f} checks/s  (checks "
              f"{engine.check_s:.2f}s, parse+compile {engine.parse_s:.2f}s CPU for {len(hosts)} "
              f"files; {engine.wall_s:.2f}s wall in all)" + ("" if engine is contenders[0] else
                           f"; gpact is {gpact_rate / (n / engine.check_s):.1f}x faster"))
    results = {engine.name: engine.answers for engine in contenders}
    ours = results["gpact"]
    for name, answers in results.items():
        if name == "gpact":
            continue
        diffs = [(h, i) for h, (a, b) in enumerate(zip(ours, answers, strict=True))
                 for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        versioned = sum(1 for h, _ in diffs if f"{AGENT}/2.1" in hosts[h].body)
        print(f"{name:>20}: disagrees with gpact (RFC 9309) on {len(diffs)} of {n} URLs "
              f"({100 * len(diffs) / n:.3f} %); {versioned} of them on hosts whose robots.txt "
              f"names the agent with a version ('User-agent: {AGENT}/2.1')")
        for h, i in diffs[:args.examples]:
            host = hosts[h]
            print(f"{'':>22}{host.urls[i]}  gpact={ours[h][i]} {name}={answers[h][i]}")

    rng = random.Random(args.seed + 1)
    wrong = 0
    sample = min(args.verify, n)
    for _ in range(sample):
        h = rng.randrange(len(hosts))
        i = rng.randrange(len(hosts[h].urls))
        policy = RobotsPolicy(200, hosts[h].body)
        split = split_url(hosts[h].urls[i])
        assert policy.robots is not None and split is not None
        rules = list(policy.robots.select(AGENT).rules)
        wrong += reference.allowed(rules, split.path) != ours[h][i]
    print(f"{'reference check':>20}: {wrong} of {sample} sampled answers differ from the naive "
          "reference matcher")
    if args.jobs > 1:
        parallel(hosts, args.jobs, args.repeat, args.skip)
    if args.per_host:
        many_hosts([int(p) for p in args.per_host.split(",")], args.many_urls, args.seed,
                   args.skip, args.repeat)
    print(f"{'peak RSS':>20}: {_peak_rss_mib():.0f} MiB")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
