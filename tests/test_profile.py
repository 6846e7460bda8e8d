"""The model profile: validation, error messages a person can act on, plausibility warnings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gpact.errors import InputError
from gpact.profile import ProfileError, find_profiles, load_profile, parse_profile

EXAMPLES = Path(__file__).parent.parent / "examples"

MINIMAL = {"gpact": 1, "provider": {"name": "P"}, "model": {"name": "M"}}


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_examples_all_load_without_warnings() -> None:
    paths = find_profiles([EXAMPLES])
    assert len(paths) >= 10
    for path in paths:
        assert load_profile(path).warnings == [], path


def test_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    path = write(tmp_path, "gpact: 1\nprovider: {name: P}\nmodel:\n  name: M\n"
                           "  training_compute_flops: 1e25\n")
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    (line,) = exc.value.lines()
    assert str(path) in line
    assert "model.training_compute_flops (line 5): unknown field" in line
    assert "did you mean 'training_compute_flop'?" in line


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "gpact: 1\nprovider:\n  name: [unclosed\nmodel: {name: M}\n")
    with pytest.raises(InputError) as exc:
        load_profile(path)
    assert "line" in exc.value.message() and "invalid YAML" in exc.value.message()


@pytest.mark.parametrize(("patch", "needle"), [
    ({"model": {"name": "M", "training_compute_flop": -1}}, "model.training_compute_flop"),
    ({"model": {"name": "M", "training_compute_flop": 1e40}}, "less than or equal"),
    ({"model": {"name": "M", "parameters": "lots"}}, "model.parameters"),
    ({"model": {"name": "M", "release": {"placed_on_market_on": "15/09/2025"}}},
     "model.release.placed_on_market_on"),
    ({"model": {"name": "M", "generates": ["telepathy"]}}, "model.generates[0]"),
    ({"model": {"name": "M", "release": {"status": "launched"}}}, "model.release.status"),
    ({"gpact": 2}, "gpact"),
    ({"provider": {}}, "provider.name (line 4): required field is missing"),
])
def test_wrong_values_name_the_field(patch: dict[str, object], needle: str) -> None:
    data = {**MINIMAL, **patch}
    with pytest.raises(ProfileError) as exc:
        parse_profile(yaml.safe_dump(data), "x.yaml")
    assert any(needle in p for p in exc.value.problems), exc.value.problems


def test_exponent_typo_warns() -> None:
    data = {**MINIMAL, "model": {"name": "M", "training_compute_flop": 25, "parameters": 9}}
    warnings = parse_profile(yaml.safe_dump(data)).warnings
    assert any("did you mean 1e25?" in w for w in warnings)
    assert any("model.parameters" in w and "1e9" in w for w in warnings)


def test_placement_before_training_start_warns() -> None:
    data = {**MINIMAL, "model": {"name": "M", "training_started_on": "2026-01-01",
                                 "release": {"placed_on_market_on": "2025-06-01"}}}
    warnings = parse_profile(yaml.safe_dump(data)).warnings
    assert any("lifecycle" in w for w in warnings)


def test_json_profiles(tmp_path: Path) -> None:
    import json
    path = write(tmp_path, json.dumps(MINIMAL), "p.json")
    assert load_profile(path).profile.model.name == "M"
    bad = write(tmp_path, '{"gpact": 1,', "bad.json")
    with pytest.raises(InputError, match="invalid JSON"):
        load_profile(bad)


def test_missing_file_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        find_profiles([tmp_path / "nope.yaml"])
    with pytest.raises(InputError, match="holds no gpact profiles"):
        find_profiles([tmp_path])


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty file"):
        load_profile(write(tmp_path, ""))


@settings(max_examples=300, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["gpact", "provider", "model", "name", "release",
                                       "training_compute_flop", "generates", "x"]),
                      children, max_size=4),
    max_leaves=12))
def test_any_input_loads_or_fails_cleanly(data: object) -> None:
    """Whatever the document, the loader returns a profile or raises InputError: no crash."""
    try:
        text = yaml.safe_dump(data)
    except yaml.YAMLError:
        return
    try:
        parse_profile(text)
    except InputError as exc:
        assert exc.message()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_loads_or_fails_cleanly(text: str) -> None:
    try:
        parse_profile(text)
    except InputError as exc:
        assert exc.message()
