"""PDF/A from the HTML rendering, with WeasyPrint (optional extra ``gpact[pdf]``).

PDF/A-3b because the documents go to the AI Office and are kept for ten years (Transparency
Measure 1.1): embedded fonts, XMP metadata with the title, author, language and dates.
"""

from __future__ import annotations

from gpact.documents.document import Document
from gpact.documents.render.html import render_html
from gpact.errors import InputError

PDF_VARIANT = "pdf/a-3b"


def render_pdf(doc: Document) -> bytes:
    try:
        import weasyprint  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except (ImportError, OSError) as exc:  # OSError: pango missing on the system
        raise InputError(None, "--format pdf", "PDF output needs the optional extra: pip install "
                         f"'gpact[pdf]' (and the pango library); {exc}") from None
    pdf: bytes = weasyprint.HTML(string=render_html(doc)).write_pdf(
        pdf_variant=PDF_VARIANT, custom_metadata=True)
    return pdf
