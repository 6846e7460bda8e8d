"""`gpact risk …`, `gpact incident …` and `gpact calendar`: systemic-risk obligations and dates.

Exit codes: 0 done; 1 a check found problems (register gaps, overdue reports); 2 bad input.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.cli.common import FORMAT_OPTION, Format, parse_date, print_json, warn
from gpact.errors import InputError
from gpact.risk.calendar import CalendarEvent, to_ics
from gpact.risk.clocks import (
    CALENDAR_DAYS_NOTE,
    Clock,
    incident_deadlines,
    request_clock,
    require_code_in_force,
)
from gpact.risk.documents import (
    REPORT_KINDS,
    framework_document,
    incident_report,
    model_report_document,
)
from gpact.risk.importers import FORMATS as EVAL_FORMATS
from gpact.risk.importers import import_evaluations
from gpact.risk.register import check_register, taxonomy
from gpact.risk.reports import Document, render
from gpact.risk.schema import EvaluationLog
from gpact.risk.store import record_path, save_file
from gpact.rulebook import default_rulebook
from gpact.services.risk import ModelRisk, calendar_events, open_model, risk_clocks

risk_app = typer.Typer(help="Systemic-risk register, evaluations, Framework and Model Report, "
                       "requests (Art. 55; Code of Practice, Safety & Security).",
                       no_args_is_help=True)
incident_app = typer.Typer(help="Serious incidents: reporting clocks, status and reports "
                           "(Art. 55(1)(c); Code of Practice, Measure 9).", no_args_is_help=True)


class DocFormat(StrEnum):
    md = "md"
    html = "html"
    json = "json"


class CalFormat(StrEnum):
    text = "text"
    json = "json"
    ics = "ics"


PROFILE_ARG = typer.Argument(..., help="Model profile (YAML/JSON); records are read from "
                             "risk/ beside it.")
RISK_DIR = typer.Option(None, "--risk-dir", help="Folder of the risk records (default: "
                        "risk/<profile name>/ or risk/ beside the profile).")
AS_OF = typer.Option(None, "--as-of", help="Date (YYYY-MM-DD); default today.")
DOC_FORMAT = typer.Option(DocFormat.md, "--format", "-f", help="Document format.")
OUTPUT = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout.")


def _console() -> Console:
    return Console(width=max(Console().width, 120), highlight=False)


def _open(profile: str, risk_dir: Path | None, as_of: str | None) -> ModelRisk:
    return open_model(profile, parse_date(as_of), risk_dir)


def _header(m: ModelRisk) -> str:
    return (f"{m.model.name} — as of {m.as_of} · gpact {__version__} · rulebook "
            f"{m.rulebook.label()}")


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(str(output), None, f"cannot write: {exc.strerror}") from None
    typer.echo(f"wrote {output}", err=True)


def _emit_document(doc: Document, fmt: DocFormat, output: Path | None) -> None:
    _emit(render(doc, fmt.value), output)


def _clock_rows(clocks: list[Clock], as_of: dt.date, title: str, fmt: Format,
                meta: dict[str, Any]) -> None:
    if fmt is Format.json:
        print_json({**meta, "clocks": [c.as_dict(as_of) for c in clocks],
                    "not_legal_advice": NOT_LEGAL_ADVICE})
        return
    if fmt is Format.md:
        typer.echo(f"# {title}\n\n| obligation | due | done | status | source |\n"
                   "|---|---|---|---|---|")
        for c in clocks:
            typer.echo(f"| {c.title} | {c.due or '—'} | {c.done_on or '—'} | "
                       f"{c.status(as_of)} | {c.source} |")
        typer.echo(f"\n*{NOT_LEGAL_ADVICE}*")
        return
    table = Table(title=title)
    for col in ("obligation", "due", "done", "status", "note"):
        table.add_column(col, overflow="fold")
    for c in clocks:
        status = c.status(as_of)
        style = {"overdue": "red", "done_late": "yellow", "not_computable": "yellow"}.get(status)
        table.add_row(c.title, str(c.due or "—"), str(c.done_on or "—"), status, c.note or "",
                      style=style)
    _console().print(table)
    typer.echo(NOT_LEGAL_ADVICE)


def _meta(m: ModelRisk) -> dict[str, Any]:
    return {"gpact_version": __version__, "rulebook_version": m.rulebook.version,
            "as_of": m.as_of.isoformat(), "model": m.model.name,
            "records": str(m.records.folder)}


# --- gpact risk ----------------------------------------------------------------------------

@risk_app.command("taxonomy")
def risk_taxonomy(as_of: str | None = AS_OF, fmt: Format = FORMAT_OPTION) -> None:
    """The systemic-risk taxonomy (specified risks, capabilities, propensities, affordances)."""
    book = default_rulebook()
    rules = book.at(parse_date(as_of))
    require_code_in_force(rules)
    entries = taxonomy(rules)
    rule = rules.rule("code_of_practice.safety_security.systemic_risk_taxonomy")
    if fmt is Format.json:
        print_json({"rulebook_version": book.version, "source": rule.source,
                    "confidence": rule.confidence, "note": rule.note,
                    "entries": [e.__dict__ for e in entries]})
        return
    if fmt is Format.md:
        typer.echo("| id | group | title |\n|---|---|---|")
        for e in entries:
            typer.echo(f"| `{e.id}` | {e.group} | {e.title} |")
        typer.echo(f"\nSource: {rule.source} ({rule.confidence})")
        return
    table = Table(title=f"Systemic-risk taxonomy — {rule.source} [{rule.confidence}]")
    for col in ("id", "group", "title"):
        table.add_column(col)
    for e in entries:
        table.add_row(e.id, e.group, e.title)
    _console().print(table)
    if rule.note:
        typer.echo(f"note: {rule.note}")


@risk_app.command("check")
def risk_check(profile: str = PROFILE_ARG, risk_dir: Path | None = RISK_DIR,
               as_of: str | None = AS_OF, fmt: Format = FORMAT_OPTION) -> None:
    """Check the risk register against Commitments 2-6; exit 1 if a requirement is not met."""
    m = _open(profile, risk_dir, as_of)
    if "register" not in m.records.present:
        raise InputError(str(record_path(m.records.folder, "register")), None,
                         "no risk register (see docs/risk.md for its format)")
    findings = check_register(m.records.register, m.rules, evaluations=m.records.evaluations,
                              placed_on=m.model.placed_on, as_of=m.as_of)
    problems = [f for f in findings if f.severity == "problem"]
    if fmt is Format.json:
        print_json({**_meta(m), "ok": not problems,
                    "findings": [f.as_dict() for f in findings],
                    "not_legal_advice": NOT_LEGAL_ADVICE})
    else:
        typer.echo(_header(m))
        for f in findings:
            typer.echo(f"{'-' if fmt is Format.md else ' '} {f.severity}: {f.subject}: {f.text} "
                       f"[{f.source}]")
        typer.echo(f"{len(problems)} problem(s), {len(findings) - len(problems)} other "
                   f"finding(s). {NOT_LEGAL_ADVICE}")
    if problems:
        raise typer.Exit(1)


@risk_app.command("deadlines")
def risk_deadlines(profile: str = PROFILE_ARG, risk_dir: Path | None = RISK_DIR,
                   as_of: str | None = AS_OF, fmt: Format = FORMAT_OPTION) -> None:
    """Framework, Model Report, incident and request deadlines of one model."""
    m = _open(profile, risk_dir, as_of)
    _clock_rows(risk_clocks(m), m.as_of, _header(m), fmt, _meta(m))


@risk_app.command("framework")
def risk_framework(profile: str = PROFILE_ARG, risk_dir: Path | None = RISK_DIR,
                   as_of: str | None = AS_OF, fmt: DocFormat = DOC_FORMAT,
                   output: Path | None = OUTPUT) -> None:
    """Build the Safety & Security Framework from the risk register."""
    m = _open(profile, risk_dir, as_of)
    _emit_document(framework_document(m.records.register, m.model, m.as_of, m.rules,
                                      m.rulebook.label()), fmt, output)


@risk_app.command("model-report")
def risk_model_report(profile: str = PROFILE_ARG, risk_dir: Path | None = RISK_DIR,
                      as_of: str | None = AS_OF, fmt: DocFormat = DOC_FORMAT,
                      output: Path | None = OUTPUT) -> None:
    """Build the Safety & Security Model Report from the register and evaluations."""
    m = _open(profile, risk_dir, as_of)
    _emit_document(model_report_document(m.records.register, m.records.evaluations, m.model,
                                         m.as_of, m.rules, m.rulebook.label()), fmt, output)


@risk_app.command("import-eval")
def risk_import_eval(
    files: list[Path] = typer.Argument(..., help="Inspect logs (.eval or JSON, or a log dir), "
                                       "lm-evaluation-harness results, HELM run folders, Every "
                                       "Eval Ever JSON, Hugging Face .eval_results/ files."),
    profile: str = typer.Option(..., "--profile", "-p", help="Model profile whose "
                                "risk/evaluations.yaml receives the runs."),
    risk_dir: Path | None = RISK_DIR,
    harness: str = typer.Option("auto", "--harness", help=f"One of {', '.join(EVAL_FORMATS)}."),
    run_by: str | None = typer.Option(None, "--run-by", help="Who ran the evaluations."),
    risks: list[str] = typer.Option([], "--risk", help="TASK=RISK: runs of that task (name or "
                                    "pattern) inform that risk (repeatable); a bare RISK only "
                                    "when the import holds one task."),
    risk_map_file: Path | None = typer.Option(None, "--risk-map", help="YAML file mapping task "
                                              "names or patterns to risk id(s)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the entries, write nothing."),
) -> None:
    """Import evaluation results into risk/evaluations.yaml, linking each task to its risks."""
    from gpact.risk.importers import all_risks, risk_map, risks_for

    m = _open(profile, risk_dir, None)
    mapping, bare = risk_map(risks, risk_map_file)
    known = {r.id for r in m.records.register.risks}
    unknown = [r for r in [*all_risks(mapping), *bare] if r not in known]
    if unknown:
        raise InputError(str(risk_map_file) if risk_map_file else None, "--risk",
                         f"not in the risk register: {', '.join(unknown)}")
    runs = [run for f in files for run in import_evaluations(f, harness, run_by, mapping)]
    if bare:
        tasks = sorted({r.benchmark for r in runs})
        if len(tasks) > 1:
            raise InputError(None, "--risk", f"{len(tasks)} tasks imported ({', '.join(tasks[:4])}"
                             f"{', …' if len(tasks) > 4 else ''}): say which task informs which "
                             "risk with --risk TASK=RISK or --risk-map FILE")
        runs = [r.model_copy(update={"risks": list(dict.fromkeys([*r.risks, *bare]))})
                for r in runs]
    for pattern in mapping:
        if not any(risks_for(r, {pattern: ["?"]}) for r in runs):
            warn(f"--risk {pattern}: no imported task matches")
    existing = {e.id for e in m.records.evaluations.evaluations}
    new = [r for r in runs if r.id not in existing]
    for r in runs:
        if r.id in existing:
            warn(f"{r.id}: already in the evaluations log, skipped")
    if dry_run:
        print_json([r.model_dump(mode="json", exclude_none=True) for r in new])
        return
    path = record_path(m.records.folder, "evaluations")
    log = EvaluationLog(evaluations=[*m.records.evaluations.evaluations, *new])
    save_file(path, log)
    linked = sum(1 for r in new if r.risks)
    typer.echo(f"{len(new)} evaluation run(s) added to {path} ({linked} linked to a risk)")


@risk_app.command("requests")
def risk_requests(profile: str = PROFILE_ARG, risk_dir: Path | None = RISK_DIR,
                  as_of: str | None = AS_OF, fmt: Format = FORMAT_OPTION) -> None:
    """Requests from downstream providers and the AI Office, and rightsholder complaints."""
    m = _open(profile, risk_dir, as_of)
    clocks = [request_clock(r, m.rules) for r in m.records.requests.requests]
    _clock_rows(clocks, m.as_of, _header(m), fmt, _meta(m))


# --- gpact incident ------------------------------------------------------------------------

@incident_app.command("deadlines")
def incident_deadlines_cmd(
    category: str = typer.Option(..., "--category", help="critical_infrastructure, "
                                 "cybersecurity, death or other_serious_harm."),
    aware_on: str = typer.Option(..., "--aware-on", help="Date the provider became aware of "
                                 "the model's involvement."),
    resolved_on: str | None = typer.Option(None, "--resolved-on", help="Date of resolution."),
    as_of: str | None = AS_OF,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Reporting deadlines of a serious incident from its dates alone."""
    book = default_rulebook()
    aware = parse_date(aware_on, "--aware-on")
    resolved = parse_date(resolved_on, "--resolved-on") if resolved_on else None
    rules = book.at(parse_date(as_of) if as_of else aware)
    require_code_in_force(rules, "--as-of" if as_of else "--aware-on")
    d = incident_deadlines(category, aware, resolved, rules)
    if fmt is Format.json:
        print_json({"gpact_version": __version__, "rulebook_version": book.version,
                    **d.as_dict(), "not_legal_advice": NOT_LEGAL_ADVICE})
        return
    lines = [f"Serious incident ({category}), aware {aware}",
             f"  initial report due   {d.initial_report_due}  ({d.initial_report_days} days)",
             f"  intermediate reports every {d.update_every_days} days until resolved: "
             + (", ".join(x.isoformat() for x in d.intermediate_reports_due) or "none due")
             + ("" if resolved else " (first one; then every "
                f"{d.update_every_days} days)"),
             f"  final report due     {d.final_report_due or 'after resolution'}"
             + (f"  ({d.final_report_days} days after {resolved})" if resolved else ""),
             f"  keep documentation at least {d.retention_years} years",
             f"  {CALENDAR_DAYS_NOTE}",
             f"  Source: {d.sources[next(iter(d.sources))]}. rulebook {book.label()}.",
             f"  {NOT_LEGAL_ADVICE}"]
    typer.echo("\n".join(("# " if fmt is Format.md and i == 0 else "") + line
                         for i, line in enumerate(lines)))


