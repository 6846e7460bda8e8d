"""Shared fixtures: the hand-checkable manifest in each format and one SparkSession."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.data import manifests as m

AS_OF = dt.date(2026, 11, 22)


@pytest.fixture
def parquet_manifest(tmp_path: Path) -> Path:
    return m.write_parquet(tmp_path / "manifest.parquet", m.VALID + m.INVALID)


@pytest.fixture
def csv_manifest(tmp_path: Path) -> Path:
    return m.write_csv(tmp_path / "manifest.csv", m.VALID + m.INVALID + m.INVALID_TEXT)


@pytest.fixture
def spark(_spark_available: None) -> Any:
    """A live local SparkSession, shared by the Spark tests (JVM start-up is the slow part).

    Asked for again per test, because other code (e.g. the rights audit) may stop the
    session it found active."""
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("gpact-tests")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


@pytest.fixture(scope="session")
def _spark_available() -> Iterator[None]:
    """Skip (or fail on CI) when PySpark or Java is missing; stop Spark at the end."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("pyspark not installed (pip install '.[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if os.environ.get("CI"):
            raise RuntimeError("Spark tests need Java 17 (scripts/test installs it)")
        pytest.skip("no Java runtime for Spark")
    yield
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


@pytest.fixture(scope="session")
def spark_cluster(_spark_available: None) -> Iterator[Any]:
    """A real standalone cluster (master + two single-core workers on 127.0.0.1, separate
    JVMs), started once per test run and stopped at its end."""
    from benchmarks.data_spark_cluster import StandaloneCluster

    with StandaloneCluster(workers=2, cores=1, memory="1g") as cluster:
        yield cluster


@pytest.fixture
def cluster_spark(spark_cluster: Any) -> Any:
    """A SparkSession on ``spark_cluster`` (re-created if another test replaced it)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and active.sparkContext.master == spark_cluster.url:
        return active
    return spark_cluster.session("gpact-cluster-tests")
