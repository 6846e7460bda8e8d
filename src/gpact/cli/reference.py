"""The CLI reference (docs/cli.md), generated from the commands themselves.

`python -m gpact.cli.reference > docs/cli.md` regenerates it; a test fails when the file is
out of date, so no command or option goes undocumented.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

from gpact.cli.main import app


def _commands(cmd: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, cmd
    for name in sorted(getattr(cmd, "commands", {}) or {}):
        yield from _commands(cmd.commands[name], [*path, name])


def _param_line(param: Any) -> str:
    if param.param_type_name == "argument":
        name = param.name.upper()
        required = "required" if param.required else "optional"
        text = f"- `{name}` ({required})"
    else:
        opts = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        text = f"- {opts}"
        default = param.default
        if default not in (None, False, (), []) and not callable(default) \
                and not param.is_flag:
            text += f" (default: `{getattr(default, 'value', default)}`)"
    help_text = " ".join((getattr(param, "help", None) or "").split())
    return f"{text}: {help_text}" if help_text else text


def reference() -> str:
    root = typer.main.get_command(app)
    out = ["# gpact command reference", "",
           "Generated from the commands' own help by `python -m gpact.cli.reference`; "
           "do not edit by hand.", ""]
    for path, cmd in _commands(root, ["gpact"]):
        out.append(f"{'#' * min(len(path) + 1, 4)} `{' '.join(path)}`")
        out.append("")
        help_text = " ".join((cmd.help or "").split())
        if help_text:
            out += [help_text, ""]
        params = [p for p in cmd.params if p.name not in ("help",) and not p.hidden]
        if params:
            out += [_param_line(p) for p in params]
            out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(reference(), end="")
