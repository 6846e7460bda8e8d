"""DuckDB and Spark give identical results on the same inputs (one local SparkSession)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpact.data import Options
from gpact.data.engine import run
from gpact.data.engine_duckdb import DuckDBBackend
from gpact.data.engine_spark import SparkBackend
from gpact.data.inputs import expand
from gpact.data.summary import domain_list_length, summarize
from gpact.rulebook import default_rulebook
from tests.data import manifests as m
from tests.data.conftest import AS_OF


def both(spark: Any, paths: list[Path], mapping: dict[str, str] | None = None,
         **opts: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    files = expand([str(p) for p in paths])
    options = Options(as_of=AS_OF, **opts)
    rules = default_rulebook().at(AS_OF)
    out = []
    for backend in (DuckDBBackend(), SparkBackend(session=spark)):
        agg = run(backend, files, mapping or {}, options.psl_private,
                  top_count=lambda n: domain_list_length(n, rules, options.sme))
        doc = summarize(files, agg, engine=backend.name, mapping=mapping or {}, options=options)
        doc.pop("engine")
        out.append(doc)
    return out[0], out[1]


def test_engines_agree_on_mixed_formats_with_invalid_rows(spark: Any, tmp_path: Path) -> None:
    paths = [m.write_csv(tmp_path / "a.csv", m.INVALID + m.INVALID_TEXT + m.VALID[:5]),
             m.write_jsonl(tmp_path / "b.jsonl", m.VALID[5:20]),
             m.write_parquet(tmp_path / "c.parquet", m.VALID[20:])]
    duck, sparky = both(spark, paths)
    assert duck == sparky
    assert duck["skipped_rows"]["total"] == 12 and duck["rows"]["read"] == 45
    assert [d["domain"] for d in duck["top_domains"]] == ["example.com", "bbc.co.uk"]


def test_engines_agree_with_sme_rule_and_mapping(spark: Any, tmp_path: Path) -> None:
    path = m.write_csv(tmp_path / "renamed.csv", m.VALID, rename={"url": "link"})
    duck, sparky = both(spark, [path], mapping={"url": "link"}, sme=True)
    assert duck == sparky
    assert [d["domain"] for d in duck["top_domains"]] == ["example.com"]


def test_engines_agree_on_generated_manifest(spark: Any, tmp_path: Path) -> None:
    from benchmarks.data_generate import generate

    paths = generate(tmp_path / "gen", rows=3000, n_hosts=400, files=2)
    duck, sparky = both(spark, paths)
    assert duck == sparky
    assert duck["domain_count"] > 100


def test_cli_engine_option(spark: Any, capsys: Any, parquet_manifest: Path) -> None:
    import json

    from gpact.cli.main import main

    outputs = []
    for engine in ("duckdb", "spark"):
        assert main(["data", "summarize", str(parquet_manifest), "--engine", engine,
                     "-f", "json", "--as-of", AS_OF.isoformat()]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc.pop("engine") == engine
        outputs.append(doc)
    assert outputs[0] == outputs[1]
    assert spark.sparkContext._jsc is not None  # the shared session was not stopped


def test_engines_agree_on_tab_separated_files(spark: Any, tmp_path: Path) -> None:
    import csv

    path = tmp_path / "m.tsv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter="\t")
        writer.writerow(m.COLUMNS)
        for r in m.VALID:
            writer.writerow(["" if r[c] is None else r[c] for c in m.COLUMNS])
    duck, sparky = both(spark, [path])
    assert duck == sparky and duck["rows"]["used"] == len(m.VALID)
