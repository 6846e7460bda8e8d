"""Worker processes give the same answers as one process, and fail cleanly."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpact.cli.main import main
from gpact.errors import InputError
from gpact.rights.audit import AuditOptions, run_audit, summarize
from gpact.rights.parallel import WorkerError, Workers, check_jobs, chunks
from gpact.rights.policy import HostUrls, RobotsPolicy, allowed_many
from tests.rights.test_audit_optouts import ROWS, write_inputs

FIX = Path(__file__).parent / "fixtures"
LOG, SNAPS, BAD = FIX / "crawl.csv", FIX / "snapshots.jsonl", FIX / "infringing.txt"


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    with Workers(2) as pool:
        yield pool


def _audit(tmp_path: Path, jobs: int, **kw: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    options = AuditOptions([str(LOG)], [str(SNAPS)], tmp_path / f"v{jobs}.parquet",
                           infringing=BAD, jobs=jobs, **kw)
    result = run_audit(options)
    summary = summarize(result, options)
    summary.pop("generated_at")
    summary["inputs"].pop("verdicts_file")
    batches = -(-17 // options.batch_rows)  # the fixture's 17 rows: a worker per batch at most
    used = len(result.workers_peak_rss_mib)  # workers that got rows
    assert (0 < used <= min(jobs, batches)) if jobs > 1 and batches > 1 else used == 0
    return sorted(pq.read_table(result.out).to_pylist(), key=lambda r: r["row_id"]), summary


@pytest.mark.parametrize("batch_rows", [1, 3, 100])
def test_audit_workers_equal_one_process(tmp_path: Path, batch_rows: int) -> None:
    serial = _audit(tmp_path, 1, batch_rows=batch_rows)
    assert _audit(tmp_path, 2, batch_rows=batch_rows) == serial
    assert _audit(tmp_path, 3, batch_rows=batch_rows) == serial


def test_audit_workers_read_every_opt_out_source(tmp_path: Path) -> None:
    log, snaps, tdm = write_inputs(tmp_path)
    results = []
    for jobs in (1, 2):
        options = AuditOptions([str(log)], [str(snaps)], tmp_path / f"o{jobs}.parquet",
                               tdmrep=[str(tdm)], aipref="vocab-08", batch_rows=2, jobs=jobs)
        results.append(sorted(pq.read_table(run_audit(options).out).to_pylist(),
                              key=lambda r: r["row_id"]))
    assert results[0] == results[1] and len(results[0]) == len(ROWS)
    assert {r["tdm_source"] for r in results[1]} >= {"tdmrep.json", "robots.txt"}


BODY_LINES = st.sampled_from([
    "User-agent: *", "User-agent: ExampleBot", "Disallow: /a", "Allow: /a/b", "Disallow: /*.php$",
    "Disallow: /", "Allow: /$", "Disallow: /%61x", "Disallow: *?q=", "", "# comment"])
URL_TAILS = st.sampled_from(["/", "/a", "/a/b", "/ax", "/x.php", "/x.php?q=1", "/%61x",
                             "/robots.txt", "/é", "/a b", "?q=", "/A"])
hosts = st.lists(st.tuples(st.sampled_from([200, 200, 404, 503, None]),
                           st.lists(BODY_LINES, max_size=8).map("\n".join),
                           st.lists(URL_TAILS, max_size=12),
                           st.booleans()), min_size=2, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(hosts)
def test_allowed_many_equals_one_process(workers: Workers,
                                         drawn: list[tuple[Any, str, list[str], bool]]) -> None:
    batch = []
    for i, (status, body, tails, with_origin) in enumerate(drawn):
        origin = f"https://h{i}.example"
        batch.append(HostUrls(status, body, [origin + t for t in tails],
                              origin if with_origin else None))
    expected = [RobotsPolicy(h.status, h.body, origin=h.origin).allowed(h.urls, "ExampleBot")
                for h in batch]
    assert allowed_many(batch, "ExampleBot", 1) == expected
    assert allowed_many(batch, "ExampleBot", pool=workers) == expected


def test_allowed_many_starts_its_own_pool() -> None:
    batch = [HostUrls(200, "User-agent: *\nDisallow: /p\n", [f"https://h{i}/p", f"https://h{i}/"])
             for i in range(5)]
    assert allowed_many(batch, "Bot", 2) == [[False, True]] * 5


def test_worker_error_is_raised_with_its_traceback(workers: Workers) -> None:
    with pytest.raises(WorkerError, match="invalid literal for int"):
        workers.map(int, [("12",), ("twelve",)])
    assert workers.map(abs, [(-1,), (-2,), (-3,)]) == [1, 2, 3]  # the pool still works


def test_imap_sends_tasks_as_workers_free_up_and_keeps_their_order(workers: Workers) -> None:
    built: list[int] = []

    def tasks() -> Iterator[tuple[str]]:
        for k in range(200):
            built.append(k)
            yield (str(-k),)

    got = []
    for value in workers.imap(int, tasks(), ahead=2):
        if not got:
            assert len(built) < 200  # tasks are built as they are sent, not all up front
        got.append(value)
    assert got == [-k for k in range(200)]
    assert list(workers.imap(abs, iter([]))) == []
    with pytest.raises(WorkerError, match="invalid literal for int"):
        list(workers.imap(int, iter([("1",), ("one",), ("2",)])))


def test_dying_worker_is_noticed_and_the_rest_stopped() -> None:
    pool = Workers(2)
    processes = list(pool._processes)
    with pytest.raises(WorkerError, match="died"), pool:
        pool.map(os._exit, [(3,), (3,)])
    assert not any(p.is_alive() for p in processes)


def test_failing_initializer_is_reported() -> None:
    with pytest.raises(WorkerError, match="No such file"), Workers(
            1, open, ("/nonexistent/gpact",)) as pool:
        pool.map(abs, [(1,)])


def test_chunks_cover_the_range() -> None:
    assert chunks(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert chunks(2, 8) == [(0, 1), (1, 2)]
    assert chunks(0, 4) == []


@pytest.mark.parametrize("bad", ["0", "-1", "257", "two", "1.5"])
def test_bad_jobs(bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError):
        check_jobs(bad)
    code = main(["rights", "audit", "--log", str(LOG), "--snapshots", str(SNAPS), "--out",
                 str(tmp_path / "v.parquet"), "--jobs", bad])
    err = capsys.readouterr().err
    assert code == 2 and "--jobs" in err and len(err.strip().splitlines()) == 1, err


def test_jobs_is_for_the_duckdb_engine(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rights", "audit", "--log", str(LOG), "--snapshots", str(SNAPS), "--out",
                 str(tmp_path / "v.parquet"), "--engine", "spark", "--jobs", "2"])
    assert code == 2 and "--jobs: applies to the duckdb engine" in capsys.readouterr().err


def test_cli_jobs_one_and_two_agree(tmp_path: Path) -> None:
    for jobs in ("1", "2"):
        main(["rights", "audit", "--log", str(LOG), "--snapshots", str(SNAPS), "--out",
              str(tmp_path / f"c{jobs}.parquet"), "--jobs", jobs, "-f", "json"])
    one, two = (sorted(pq.read_table(tmp_path / f"c{j}.parquet").to_pylist(),
                       key=lambda r: r["row_id"]) for j in "12")
    assert one == two
