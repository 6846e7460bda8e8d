"""`gpact rights`: robots.txt / TDMRep opt-out checks, the crawl-time audit, crawler disclosure."""

from __future__ import annotations

from pathlib import Path

import typer

from gpact.cli.common import FORMAT_OPTION, Format, print_json
from gpact.errors import InputError
from gpact.rights.catalogue import ai_crawler_tokens
from gpact.rights.normalize import product_token
from gpact.rights.policy import RobotsPolicy, Verdict, parse_status
from gpact.rulebook import default_rulebook

app = typer.Typer(name="rights", no_args_is_help=True,
                  help="Copyright opt-outs: robots.txt (RFC 9309), TDMRep, crawl-time audit.")


def _read_bytes(path: Path, option: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), option, f"cannot read: {exc.strerror or exc}") from None


def _parse_limit() -> int:
    import datetime as dt
    return int(default_rulebook().at(dt.date.today()).value("rights.robots_parse_limit_bytes"))


@app.command("check")
def check(
    urls: list[str] = typer.Argument(None, help="Absolute URLs to check."),
    robots: Path = typer.Option(..., "--robots", help="The robots.txt file (as fetched)."),
    agent: str | None = typer.Option(None, "--agent", help="Your crawler's product token "
                                     "(e.g. ExampleBot) or full User-Agent string."),
    status: str = typer.Option("200", "--status", help="HTTP status the robots.txt was fetched "
                               "with, or 'unreachable'."),
    catalogue: bool = typer.Option(False, "--catalogue", help="Also check every AI-crawler token "
                                   "of the rulebook catalogue."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Is each URL allowed for the agent? Prints the verdict and the deciding line."""
    if not urls:
        raise InputError(None, "URL", "give at least one URL to check")
    tokens: list[str] = []
    if agent is not None:
        token = product_token(agent)
        if token is None:
            raise InputError(None, "--agent", f"no product token (letters, '_', '-') in {agent!r}")
        tokens.append(token)
    if catalogue:
        tokens += [t.token for t in ai_crawler_tokens() if t.token.lower() not in
                   {x.lower() for x in tokens}]
    if not tokens:
        raise InputError(None, "--agent", "give --agent TOKEN and/or --catalogue")
    try:
        code = parse_status(status)
    except ValueError as exc:
        raise InputError(None, "--status", str(exc)) from None
    policy = RobotsPolicy(code, _read_bytes(robots, "--robots"), _parse_limit())
    results: list[tuple[str, Verdict]] = [
        (token, v) for token in tokens for v in policy.check(urls, token)]
    if fmt is Format.json:
        print_json([{"agent": token, **v.as_dict()} for token, v in results])
        return
    notes = policy.robots.notes if policy.robots is not None else ()
    for note in notes:
        typer.echo(f"note: {robots}:{note.line}: {note.problem}" if note.line
                   else f"note: {robots}: {note.problem}", err=True)
    if fmt is Format.md:
        typer.echo("| agent | URL | verdict | deciding line | reason |\n|---|---|---|---|---|")
    for token, v in results:
        word = "allowed" if v.allowed else "DISALLOWED"
        rule = f"line {v.line}: {v.rule}" if v.rule else "-"
        if fmt is Format.md:
            typer.echo(f"| {token} | {v.url} | {word} | {rule} | {v.reason} |")
        else:
            typer.echo(f"{word:<10} {token:<18} {v.url}\n           {rule} — {v.reason}")
