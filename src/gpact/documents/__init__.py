"""Compliance documents for GPAI providers: build, check, render, version, import, export.

Document kinds: Model Documentation Form (``mdf``), Annex XI, Annex XII, the public training
summary, the copyright policy, the Art. 52 notification, the downstream package and the Code
of Practice checklist. Field trees are rulebook data; see docs/documents.md.
"""

from gpact.documents.api import build, check, make_context, required_kinds
from gpact.documents.builders import BUILDERS, KINDS
from gpact.documents.document import Document
from gpact.documents.record import DocumentationRecord
from gpact.documents.render import render
from gpact.documents.sources import Sources, load_record, load_sources

__all__ = ["BUILDERS", "KINDS", "Document", "DocumentationRecord", "Sources", "build", "check",
           "load_record", "load_sources", "make_context", "render", "required_kinds"]
