"""The SparkSession both Spark engines (data summary, rights audit) run on: the caller's
active one (``spark-submit``, a notebook), else a new one of gpact's own, stopped afterwards.
One place, so the two engines cannot drift apart in how they talk to a cluster."""

from __future__ import annotations

import os
import sys
from typing import Any


def spark_session(app_name: str, master: str | None) -> tuple[Any, bool]:
    """The session and whether gpact owns it (and so must stop it). ``master`` is a Spark
    master URL (``local[2]``, ``spark://host:7077``, ``yarn``); None leaves Spark's default."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    if master is None or master.startswith("local"):
        # local workers must run this interpreter (the one gpact is installed in), not the
        # `python3` on PATH; on a cluster the executors' Python is the cluster's to set
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.pyspark.python", os.environ["PYSPARK_PYTHON"])
    session = (builder.config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session, True
