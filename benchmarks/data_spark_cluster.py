"""A real Spark standalone cluster on 127.0.0.1 (a master and N workers, separate JVMs), and
the 1 → 2 worker scaling benchmark of `gpact data summarize --engine spark`.

The cluster is started from the ``pyspark`` package's own ``spark-class`` (no Spark download):
``org.apache.spark.deploy.master.Master`` and ``org.apache.spark.deploy.worker.Worker``. The
tests use :class:`StandaloneCluster` as a session fixture; the benchmark runs the summary on
the same manifest with one worker and with two, interleaved, and prints the medians:

    python benchmarks/data_spark_cluster.py --rows 10_000_000 --repeat 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _spark_class() -> str:
    import pyspark

    return str(Path(pyspark.__file__).parent / "bin" / "spark-class")


class StandaloneCluster:
    """Master + ``workers`` workers (``cores`` cores, ``memory`` each) as child processes;
    stopped (only those processes) on exit."""

    def __init__(self, workers: int = 2, cores: int = 1, memory: str = "1g") -> None:
        self.workers, self.cores, self.memory = workers, cores, memory
        self.procs: list[subprocess.Popen[bytes]] = []
        self.work = Path(tempfile.mkdtemp(prefix="gpact-spark-cluster-"))
        self.port, self.ui = _free_port(), _free_port()
        self.url = f"spark://127.0.0.1:{self.port}"
        self.env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOG_DIR":
                    str(self.work), "SPARK_WORKER_DIR": str(self.work / "work"),
                    "PYSPARK_PYTHON": sys.executable}

    def _start(self, name: str, *args: str) -> None:
        log = (self.work / f"{name}.log").open("wb")
        self.procs.append(subprocess.Popen([_spark_class(), *args], env=self.env, stdout=log,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))

    def __enter__(self) -> StandaloneCluster:
        self._start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", str(self.port), "--webui-port", str(self.ui))
        for i in range(self.workers):
            self._start(f"worker-{i}", "org.apache.spark.deploy.worker.Worker", self.url,
                        "--host", "127.0.0.1", "--cores", str(self.cores), "--memory",
                        self.memory, "--webui-port", str(_free_port()))
        self._wait()
        return self

    def _wait(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.ui}/json/",
                                            timeout=2) as answer:
                    state = json.load(answer)
                if int(state.get("aliveworkers", 0)) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        logs = "\n".join(p.read_text(errors="replace")[-2000:]
                         for p in sorted(self.work.glob("*.log")))
        self.__exit__(None, None, None)
        raise RuntimeError(f"Spark standalone cluster did not come up:\n{logs}")

    def session(self, app: str = "gpact") -> Any:
        """A SparkSession on this cluster, running executors with this interpreter and
        this gpact (PYTHONPATH passed on)."""
        from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None:
            active.stop()
        builder = (SparkSession.builder.master(self.url).appName(app)
                   .config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.executor.cores", str(self.cores))
                   .config("spark.executor.memory", "768m")
                   .config("spark.cores.max", str(self.cores * self.workers))
                   .config("spark.sql.shuffle.partitions", str(2 * self.cores * self.workers))
                   .config("spark.sql.session.timeZone", "UTC")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.pyspark.python", sys.executable)
                   .config("spark.executorEnv.PYTHONPATH", os.environ.get("PYTHONPATH", "")))
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        self._await_executors(session)
        return session

    def _await_executors(self, session: Any, seconds: float = 180) -> None:
        """Executors register a while after the session starts (JVM start-up on each
        worker); wait for all of them, so work and measurements use the whole cluster."""
        status = session.sparkContext._jsc.sc().getExecutorMemoryStatus
        deadline = time.monotonic() + seconds
        while status().size() - 1 < self.workers:  # minus the driver
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {status().size() - 1} of {self.workers} Spark "
                                   f"executors registered within {seconds:.0f} s")
            time.sleep(0.5)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()
        shutil.rmtree(self.work, ignore_errors=True)


def _summarize(session: Any, files: list[str]) -> tuple[float, dict[str, Any]]:
    from gpact.data.engine import run
    from gpact.data.engine_spark import SparkBackend
    from gpact.data.inputs import expand
    from gpact.data.summary import Options, domain_list_length, summarize
    from gpact.rulebook import default_rulebook

    start = time.perf_counter()
    options = Options(as_of=dt.date(2026, 11, 22))
    rules = default_rulebook().at(options.as_of)
    manifest = expand(files)
    agg = run(SparkBackend(session=session), manifest, {},
              top_count=lambda n: domain_list_length(n, rules, options.sme))
    doc = summarize(manifest, agg, engine="spark", mapping={}, options=options)
    return time.perf_counter() - start, doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="rounds, interleaved")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/gpact-data-bench"))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from data_bench import dataset

    files = dataset(args.dir, args.rows, max(1, args.rows // 3), 1.0, 7)
    times: dict[int, list[float]] = {1: [], 2: []}
    docs: dict[int, dict[str, Any]] = {}
    for _ in range(args.repeat):
        for workers in (1, 2):
            with StandaloneCluster(workers=workers) as cluster:
                session = cluster.session("gpact-scaling")
                seconds, docs[workers] = _summarize(session, files)
                session.stop()
            times[workers].append(seconds)
            print(f"  {workers} worker(s): {seconds:.1f} s", flush=True)
    med = {w: sorted(t)[(len(t) - 1) // 2] for w, t in times.items()}
    docs[1].pop("engine"), docs[2].pop("engine")
    print(f"{args.rows:,} rows, 1 core per worker: 1 worker {med[1]:.1f} s, 2 workers "
          f"{med[2]:.1f} s (speed-up {med[1] / med[2]:.2f}x; medians of {args.repeat}); "
          f"same result: {'yes' if docs[1] == docs[2] else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
