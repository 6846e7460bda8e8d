"""`gpact docs …`: build, check, version, diff, import and export compliance documents."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from gpact.cli.common import Format, parse_date, print_json
from gpact.documents import api
from gpact.documents.builders import KINDS
from gpact.documents.context import Context
from gpact.documents.document import STATUS_LABELS, Presentation
from gpact.documents.fields import AUDIENCE_NAMES, Audience
from gpact.documents.render import FORMATS, render
from gpact.documents.sources import load_sources
from gpact.documents.versions import diff, list_versions, load_version, store, version_label
from gpact.errors import InputError
from gpact.profile import load_profile
from gpact.services.assess import assess_profile

app = typer.Typer(help="Compliance documents: build, check completeness, keep versions, diff, "
                       "import from a Hugging Face model card, export SPDX / CycloneDX.",
                  no_args_is_help=True)

AUDIENCE_ALIASES: dict[str, Audience] = {
    "aio": "aio", "ai-office": "aio", "nca": "nca", "authorities": "nca",
    "dp": "dp", "downstream": "dp",
}
RECORD_OPTION = typer.Option(None, "--record", "-r", help="Documentation record (YAML/JSON); "
                             "default: NAME.record.yaml beside the profile or in records/.")
AS_OF_OPTION = typer.Option(None, "--as-of", help="Date the rules are applied on (YYYY-MM-DD).")
AUDIENCE_OPTION = typer.Option(None, "--audience", "-a", help="aio | nca | downstream: only the "
                               "fields that audience receives (Model Documentation Form); "
                               "public: the training summary or copyright policy as published "
                               "(no rule ids, sources or review notes).")


class ExportFormat(StrEnum):
    spdx = "spdx"
    cyclonedx = "cyclonedx"
    hf = "hf"


def _context(profile: Path, record: Path | None, as_of: str | None) -> Context:
    """Load the inputs; assess the profile unless the record references an assessment."""
    sources = load_sources(profile, record)
    day = parse_date(as_of)
    computed = None if sources.assessment is not None \
        else assess_profile(sources.loaded, day).to_dict()
    return api.make_context(sources, day, assessment=computed)


def _audience(value: str | None) -> Audience | None:
    if value is None or value.lower() == "public":
        return None
    try:
        return AUDIENCE_ALIASES[value.lower()]
    except KeyError:
        raise InputError(None, "--audience", f"unknown audience {value!r}; choose from "
                         f"{', '.join(AUDIENCE_ALIASES)}, public") from None


def _presentation(value: str | None) -> Presentation:
    return "public" if value is not None and value.lower() == "public" else "review"


def _write(data: bytes, out: Path | None, binary: bool) -> None:
    if out is None:
        if binary and sys.stdout.isatty():
            raise InputError(None, "--format pdf", "PDF is binary: give -o FILE")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise InputError(str(out), None, f"cannot write: {exc.strerror}") from None


@app.command("build")
def build_cmd(
    profile: Path = typer.Argument(..., help="Model profile (gpact: 1)."),
    kind: str = typer.Option(..., "--kind", "-k", help=f"One of: {', '.join(KINDS)}."),
    fmt: str = typer.Option("md", "--format", "-f", help="md | html | pdf | json."),
    record: Path | None = RECORD_OPTION,
    audience: str | None = AUDIENCE_OPTION,
    out: Path | None = typer.Option(None, "--output", "-o", help="Write here (default stdout)."),
    as_of: str | None = AS_OF_OPTION,
    store_dir: Path | None = typer.Option(None, "--store", help="Folder under which versions "
                                          "are kept in .gpact/documents/ (default: the "
                                          "profile's folder)."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not keep this build."),
) -> None:
    """Build one document; an incomplete record still renders, with its gaps marked."""
    if fmt not in FORMATS:
        raise InputError(None, "--format", f"unknown format {fmt!r}; choose from "
                         f"{', '.join(FORMATS)}")
    if kind not in KINDS:
        raise InputError(None, "--kind", f"unknown document kind {kind!r}; choose from "
                         f"{', '.join(KINDS)}")
    ctx = _context(profile, record, as_of)
    doc = api.build(ctx, kind, _audience(audience), presentation=_presentation(audience))
    _write(render(doc, fmt), out, binary=fmt == "pdf")
    if not no_store:
        kept = store(doc, store_dir or profile.parent)
        state = "stored" if kept.created else "unchanged, already stored"
        typer.echo(f"{state}: {kept.path} (sha256 {kept.digest[:12]})", err=True)
    gaps = doc.gaps()
    if gaps:
        typer.echo(f"{len(doc.missing_required())} required field(s) missing, "
                   f"{len(gaps)} gap(s) in total; run 'gpact docs check' for the list", err=True)


@app.command("check")
def check_cmd(
    profile: Path = typer.Argument(..., help="Model profile (gpact: 1)."),
    record: Path | None = RECORD_OPTION,
    kind: list[str] = typer.Option([], "--kind", "-k", help="Check only these kinds "
                                   "(repeatable); default: every document the model owes."),
    audience: str | None = AUDIENCE_OPTION,
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text | json | md."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on weak fields and on "
                                "contradictions between the documents too."),
    as_of: str | None = AS_OF_OPTION,
) -> None:
    """List missing and weak fields per document and the contradictions between documents,
    profile and data summary; exit 1 when a required field is missing."""
    for k in kind:
        if k not in KINDS:
            raise InputError(None, "--kind", f"unknown document kind {k!r}; choose from "
                             f"{', '.join(KINDS)}")
    ctx = _context(profile, record, as_of)
    report = api.check(ctx, kind or None, _audience(audience))
    data = report.to_dict()
    data["strict"] = strict
    if fmt == Format.json:
        print_json(data)
    else:
        typer.echo(_check_text(data, markdown=fmt == Format.md))
    if report.failed or (strict and report.failed_strict()):
        raise typer.Exit(1)


def _check_text(data: dict[str, Any], markdown: bool) -> str:
    head = "## " if markdown else ""
    bullet = "- " if markdown else "  "
    lines = [f"gpact {data.get('gpact_version', '')} · rulebook {data.get('rulebook_version', '')}"
             f" ({data.get('rulebook_date', '')}) · as of {data.get('as_of', '')}",
             data.get("notice", ""), ""]
    for doc in data["documents"]:
        audience = f" (audience: {AUDIENCE_NAMES[doc['audience']]})" if doc["audience"] else ""
        state = "complete" if not (doc["missing"] or doc["weak"]) else \
            f"{len(doc['missing'])} missing, {len(doc['weak'])} weak"
        lines.append(f"{head}{doc['kind']}{audience}: {state}")
        for status in ("missing", "weak"):
            for gap in doc[status]:
                aud = "/".join(a.upper() for a in gap["audiences"]) if doc["kind"] == "mdf" \
                    else ""
                optional = "" if gap["required"] else " (optional)"
                name = " ".join(p for p in (gap["number"], gap["label"]) if p)
                lines.append(f"{bullet}{STATUS_LABELS[status].upper()}{optional} {name} — "
                             f"{'; '.join(gap['problems'])} "
                             f"[{gap['source']}{'; ' + aud if aud else ''}]")
        lines.append("")
    for k, why in data["not_required"].items():
        lines.append(f"{bullet}not required: {k} — {why}")
    found = data["contradictions"]
    severity = "ERROR" if data["strict"] else "WARNING"
    lines += ["", f"{head}consistency: " + (f"{len(found)} contradiction(s)" if found
                                             else "no contradiction found")]
    for c in found:
        lines.append(f"{bullet}{severity} {c['subject']} — {c['text']} "
                     f"[{'; '.join(c['where'])}]")
    lines.append("")
    if not data["ok"]:
        result = "FAIL — required fields missing"
    elif data["strict"] and found:
        result = "FAIL — the documents contradict each other"
    elif data["strict"] and any(d["weak"] for d in data["documents"]):
        result = "FAIL — weak fields (--strict)"
    else:
        result = "OK — no required field missing"
    lines.append(f"result: {result}")
    return "\n".join(lines)


@app.command("versions")
def versions_cmd(
    folder: Path = typer.Argument(Path("."), help="Folder holding .gpact/documents/."),
    fmt: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """List the stored versions of built documents."""
    found = list_versions(folder)
    if fmt == Format.json:
        print_json(found)
        return
    if not found:
        typer.echo(f"no stored versions under {folder / '.gpact' / 'documents'}")
    for v in found:
        typer.echo(f"{v['kind']:<24} {v['date']}  {v['hash']}  {v['path']}")


@app.command("diff")
def diff_cmd(
    old: Path = typer.Argument(..., help="Older version (stored JSON or --format json output)."),
    new: Path = typer.Argument(..., help="Newer version."),
    fmt: Format = typer.Option(Format.text, "--format", "-f"),
) -> None:
    """Show what changed between two versions of a document, field by field."""
    a, b = load_version(old), load_version(new)
    changes = diff(a, b)
    if fmt == Format.json:
        print_json({"old": version_label(a), "new": version_label(b),
                    "changes": [c.to_dict() for c in changes]})
        return
    typer.echo(f"--- {version_label(a)}\n+++ {version_label(b)}")
    if not changes:
        typer.echo("no changes")
    for c in changes:
        if c.change == "status":
            typer.echo(f"~ {c.label}: status {c.old_status} → {c.new_status}")
            continue
        typer.echo(f"{'+' if c.change == 'added' else '-' if c.change == 'removed' else '~'} "
                   f"{c.label}")
        if c.old:
            typer.echo(f"    - {c.old}")
        if c.new:
            typer.echo(f"    + {c.new}")


@app.command("init")
def init_cmd(
    profile: Path = typer.Argument(..., help="Model profile (gpact: 1)."),
    out: Path | None = typer.Option(None, "--output", "-o", help="Record file to write "
                                    "(default: NAME.record.yaml beside the profile)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing record."),
) -> None:
    """Write an empty documentation record with every field, next to the profile."""
    from gpact.documents.skeleton import skeleton_yaml

    load_profile(profile)
    target = out or profile.with_name(f"{profile.stem}.record.yaml")
    if target.exists() and not force:
        raise InputError(str(target), None, "already exists (use --force to overwrite)")
    _write(skeleton_yaml(str(profile)).encode("utf-8"), target, binary=False)
    typer.echo(f"wrote {target}", err=True)


@app.command("import")
def import_cmd(
    sources: list[Path] = typer.Argument(..., help="Hugging Face model folders (README.md, "
                                         "config.json, *.safetensors), codecarbon "
                                         "emissions.csv / JSON, Croissant JSON-LD files."),
    fmt: str = typer.Option("auto", "--format", "-f", help="auto | hf | codecarbon | "
                            "croissant."),
    into: Path | None = typer.Option(None, "--into", help="Existing record to add to: its own "
                                     "values are kept, conflicts are listed."),
    out: Path | None = typer.Option(None, "--output", "-o", help="Record file to write "
                                    "(default stdout)."),
) -> None:
    """Draft or extend a documentation record from other tools' files (see docs/interop.md)."""
    from gpact.interop.importing import import_into, record_yaml

    result = import_into(sources, fmt, into)
    origin = ", ".join(str(s) for s in sources)
    _write(record_yaml(result.record, origin).encode("utf-8"), out, binary=False)
    typer.echo(f"imported from {origin}: {', '.join(result.sources) or 'nothing usable'}",
               err=True)
    for line in result.skipped:
        typer.echo(f"note: {line}", err=True)
    for line in result.conflicts:
        typer.echo(f"kept the record's value: {line}", err=True)


