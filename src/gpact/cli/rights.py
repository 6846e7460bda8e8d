"""`gpact rights`: robots.txt / TDMRep opt-out checks, the crawl-time audit, crawler disclosure."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import typer
from rich.progress import Progress

from gpact import NOT_LEGAL_ADVICE, __version__, safeio
from gpact.cli.common import FORMAT_OPTION, Format, print_json
from gpact.errors import InputError
from gpact.rights.bounded import TDMREP_LIMIT, read_prefix
from gpact.rights.catalogue import ai_crawler_tokens
from gpact.rights.normalize import product_token
from gpact.rights.policy import RobotsPolicy, Verdict, parse_status
from gpact.rulebook import default_rulebook

app = typer.Typer(name="rights", no_args_is_help=True,
                  help="Copyright opt-outs: robots.txt (RFC 9309), TDMRep, crawl-time audit.")


def _parse_limit() -> int:
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
    tdmrep: Path | None = typer.Option(None, "--tdmrep", help="The site's "
                                       "/.well-known/tdmrep.json: also report TDM reservations."),
    ai_txt: Path | None = typer.Option(None, "--ai-txt", help="The site's ai.txt: also report "
                                       "the uses it reserves."),
    aipref: str | None = typer.Option(None, "--aipref", help="Also read IETF aipref "
                                      "Content-Usage lines, per this draft version (e.g. "
                                      "vocab-08; drafts, not RFCs)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Is each URL allowed for the agent? Prints the verdict and the deciding line, and the
    opt-out signals for AI training (TDMRep, ai.txt, Content-Signal / Content-Usage lines)."""
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
    limit = _parse_limit()
    body = read_prefix(robots, limit, "--robots")  # RFC 9309 §2.5: the limit bounds the read
    policy = RobotsPolicy(code, body.data, limit, cut=body.truncated, size=body.size)
    results: list[tuple[str, Verdict]] = [
        (token, v) for token in tokens for v in policy.check(urls, token)]
    tdm = _tdm_verdicts(tdmrep, urls) if tdmrep is not None else {}
    signals = _signals(policy, urls, tokens, ai_txt, aipref, limit)
    notes = policy.robots.notes if policy.robots is not None else ()
    for note in notes:
        typer.echo(f"note: {robots}:{note.line}: {note.problem}" if note.line
                   else f"note: {robots}: {note.problem}", err=True)
    if fmt is Format.json:
        print_json([{"agent": token, **v.as_dict(), **({"tdm": tdm[v.url]} if tdm else {}),
                     "training_opt_out": signals[token, v.url]}
                    for token, v in results])
        return
    if fmt is Format.md:
        typer.echo("| agent | URL | verdict | deciding line | reason |\n|---|---|---|---|---|")
    for token, v in results:
        word = "allowed" if v.allowed else "DISALLOWED"
        rule = f"line {v.line}: {v.rule}" if v.rule else "-"
        if fmt is Format.md:
            typer.echo(f"| {token} | {v.url} | {word} | {rule} | {v.reason} |")
        else:
            typer.echo(f"{word:<10} {token:<18} {v.url}\n           {rule} — {v.reason}")
    for url, found in tdm.items():
        typer.echo(f"TDM {found['verdict']:<12} {url}  ({found['source'] or 'no rule matches'})")
    for (token, url), said in signals.items():
        for reserved, where in said:
            word = "reserved" if reserved else "not reserved"
            typer.echo(f"AI training {word} for {token}: {url}  ({where})")


def _signals(policy: RobotsPolicy, urls: list[str], tokens: list[str], ai_txt: Path | None,
             aipref: str | None, limit: int) -> dict[tuple[str, str], list[tuple[bool, str]]]:
    """Per (token, URL): the training opt-out signals that speak, with where they come from."""
    from gpact.rights.normalize import split_url
    from gpact.rights.optouts import AiTxt, UsageRules, vocabulary

    vocab = vocabulary(aipref) if aipref is not None else None
    ai = None
    if ai_txt is not None:
        body = read_prefix(ai_txt, limit, "--ai-txt")
        ai = AiTxt(body.data, limit)
    out: dict[tuple[str, str], list[tuple[bool, str]]] = {}
    for token in tokens:
        usage = UsageRules(policy.robots.select(token).usage if policy.robots else ())
        from_ai = ai.reserved(urls, token) if ai is not None else [(None, None)] * len(urls)
        for url, (ai_reserved, ai_where) in zip(urls, from_ai, strict=True):
            said: list[tuple[bool, str]] = []
            split = split_url(url)
            if usage and split is not None:
                said += usage.training_signals(split.path, vocab)
            if ai_reserved is not None and ai_where is not None:
                said.append((ai_reserved, ai_where))
            out[token, url] = said
    return out


