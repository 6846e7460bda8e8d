"""Fuzz target for the robots.txt parser and matcher (atheris, coverage-guided).

    pip install atheris
    python tests/rights/fuzz_robots.py -atheris_runs=200000      # or -max_total_time=300

Without atheris it runs a plain random-bytes loop (``--runs N``). Each input is split into a
robots.txt body and a URL path; the target checks that parsing never raises, that the
compiled engine agrees with the naive reference matcher, and that an unreachable robots.txt
never allows anything but /robots.txt.
"""

from __future__ import annotations

import random
import sys

from gpact.rights import RobotsPolicy, parse, reference, split_url

URL = "https://fuzz.example"


def check_one(data: bytes) -> None:
    body, _, tail = data.partition(b"\x00\x00")
    robots = parse(body)
    path_text = tail.decode("utf-8", "replace")
    split = split_url(URL + "/" + path_text)
    if split is None:
        return
    for token in ("FuzzBot", "*"):
        policy = RobotsPolicy(200, body)
        got = policy.allowed([URL + split.path], token)[0]
        rules = list(robots.select(token).rules)
        expected = reference.allowed(rules, split.path)
        if got != expected:
            raise AssertionError(f"engine {got} != reference {expected} for {split.path!r}")
    dead = RobotsPolicy(None, body).allowed([URL + split.path], "FuzzBot")[0]
    if dead != (split.path == "/robots.txt"):
        raise AssertionError("unreachable robots.txt allowed a URL")


def _random_loop(runs: int) -> None:
    rng = random.Random(9309)
    pieces = [b"User-agent: ", b"Disallow: ", b"Allow: ", b"*", b"$", b"/", b"%2A", b"\n",
              b"\r\n", b"#", b"FuzzBot", b"a", b"\xff", b"\xef\xbb\xbf", b":", b"\x00\x00"]
    for _ in range(runs):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        check_one(data)


def main() -> None:
    try:
        import atheris
    except ImportError:
        runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 20000
        _random_loop(runs)
        print(f"atheris not installed: {runs} random inputs passed")
        return
    atheris.instrument_all()  # coverage feedback from gpact's (already imported) modules
    atheris.Setup(sys.argv, check_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
