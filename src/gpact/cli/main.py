"""Entry point: registers every command group and turns bad input into exit code 2."""

from __future__ import annotations

import sys

import typer

from gpact import __version__
from gpact.cli import (
    assess,
    compute,
    data,
    docs,
    evidence,
    reminders,
    rights,
    risk,
    rulebook,
    server,
)
from gpact.errors import InputError
from gpact.profile import ProfileError

app = typer.Typer(
    name="gpact",
    help="EU AI Act compliance for providers of general-purpose AI models. Not legal advice.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

app.command("assess")(assess.assess)
app.command("rulebook")(rulebook.rulebook)
app.add_typer(risk.risk_app, name="risk")
app.add_typer(risk.incident_app, name="incident")
app.command("calendar")(risk.calendar)
app.add_typer(docs.app, name="docs")
app.add_typer(compute.app, name="compute")
app.add_typer(rights.app, name="rights")
server.register(app)  # serve, audit verify, backup, restore
app.add_typer(data.app, name="data")
app.add_typer(evidence.app, name="evidence")
app.add_typer(reminders.app, name="reminders")

# Feature groups register here: each module exposes a `typer.Typer` named `app`.
# (compute, docs, data, rights, risk, incident, serve/audit/backup are added by their modules.)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gpact {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """gpact: is it a GPAI model, does it carry systemic risk, which obligations apply and when."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (tests call this; the console script wraps it)."""
    try:
        # Without standalone mode, click returns (not raises) the code of `typer.Exit(n)`.
        code = app(args=argv, prog_name="gpact", standalone_mode=False)
    except ProfileError as exc:
        for line in exc.lines():
            typer.echo(f"error: {line}", err=True)
        return 2
    except InputError as exc:
        typer.echo(f"error: {exc.message()}", err=True)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, ...
        ctx = getattr(exc, "ctx", None)
        path = getattr(ctx, "command_path", "gpact")
        message = " ".join(exc.format_message().split())
        typer.echo(f"error: {message} (see '{path} --help')", err=True)
        return 2
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    return code if isinstance(code, int) else 0


def run() -> None:
    sys.exit(main())
