"""Standalone HTML (inline CSS, no external assets), print-ready and screen-reader friendly."""

from __future__ import annotations

from functools import cache

import jinja2

from gpact.documents.document import Document, Table, format_value


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gpact.documents", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.tests["table"] = lambda v: isinstance(v, Table)
    env.tests["list_value"] = lambda v: isinstance(v, list)
    env.filters["fmt"] = format_value
    return env


def render_html(doc: Document) -> str:
    entries = doc.entries
    return _environment().get_template("document.html.j2").render(
        doc=doc, meta=doc.meta,
        missing=sum(e.status == "missing" for e in entries),
        weak=sum(e.status == "weak" for e in entries),
    )
