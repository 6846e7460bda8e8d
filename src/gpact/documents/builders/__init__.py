"""One builder per document kind; ``BUILDERS`` is the registry the CLI and services use."""

from gpact.documents.builders.base import Builder
from gpact.documents.builders.checklist import COP_CHECKLIST
from gpact.documents.builders.policies import COPYRIGHT_POLICY, NOTIFICATION
from gpact.documents.builders.technical import ANNEX_XI, ANNEX_XII, DOWNSTREAM_PACKAGE, MDF
from gpact.documents.builders.training_summary import TRAINING_SUMMARY

BUILDERS: dict[str, Builder] = {b.kind: b for b in (
    MDF, ANNEX_XI, ANNEX_XII, TRAINING_SUMMARY, COPYRIGHT_POLICY, NOTIFICATION,
    DOWNSTREAM_PACKAGE, COP_CHECKLIST,
)}
KINDS: tuple[str, ...] = tuple(BUILDERS)

__all__ = ["BUILDERS", "KINDS", "Builder"]
