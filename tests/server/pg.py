"""A throwaway PostgreSQL cluster on loopback for the tests (initdb + pg_ctl in a temp dir).

Set GPACT_TEST_POSTGRES=skip to skip the PostgreSQL variants locally, or
GPACT_TEST_POSTGRES_URL=postgresql://... to use a server you already run. Otherwise a cluster
that cannot be started fails the tests: CI must not pass by silently skipping PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def cluster(durable: bool = False) -> Iterator[str]:
    """Start a cluster; yields the admin URL (``postgresql://postgres@127.0.0.1:PORT``).
    The tests' cluster skips fsync (``-F``: throwaway data, faster tests); ``durable``
    keeps PostgreSQL's default of flushing every commit to disk, as a real server does
    (the load benchmark measures writes with it)."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL is not installed (initdb/pg_ctl not found); "
                           "scripts/test installs it, or set GPACT_TEST_POSTGRES=skip")
    root = Path(tempfile.mkdtemp(prefix="gpact-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(root, "postgres" if _user_exists("postgres") else "nobody")
        as_user = ["runuser", "-u", root.owner(), "--"]
    data, port = root / "data", free_port()
    try:
        subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "postgres",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w",
                        "-o", f"-h 127.0.0.1 -p {port} -k {root}{'' if durable else ' -F'}",
                       "start"],
                       check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr.decode()}{log}") from None
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def fresh_database(admin_url: str, template: str | None = None) -> str:
    """A new database on the server (empty, or a copy of ``template``); returns its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(admin_url + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return f"{admin_url}/{name}"
