"""`gpact data summarize`: training-content statistics for the public summary (Art. 53(1)(d))."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from gpact.cli.common import FORMAT_OPTION, Format, parse_date
from gpact.data import Options, parse_mapping, summarize_manifests, write_json
from gpact.data.report import render

app = typer.Typer(help="Training-content statistics from data manifests.", no_args_is_help=True)


class EngineName(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


@app.command("summarize")
def summarize(
    manifests: list[str] = typer.Argument(..., help="Manifest files, folders or globs "
                                          "(.parquet, .csv, .jsonl; .gz/.zst compressed)."),
    fmt: Format = FORMAT_OPTION,
    sme: bool = typer.Option(False, "--sme", help="Apply the SME domain rule (top 5 % or "
                             "1 000 domains, whichever is lower)."),
    sources: Path | None = typer.Option(None, "--sources", help="YAML file describing each "
                                        "source_id (name, link, version, licence, crawler)."),
    column: list[str] = typer.Option([], "--column", "-c", help="Map a field to a column of "
                                     "yours: FIELD=COLUMN (repeatable)."),
    engine: EngineName = typer.Option(EngineName.duckdb, "--engine", help="duckdb (default, "
                                      "one machine) or spark (needs the 'spark' extra)."),
    spark_master: str | None = typer.Option(None, "--spark-master", help="Spark master URL, "
                                            "e.g. local[4] or spark://host:7077."),
    memory_limit: str | None = typer.Option(None, "--memory-limit", help="DuckDB memory "
                                            "limit, e.g. 4GB (default 2GB; it spills to a "
                                            "temporary directory beyond)."),
    strict: bool = typer.Option(False, "--strict", help="Fail on the first kind of invalid "
                                "row instead of counting and skipping it."),
    top_languages: int = typer.Option(20, "--top-languages", min=1, help="Languages listed "
                                      "individually."),
    psl_private: bool = typer.Option(False, "--psl-private", help="Also apply the PRIVATE "
                                     "section of the Public Suffix List (x.github.io is then "
                                     "its own domain)."),
    show: int = typer.Option(25, "--show", min=0, help="Domains shown in text/md output "
                             "(JSON always has the full list)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Rulebook date (YYYY-MM-DD); "
                                     "default today."),
) -> None:
    """Training-content statistics for the public summary (Art. 53(1)(d)).

    Sizes per modality (with the template's bins), source kind and source; public-dataset
    shares; the domain list of section 2.3(h); collection period; languages; skipped rows.
    """
    options = Options(as_of=parse_date(as_of), sme=sme, top_languages=top_languages,
                      psl_private=psl_private, strict=strict)
    with _progress() as hook:
        doc = summarize_manifests(manifests, options, engine=engine.value,
                                  mapping=parse_mapping(column), sources=sources,
                                  spark_master=spark_master, memory_limit=memory_limit,
                                  progress=hook)
    if fmt is Format.json:
        write_json(doc, sys.stdout)  # the domain list streamed, not held as one string
    else:
        typer.echo(render(doc, md=fmt is Format.md, show=show), nl=False)


class _progress:
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        if not sys.stderr.isatty():
            self.bar = None
            return None
        from rich.console import Console
        from rich.progress import Progress, TaskID

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        self.tasks: dict[str, TaskID] = {}

        def hook(label: str, percent: float) -> None:
            assert self.bar is not None
            if label not in self.tasks:
                self.tasks[label] = self.bar.add_task(f"{label} pass", total=100)
            self.bar.update(self.tasks[label], completed=percent)
        return hook

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
