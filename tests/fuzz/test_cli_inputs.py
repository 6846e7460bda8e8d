"""Property-based fuzzing of every command's input files through the CLI, in-process.

Each example damages a bundled example file (deletions, YAML/JSON punctuation, hostile values,
duplicated lines, truncation) and runs its command. Whatever the damage, gpact must exit 0, 1
or 2, print no traceback and no internal error, and keep every error on one line. Examples are
few and the hypothesis deadline is a hang guard (seconds, not a speed test), so the whole
module runs in well under a minute in CI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CliResult
from tests.fuzz.inputs import TARGETS, Target, check_result

# Values that have broken parsers before: impossible and extreme dates, non-numbers, booleans
# where numbers go, oversized integers, YAML anchors/aliases/tags, structure where a scalar goes.
HOSTILE = ["2025-02-30", "0000-01-01", "9999-12-31", "1900-01-01T25:00:00", ".nan", ".inf",
           "-.inf", "1e309", "-5", "0", "true", "no", "null", "~", "9" * 400, "'9'", '"\\x00"',
           "[]", "{}", "[[[[[[]]]]]]", "&a x", "*a", "!!binary aGk=", "!!python/object:os.system",
           "<<: {x: 1}", "? [a]", "- -", "|", ">-", "%TAG", "---", "...", "\t", "@", "`"]
PUNCTUATION = [*"{}[]:,-&*!|>'\"#%@`?\n\t ", "\r\n", "\ufeff", "\x00", "é"]

SETTINGS = settings(max_examples=20, deadline=10_000, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@st.composite
def damaged(draw: st.DrawFn, sample: str) -> str:
    """A few edits of the sample, each of a kind that has caused trouble in parsers."""
    text = sample
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "punct", "hostile", "dup", "cut", "swap"]))
        if kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        elif kind == "punct":
            text = text[:pos] + draw(st.sampled_from(PUNCTUATION)) + text[pos:]
        elif kind == "hostile":
            # replace the value after the next colon on this line with a hostile one
            start = text.find(": ", pos)
            end = text.find("\n", start) if start >= 0 else -1
            if start >= 0 and end >= 0:
                text = text[:start + 2] + draw(st.sampled_from(HOSTILE)) + text[end:]
        elif kind == "dup":
            lines = text.splitlines(keepends=True)
            if lines:
                i = draw(st.integers(0, len(lines) - 1))
                lines.insert(i, lines[i])
                text = "".join(lines)
        elif kind == "cut":
            text = text[:pos]
        else:
            other = draw(st.integers(0, len(text)))
            a, b = sorted((pos, other))
            text = text[:a] + text[b:b + (b - a)] + text[a:b]
    return text


def _run(cli: Callable[..., CliResult], target: Target, folder: Path, text: str) -> CliResult:
    path = target.prepare(folder)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return cli(*target.argv(folder))


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_damaged_input_never_crashes(kind: str, cli: Callable[..., CliResult],
                                     tmp_path: Path) -> None:
    target = TARGETS[kind]

    @SETTINGS
    @given(text=damaged(target.sample))
    def run(text: str) -> None:
        check_result(_run(cli, target, tmp_path, text))

    run()


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_the_undamaged_example_passes(kind: str, cli: Callable[..., CliResult],
                                      tmp_path: Path) -> None:
    """The baseline the mutations start from is valid (else the fuzzing proves little)."""
    target = TARGETS[kind]
    result = _run(cli, target, tmp_path, target.sample)
    check_result(result)
    assert result.code in (0, 1), result.err


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_as_a_profile(data: bytes, tmp_path_factory: pytest.TempPathFactory,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    from gpact.cli.main import main

    path = tmp_path_factory.mktemp("bytes") / "model.yaml"
    path.write_bytes(data)
    capsys.readouterr()
    code = main(["assess", str(path)])
    out, err = capsys.readouterr()
    check_result(CliResult(code, out, err))
    assert code == 2 or data.strip(), "an empty file must be refused"
