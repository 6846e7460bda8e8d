"""Benchmark: CPU time of CLI start-up, against importing typer alone as the baseline.

    python benchmarks/cli_startup.py [--repeat 5]

Each case runs in a fresh interpreter (interleaved with the baseline, best of ``--repeat``):
``gpact --version`` should cost little more than typer itself (the command modules load
lazily, see gpact.cli.main), and ``gpact assess`` only what the assessment uses. Also prints
the heaviest imports of ``import gpact.cli.main`` (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "baseline: import typer": "import typer",
    "gpact --version": "from gpact.cli.main import main; main(['--version'])",
    "gpact assess (one profile)": "from gpact.cli.main import main; "
                                  "main(['assess', 'examples/open_weights_7b.yaml'])",
}


def cpu_seconds(code: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def heaviest_imports(n: int = 8) -> list[tuple[int, str]]:
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", "import gpact.cli.main"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    rows = []
    for line in run.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].strip()))
    return sorted(rows, reverse=True)[:n]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    best = dict.fromkeys(CASES, float("inf"))
    for _ in range(args.repeat):  # interleaved: load on the machine hits every case alike
        for name, code in CASES.items():
            best[name] = min(best[name], cpu_seconds(code))
    base = best["baseline: import typer"]
    for name, seconds in best.items():
        print(f"{name:<28} {seconds:6.3f} s CPU   x{seconds / base:5.2f} baseline")
    print("\nheaviest imports of gpact.cli.main (cumulative µs):")
    for micros, module in heaviest_imports():
        print(f"  {micros:>9}  {module}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