@incident_app.command("status")
def incident_status(profile: str = PROFILE_ARG, risk_dir: Path | None = RISK_DIR,
                    as_of: str | None = AS_OF, fmt: Format = FORMAT_OPTION) -> None:
    """Every recorded incident's clocks; exit 1 if a report is overdue."""
    m = _open(profile, risk_dir, as_of)
    from gpact.risk.clocks import incident_clocks, retain_until

    clocks: list[Clock] = []
    retention: dict[str, str] = {}
    for inc in m.records.incidents.incidents:
        if inc.bundled_with is not None:
            continue
        clocks += incident_clocks(inc, m.as_of, m.rules)
        keep, why = retain_until(inc, m.rules)
        retention[inc.id] = f"{keep.isoformat()} ({why})"
    meta = {**_meta(m), "retain_until": retention,
            "bundled": {i.id: i.bundled_with for i in m.records.incidents.incidents
                        if i.bundled_with}}
    _clock_rows(clocks, m.as_of, _header(m), fmt, meta)
    overdue = [c for c in clocks if c.status(m.as_of) == "overdue"]
    for c in overdue:
        warn(f"overdue since {c.due}: {c.title}")
    if overdue:
        raise typer.Exit(1)


@incident_app.command("report")
def incident_report_cmd(
    profile: str = PROFILE_ARG,
    incident_id: str = typer.Argument(..., help="Incident id in risk/incidents.yaml."),
    kind: str = typer.Option("initial", "--kind", help=f"One of {', '.join(REPORT_KINDS)}."),
    risk_dir: Path | None = RISK_DIR, as_of: str | None = AS_OF,
    fmt: DocFormat = DOC_FORMAT, output: Path | None = OUTPUT,
) -> None:
    """Build an initial, intermediate or final serious-incident report."""
    m = _open(profile, risk_dir, as_of)
    found = [i for i in m.records.incidents.incidents if i.id == incident_id]
    if not found:
        known = ", ".join(i.id for i in m.records.incidents.incidents) or "none recorded"
        raise InputError(str(record_path(m.records.folder, "incidents")), "id",
                         f"no incident {incident_id!r} (known: {known})")
    _emit_document(incident_report(found[0], kind, m.model, m.as_of, m.rules,
                                   m.rulebook.label()), fmt, output)


