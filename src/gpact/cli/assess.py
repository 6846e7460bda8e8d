"""`gpact assess`: is it a GPAI model, does it carry systemic risk, which obligations apply."""

from __future__ import annotations

from collections.abc import Sequence

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.assess import Assessment
from gpact.cli.common import FORMAT_OPTION, Format, parse_date, print_json, warn
from gpact.services.assess import assess_paths
from gpact.services.assessment_report import (
    context_lines,
    differences,
    portfolio,
    portfolio_markdown,
    role_label,
    status_label,
    to_markdown,
    verdict,
)


def assess(
    paths: list[str] = typer.Argument(..., help="Profile files (YAML/JSON) or folders of them."),
    as_of: str | None = typer.Option(None, "--as-of", help="Assess as of this date "
                                     "(YYYY-MM-DD); default today."),
    compare_to: str | None = typer.Option(None, "--compare-to", help="Also assess as of this "
                                          "date (YYYY-MM-DD) and show only which verdicts and "
                                          "due dates differ."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Assess model profiles: one report per model, or a portfolio table for several."""
    date = parse_date(as_of)
    other = parse_date(compare_to, "--compare-to") if compare_to is not None else None
    results = assess_paths(paths, date)
    for a in results:
        for w in a.warnings:
            warn(f"{a.source}: {w}")
    if other is not None:
        _compare(results, assess_paths(paths, other), fmt)
        return
    if fmt is Format.json:
        data = [a.to_dict() for a in results]
        print_json(data[0] if len(data) == 1 else data)
    elif fmt is Format.md:
        typer.echo(to_markdown(results[0]) if len(results) == 1 else portfolio_markdown(results))
    elif len(results) == 1:
        _print_one(results[0])
    else:
        _print_portfolio(results)


def _console() -> Console:
    """The terminal's width on a terminal; wide enough for the portfolio table in a pipe."""
    probe = Console()
    return Console(width=max(probe.width, 120) if probe.is_terminal else 200, highlight=False)


def _print_one(a: Assessment) -> None:
    c = _console()
    c.print(Text(f"{a.model}{' ' + a.model_version if a.model_version else ''} — {a.provider}",
                 style="bold"))
    c.print(f"as of {a.as_of} · gpact {__version__} · rulebook {a.rulebook.label()}\n")
    for title, value, finding in (("GPAI model", verdict(a.gpai), a.gpai),
                                  ("Systemic risk", verdict(a.systemic_risk), a.systemic_risk),
                                  ("Role", role_label(a.role), a.role)):
        c.print(Text(f"{title}: ", style="bold") + Text(value, style="cyan"))
        for r in finding.reasons:
            c.print(f"  • {escape(r.text)} [dim]({escape(r.source)})[/dim]")
    labels = {o.id: o.label for o in a.obligations}
    for e in a.exemptions:
        c.print(Text("Exemption: ", style="bold") + Text(f"{e.label} ({e.source})", style="cyan"))
        c.print(f"  waives: {', '.join(labels.get(w, w) for w in e.waives)}")
    table = Table(title="Obligations", show_lines=False)
    table.add_column("obligation", no_wrap=True)
    for col in ("source", "status", "applies from", "due", "days left"):
        table.add_column(col)
    for o in a.obligations:
        left = o.days_left(a.as_of)
        style = "dim" if o.status in ("not_applicable", "waived") else None
        table.add_row(o.label + (" (modification only)" if o.scope != "full" else ""),
                      o.source, status_label(o.status), str(o.applies_from or "—"),
                      str(o.due or "—"), _days(left), style=style)
    c.print(table)
    for r in a.enforcement.reasons:
        c.print(f"  • {escape(r.text)} [dim]({escape(r.source)})[/dim]")
    _print_missing(c, a)
    c.print(f"\n[dim]{NOT_LEGAL_ADVICE}[/dim]")


def _print_missing(c: Console, a: Assessment) -> None:
    if a.missing:
        c.print(Text("Missing input (add to the profile to decide): ", style="bold yellow")
                + Text(", ".join(a.missing)))
    for heading, text in context_lines(a):
        c.print(Text(f"{heading}: ", style="bold yellow") + Text(text))


def _print_portfolio(results: Sequence[Assessment]) -> None:
    c = _console()
    a0 = results[0]
    table = Table(title=f"Portfolio as of {a0.as_of} · rulebook {a0.rulebook.label()}")
    # the short columns never wrap; the three long texts wrap instead, so that no column is
    # squeezed to nothing when the table is wider than the terminal
    for col in ("model", "provider", "GPAI", "systemic risk", "role", "obligations",
                "next due", "what", "days left", "missing"):
        wrap = col in ("provider", "role", "what")
        table.add_column(col, no_wrap=not wrap, min_width=12 if wrap else None)
    for r in portfolio(results):
        table.add_row(r.model, r.provider, r.gpai, r.systemic_risk, r.role, str(r.applies),
                      r.next_due, r.next_obligation, _days(r.days_left), str(r.missing))
    c.print(table)
    c.print(f"[dim]{NOT_LEGAL_ADVICE}[/dim]")


def _compare(first: Sequence[Assessment], second: Sequence[Assessment], fmt: Format) -> None:
    a0, b0 = first[0], second[0]
    diffs = [d for a, b in zip(first, second, strict=True) for d in differences(a, b)]
    if fmt is Format.json:
        print_json({"gpact_version": __version__, "rulebook_version": a0.rulebook.version,
                    "as_of": a0.as_of.isoformat(), "compare_to": b0.as_of.isoformat(),
                    "differences": [d.as_dict() for d in diffs], "notice": NOT_LEGAL_ADVICE})
        return
    title = (f"What differs between {a0.as_of} and {b0.as_of} · rulebook "
             f"{a0.rulebook.label()}")
    if fmt is Format.md:
        typer.echo(f"# {title}\n\n| model | what | as of {a0.as_of} | as of {b0.as_of} |\n"
                   "|---|---|---|---|")
        for d in diffs:
            typer.echo(f"| {d.model} | {d.what} | {d.before} | {d.after} |")
        typer.echo(("" if diffs else "\nNo differences.\n") + f"\n*{NOT_LEGAL_ADVICE}*")
        return
    c = _console()
    table = Table(title=title)
    for col in ("model", "what", f"as of {a0.as_of}", f"as of {b0.as_of}"):
        table.add_column(col, overflow="fold")
    for d in diffs:
        table.add_row(d.model, d.what, d.before, d.after)
    c.print(table)
    if not diffs:
        c.print("No differences.")
    c.print(f"[dim]{NOT_LEGAL_ADVICE}[/dim]")


def _days(left: int | None) -> str:
    """Days to the due date; a past due date means the obligation must already be met."""
    if left is None:
        return "—"
    return f"passed {-left} d ago" if left < 0 else str(left)
