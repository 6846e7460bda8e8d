"""Kill the server (SIGKILL) while clients are writing: nothing acknowledged is lost, no write is
half-applied, and the audit chain still verifies. Runs a real `gpact serve` process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import httpx
from sqlalchemy import func, select

from gpact.cli.main import main
from gpact.store.models import Assessment, Model, ProfileVersion
from tests.server.conftest import World, profile_text
from tests.server.pg import free_port

SERVE = "import sys; from gpact.cli.main import main; sys.exit(main(sys.argv[1:]))"


def start(url: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-c", SERVE, "serve", "--port", str(port),
                             "--db", url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Generous: start-up (migrations, imports) took over 20 s on a loaded 2-core machine.
    # A server that exits instead of coming up fails at once.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gpact serve did not come up")


def test_sigkill_mid_write_loses_nothing_committed(world: World) -> None:
    url = world.db.engine.url.render_as_string(hide_password=False)
    port = free_port()
    server = start(url, port)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10,
                          headers=world.auth("editor")) as client:
            for i in range(1000):
                if stop.is_set():
                    return
                name = f"Crash-{n}-{i}"
                try:
                    r = client.post("/api/orgs/acme/models", json={
                        "profile": profile_text().replace("Example-70B", name)})
                except httpx.HTTPError:
                    return  # the server died under us
                if r.status_code == 201:
                    with lock:
                        acknowledged.append(f"{name} 1.0")  # register name: name version

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 25 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(server.pid, signal.SIGKILL)  # mid-write: four clients are still posting
    server.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=15)
    assert len(acknowledged) >= 25

    world.db.dispose()
    with world.db.read() as s:
        names = set(s.scalars(select(Model.name)))
        assert set(acknowledged) <= names, set(acknowledged) - names
        # every model that exists was written whole: profile, assessment and latest pointer
        half = s.scalar(select(func.count()).select_from(Model).where(
            Model.latest_assessment_id.is_(None)))
        assert half == 0
        assert s.scalar(select(func.count()).select_from(ProfileVersion)) == len(names)
        assert s.scalar(select(func.count()).select_from(Assessment)) == len(names)
        if world.db.is_sqlite:
            assert s.connection().exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert main(["audit", "verify", "--db", url]) == 0

    server = start(url, port)  # and the server comes back on the same database
    try:
        r = httpx.post(f"http://127.0.0.1:{port}/api/orgs/acme/models",
                       headers=world.auth("editor"),
                       json={"profile": profile_text().replace("Example-70B", "After-crash")})
        assert r.status_code == 201
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert main(["audit", "verify", "--db", url]) == 0
