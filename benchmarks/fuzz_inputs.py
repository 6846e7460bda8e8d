"""Coverage-guided fuzzing (atheris) of every input parser, one target each.

    python benchmarks/fuzz_inputs.py TARGET [atheris/libFuzzer flags, e.g. -runs=20000
                                              -max_total_time=120 -max_len=8192]
    python benchmarks/fuzz_inputs.py --list
    python benchmarks/fuzz_inputs.py all --runs 300   # every target, plain random loop

Targets: the safe reader (YAML and JSON), profiles (YAML and JSON), documentation records,
compute ledgers, the four risk files and model configs. Each feeds the input to the parser
the CLI uses and accepts only two outcomes: a parsed value or gpact's one-line InputError
(exit 2). Anything else raises and atheris stops with the crashing input in ``crash-*``;
record such a case in tests/fuzz/test_regressions.py. atheris is in the ``bench`` extra
(binary wheels for Linux x86-64); without it, or with ``--runs N``, a seeded random
mutation loop over the bundled examples runs instead.
"""

from __future__ import annotations

import contextlib
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

try:
    import atheris
except ImportError:
    atheris = None

# Coverage feedback from gpact's own modules only: instrumenting every loaded library takes
# minutes on a small machine and guides the fuzzer towards pydantic's internals.
with atheris.instrument_imports(include=["gpact"]) if atheris else contextlib.nullcontext():
    from pydantic import ValidationError
    from tests.fuzz.inputs import TARGETS

    from gpact import safeio
    from gpact.compute.files import read_mapping
    from gpact.compute.ledger import LedgerSpec
    from gpact.documents.sources import parse_record
    from gpact.errors import InputError
    from gpact.profile import load_profile, parse_profile
    from gpact.risk.store import FILES, load_file

_TMP = Path(tempfile.mkdtemp(prefix="gpact-fuzz-"))


def _via_file(name: str, text: str, read: Callable[[Path], object]) -> None:
    path = _TMP / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    read(path)


def _ledger(text: str) -> None:
    data = safeio.parse_yaml(text, "ledger.yaml", safeio.LEDGER).data
    if isinstance(data, dict):
        with contextlib.suppress(ValidationError):  # the loader turns it into one line
            LedgerSpec.model_validate(data)


def _risk(kind: str) -> Callable[[str], None]:
    model = FILES[kind][1]
    return lambda text: _via_file(f"{kind}.yaml", text, lambda p: load_file(p, model))


PARSERS: dict[str, tuple[Callable[[str], object], str]] = {
    "yaml": (lambda t: safeio.parse_yaml(t, "f.yaml", safeio.PROFILE), "profile"),
    "json": (lambda t: safeio.parse_json(t, "f.json", safeio.PROFILE), "profile-json"),
    "profile": (lambda t: parse_profile(t, "model.yaml"), "profile"),
    "profile-json": (lambda t: _via_file("model.json", t, load_profile), "profile-json"),
    "record": (lambda t: parse_record(safeio.parse_yaml(t, "r.yaml", safeio.RECORD,
                                                        yaml12_numbers=False).data, "r.yaml"),
               "record"),
    "ledger": (_ledger, "ledger"),
    "config": (lambda t: _via_file("config.json", t,
                                   lambda p: read_mapping(p, safeio.MODEL_CONFIG)), "config"),
    **{f"risk-{k}": (_risk(k), f"risk-{k}") for k in FILES},
}


def check(parser: Callable[[str], object], text: str) -> None:
    """The invariant: a value, or one InputError line. Anything else propagates."""
    try:
        parser(text)
    except InputError as exc:
        if "\n" in exc.message():
            raise AssertionError(f"error over several lines: {exc.message()!r}") from None


def _mutate(rng: random.Random, text: str) -> str:
    pieces = [*"{}[]:,-&*!|>'\"#%@`?\n\t ", "2025-02-30", "true", ".nan", "9" * 50, "&a", "*a",
              "<<: ", "\x00", "\ufeff"]
    for _ in range(rng.randint(1, 8)):
        pos = rng.randrange(len(text) + 1)
        op = rng.randrange(3)
        if op == 0:
            text = text[:pos] + text[pos + rng.randint(1, 20):]
        elif op == 1:
            text = text[:pos] + rng.choice(pieces) + text[pos:]
        else:
            start = rng.randrange(len(text) + 1)
            text = text[:pos] + text[start:start + rng.randint(1, 60)] + text[pos:]
    return text


def random_loop(name: str, runs: int, seed: int = 14) -> float:
    parser, sample_kind = PARSERS[name]
    sample = TARGETS[sample_kind].sample
    rng = random.Random(seed)
    started = time.process_time()
    for _ in range(runs):
        check(parser, _mutate(rng, sample))
    return time.process_time() - started


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv[0] == "--list":
        print("\n".join(PARSERS))
        return 0
    name, rest = argv[0], argv[1:]
    names = list(PARSERS) if name == "all" else [name]
    if any(n not in PARSERS for n in names):
        print(f"unknown target {name!r}; one of: all, {', '.join(PARSERS)}", file=sys.stderr)
        return 2
    if atheris is None or "--runs" in rest or len(names) > 1:
        runs = int(rest[rest.index("--runs") + 1]) if "--runs" in rest else 2000
        for n in names:
            cpu = random_loop(n, runs)
            print(f"{n:<18} {runs} random mutations, no failure ({cpu:.1f} s CPU)")
        if atheris is None:
            print("(atheris not installed: pip install -e '.[bench]' for coverage guidance)")
        return 0
    parser, sample_kind = PARSERS[name]
    seeds = _TMP / "corpus"
    seeds.mkdir(exist_ok=True)
    (seeds / "sample").write_text(TARGETS[sample_kind].sample, encoding="utf-8")

    def one(data: bytes) -> None:
        check(parser, data.decode("utf-8", "replace"))

    atheris.Setup([sys.argv[0], *rest, str(seeds)], one)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
