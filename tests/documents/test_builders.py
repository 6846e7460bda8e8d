"""Builders on complete and incomplete records; audiences; gated sections; the checklist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpact.cli.main import main
from gpact.documents import KINDS, build, check, required_kinds
from gpact.documents.context import Context
from gpact.documents.document import Num

from .conftest import context


@pytest.mark.parametrize("kind", KINDS)
def test_complete_record_builds_every_kind(frontier: Context, kind: str) -> None:
    doc = build(frontier, kind)
    assert doc.sections
    meta = doc.meta
    assert meta["gpact_version"] and meta["rulebook_version"] and meta["build_date"]
    assert "not legal advice" in meta["notice"]
    if kind != "cop-checklist":
        assert doc.missing_required() == [], [e.spec.id for e in doc.missing_required()]


@pytest.mark.parametrize("kind", KINDS)
def test_incomplete_record_still_renders_with_gaps(opensmall: Context, kind: str) -> None:
    doc = build(opensmall, kind)
    assert doc.entries


def test_mdf_downstream_audience_only_gets_its_fields(frontier: Context) -> None:
    everyone = {e.spec.id for e in build(frontier, "mdf").entries}
    downstream = {e.spec.id for e in build(frontier, "mdf", audience="dp").entries}
    assert downstream < everyone
    assert "training_energy" not in downstream and "model_authenticity" not in downstream
    assert {"architecture", "licence", "data_curation"} <= downstream
    assert build(frontier, "mdf", audience="dp").audience_label() == "downstream providers"


def test_annex_xi_section_2_follows_systemic_risk(frontier: Context,
                                                  opensmall: Context) -> None:
    sr = build(frontier, "annex-xi")
    assert [e.status for e in sr.sections[-1].entries] == ["ok"] * 5
    small = build(opensmall, "annex-xi")
    assert {e.status for e in small.sections[-1].entries} == {"not_applicable"}
    assert small.sections[-1].note and "not a GPAI model with systemic risk" \
        in small.sections[-1].note


def test_profile_fallbacks_are_labelled(opensmall: Context) -> None:
    doc = build(opensmall, "mdf")
    size = next(e for e in doc.entries if e.spec.id == "total_model_size")
    assert size.value == Num("3e9", "parameters", "1 to 10 billion parameters")  # record wins
    assert size.status == "weak" and "significant figure" in size.problems[0]
    placed = next(e for e in doc.entries if e.spec.id == "union_release_date")
    assert "From the profile" in placed.notes[0]


def test_placeholder_in_required_field_is_missing(opensmall: Context) -> None:
    doc = build(opensmall, "mdf")
    arch = next(e for e in doc.entries if e.spec.id == "architecture")
    assert arch.status == "missing" and "placeholder" in arch.problems[0]


def test_required_kinds_follow_assessment(opensmall: Context, frontier: Context) -> None:
    kinds, skipped = required_kinds(opensmall)
    assert kinds == ["training-summary", "copyright-policy", "cop-checklist"]
    assert "waived" in skipped["mdf"]
    assert required_kinds(frontier)[0] == list(KINDS)


def test_without_assessment_gates_are_unknown(data_dir: Path) -> None:
    record = data_dir / "frontier.record.yaml"
    record.write_text(record.read_text().replace("  assessment: frontier.assessment.json\n", ""))
    ctx = context("frontier", folder=data_dir)
    assert ctx.assessment is None
    doc = build(ctx, "annex-xi")
    assert doc.sections[-1].entries[0].status == "ok"  # kept, not silently dropped
    assert any("Cannot decide whether 'systemic_risk'" in n for n in doc.notes)
    assert "notification" in required_kinds(ctx)[0]  # 3.2e25 FLOP > rulebook threshold


def test_cli_assesses_the_profile_when_no_assessment_is_referenced(
        capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    record = data_dir / "opensmall.record.yaml"
    record.write_text(record.read_text().replace("  assessment: opensmall.assessment.json\n",
                                                 ""))
    code = main(["docs", "check", str(data_dir / "opensmall.yaml"), "-f", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert "waived" in data["not_required"]["mdf"]  # open-source exemption found by gpact assess


def test_notification_deadline_and_evidence(frontier: Context) -> None:
    doc = build(frontier, "notification")
    by_id = {e.spec.id: e for e in doc.entries}
    assert by_id["training_compute"].value == Num(3.2e25, "FLOP")
    assert "exceeds the 1e+25 FLOP" in str(by_id["condition_status"].value)
    assert str(by_id["notification_deadline"].value).startswith("2025-10-15")
    assert by_id["rebuttal_arguments"].status == "optional_empty"


def test_checklist_statuses(frontier: Context, opensmall: Context) -> None:
    doc = build(frontier, "cop-checklist")
    by_id = {e.spec.id: e for e in doc.entries}
    assert by_id["transparency_1_1"].status == "ok"  # derived: MDF complete
    assert "documented" in str(by_id["transparency_1_1"].value)
    assert by_id["safety_c1"].status == "ok"
    assert by_id["safety_c3"].status == "weak"          # recorded as partial
    assert by_id["safety_c9"].status == "missing"       # nothing recorded, nothing derivable
    small = build(opensmall, "cop-checklist")
    by_id = {e.spec.id: e for e in small.entries}
    assert by_id["safety_c1"].status == "not_applicable"
    assert by_id["transparency_1_1"].status == "not_applicable"  # open-source exemption
    assert by_id["copyright_1_2"].status == "not_applicable"     # no crawling
    assert any("not a signatory" in n for n in small.notes)


def test_check_report(frontier: Context, opensmall: Context) -> None:
    assert check(frontier, ["mdf", "training-summary"]).failed is False
    report = check(opensmall)
    assert report.failed
    data = report.to_dict()
    assert data["ok"] is False and "mdf" in data["not_required"]
    ts = next(d for d in data["documents"] if d["kind"] == "training-summary")
    assert any(g["number"] == "3.2(a)" for g in ts["missing"])
