"""Entry point: registers every command group, loads each only when it runs, and turns every
failure into one line: bad input exits 2, an internal error exits 1 and says it is one.

Command modules are imported lazily (``_COMMANDS``): ``gpact --version`` and ``gpact assess``
do not pay for duckdb, pyarrow or the server stack. A new command is one line in
``_COMMANDS``, not an import here.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

from gpact import __version__
from gpact.errors import InputError

# Typer vendors its own click; its Command class is private, so commands are typed loosely.
Command = Any

# name -> (module, attribute): a function becomes a command, a typer.Typer a group, and
# ``register`` is a module's hook that adds several commands (gpact.cli.server).
_COMMANDS: dict[str, tuple[str, str]] = {
    "assess": ("gpact.cli.assess", "assess"),
    "rulebook": ("gpact.cli.rulebook", "rulebook"),
    "risk": ("gpact.cli.risk", "risk_app"),
    "incident": ("gpact.cli.risk", "incident_app"),
    "calendar": ("gpact.cli.risk", "calendar"),
    "docs": ("gpact.cli.docs", "app"),
    "compute": ("gpact.cli.compute", "app"),
    "rights": ("gpact.cli.rights", "app"),
    "serve": ("gpact.cli.server", "register"),  # serve, audit verify, backup, restore
    "audit": ("gpact.cli.server", "register"),
    "backup": ("gpact.cli.server", "register"),
    "restore": ("gpact.cli.server", "register"),
    "data": ("gpact.cli.data", "app"),
}


def _load(name: str) -> Command:
    """Import the module behind one command and build its click command."""
    module, attribute = _COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer()
    if attribute == "register":
        target(holder)
    elif isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    return typer.main.get_group(holder).commands[name]


class _LazyCommands(MutableMapping[str, Command]):
    """The root group's commands: names known up front, each built on first access."""

    def __init__(self, eager: dict[str, Command]) -> None:
        self._loaded = dict(eager)
        self._names = [*eager, *(n for n in _COMMANDS if n not in eager)]

    def __getitem__(self, name: str) -> Command:
        if name not in self._loaded:
            if name not in _COMMANDS:
                raise KeyError(name)
            self._loaded[name] = _load(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Command) -> None:
        if name not in self._names:
            self._names.append(name)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class _LazyGroup(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands(dict(self.commands))

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # names only: listing must not import every module


app = typer.Typer(
    name="gpact",
    help="EU AI Act compliance for providers of general-purpose AI models. Not legal advice.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=_LazyGroup,
)


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


def _error(line: str) -> None:
    typer.echo(f"error: {' '.join(line.split())}", err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (tests call this; the console script wraps it).

    Exit codes: 0 success, 1 a check found problems (or an internal error, which says so),
    2 bad input, 130 interrupted. Set GPACT_DEBUG=1 to see an internal error's traceback.
    """
    try:
        # Without standalone mode, click returns (not raises) the code of `typer.Exit(n)`.
        code = app(args=argv, prog_name="gpact", standalone_mode=False)
    except InputError as exc:
        for line in exc.lines():
            _error(line)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, ...
        ctx = getattr(exc, "ctx", None)
        path = getattr(ctx, "command_path", "gpact")
        _error(f"{exc.format_message()} (see '{path} --help')")
        return 2
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("aborted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence against tracebacks
        return _unexpected(exc)
    return code if isinstance(code, int) else 0


def _unexpected(exc: Exception) -> int:
    """Input problems that escaped their loader still get one line and exit 2; anything else
    is gpact's fault: say so (exit 1) rather than blame the input."""
    if os.environ.get("GPACT_DEBUG"):
        raise exc
    if isinstance(exc, RecursionError | MemoryError):
        _error("input is too large or too deeply nested (see docs/limits.md)")
        return 2
    if isinstance(exc, OverflowError):
        _error(f"a date or number in the input is out of range ({exc})")
        return 2
    if isinstance(exc, UnicodeError):
        _error(f"input is not UTF-8 text ({exc})")
        return 2
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        return 2
    _error(f"internal error: {type(exc).__name__}: {exc} — a bug in gpact, not in your input; "
           "please report it with the command you ran (GPACT_DEBUG=1 shows the traceback)")
    return 1


def run() -> None:
    sys.exit(main())
