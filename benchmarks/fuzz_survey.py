"""Survey: ~400 malformed inputs through the CLI, counting tracebacks, hangs and wrong exit 0s.

    python benchmarks/fuzz_survey.py [--timeout 10] [--seed 14] [--only KIND]

Each case mutates one bundled example (profile, documentation record, compute ledger, the four
risk files, a model config, telemetry) or passes an impossible option value, then runs
``gpact.cli.main.main`` in a forked child (cheap: the CLI is imported once) with a memory cap.
Counted per case: a traceback (an exception escaping ``main``), a hang (over ``--timeout``
seconds), a memory blow-up (MemoryError under the 2 GiB cap), an error message of more than
one line, and, for inputs that are wrong by construction, an exit code of 0 ("accepted").
This is the survey behind issue #14's figures; tests/fuzz/ holds the CI-sized suite.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MEMORY_CAP = 2 << 30
cli_main: Callable[[list[str]], int]

CONFIG = ('{"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008,\n'
          ' "num_hidden_layers": 32, "num_attention_heads": 32, "vocab_size": 32000}\n')


@dataclass(frozen=True)
class Target:
    """One input file of one command: where the sample lives and how the CLI reads it."""

    kind: str
    sample: str  # text of the valid input
    file: str  # its name inside the case folder
    argv: Callable[[Path], list[str]]
    setup: Callable[[Path], None] = lambda folder: None


def _copy_risk(folder: Path) -> None:
    shutil.copy(EXAMPLES / "systemic-risk" / "frontier.yaml", folder / "frontier.yaml")
    shutil.copytree(EXAMPLES / "systemic-risk" / "risk", folder / "risk", dirs_exist_ok=True)


def _copy_profile(folder: Path) -> None:
    shutil.copy(EXAMPLES / "frontier_systemic.yaml", folder / "model.yaml")


def _copy_csv(folder: Path) -> None:
    shutil.copy(EXAMPLES / "compute" / "pretraining.csv", folder / "pretraining.csv")


def targets() -> list[Target]:
    risk = EXAMPLES / "systemic-risk" / "risk"
    out = [
        Target("profile", (EXAMPLES / "frontier_systemic.yaml").read_text(), "model.yaml",
               lambda f: ["assess", str(f / "model.yaml")]),
        Target("record", (EXAMPLES / "records" / "frontier_systemic.record.yaml").read_text(),
               "model.record.yaml",
               lambda f: ["docs", "check", str(f / "model.yaml"), "--record",
                          str(f / "model.record.yaml")], _copy_profile),
        Target("ledger", (EXAMPLES / "compute" / "ledger.yaml").read_text(), "ledger.yaml",
               lambda f: ["compute", "ledger", str(f / "ledger.yaml")], _copy_csv),
        Target("config", CONFIG, "config.json",
               lambda f: ["compute", "params", str(f / "config.json")]),
        Target("telemetry", (EXAMPLES / "compute" / "pretraining.csv").read_text(), "t.csv",
               lambda f: ["compute", "forecast", str(f / "t.csv"), "--parameters", "7e10"]),
    ]
    for kind in ("register", "evaluations", "incidents", "requests"):
        command = ["incident", "status"] if kind == "incidents" else ["risk", "check"]
        out.append(Target(f"risk-{kind}", (risk / f"{kind}.yaml").read_text(),
                          f"risk/{kind}.yaml",
                          lambda f, c=command: [*c, str(f / "frontier.yaml")], _copy_risk))
    return out


DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
NUMBER_FIELD = re.compile(r"^(\s*(?:-\s+)?[a-z_]+:\s+)(-?\d[\d._eE+-]*)\s*(#.*)?$", re.M)
KEY_LINE = re.compile(r"^(\s+)([a-z_]+):\s+\S.*$", re.M)


def _sub_first(pattern: re.Pattern[str], text: str, repl: str) -> str | None:
    new, n = pattern.subn(repl, text, count=1)
    return new if n else None


def known_bad(t: Target) -> Iterator[tuple[str, str | bytes]]:
    """Inputs that are wrong by construction: gpact must refuse (exit 2) or warn (exit 1)."""
    s = t.sample
    yaml_like = not t.file.endswith((".json", ".csv"))
    for bad_date in ("2025-02-30", "0000-01-01", "2025-13-01"):
        if (new := _sub_first(DATE, s, bad_date)) is not None:
            yield f"date {bad_date}", new
    if (new := _sub_first(NUMBER_FIELD, s, r"\g<1>true")) is not None:
        yield "number -> true", new
    if (new := _sub_first(NUMBER_FIELD, s, r"\g<1>-5")) is not None:
        yield "number -> -5", new
    if (new := _sub_first(NUMBER_FIELD, s, r"\g<1>.nan")) is not None:
        yield "number -> .nan", new
    if (new := _sub_first(NUMBER_FIELD, s, r"\g<1>" + "9" * 5000)) is not None:
        yield "number -> 5000 digits", new
    if yaml_like:
        if (m := KEY_LINE.search(s)) is not None:
            dup = s[:m.end()] + "\n" + m.group(0) + s[m.end():]
            yield "duplicate key", dup
        first = s.splitlines()
        marker = next((ln for ln in first if re.match(r"^gpact\w*: 1\s*$", ln)), None)
        if marker is not None:
            key = marker.split(":")[0]
            for v in ("1.0", "true", '"1"', "2"):  # the marker line, not a comment naming it
                yield f"{key}: {v}", re.sub(rf"^{re.escape(marker)}$", f"{key}: {v}", s,
                                            count=1, flags=re.M)
        yield "deep nesting", s + "\nzz_deep: " + "[" * 50_000 + "]" * 50_000 + "\n"
        yield "50k unknown keys", s + "".join(f"\nzz_k{i}: {i}" for i in range(50_000))
        yield "200k-item list", s + "\nzz_list: [" + ",".join("1" * 1 for _ in range(200_000)) \
            + "]\n"
        yield "5k misspelt keys", s + "".join(f"\nmodle{i}: 1" for i in range(5_000))
        yield "huge line", s + "\nzz_line: " + "x" * 20_000_000 + "\n"
        bomb = "zz_a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"zz_{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
            for i in range(8))
        yield "alias bomb", s + "\n" + bomb
        yield "top-level list", "- " + "\n- ".join(s.splitlines()[:3]) + "\n"
        yield "top-level scalar", "just words\n"
        yield "unhashable key", s + "\n? [a, b]\n: c\n"
        yield "tab indentation", s.replace("\n  ", "\n\t", 1)
    else:
        yield "deep nesting", "[" * 100_000 + "]" * 100_000
        yield "huge line", s.rstrip("\n") + "x" * 20_000_000
    if not t.kind.startswith("risk-"):  # an empty risk file is an empty record, by design
        yield "empty", ""
    yield "binary", bytes(range(256)) * 8
    yield "NUL bytes", s[: len(s) // 2] + "\0" * 10 + s[len(s) // 2:]
    yield "bad UTF-8", s.encode() + b"\n\xff\xfe\xfa\n"


def random_mutations(t: Target, rng: random.Random, n: int) -> Iterator[tuple[str, str]]:
    """Byte-level damage: may still be valid, so exit 0 is not counted against these."""
    s = t.sample
    alphabet = "{}[]:,-&*!|>'\"#%@` \n\t?0123456789.eE+x"
    for i in range(n):
        chars = list(s)
        for _ in range(rng.randint(1, 6)):
            op = rng.randrange(4)
            pos = rng.randrange(len(chars) + 1)
            if op == 0 and chars:
                del chars[min(pos, len(chars) - 1)]
            elif op == 1:
                chars.insert(pos, rng.choice(alphabet))
            elif op == 2:
                chars = chars[:pos]
            else:
                chars[pos:pos] = list(s[rng.randrange(len(s)):][:rng.randint(1, 40)])
        yield f"random #{i}", "".join(chars)


OPTION_CASES: list[tuple[str, list[str]]] = [
    ("--as-of 9999-12-31", ["assess", str(EXAMPLES / "frontier_systemic.yaml"),
                            "--as-of", "9999-12-31"]),
    ("--as-of 0000-01-01", ["assess", str(EXAMPLES / "frontier_systemic.yaml"),
                            "--as-of", "0000-01-01"]),
    ("--as-of 2025-02-30", ["rulebook", "--as-of", "2025-02-30"]),
    ("--aware-on 9999-12-31", ["incident", "deadlines", "--category", "cybersecurity",
                               "--aware-on", "9999-12-31"]),
    ("--aware-on 0001-01-01", ["incident", "deadlines", "--category", "cybersecurity",
                               "--aware-on", "0001-01-01"]),
    ("calendar --as-of 9999-12-31", ["calendar", str(EXAMPLES), "--as-of", "9999-12-31"]),
    ("forecast --parameters -5", ["compute", "forecast", str(EXAMPLES / "compute" /
                                                          "pretraining.csv"),
                                  "--parameters", "-5"]),
    ("forecast --parameters nan", ["compute", "forecast", str(EXAMPLES / "compute" /
                                                           "pretraining.csv"), "--parameters",
                                   "nan"]),
    ("forecast --utilization 7", ["compute", "forecast", str(EXAMPLES / "compute" /
                                                          "pretraining.csv"), "--parameters",
                                  "7e10", "--utilization", "7"]),
    ("ledger --planned-total -1", ["compute", "ledger", str(EXAMPLES / "compute" / "ledger.yaml"),
                                   "--planned-total", "-1"]),
    ("ledger --as-of 9999-12-31", ["compute", "ledger", str(EXAMPLES / "compute" / "ledger.yaml"),
                                   "--as-of", "9999-12-31"]),
    ("risk check --as-of 9999-12-31", ["risk", "check", str(EXAMPLES / "systemic-risk" /
                                                             "frontier.yaml"),
                                       "--as-of", "9999-12-31"]),
    ("docs check --as-of 0001-01-01", ["docs", "check", str(EXAMPLES / "frontier_systemic.yaml"),
                                       "--as-of", "0001-01-01"]),
    ("compute estimate negative", ["compute", "estimate", "--parameters", "-7e9", "--tokens",
                                   "1e12"]),
]


def run_case(argv: list[str], timeout: float, report: Path) -> tuple[str, int, str]:
    """Run the CLI in a forked child; returns (outcome, exit code, stderr)."""
    pid = os.fork()
    if pid == 0:  # child: never returns into the survey loop
        try:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
            err, out = io.StringIO(), io.StringIO()
            outcome, code = "ok", 0
            try:
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
                    code = cli_main(argv)
            except MemoryError:
                outcome, code = "memory", 99
            except BaseException as exc:  # a traceback reaches the user
                outcome, code = f"traceback {type(exc).__name__}", 98
            report.write_text(f"{outcome}\n{code}\n{err.getvalue()[:100_000]}",
                              encoding="utf-8", errors="replace")
        finally:
            os._exit(0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return "hang", -1, ""
    if not report.exists():
        return "crash", -9, ""
    outcome, code, err = [*report.read_text(encoding="utf-8").split("\n", 2), "", ""][:3]
    report.unlink()
    return outcome or "crash", int(code or -9), err


def main() -> int:
    global cli_main
    from gpact.cli.main import main as cli_main  # imported once, before forking
    from gpact.rulebook import default_rulebook

    default_rulebook()  # loaded once too: each child would otherwise parse it again
    with contextlib.redirect_stdout(io.StringIO()):
        cli_main(["--help"])  # imports every command module

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--random", type=int, default=16, help="random mutations per target")
    ap.add_argument("--only", help="run only this target kind")
    ap.add_argument("--retry", type=float, default=1.0,
                    help="re-run a hang once with this many times the timeout")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    rng = random.Random(args.seed)
    totals: Counter[str] = Counter()
    worst: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        cases: list[tuple[str, str, list[str], bool]] = []
        for i, t in enumerate(targets()):
            if args.only and t.kind != args.only:
                continue
            variants = [(n, c, True) for n, c in known_bad(t)] + \
                [(n, c, False) for n, c in random_mutations(t, rng, args.random)]
            for j, (name, content, bad) in enumerate(variants):
                folder = Path(tmp) / f"{i}-{j}"
                folder.mkdir()
                t.setup(folder)
                target = folder / t.file
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    target.write_bytes(content)
                else:
                    target.write_text(content, encoding="utf-8")
                cases.append((t.kind, name, t.argv(folder), bad))
        if not args.only:
            cases += [("option", name, argv, True) for name, argv in OPTION_CASES]
        started = time.monotonic()
        for kind, name, argv, bad in cases:
            t0 = time.monotonic()
            outcome, code, err = run_case(argv, args.timeout, Path(tmp) / "report.txt")
            if outcome == "hang" and args.retry > 1:  # a loaded machine, or really unbounded?
                outcome, code, err = run_case(argv, args.timeout * args.retry,
                                              Path(tmp) / "report.txt")
            took = time.monotonic() - t0
            lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
            verdicts = []
            if outcome != "ok":
                verdicts.append(outcome.split()[0])
            elif bad and code == 0:
                verdicts.append("accepted")
            if code == 2 and len(err.strip().splitlines()) > 1 and len(lines) <= 1:
                verdicts.append("multiline")
            totals["cases"] += 1
            for v in verdicts:
                totals[v] += 1
            if verdicts or args.verbose:
                worst.append(f"{','.join(verdicts) or 'fine':>10} {kind:>16} {name:<28} "
                             f"exit {code:>3} {took:5.1f}s  {outcome} "
                             f"{err.strip().splitlines()[-1][:90] if err.strip() else ''}")
        elapsed = time.monotonic() - started
    print("\n".join(worst))
    print(f"\n{totals['cases']} cases in {elapsed:.0f} s: {totals['traceback']} tracebacks, "
          f"{totals['hang']} hangs (> {args.timeout * max(args.retry, 1):g} s), "
          f"{totals['memory']} memory blow-ups, "
          f"{totals['accepted']} wrong inputs accepted with exit 0, "
          f"{totals['multiline']} multi-line errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
