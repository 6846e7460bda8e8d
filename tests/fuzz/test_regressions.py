"""Cases the fuzz survey (benchmarks/fuzz_survey.py) and the fuzzers found, kept as a table.

Each was a traceback, a hang, or wrong input accepted with exit 0 before issue #14; each must
now be one clear line naming the file and position, with exit code 2.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.fuzz.inputs import EXAMPLES, TARGETS, check_result

PROFILE = TARGETS["profile"].sample
LEDGER = TARGETS["ledger"].sample
INCIDENTS = TARGETS["risk-incidents"].sample


def _sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _deep(n: int) -> str:
    return "\nzz: " + "[" * n + "]" * n + "\n"


BOMB = "zz_a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"zz_{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
    for i in range(8))

# (target, how the example is damaged, what the one error line must say)
CASES: list[tuple[str, Callable[[str], str], str]] = [
    ("profile", lambda s: _sub(s, "2025-", "2025-02-30 #"), r"line \d+: not a valid date: "
     r"'2025-02-30' \(day is out of range for month\)"),
    ("profile", lambda s: _sub(s, "2025-", "0000-01-01 #"), r"not a valid date: '0000-01-01'"),
    ("profile", lambda s: _sub(s, "2025-", "9999-12-31 #"), r"outside 1900-01-01\.\.2199-12-31"),
    ("profile", lambda s: _sub(s, "gpact: 1", "gpact: 1.0"), r"gpact.*must be the integer 1"),
    ("profile", lambda s: _sub(s, "gpact: 1", "gpact: true"), r"gpact.*must be the integer 1"),
    ("profile", lambda s: s + "\nprovider: {name: Again}\n",
     r"line \d+: duplicate key 'provider' \(first on line \d+\)"),
    ("profile", lambda s: re.sub(r"parameters: \S+", "parameters: true", s, count=1),
     r"model\.parameters \(line \d+\): a yes/no value is not a number"),
    ("profile", lambda s: s + _deep(50_000), r"line \d+: invalid YAML: exceeded maximum nesting"),
    ("profile", lambda s: s + "".join(f"\nk{i}: {i}" for i in range(50_000)),
     r"more than 1000 keys in one mapping \(limit for a model profile, see docs/limits\.md\)"),
    ("profile", lambda s: s + "\nzz: [" + ",".join(["1"] * 200_000) + "]\n",
     r"list longer than 1000 items"),
    ("profile", lambda s: s + "\nzz: " + "x" * 2_000_000 + "\n",
     r"larger than the 1 MiB limit for a model profile"),
    ("profile", lambda s: s + "\n" + BOMB, r"more than 20000 values in total"),
    ("profile", lambda s: s + "\nzz: " + "9" * 5000 + "\n", r"a number with more than 4300 digits"),
    ("profile", lambda s: s[:40] + "\0" + s[40:], r"character 41: invalid YAML: unacceptable "
     r"character #x0000"),
    ("profile", lambda s: s + "".join(f"\nmodle{i}: 1" for i in range(500)),
     r"\.\.\. and \d+ more problems"),
    ("ledger", lambda s: _sub(s, "started_on: 2026-09-20", "started_on: 2026-09-30"),
     r"entries\[1\] \(line \d+\): ended_on \(2026-09-25\) is before started_on \(2026-09-30\)"),
    ("ledger", lambda s: _sub(s, "\ngpact_ledger: 1\n", "\ngpact_ledger: 1.0\n"),
     r"must be the integer 1"),
    ("ledger", lambda s: _sub(s, "utilization: 0.3", "utilization: true"), r"yes/no value"),
    ("ledger", lambda s: _sub(s, "2026-09-20", "2026-02-30"), r"not a valid date: '2026-02-30'"),
    ("ledger", lambda s: _sub(s, "flop: 3e22", "flop: " + "9" * 400), r"finite, non-negative"),
    ("ledger", lambda s: s + _deep(40), r"nested deeper than 32 levels"),
    ("risk-incidents", lambda s: _sub(s, "aware_on: 2026-10-02", "aware_on: 2026-02-30"),
     r"incidents\.yaml: line \d+: not a valid date"),
    ("risk-incidents", lambda s: _sub(s, "gpact_risk: 1", "gpact_risk: true"), r"integer 1"),
    ("risk-incidents", lambda s: s + "".join(f"\nk{i}: {i}" for i in range(50_000)),
     r"more than 1000 keys"),
    ("risk-evaluations", lambda s: _sub(s, "value: 0.58", "value: true"), r"yes/no value"),
    ("risk-evaluations", lambda s: s + "\n" + BOMB.replace("8)", "9)"), r"values in total|"
     r"unknown field"),
    ("risk-register", lambda s: s + "\ngpact_risk: 1\n", r"duplicate key 'gpact_risk'"),
    ("record", lambda s: _sub(s, "last_update: 2025-11-03", "last_update: 2025-11-31"),
     r"record\.yaml: line \d+: not a valid date"),
    ("record", lambda s: _sub(s, "gpact_record: 1", "gpact_record: 1.0"), r"integer 1"),
    ("record", lambda s: s + "".join(f"\nk{i}: {i}" for i in range(50_000)),
     r"more than 1000 keys"),
    ("config", lambda s: "[" * 100_000 + "]" * 100_000, r"nested deeper than 32 levels"),
    ("config", lambda s: s.replace("{", '{"hidden_size": 1, ', 1), r"duplicate key 'hidden_size'"),
    ("profile-json", lambda s: s.replace("7e9", "NaN"), r"NaN is not a number"),
    ("profile-json", lambda s: s.replace("2025-10-01", "2025-02-30"),
     r"model\.release\.placed_on_market_on: not a valid date"),
]


@pytest.mark.parametrize(("kind", "damage", "expected"), CASES,
                         ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(CASES)])
def test_refused_with_one_line(kind: str, damage: Callable[[str], str], expected: str,
                               cli: Callable[..., CliResult], tmp_path: Path) -> None:
    target = TARGETS[kind]
    path = target.prepare(tmp_path)
    path.write_text(damage(target.sample), encoding="utf-8")
    result = cli(*target.argv(tmp_path))
    check_result(result)
    assert result.code == 2, (result.code, result.err[-300:])
    first = result.err.splitlines()[0]
    assert first.startswith(f"error: {path}"), first
    assert re.search(expected, result.err), result.err[-500:]


@pytest.mark.parametrize(("argv", "expected"), [
    (["incident", "deadlines", "--category", "cybersecurity", "--aware-on", "9999-12-31"],
     "--aware-on: date 9999-12-31 is outside 1900-01-01..2199-12-31"),
    (["incident", "deadlines", "--category", "cybersecurity", "--aware-on", "2025-02-30"],
     "--aware-on: not a valid date: '2025-02-30'"),
    (["assess", str(EXAMPLES / "frontier_systemic.yaml"), "--as-of", "9999-12-31"],
     "--as-of: date 9999-12-31 is outside"),
    (["compute", "ledger", str(EXAMPLES / "compute" / "ledger.yaml"), "--as-of", "0000-01-01"],
     "--as-of: not a valid date: '0000-01-01'"),
    (["compute", "forecast", str(EXAMPLES / "compute" / "pretraining.csv"), "--parameters", "-5"],
     "--parameters: must be a positive number, got -5"),
    (["compute", "forecast", str(EXAMPLES / "compute" / "pretraining.csv"), "--parameters",
      "nan"], "--parameters: must be a positive number"),
])
def test_impossible_options(argv: list[str], expected: str,
                            cli: Callable[..., CliResult]) -> None:
    result = cli(*argv)
    check_result(result)
    assert result.code == 2
    assert result.err == f"error: {expected}\n" or expected in result.err, result.err


def test_an_internal_error_says_so_and_exits_1(cli: Callable[..., CliResult],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug is not blamed on the input: one line naming it an internal error, exit 1."""
    import gpact.cli.rulebook as rulebook_cli

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(rulebook_cli, "default_rulebook", broken)
    result = cli("rulebook")
    assert result.code == 1
    assert result.err.startswith("error: internal error: KeyError: 'a bug'")
    assert len(result.err.splitlines()) == 1
    monkeypatch.setenv("GPACT_DEBUG", "1")
    with pytest.raises(KeyError):
        cli("rulebook")


def test_a_large_non_profile_file_in_a_folder_is_skipped(tmp_path: Path) -> None:
    """Folder scanning must not refuse a big risk log or ledger for being too big a profile."""
    from gpact.profile import find_profiles

    (tmp_path / "model.yaml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "log.yaml").write_text("entries:\n" + "  - x\n" * 400_000, encoding="utf-8")
    assert find_profiles([tmp_path]) == [tmp_path / "model.yaml"]


@pytest.mark.parametrize("argv", [
    ["assess", str(EXAMPLES / "frontier_systemic.yaml")],
    ["compute", "ledger", str(EXAMPLES / "compute" / "ledger.yaml")],
    ["compute", "estimate", "--parameters", "7e9", "--tokens", "1e12"],
])
def test_a_date_before_the_rules_is_bad_input(argv: list[str],
                                              cli: Callable[..., CliResult]) -> None:
    result = cli(*argv, "--as-of", "1950-01-01")
    check_result(result)
    assert result.code == 2
    assert result.err.startswith("error: --as-of"), result.err
