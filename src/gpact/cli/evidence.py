"""`gpact evidence verify PACK.zip`: check an evidence pack from the server, offline."""

from __future__ import annotations

from pathlib import Path

import typer

from gpact.cli.common import FORMAT_OPTION, Format, print_json

app = typer.Typer(help="Evidence packs for AI Office requests (Art. 91).", no_args_is_help=True)


@app.command("verify")
def verify(
    pack: Path = typer.Argument(..., help="The evidence pack (.zip) downloaded from the "
                                "gpact server."),
    expect_head: str | None = typer.Option(None, "--expect-head", help="The audit-chain head "
                                           "hash kept outside gpact, to compare with the "
                                           "pack's."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Recompute every file's SHA-256 against the manifest and every audit event's hash;
    exit 1 on any mismatch, 2 if the file is not an evidence pack. Nothing is extracted."""
    from gpact.tracking import pack as packs

    result = packs.verify(pack)
    if expect_head is not None and result.head.get("hash") != expect_head:
        result.problems.append(f"chain head {result.head.get('hash')} differs from the "
                               f"expected {expect_head}")
    if fmt is Format.json:
        print_json({"ok": result.ok, "model": result.model, "files": result.files,
                    "audit_events": result.events, "audit_head": result.head,
                    "problems": result.problems})
    else:
        for problem in result.problems:
            typer.echo(f"MISMATCH: {problem}")
        state = "intact" if result.ok else "DOES NOT MATCH"
        typer.echo(f"evidence pack {state}: {result.model}, {result.files} files, "
                   f"{result.events} audit events, chain head {result.head.get('hash')} "
                   f"(event {result.head.get('seq')})")
    if not result.ok:
        raise typer.Exit(1)