@app.command("export")
def export_cmd(
    profile: Path = typer.Argument(..., help="Model profile (gpact: 1)."),
    fmt: ExportFormat = typer.Option(..., "--format", "-f", help="spdx | cyclonedx | hf "
                                     "(Hugging Face model card README.md)."),
    record: Path | None = RECORD_OPTION,
    out: Path | None = typer.Option(None, "--output", "-o", help="Write here (default stdout)."),
    as_of: str | None = AS_OF_OPTION,
    risk_dir: Path | None = typer.Option(None, "--risk-dir", help="Folder of the evaluation "
                                         "log (default: risk/ beside the profile)."),
    namespace: str | None = typer.Option(None, "--namespace", help="spdx: IRI prefix for the "
                                         "document's ids (default: the provider's website)."),
) -> None:
    """Export the model's facts as SPDX 3.0 (AI, Dataset), CycloneDX 1.6 (ML-BOM) or a Hugging
    Face model card (see docs/interop.md)."""
    from gpact.documents.export import ExportInvalid, export_bom

    ctx = _context(profile, record, as_of)
    if fmt is ExportFormat.hf:
        from gpact.interop.commands import hf_card_text

        text, skipped = hf_card_text(ctx, risk_dir)
        _write(text.encode("utf-8"), out, binary=False)
        for line in skipped:
            typer.echo(f"not in the card metadata: {line}", err=True)
        return
    from gpact.interop.commands import evaluation_runs

    try:
        data = export_bom(ctx, fmt.value, runs=evaluation_runs(profile, risk_dir),
                          namespace=namespace)
    except ExportInvalid as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    _write((json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), out,
           binary=False)


@app.command("receive")
def receive_cmd(
    package: Path = typer.Argument(..., help="Documentation package received from the model's "
                                   "provider: a gpact document JSON (downstream-package, "
                                   "annex-xii, MDF for downstream providers) or a folder."),
    store_dir: Path = typer.Option(Path("."), "--store", help="Folder under which the package "
                                   "is kept in .gpact/received/<sha256>/."),
    system: str | None = typer.Option(None, "--system", help="Your AI system the model is "
                                      "integrated into (recorded in the receipt)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text | json | md."),
    as_of: str | None = AS_OF_OPTION,
) -> None:
    """Check a received documentation package against Annex XII and keep it as evidence;
    exit 1 when a required item is missing."""
    from gpact.interop.commands import receive_report

    text, complete = receive_report(package, store_dir, parse_date(as_of) if as_of else None,
                                    system, fmt.value)
    typer.echo(text)
    if not complete:
        raise typer.Exit(1)
