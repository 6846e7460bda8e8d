"""Evidence packs: built by the server, checked offline by `gpact evidence verify` (exit 0
intact, 1 on any mismatch, 2 on bad input), zip-slip safe, only this organisation's events."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gpact.cli.main import main
from gpact.store import audit
from gpact.store.models import AuditEvent
from gpact.tracking import pack
from tests.server.conftest import World, profile_text

TD = "technical_documentation"


def model_with_evidence(world: World) -> int:
    r = world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                          headers=world.auth("editor"))
    model_id = int(r.json()["id"])
    base = f"/api/orgs/acme/models/{model_id}"
    doc = world.client.post(f"{base}/documents", json={"kind": "annex-xi"},
                            headers=world.auth("editor")).json()
    ob = f"{base}/obligations/{TD}"
    world.client.post(f"{ob}/evidence", json={"kind": "document", "document_id": doc["id"]},
                      headers=world.auth("editor"))
    world.client.post(f"{ob}/evidence/files", headers=world.auth("editor"),
                      files={"file": ("filing.pdf", b"%PDF-1.7 filed", "application/pdf")})
    world.client.patch(ob, json={"state": "met", "version": 1}, headers=world.auth("editor"))
    r = world.client.post(f"{ob}/sign-off", json={"version": 2}, headers=world.auth("admin"))
    assert r.status_code == 200, r.text
    # another organisation's activity must not leak into acme's pack
    world.client.post("/api/orgs/rival/models", json={"profile": profile_text()},
                      headers=world.auth("rival"))
    return model_id


def download(world: World, model_id: int, tmp_path: Path) -> Path:
    r = world.client.get(f"/api/orgs/acme/models/{model_id}/evidence-pack",
                         headers=world.auth("viewer"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    target = tmp_path / "pack.zip"
    target.write_bytes(r.content)
    return target


def rewrite(source: Path, target: Path, change: dict[str, bytes | None],
            extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    out.writestr(info.filename, change[info.filename] or b"")
            else:
                out.writestr(info.filename, src.read(info.filename))
        for name, content in (extra or {}).items():
            out.writestr(name, content)
    return target


def test_pack_contents_and_offline_verification(world: World, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    model_id = model_with_evidence(world)
    path = download(world, model_id, tmp_path)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        index = json.loads(z.read("pack.json"))
        events = [json.loads(line) for line in z.read("audit.jsonl").splitlines()]
    assert {"pack.json", "manifest.sha256", "profile.yaml", "assessment.json",
            "audit.jsonl"} <= names
    assert any(n.startswith("documents/") and "annex-xi" in n for n in names)
    assert any(n.startswith("evidence/") and n.endswith("filing.pdf") for n in names)
    track = next(o for o in index["obligations"] if o["obligation"] == TD)
    assert track["state"] == "met" and track["signed_off_by"] == "admin@example.eu"
    assert track["sign_off_requested_by"] == "editor@example.eu"
    assert {e["kind"] for e in track["evidence"]} == {"document", "file"}
    assert {e["org_id"] for e in events} == {world.actors["editor"].org_id}
    assert "obligation.sign_off" in {e["action"] for e in events}
    with world.db.read() as s:
        head = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert head is not None
        # the export itself is the newest event; the pack records the head before it
        assert head.action == "evidence_pack.export"
        assert index["audit_head"]["seq"] == head.seq - 1
        assert audit.verify(s).ok
    assert main(["evidence", "verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "evidence pack intact" in out and "Example-70B 1.0" in out
    assert main(["evidence", "verify", str(path), "--expect-head",
                 index["audit_head"]["hash"]]) == 0
    assert main(["evidence", "verify", str(path), "--expect-head", "0" * 64]) == 1


def test_event_digest_matches_the_server_chain(world: World) -> None:
    model_with_evidence(world)
    with world.db.read() as s:
        for e in s.scalars(select(AuditEvent)):
            assert pack.event_digest({**audit._fields(e)}) == e.hash == audit.event_hash(e)


@pytest.mark.parametrize("tamper", ["changed_file", "removed_file", "added_file",
                                    "edited_event", "manifest_line", "index_sum"])
def test_any_mismatch_exits_1(world: World, tmp_path: Path, tamper: str,
                              capsys: pytest.CaptureFixture[str]) -> None:
    path = download(world, model_with_evidence(world), tmp_path)
    with zipfile.ZipFile(path) as z:
        evidence = next(n for n in z.namelist() if n.startswith("evidence/"))
        audit_lines = z.read("audit.jsonl").splitlines()
        manifest = z.read("manifest.sha256")
        index = json.loads(z.read("pack.json"))
    bad = tmp_path / "bad.zip"
    if tamper == "changed_file":
        rewrite(path, bad, {evidence: b"%PDF-1.7 forged"})
    elif tamper == "removed_file":
        rewrite(path, bad, {evidence: None})
    elif tamper == "added_file":
        rewrite(path, bad, {}, {"evidence/late.pdf": b"%PDF-"})
    elif tamper == "edited_event":
        event = json.loads(audit_lines[0])
        event["actor"] = "someone@else.eu"
        fixed = b"\n".join([json.dumps(event).encode(), *audit_lines[1:]]) + b"\n"
        lines = [ln for ln in manifest.decode().splitlines() if not ln.endswith("audit.jsonl")]
        lines.append(f"{hashlib.sha256(fixed).hexdigest()}  audit.jsonl")
        rewrite(path, bad, {"audit.jsonl": fixed, "manifest.sha256":
                            ("\n".join(lines) + "\n").encode()})
    elif tamper == "manifest_line":
        rewrite(path, bad, {"manifest.sha256": manifest + b"not a line\n"})
    else:
        for f in index["files"]:
            if f["path"] == evidence:
                f["sha256"] = "0" * 64
        body = json.dumps(index).encode()
        lines = [ln for ln in manifest.decode().splitlines() if not ln.endswith("pack.json")]
        lines.append(f"{hashlib.sha256(body).hexdigest()}  pack.json")
        rewrite(path, bad, {"pack.json": body,
                            "manifest.sha256": ("\n".join(lines) + "\n").encode()})
    assert main(["evidence", "verify", str(bad)]) == 1
    assert "MISMATCH:" in capsys.readouterr().out


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


@pytest.mark.parametrize(("content", "message"), [
    (b"not a zip at all", "not a zip archive"),
    (_zip({"hello.txt": b"x"}), "manifest.sha256: missing"),
    (_zip({"../../escape.txt": b"x", "manifest.sha256": b"", "pack.json": b"{}"}),
     "points outside the archive"),
    (_zip({"/etc/passwd": b"x", "manifest.sha256": b"", "pack.json": b"{}"}),
     "points outside the archive"),
    (_zip({"manifest.sha256": b"", "pack.json": b"{\"format\": \"other\"}"}),
     "expected 'gpact-evidence-pack/1'"),
    (_zip({"manifest.sha256": b"", "pack.json": b"{nope"}), "pack.json: unreadable"),
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, content: bytes, message: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(content)
    assert main(["evidence", "verify", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path.parent / "escape.txt").exists()
    assert main(["evidence", "verify", str(tmp_path / "missing.zip")]) == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_verifier(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.zip"
        path.write_bytes(data)
        assert main(["evidence", "verify", str(path)]) in (1, 2)


def test_pack_is_per_organisation(world: World) -> None:
    model_id = model_with_evidence(world)
    r = world.client.get(f"/api/orgs/rival/models/{model_id}/evidence-pack",
                         headers=world.auth("rival"))
    assert r.status_code == 404