# --- gpact calendar ------------------------------------------------------------------------

def calendar(
    paths: list[str] = typer.Argument(..., help="Profile files or folders of them."),
    as_of: str | None = AS_OF,
    fmt: CalFormat = typer.Option(CalFormat.text, "--format", "-f", help="text, json or ics."),
    output: Path | None = OUTPUT,
    risk_dir: Path | None = RISK_DIR,
    no_assessment: bool = typer.Option(False, "--no-assessment", help="Leave out the "
                                       "obligations' due dates from the assessment."),
) -> None:
    """Compliance calendar: every dated obligation, as a table, JSON or an iCalendar file."""
    date = parse_date(as_of)
    book = default_rulebook()
    events, warnings = calendar_events(paths, date, include_assessment=not no_assessment,
                                       risk_dir=risk_dir, rulebook=book)
    for w in warnings:
        warn(w)
    if fmt is CalFormat.ics:
        data = to_ics(events, date, book.label())
        if output is None:
            typer.echo(data.decode("utf-8"), nl=False)
        else:
            _emit(data.decode("utf-8"), output)
        return
    if fmt is CalFormat.json:
        payload = {"gpact_version": __version__, "rulebook_version": book.version,
                   "as_of": date.isoformat(), "events": [e.as_dict() for e in events],
                   "not_legal_advice": NOT_LEGAL_ADVICE}
        if output is None:
            print_json(payload)
        else:
            import json
            _emit(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", output)
        return
    _print_calendar(events, date, book.label())


def _print_calendar(events: list[CalendarEvent], as_of: dt.date, label: str) -> None:
    table = Table(title=f"Compliance calendar — as of {as_of} · rulebook {label}")
    for col in ("due", "model", "obligation", "status", "source"):
        table.add_column(col, overflow="fold")
    for e in events:
        style = "red" if e.status == "overdue" else (
            "dim" if e.status in ("done", "done_late") else None)
        table.add_row(e.due.isoformat(), e.model, e.title, e.status, e.source, style=style)
    _console().print(table)
    typer.echo(NOT_LEGAL_ADVICE)
