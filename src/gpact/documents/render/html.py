"""Standalone HTML (inline CSS, no external assets), print-ready and screen-reader friendly."""

from __future__ import annotations

import re
from functools import cache

import jinja2
from markupsafe import Markup, escape

from gpact.documents.document import Document, Table, format_value
from gpact.documents.render.markdown import AUDIENCE_COLUMNS, audience_mark

URL = re.compile(r"https?://[^\s<>\"')]+[^\s<>\"').,;:]")


def linked(text: object) -> Markup:
    """Escaped text with every URL a real hyperlink (kept as links in the PDF)."""
    plain = str(escape(text))
    return Markup(URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', plain))


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
    env.filters["linked"] = linked
    env.globals["audience_mark"] = audience_mark
    env.globals["audience_columns"] = AUDIENCE_COLUMNS
    return env


def render_html(doc: Document) -> str:
    entries = doc.entries
    return _environment().get_template("document.html.j2").render(
        doc=doc, meta=doc.meta, content_hash=doc.content_hash(),
        missing=sum(e.status == "missing" for e in entries),
        weak=sum(e.status == "weak" for e in entries),
    )
