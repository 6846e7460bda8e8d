"""`gpact rulebook`: the law as data, with sources and confidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from gpact.cli.common import FORMAT_OPTION, Format, parse_date, print_json
from gpact.errors import InputError
from gpact.rulebook import Rulebook, RuleNotInForce, RuleValue, default_rulebook
from gpact.rulebook.diff import KIND_LABELS, diff


def rulebook(
    action: str = typer.Argument("list", help="'list' (default), 'show KEY' or "
                                 "'diff FROM TO'."),
    key: str | None = typer.Argument(None, help="With 'show': the rule key, e.g. "
                                     "ai_act.art51.presumption_threshold_flop; with 'diff': "
                                     "the first date (YYYY-MM-DD)."),
    to: str | None = typer.Argument(None, help="With 'diff': the second date (YYYY-MM-DD)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date (YYYY-MM-DD); default today."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """List the rulebook's values in force on a date, show one rule and its history, or show
    what changed in the law between two dates."""
    book = default_rulebook()
    date = parse_date(as_of)
    if action == "diff":
        if not key or not to:
            raise InputError(None, "FROM TO", "'gpact rulebook diff' needs two dates")
        _diff(book, parse_date(key, "FROM"), parse_date(to, "TO"), fmt)
        return
    if action == "show":
        if not key:
            raise InputError(None, "KEY", "'gpact rulebook show' needs a rule key")
        try:
            param = book.parameter(key)
        except RuleNotInForce:
            close = [k for k in book.keys() if key.split(".")[-1] in k]
            hint = f"; similar: {', '.join(close[:5])}" if close else ""
            raise InputError(None, "KEY", f"no rule {key!r}{hint}") from None
        current = param.at(date)
        if fmt is Format.json:
            print_json({"rulebook_version": book.version, "as_of": date.isoformat(),
                        "key": key, "in_force": current.as_dict() if current else None,
                        "history": [v.as_dict() for v in param.history]})
            return
        typer.echo(f"{key}\n  {param.description}")
        for v in param.history:
            marker = "*" if v is current else " "
            until = f" until {v.ended}" if v.ended else ""
            typer.echo(f" {marker} from {v.since}{until}: {_show(v)}  [{v.confidence}] "
                       f"{v.source}")
            if v.note:
                typer.echo(f"     note: {v.note}")
        if current is None:
            typer.echo(f"  (no value in force on {date})")
        return
    if action != "list":
        raise InputError(None, "ACTION", f"unknown action {action!r}; use 'list', 'show KEY' "
                         "or 'diff FROM TO'")
    values = list(book.at(date))
    if fmt is Format.json:
        print_json({"rulebook_version": book.version, "published": book.published.isoformat(),
                    "as_of": date.isoformat(), "rules": [v.as_dict() for v in values]})
        return
    if fmt is Format.md:
        typer.echo(f"# gpact rulebook {book.label()} — in force on {date}\n")
        typer.echo("| key | value | since | confidence | source |\n|---|---|---|---|---|")
        for v in values:
            typer.echo(f"| `{v.key}` | {_show(v)} | {v.since} | {v.confidence} | {v.source} |")
        return
    table = Table(title=f"gpact rulebook {book.label()} — in force on {date}")
    for col in ("key", "value", "since", "confidence", "source"):
        table.add_column(col, overflow="fold")
    for v in values:
        style = "yellow" if v.unverified else None
        table.add_row(v.key, _show(v), str(v.since), v.confidence, v.source, style=style)
    Console(width=160).print(table)


def _diff(book: Rulebook, start: dt.date, end: dt.date, fmt: Format) -> None:
    changes = diff(book, start, end)
    if fmt is Format.json:
        print_json({"rulebook_version": book.version, "from": start.isoformat(),
                    "to": end.isoformat(), "changes": [c.as_dict() for c in changes]})
        return
    rows = [(str(c.on), KIND_LABELS[c.kind], c.label,
             _show(c.before) if c.before else "—", _show(c.after) if c.after else "—",
             c.entry.source, c.entry.confidence) for c in changes]
    title = f"What changed in the rulebook from {start} to {end} · rulebook {book.label()}"
    if fmt is Format.md:
        typer.echo(f"# {title}\n")
        typer.echo("| date | change | rule | before | after | source | confidence |\n"
                   "|---|---|---|---|---|---|---|")
        for row in rows:
            typer.echo("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
        if not rows:
            typer.echo("\nNo changes.")
        return
    table = Table(title=title)
    for col in ("date", "change", "rule", "before", "after", "source", "confidence"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*row, style="yellow" if row[6] != "verified" else None)
    console = Console(width=180)
    console.print(table)
    if not rows:
        console.print("No changes.")


def _show(v: RuleValue) -> str:
    value: Any = v.value
    if value is None:
        return "none"
    if isinstance(value, float) and (value >= 1e6 or 0 < value < 1e-3):
        text = f"{value:.3g}"
    elif isinstance(value, dict):
        text = ", ".join(f"{k}: {val}" for k, val in value.items()
                         if not isinstance(val, dict | list)) or f"{len(value)} entries"
    elif isinstance(value, list):
        text = f"{len(value)} entries" if value and isinstance(value[0], dict) else \
            ", ".join(map(str, value))
    else:
        text = str(value)
    return f"{text} {v.unit}" if v.unit and v.unit not in ("catalogue", "per modality",
                                                             "modalities", "date") else text
