"""Renderers: one Document, four formats (Markdown, standalone HTML, PDF, JSON)."""

from __future__ import annotations

import json
from typing import Literal

from gpact.documents.document import Document
from gpact.documents.render.html import render_html
from gpact.documents.render.markdown import render_markdown
from gpact.documents.render.pdf import render_pdf

OutputFormat = Literal["md", "html", "pdf", "json"]
FORMATS: tuple[OutputFormat, ...] = ("md", "html", "pdf", "json")


def render(doc: Document, fmt: OutputFormat) -> bytes:
    """The document as bytes in the given format (text formats are UTF-8)."""
    if fmt == "md":
        return render_markdown(doc).encode("utf-8")
    if fmt == "html":
        return render_html(doc).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(doc)
    data = {**doc.to_dict(), "content_sha256": doc.content_hash()}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


__all__ = ["FORMATS", "OutputFormat", "render"]
