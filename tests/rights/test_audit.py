"""The crawl-time audit on fixtures with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gpact.cli.main import main
from gpact.errors import InputError
from gpact.rights.audit import AuditOptions, run_audit, summarize

FIX = Path(__file__).parent / "fixtures"
LOG, SNAPS, BAD = FIX / "crawl.csv", FIX / "snapshots.jsonl", FIX / "infringing.txt"

# row_id (1-based line of crawl.csv) -> (robots_verdict, robots_line, tdm_verdict, infringing)
EXPECTED = {
    1: ("allowed", None, "unknown", False),
    2: ("disallowed", 2, "unknown", False),
    3: ("no_snapshot", None, "unknown", False),      # snapshot is 36 h old at fetch time
    4: ("allowed", None, "unknown", False),          # /robots.txt itself
    5: ("no_snapshot", None, "unknown", False),      # fetched before the first snapshot
    6: ("unreachable_disallow", None, "unknown", False),  # token from a full UA header
    7: ("allowed", None, "unknown", False),          # /robots.txt under an unreachable file
    8: ("allowed", None, "unknown", False),          # 404: unavailable, allow all
    9: ("unreachable_disallow", None, "unknown", False),  # 503
    10: ("allowed", None, "reserved", False),
    11: ("allowed", None, "reserved", False),        # X-Robots-Tag: noai
    12: ("allowed", None, "not_reserved", False),
    13: ("allowed", None, "unknown", True),          # subdomain of a listed domain
    14: ("allowed", None, "unknown", False),         # host case and default port normalised
    15: ("invalid_row", None, "unknown", False),     # not a URL
    16: ("allowed", None, "unknown", False),         # +02:00 offset: 07:00 UTC, after snapshot
    17: ("invalid_row", None, "unknown", False),     # unreadable fetched_at
}


def _run(tmp_path: Path, out: str = "v.parquet", **kw: object) -> tuple[Path, dict]:
    options = AuditOptions([str(LOG)], [str(SNAPS)], tmp_path / out, infringing=BAD,
                           **kw)  # type: ignore[arg-type]
    result = run_audit(options)
    return result.out, summarize(result, options)


def _rows(path: Path) -> dict[int, dict]:
    if path.suffix == ".csv":
        table = duckdb.read_csv(str(path), header=True).to_arrow_table()
    else:
        table = pq.read_table(path)
    return {r["row_id"]: r for r in table.to_pylist()}


@pytest.mark.parametrize("out", ["v.parquet", "v.csv"])
def test_known_answers(tmp_path: Path, out: str) -> None:
    path, summary = _run(tmp_path, out, batch_rows=4)  # small batches: runs cross batches
    rows = _rows(path)
    assert set(rows) == set(EXPECTED)
    for row_id, (verdict, line, tdm, infringing) in EXPECTED.items():
        row = rows[row_id]
        got = (row["robots_verdict"], row["robots_line"], row["tdm_verdict"],
               bool(row["infringing_domain"]))
        assert got == (verdict, line, tdm, infringing), row
    assert rows[2]["robots_rule"] == "Disallow: /private"
    assert rows[6]["agent_token"] == "ExampleBot"
    assert rows[10]["tdm_policy"] == "https://e.example/tdm.json"
    assert summary["totals"] == {
        "rows": 17, "snapshots": 6, "origins": 6, "allowed": 10, "disallowed": 1,
        "unreachable_disallow": 2, "no_snapshot": 2, "invalid_row": 2, "tdm_reserved": 2,
        "infringing_domain": 1}
    assert summary["violations"]["rows"] == 10 and summary["compliant"] is False
    hosts = {d["host"]: d for d in summary["domains"]}
    assert hosts["a.example"]["violations"] == 4 and hosts["a.example"]["disallowed"] == 1


def test_cache_period_is_configurable(tmp_path: Path) -> None:
    path, _ = _run(tmp_path, cache_hours=48)
    assert _rows(path)[3]["robots_verdict"] == "disallowed"


def test_agent_override(tmp_path: Path) -> None:
    path, _ = _run(tmp_path, agent="OtherBot")
    rows = _rows(path)
    assert rows[1]["robots_verdict"] == "disallowed" and rows[1]["robots_line"] == 5
    assert rows[1]["agent_token"] == "OtherBot"


def test_same_verdicts_as_robots_check() -> None:
    """The audit and `rights check` share one engine: spot-check the deciding line."""
    from gpact.rights import RobotsPolicy

    body = json.loads(SNAPS.read_text().splitlines()[0])["body"]
    verdict = RobotsPolicy(200, body).check(["https://a.example/private/x"], "ExampleBot")[0]
    assert (verdict.allowed, verdict.line) == (False, 2)


def test_cli_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = tmp_path / "s.json"
    code = main(["rights", "audit", "--log", str(LOG), "--snapshots", str(SNAPS),
                 "--infringing", str(BAD), "--out", str(tmp_path / "v.parquet"),
                 "--summary", str(summary), "-f", "json"])
    assert code == 1  # violations found
    printed = json.loads(capsys.readouterr().out)
    written = json.loads(summary.read_text())
    assert printed["totals"] == written["totals"]
    assert written["schema"] == "gpact.rights.audit/v1"
    assert "not legal advice" in written["not_legal_advice"]
    assert {r["key"] for r in written["rules_used"]} == {
        "rights.robots_parse_limit_bytes", "rights.robots_cache_max_hours"}


def test_clean_log_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps({"url": "https://a.example/public/x", "fetched_at":
                               "2026-03-01T01:00:00Z", "user_agent": "ExampleBot"}) + "\n")
    code = main(["rights", "audit", "--log", str(log), "--snapshots", str(SNAPS),
                 "--out", str(tmp_path / "v.csv")])
    assert code == 0
    assert "rows with a problem: 0" in capsys.readouterr().out


def test_parquet_inputs(tmp_path: Path) -> None:
    log = tmp_path / "log.parquet"
    pq.write_table(pa.table({"url": ["https://a.example/private/1"],
                             "fetched_at": pa.array([1772330400_000000], pa.timestamp("us")),
                             "user_agent": ["ExampleBot"]}), log)
    snaps = tmp_path / "snaps.parquet"
    pq.write_table(pa.table({"origin": ["https://a.example"],
                             "fetched_at": pa.array([1772323200_000000], pa.timestamp("us")),
                             "status": [200], "body": [b"User-agent: *\nDisallow: /private\n"]}),
                   snaps)
    result = run_audit(AuditOptions([str(log)], [str(snaps)], tmp_path / "v.parquet"))
    assert _rows(result.out)[1]["robots_verdict"] == "disallowed"


@pytest.mark.parametrize(("content", "field", "problem"), [
    ('{"origin": "a.example", "fetched_at": "2026-01-01", "status": 200, "body": ""}',
     "row 1.origin", "not an origin"),
    ('{"origin": "https://a.example", "fetched_at": "soon", "status": 200, "body": ""}',
     "row 1.fetched_at", "not a timestamp"),
    ('{"origin": "https://a.example", "fetched_at": "2026-01-01", "status": "teapot", '
     '"body": ""}', "row 1.status", "not an HTTP status"),
    ('{"origin": "https://a.example", "fetched_at": "2026-01-01", "status": 200}',
     "body", "missing column"),
])
def test_bad_snapshots(tmp_path: Path, content: str, field: str, problem: str) -> None:
    snaps = tmp_path / "snaps.jsonl"
    snaps.write_text(content + "\n")
    with pytest.raises(InputError) as err:
        run_audit(AuditOptions([str(LOG)], [str(snaps)], tmp_path / "v.parquet"))
    assert err.value.field == field and problem in err.value.problem


def test_bad_inputs_via_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rights", "audit", "--log", str(tmp_path / "nope.csv"), "--snapshots",
                 str(SNAPS), "--out", str(tmp_path / "v.parquet")])
    assert code == 2
    assert "nope.csv" in capsys.readouterr().err
    code = main(["rights", "audit", "--log", str(LOG), "--snapshots", str(SNAPS),
                 "--out", str(tmp_path / "v.txt")])
    assert code == 2 and "--out" in capsys.readouterr().err
    bad = tmp_path / "bad.txt"
    bad.write_text("ok.example\nhttp://x/y\n")
    code = main(["rights", "audit", "--log", str(LOG), "--snapshots", str(SNAPS),
                 "--out", str(tmp_path / "v.csv"), "--infringing", str(bad)])
    assert code == 2 and "line 2" in capsys.readouterr().err


def test_headers_as_json_objects(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    rows = [{"url": "https://e.example/a", "fetched_at": "2026-03-01T01:00:00Z",
             "user_agent": "ExampleBot", "http_headers": {"tdm-reservation": "1"}},
            {"url": "https://e.example/b", "fetched_at": "2026-03-01T01:00:00Z",
             "user_agent": "ExampleBot", "http_headers": {"X-Robots-Tag": "noai"}},
            {"url": "https://e.example/c", "fetched_at": "2026-03-01T01:00:00Z",
             "user_agent": "ExampleBot", "http_headers": None}]
    log.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run_audit(AuditOptions([str(log)], [str(SNAPS)], tmp_path / "v.parquet"))
    got = {r["url"][-1]: r["tdm_verdict"] for r in _rows(result.out).values()}
    assert got == {"a": "reserved", "b": "reserved", "c": "unknown"}


def test_empty_log_writes_the_columns(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("url,fetched_at,user_agent\n")
    result = run_audit(AuditOptions([str(log)], [str(SNAPS)], tmp_path / "v.parquet"))
    table = pq.read_table(result.out)
    assert table.num_rows == 0 and "robots_verdict" in table.column_names
    assert summarize(result, AuditOptions([str(log)], [str(SNAPS)], result.out))["compliant"]


def test_policy_cache_keeps_the_batch() -> None:
    """An LRU full of older snapshots must not drop one the current batch needs."""
    from typing import Any

    from gpact.rights.audit import Policies

    class Fake(Policies):
        def _fetch(self, ids: list[int]) -> list[tuple[Any, ...]]:
            return [(i, f"https://h{i}.example", "200", b"") for i in ids]

    policies = Fake(None, 512_000, capacity=2)
    policies.prefetch([1, 2])
    policies.prefetch([3])
    policies.prefetch([2, 4])
    assert policies.get(2).origin == "https://h2.example"
    assert policies.get(4).origin == "https://h4.example"


def test_snapshot_in_force_matches_a_naive_search(tmp_path: Path) -> None:
    """The (origin, day) join finds the latest snapshot at or before each fetch, as a plain
    search does: snapshots fetched the same day as the fetch, across midnight, days before,
    at the same instant (the later one in the file wins) and after the fetch."""
    import random

    rng = random.Random(9309)
    day0 = 1_772_323_200  # 2026-03-01T00:00:00Z
    origins = [f"https://h{i}.example" for i in range(6)]
    snaps = []
    for k in range(40):
        at = day0 + rng.choice([0, 3600, 86399, 86400, 86401, 3 * 86400, 3 * 86400 + 7200])
        snaps.append((rng.choice(origins), at, f"{200 + k}", f"User-agent: *\nDisallow: /s{k}$\n"))
    rows = [(rng.choice(origins) + f"/s{rng.randrange(40)}",
             day0 + rng.randrange(-3600, 5 * 86400)) for _ in range(400)]
    pq.write_table(pa.table({
        "origin": [s[0] for s in snaps],
        "fetched_at": pa.array([s[1] * 1_000_000 for s in snaps], pa.timestamp("us")),
        "status": [s[2] for s in snaps], "body": [s[3] for s in snaps]}), tmp_path / "s.parquet")
    pq.write_table(pa.table({
        "url": [r[0] for r in rows],
        "fetched_at": pa.array([r[1] * 1_000_000 for r in rows], pa.timestamp("us")),
        "user_agent": ["ExampleBot"] * len(rows)}), tmp_path / "l.parquet")
    options = AuditOptions([str(tmp_path / "l.parquet")], [str(tmp_path / "s.parquet")],
                           tmp_path / "v.parquet", cache_hours=10_000)
    run_audit(options)
    got = {r["row_id"]: r for r in pq.read_table(tmp_path / "v.parquet").to_pylist()}
    for row_id, (url, at) in enumerate(rows, start=1):
        before = [(s[1], k) for k, s in enumerate(snaps) if url.startswith(s[0] + "/")
                  and s[1] <= at]
        status = snaps[max(before)[1]][2] if before else None
        assert got[row_id]["snapshot_status"] == status, (url, at)
        expected = "no_snapshot" if status is None else (
            "disallowed" if url.endswith(f"/s{int(status) - 200}") else "allowed")
        assert got[row_id]["robots_verdict"] == expected