def _tdm_verdicts(path: Path, urls: list[str]) -> dict[str, dict[str, str | None]]:
    from gpact.rights.normalize import split_url
    from gpact.rights.tdmrep import UNKNOWN, TdmRepFile

    try:
        rules = TdmRepFile(safeio.read_bytes(path, TDMREP_LIMIT, "tdmrep.json"))
    except ValueError as exc:
        raise InputError(str(path), "--tdmrep", str(exc)) from None
    out: dict[str, dict[str, str | None]] = {}
    for url in urls:
        split = split_url(url)
        found = rules.lookup(split.path) if split is not None else UNKNOWN
        out[url] = {"verdict": found.label, "source": found.detail and
                    f"tdmrep.json {found.detail}", "policy": found.policy}
    return out


@app.command("audit")
def audit(
    log: list[str] = typer.Option(..., "--log", help="Crawl log: url, fetched_at, user_agent "
                                  "[, http_headers, status] (.parquet/.csv/.jsonl, globs)."),
    snapshots: list[str] = typer.Option(..., "--snapshots", help="robots.txt snapshots: "
                                        "origin, fetched_at, status, body."),
    out: Path = typer.Option(..., "--out", help="Verdicts file (.parquet or .csv)."),
    summary: Path | None = typer.Option(None, "--summary", help="Also write the summary JSON."),
    agent: str | None = typer.Option(None, "--agent", help="Product token to check for every "
                                     "row (default: taken from each row's user_agent)."),
    cache_hours: float | None = typer.Option(None, "--cache-hours", help="How long a snapshot "
                                             "stays in force (default: rulebook, RFC 9309 §2.4)."),
    infringing: Path | None = typer.Option(None, "--infringing", help="Domains recognised as "
                                           "persistently infringing, one per line."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default) or spark "
                               "(extra gpact[spark], needs Java)."),
    spark_master: str | None = typer.Option(None, "--spark-master", help="With --engine "
                                            "spark: master URL, e.g. local[4], "
                                            "spark://host:7077 or yarn."),
    tdmrep: list[str] = typer.Option(None, "--tdmrep", help="Snapshots of "
                                     "/.well-known/tdmrep.json (origin, fetched_at, status, "
                                     "body), applied like the robots.txt snapshots."),
    aipref: str | None = typer.Option(None, "--aipref", help="Also read IETF aipref "
                                      "Content-Usage (headers, robots.txt) per this draft "
                                      "version (e.g. vocab-08)."),
    jobs: str | None = typer.Option(None, "--jobs", help="Matching processes for the duckdb "
                                    "engine (default: every usable core; 1: no workers)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Was each fetched URL allowed by the robots.txt in force when it was fetched?

    Exit 1 when any row is disallowed, unproven, unreadable, TDM-reserved or infringing.
    """
    from gpact.rights.audit import AuditOptions, run_audit, summarize
    from gpact.rights.parallel import check_jobs

    if engine not in ("duckdb", "spark"):
        raise InputError(None, "--engine", f"unknown engine {engine!r}; use duckdb or spark")
    if engine == "spark" and (tdmrep or aipref):
        raise InputError(None, "--engine", "--tdmrep and --aipref need the duckdb engine")
    if spark_master and engine != "spark":
        raise InputError(None, "--spark-master", "needs --engine spark")
    if jobs is not None and engine == "spark":
        raise InputError(None, "--jobs", "applies to the duckdb engine (Spark sets its own "
                                         "parallelism)")
    workers = check_jobs(jobs)
    if aipref is not None:
        from gpact.rights.optouts import vocabulary

        vocabulary(aipref)  # an unknown draft is one clear line before any work
    if engine == "spark":
        from gpact.rights.audit_spark import run_audit_spark as runner
    else:
        runner = run_audit
    token = None
    if agent is not None:
        token = product_token(agent)
        if token is None:
            raise InputError(None, "--agent", f"no product token in {agent!r}")
    rules = default_rulebook().at(dt.date.today())
    used = [rules.rule("rights.robots_parse_limit_bytes")]
    if cache_hours is None:
        used.append(rules.rule("rights.robots_cache_max_hours"))
        cache_hours = float(used[-1].value)
    options = AuditOptions(crawl_log=log, snapshots=snapshots, out=out, agent=token,
                           cache_hours=cache_hours, parse_limit=int(used[0].value),
                           infringing=infringing, engine=engine,
                           spark_master=spark_master, tdmrep=tdmrep or None,
                           aipref=aipref, jobs=workers)
    if sys.stderr.isatty():
        with Progress(transient=True) as bar:
            task = bar.add_task("auditing", total=None)
            result = runner(options, lambda n: bar.advance(task, n))
    else:
        result = runner(options)
    report = {"gpact_version": __version__, "rulebook_version": default_rulebook().label(),
              "not_legal_advice": NOT_LEGAL_ADVICE, **summarize(result, options),
              "rules_used": [v.as_dict() for v in used],
              "unverified_rules_used": [v.key for v in used if v.unverified]}
    if summary is not None:
        summary.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    if fmt is Format.json:
        print_json(report)
    else:
        _print_audit(report, fmt)
    if report["violations"]["rows"]:
        raise typer.Exit(1)


def _print_audit(report: dict[str, object], fmt: Format) -> None:
    totals = report["totals"]
    violations = report["violations"]
    assert isinstance(totals, dict) and isinstance(violations, dict)
    head = "## " if fmt is Format.md else ""
    typer.echo(f"{head}gpact rights audit — {totals['rows']} fetches, {totals['origins']} "
               f"origins, {totals['snapshots']} robots.txt snapshots")
    typer.echo(f"allowed: {totals['allowed']}   rows with a problem: {violations['rows']}")
    for reason, count in violations["by_reason"].items():
        if count:
            typer.echo(f"  {reason}: {count}")
    domains = report["domains"]
    assert isinstance(domains, list)
    for domain in domains[:10]:
        typer.echo(f"  {domain['host']}: {domain['violations']} of {domain['rows']}")
    typer.echo(f"verdicts: {report['inputs']['verdicts_file']}")  # type: ignore[index]
    typer.echo(str(report["not_legal_advice"]))


@app.command("crawler-page")
def crawler_page(
    source: Path = typer.Argument(..., help="YAML/JSON description of your crawlers."),
    out_dir: Path = typer.Option(Path("."), "--out-dir", help="Where crawlers.html, "
                                 "crawlers.json and crawlers.atom are written."),
    now: str | None = typer.Option(None, "--now", help="Timestamp of this version "
                                   "(ISO 8601; default: current time, UTC)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Publish crawler information as HTML, JSON and an Atom feed of its versions."""
    from gpact.rights.disclosure import load_page, page_html, page_json, update_feed

    page = load_page(source)
    if now is None:
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    else:
        try:
            stamp = dt.datetime.fromisoformat(now)
        except ValueError:
            raise InputError(None, "--now", f"not an ISO 8601 timestamp: {now!r}") from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
    data = page_json(page, default_rulebook().label())
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "crawlers.json").write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (out_dir / "crawlers.html").write_text(page_html(data, stamp), encoding="utf-8")
        added = update_feed(out_dir / "crawlers.atom", data, stamp)
    except OSError as exc:
        raise InputError(str(out_dir), "--out-dir", f"cannot write: {exc}") from None
    if fmt is Format.json:
        print_json(data)
        return
    change = "new feed entry" if added else "unchanged since the feed's latest entry"
    typer.echo(f"version {data['version']}: {change}; wrote crawlers.html, crawlers.json, "
               f"crawlers.atom in {out_dir}")
