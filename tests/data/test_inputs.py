"""Input files: formats, fingerprints that trace a summary to its inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpact.data.inputs import detect_format, expand, fingerprint
from gpact.errors import InputError
from tests.data import manifests as m


@pytest.mark.parametrize(("name", "fmt"), [
    ("a.parquet", "parquet"), ("a.csv", "csv"), ("a.csv.gz", "csv"), ("A.JSONL.ZST", "jsonl"),
    ("a.ndjson", "jsonl"), ("a.tsv", "csv"),
])
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(Path(name)) == fmt


def test_parquet_fingerprint_is_the_footer_and_changes_with_content(tmp_path: Path) -> None:
    a = fingerprint(m.write_parquet(tmp_path / "a.parquet", m.VALID))
    b = fingerprint(m.write_parquet(tmp_path / "b.parquet", m.VALID))
    c = fingerprint(m.write_parquet(tmp_path / "c.parquet", m.VALID[:-1]))
    assert a.fingerprint_method == "parquet footer"
    assert a.fingerprint == b.fingerprint != c.fingerprint
    assert a.size == (tmp_path / "a.parquet").stat().st_size


def test_text_fingerprint_reads_only_the_edges(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (3 << 20))
    before = fingerprint(big).fingerprint
    with big.open("r+b") as fh:  # a change in the middle is not seen (documented) ...
        fh.seek(3 << 19)
        fh.write(b"y")
    assert fingerprint(big).fingerprint == before
    with big.open("ab") as fh:  # ... a change of size or at either end is
        fh.write(b"z")
    assert fingerprint(big).fingerprint != before


def test_expand_deduplicates_and_sorts(tmp_path: Path) -> None:
    a = m.write_csv(tmp_path / "b.csv", m.VALID)
    m.write_csv(tmp_path / "a.csv", m.VALID)
    files = expand([str(tmp_path / "*.csv"), str(a)])
    assert [f.path.name for f in files] == ["a.csv", "b.csv"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"no \.parquet"):
        expand([str(tmp_path / "empty")])
