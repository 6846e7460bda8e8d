"""codecarbon energy and Croissant datasets into the documentation record (docs import)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from gpact.cli.main import main
from gpact.errors import InputError
from gpact.interop.codecarbon import read_codecarbon
from gpact.interop.croissant import content_bytes, read_croissant, spdx_licence
from gpact.interop.merge import merge

DATA = Path(__file__).parent / "data"
CSV = DATA / "codecarbon" / "emissions.csv"
API = DATA / "codecarbon" / "emissions_api.json"
CROISSANT = DATA / "croissant" / "petit-corpus.json"
DOCS = Path(__file__).parents[1] / "documents" / "data"


def test_codecarbon_counts_each_node_once() -> None:
    found = read_codecarbon(CSV)
    energy = found.data["energy"]
    assert energy["training_mwh"] == "0.114"  # 57.67 kWh (node A, once) + 56.79 kWh (node B)
    assert energy["emissions_kg_co2eq"] == "43.5"  # 21.9146 + 21.5802 kg
    assert energy["emissions_location"] == "hesse, Germany"
    assert "codecarbon 3.3.2" in energy["methodology"]
    assert "2 node reading(s) from 5 tracker run(s)" in energy["methodology"]
    assert any("rows 2, 3, 4, 5" in s and "counted once" in s for s in found.skipped)
    assert any("row 6" in s and "superseded" in s for s in found.skipped)
    assert found.data["training"]["hardware"] == "8 x NVIDIA H100 80GB HBM3"


def test_codecarbon_api_json(tmp_path: Path) -> None:
    found = read_codecarbon(API)
    assert found.data["energy"]["training_mwh"] == "0.0103"
    assert "process tracking mode" in found.data["energy"]["methodology"]
    items = read_codecarbon(_write(tmp_path, "items.json",
                                   {"items": json.loads(API.read_text())}))
    assert items.data == found.data


def _write(folder: Path, name: str, data: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data))
    return path


def test_croissant_dataset_entry() -> None:
    found = read_croissant(CROISSANT)
    [entry] = found.data["data"]["public_datasets"]["datasets"]
    assert entry == {"name": "Petit Corpus", "url": "https://data.example/petit-corpus",
                     "version": "1.2.0", "licence": "CC-BY-4.0", "languages": ["fr", "de"],
                     "size": "2.00", "unit": "GB", "modality": "text"}


@pytest.mark.parametrize(("value", "spdx"), [
    ("https://creativecommons.org/licenses/by-sa/4.0/", "CC-BY-SA-4.0"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
    ("https://spdx.org/licenses/Apache-2.0.html", "Apache-2.0"),
    ("https://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0"),
    ("My own terms", "My own terms"),
])
def test_croissant_licences(value: str, spdx: str) -> None:
    assert spdx_licence(value) == spdx


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False),
       st.sampled_from(["B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB"]))
def test_content_size_units(number: float, unit: str) -> None:
    parsed = content_bytes(f"{number} {unit}")
    factor = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KiB": 2**10,
              "MiB": 2**20, "GiB": 2**30}[unit]
    assert parsed == pytest.approx(float(f"{number}") * factor)


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.one_of(
    st.none(), st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=3))),
       st.dictionaries(st.sampled_from(["a", "b", "c"]), st.one_of(
           st.none(), st.integers(), st.text(max_size=3), st.lists(st.integers(), max_size=3))))
def test_merge_never_overwrites(base: dict[str, object], new: dict[str, object]) -> None:
    before = dict(base)
    merge(base, new)
    for key, value in before.items():
        if value not in (None, [], {}, ""):
            if isinstance(value, list):
                assert base[key][: len(value)] == value
            else:
                assert base[key] == value


def test_import_into_a_record_and_build_the_mdf(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("opensmall.yaml", "opensmall.record.yaml", "opensmall.assessment.json"):
        (tmp_path / name).write_text((DOCS / name).read_text())
    record = tmp_path / "opensmall.record.yaml"
    assert main(["docs", "import", str(CSV), str(CROISSANT), "--into", str(record),
                 "-o", str(record)]) == 0
    err = capsys.readouterr().err
    assert "counted once" in err and "petit-corpus.json (Croissant)" in err
    data = yaml.safe_load(record.read_text())
    assert data["architecture"]["parameters"] == "3e9"  # the record's own values stay
    assert data["energy"]["training_mwh"] == "0.114"
    assert main(["docs", "build", str(tmp_path / "opensmall.yaml"), "--kind", "mdf",
                 "--no-store"]) == 0
    mdf = capsys.readouterr().out
    assert "0.11 MWh" in mdf or "0.114 MWh" in mdf
    assert "codecarbon 3.3.2" in mdf


def test_conflicts_are_reported_not_overwritten(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    record = tmp_path / "r.yaml"
    record.write_text("gpact_record: 1\nenergy: {training_mwh: '9.9'}\n")
    assert main(["docs", "import", str(CSV), "--into", str(record)]) == 0
    captured = capsys.readouterr()
    assert "training_mwh: '9.9'" in captured.out
    assert "kept the record's value: emissions.csv: energy.training_mwh: kept '9.9'" \
        in captured.err


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("e.csv", "a,b\n1,2\n", "not a codecarbon emissions.csv: missing column(s) timestamp"),
    ("e.csv", "timestamp,run_id,duration,emissions,energy_consumed\n"
              "2026-01-01T00:00:00,r,10,x,1\n", "line 2: emissions: not a number: 'x'"),
    ("e.csv", "timestamp,run_id,duration,emissions,energy_consumed\n"
              "yesterday,r,10,1,1\n", "line 2: timestamp: not an ISO date-time"),
    ("c.json", json.dumps({"@context": {}, "@type": "sc:Dataset", "name": "d",
                           "conformsTo": "http://mlcommons.org/croissant/9.9"}),
     "conformsTo: unknown Croissant version '9.9'"),
    ("c.json", json.dumps({"@context": {}, "@type": "sc:Person"}), "no sc:Dataset"),
    ("c.json", "{not json", "line 1: invalid JSON"),
    ("c.txt", "hello", "unknown format"),
])
def test_bad_input_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                            content: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert main(["docs", "import", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err and str(path) in err and "\n" not in err


def test_reader_errors_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no emissions rows"):
        read_codecarbon(_write(tmp_path, "e.json", []))
