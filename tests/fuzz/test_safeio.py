"""gpact.safeio: the bounded YAML/JSON reader every input loader uses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gpact import safeio
from gpact.errors import InputError

LIMITS = safeio.Limits("test file", 64 * 1024, max_depth=8, max_keys=20, max_items=50,
                       max_nodes=500)
FAST = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def _one_line(exc: InputError) -> None:
    assert "\n" not in exc.message()
    assert exc.file == "f"


@FAST
@given(st.text(max_size=300))
def test_any_text_parses_or_is_one_input_error(text: str) -> None:
    for parse in (safeio.parse_yaml, safeio.parse_json):
        try:
            parse(text, "f", LIMITS)
        except InputError as exc:
            _one_line(exc)


scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=10) | \
    st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31))
trees = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4),
                     max_leaves=30)


@FAST
@given(trees)
def test_what_yaml_dumps_within_limits_reads_back_the_same(data: object) -> None:
    # PyYAML dumps by YAML 1.1 rules, so read back by them (1e5 is text there)
    assert safeio.parse_yaml(yaml.safe_dump(data), "f", LIMITS, yaml12_numbers=False).data == data


@FAST
@given(trees)
def test_json_reads_back_the_same(data: object) -> None:
    text = json.dumps(data, default=str)
    assert safeio.parse_json(text, "f", LIMITS) == json.loads(text)


@pytest.mark.parametrize(("text", "problem"), [
    ("a: 1\nb: 2\na: 3\n", "line 3: duplicate key 'a' (first on line 1)"),
    ("x: {a: 1, a: 2}\n", "duplicate key 'a'"),
    ("d: 2025-02-30\n", "line 1: not a valid date: '2025-02-30'"),
    ("d: 2025-02-28T25:00:00\n", "not a valid date"),
    ("d: 2200-01-01\n", "outside 1900-01-01..2199-12-31"),
    ("x: " + "[" * 9 + "]" * 9, "nested deeper than 8 levels"),
    ("".join(f"k{i}: 1\n" for i in range(21)), "line 21: more than 20 keys in one mapping"),
    ("x: [" + ",".join("1" * 51) + "]", "list longer than 50 items"),
    ("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n", "more than 500 values in total"),
    ("x: " + "1" * 5000, "a number with more than 4300 digits"),
    ("a: [1\n", "invalid YAML"),
    ("a: b\0\n", "character 5: invalid YAML: unacceptable character #x0000"),
    ("x" * (64 * 1024 + 1), "larger than the 64 KiB limit for a test file"),
])
def test_yaml_refusals(text: str, problem: str) -> None:
    with pytest.raises(InputError) as exc:
        safeio.parse_yaml(text, "f", LIMITS)
    _one_line(exc.value)
    assert problem in exc.value.message()


def test_merge_keys_may_override() -> None:
    data = safeio.parse_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  x: 2\n", "f", LIMITS).data
    assert data["other"] == {"x": 2}


@pytest.mark.parametrize(("text", "problem"), [
    ('{"a": 1, "a": 2}', "duplicate key 'a'"),
    ('{"a": NaN}', "NaN is not a number"),
    ('{"a": Infinity}', "Infinity is not a number"),
    ("[" * 30_000 + "]" * 30_000, "nested deeper than 8 levels"),  # RecursionError inside json
    ("[" * 9 + "]" * 9, "nested deeper than 8 levels"),
    ('{"d": "2025-02-30"}', "d: not a valid date: '2025-02-30'"),
    ('{"d": ["0000-01-01T00:00:00"]}', "d[0]: not a valid date"),
    ("1" * 5000, "a number with more than 4300 digits"),
    ('{"a": 1', "line 1: invalid JSON"),
])
def test_json_refusals(text: str, problem: str) -> None:
    with pytest.raises(InputError) as exc:
        safeio.parse_json(text, "f", LIMITS)
    _one_line(exc.value)
    assert problem in exc.value.message()


def test_reads_stop_at_the_limit(tmp_path: Path) -> None:
    """/dev/zero would never end: the read must stop at the limit, not after."""
    with pytest.raises(InputError, match="larger than the 64 KiB limit"):
        safeio.read_text(Path("/dev/zero"), LIMITS)
    (tmp_path / "bad.yaml").write_bytes(b"a: \xff\n")
    with pytest.raises(InputError, match="byte 3: not UTF-8 text"):
        safeio.read_text(tmp_path / "bad.yaml", LIMITS)
    with pytest.raises(InputError, match="is a folder"):
        safeio.read_text(tmp_path, LIMITS)
    with pytest.raises(InputError, match="no such file"):
        safeio.read_text(tmp_path / "missing.yaml", LIMITS)


def test_suggestions_are_capped() -> None:
    problems = [f"p{i}" for i in range(100)]
    shown = safeio.capped(problems)
    assert len(shown) == safeio.MAX_PROBLEMS + 1
    assert shown[-1] == f"... and {100 - safeio.MAX_PROBLEMS} more problems"
