"""`gpact docs check`: the documents must agree with each other, the profile and the data
summary. Each planted contradiction is caught; the two full example records pass --strict."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from gpact.cli.main import main
from gpact.documents import consistency

EXAMPLES = Path(__file__).parents[2] / "examples"
Plant = Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], None]


def _copy(tmp_path: Path, plant: Plant | None = None) -> Path:
    """The frontier example (profile, record, data summary) with one fact changed."""
    profile = yaml.safe_load((EXAMPLES / "frontier_systemic.yaml").read_text())
    records = EXAMPLES / "records"
    record = yaml.safe_load((records / "frontier_systemic.record.yaml").read_text())
    summary = json.loads((records / "frontier_systemic.data-summary.json").read_text())
    if plant is not None:
        plant(profile, record, summary)
    (tmp_path / "records").mkdir()
    (tmp_path / "frontier_systemic.yaml").write_text(yaml.safe_dump(profile))
    (tmp_path / "records" / "frontier_systemic.record.yaml").write_text(
        yaml.safe_dump(record, allow_unicode=True))
    (tmp_path / "records" / "frontier_systemic.data-summary.json").write_text(
        json.dumps(summary))
    return tmp_path / "frontier_systemic.yaml"


def _check(capsys: pytest.CaptureFixture[str], profile: Path, *extra: str) -> tuple[int, Any]:
    code = main(["docs", "check", str(profile), "--as-of", "2026-11-22", "-f", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", ["frontier_systemic", "open_weights_7b"])
def test_full_examples_pass_strict(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, data = _check(capsys, EXAMPLES / f"{name}.yaml", "--strict")
    assert data["contradictions"] == []
    assert all(not d["missing"] and not d["weak"] for d in data["documents"]), data
    assert code == 0


def _set(path: str, value: Any) -> Plant:
    """Set record field ``a.b.c`` (lists by index)."""
    def plant(profile: dict[str, Any], record: dict[str, Any], summary: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        obj: Any = record
        for p in parents:
            obj = obj[int(p)] if p.isdigit() else obj.setdefault(p, {})
        obj[int(last) if last.isdigit() else last] = value
    return plant


def _profile_inputs(profile: dict[str, Any], record: dict[str, Any],
                    summary: dict[str, Any]) -> None:
    profile["model"]["inputs"] = ["text", "image", "video"]


def _summary_tokens(profile: dict[str, Any], record: dict[str, Any],
                    summary: dict[str, Any]) -> None:
    summary["modalities"]["text"]["tokens"] = 2.6e13


def _summary_video(profile: dict[str, Any], record: dict[str, Any],
                   summary: dict[str, Any]) -> None:
    summary["modalities"]["video"] = {"seconds": 3.6e8}


PLANTED: list[tuple[str, Plant, str]] = [
    ("MDF data points vs data summary", _set("data.data_points.value", "1.5e13"),
     "Model Documentation Form, data points states 1.5×10¹³ tokens, data summary states "
     "1.8×10¹³ tokens"),
    ("summary 1.3 size vs data summary", _summary_tokens, "data summary states 2.6×10¹³"),
    ("1.3 text size vs MDF", _set("data.sizes.text", {"value": "9.0e12", "unit": "tokens"}),
     "training summary 1.3 states 9.0×10¹² tokens"),
    ("public datasets exceed the bytes total",
     _set("data.sizes.text", {"value": "0.5", "unit": "TB"}),
     "the public datasets listed in 2.1 add up to"),
    ("profile input without training data", _profile_inputs,
     "the profile says the model takes video"),
    ("section 2 modality not in 1.3", _set("data.crawling.modalities", ["text", "video"]),
     "2.3(g) ticks video, but 1.3 has no video training data"),
    ("data summary modality left out of the record", _summary_video,
     "the data summary has video data"),
    ("MDF inputs vs profile", _set("architecture.input_modalities", ["text"]),
     "the Model Documentation Form lists text; the profile says text, images, audio (speech)"),
    ("collection after placement", _set("data.latest_collection", "12/2025"),
     "after placement on the Union market (1.2(c)) on 2025-11-03"),
    ("crawl ends after the latest collection date",
     _set("data.crawling.crawlers.0.period_to", "10/2025"),
     "NorthwindBot ends 10/2025, after the latest collection date 08/2025"),
    ("crawl period reversed", _set("data.crawling.crawlers.0.period_from", "09/2025"),
     "starts 09/2025, after it ends 08/2025"),
    ("version dates decreasing", _set("document.previous_versions",
                                      [{"version": "0.9", "date": "2025-12-01"}]),
     "version 1.0 is dated 2025-11-03, not after version 0.9 (2025-12-01)"),
    ("first release after Union placement", _set("model.first_release_date", "2026-01-01"),
     "first release 2026-01-01 is after the Union placement"),
]


@pytest.mark.parametrize(("plant", "expected"), [(p, e) for _, p, e in PLANTED],
                         ids=[name for name, _, _ in PLANTED])
def test_planted_contradiction_is_caught(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         plant: Plant, expected: str) -> None:
    profile = _copy(tmp_path, plant)
    code, data = _check(capsys, profile, "--kind", "training-summary")
    texts = [c["text"] for c in data["contradictions"]]
    assert any(expected in t for t in texts), texts
    assert code == 0  # a warning without --strict
    code = main(["docs", "check", str(profile), "--as-of", "2026-11-22", "--kind",
                 "training-summary", "--strict"])
    out = capsys.readouterr().out
    assert code == 1
    assert "ERROR" in out and "FAIL — the documents contradict each other" in out


def test_warning_wording_without_strict(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    profile = _copy(tmp_path, _set("data.latest_collection", "12/2025"))
    assert main(["docs", "check", str(profile), "--kind", "training-summary"]) == 0
    out = capsys.readouterr().out
    assert "consistency: " in out and "WARNING collection period" in out
    assert "result: OK" in out


@pytest.mark.parametrize("value", ["TODO", "Write to <email>", "Northwind AI GmbH, TBD"])
def test_placeholder_in_required_field_is_an_error(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path, value: str) -> None:
    profile = _copy(tmp_path, _set("data.illegal_content_measures", value))
    code, data = _check(capsys, profile, "--kind", "training-summary")
    assert code == 1 and data["ok"] is False
    missing = data["documents"][0]["missing"]
    assert [m["number"] for m in missing] == ["3.2(a)"]
    assert "placeholder text" in missing[0]["problems"][0]


def test_precision_of_the_less_precise_statement(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    # 1.8e13 (two figures) agrees with 18 212 000 000 000 tokens counted exactly
    def plant(profile: dict[str, Any], record: dict[str, Any], summary: dict[str, Any]) -> None:
        summary["modalities"]["text"]["tokens"] = 18_212_000_000_000
    _, data = _check(capsys, _copy(tmp_path, plant), "--kind", "training-summary")
    assert data["contradictions"] == []



@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_month_parser_reads_every_written_form(day: dt.date) -> None:
    assert consistency._month(day.isoformat()) == (day.year, day.month)
    assert consistency._month(f"{day.month:02d}/{day.year}") == (day.year, day.month)
    assert consistency._month(f"{day.month}/{day.year} – ongoing") == (day.year, day.month)


@given(st.text(max_size=40))
def test_month_parser_never_raises(text: str) -> None:
    found = consistency._month(text)
    assert found is None or 1 <= found[1] <= 12


def test_month_of_a_range_is_its_end() -> None:
    assert consistency._month("01/2024 – 06/2025") == (2025, 6)
    assert consistency._month("2019 – 2022") == (2022, 12)
    assert consistency._month("13/2024") is None  # no month 13: not a date


@given(st.floats(min_value=1, max_value=1e20), st.floats(min_value=1, max_value=1e20),
       st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=6))
def test_agreement_is_symmetric_and_reflexive(a: float, b: float, fa: int, fb: int) -> None:
    x, y = consistency.Stated(a, fa, "x"), consistency.Stated(b, fb, "y")
    assert consistency._agree(x, y) == consistency._agree(y, x)
    assert consistency._agree(x, consistency.Stated(a, fb, "z"))
