"""Document control for a published document: version, status, where it lives, its history.

Reviewers of published training summaries expect version, last update, links to every earlier
version and a changelog (training_summary.md §1, header). The changelog is generated with
``docs diff`` between the stored JSON of the published versions, so it cannot forget a change;
a hand-written ``changes`` text is kept next to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpact.documents.context import Context
from gpact.documents.document import ControlItem, Document
from gpact.documents.versions import ANNOTATION_CHANGE, Change, diff, load_version

MAX_LISTED = 8
STATUS_LABELS = {"current": "Current", "draft": "Draft, not published",
                 "superseded": "Superseded"}


def _changed_fields(changes: list[Change]) -> str:
    names = [c.label for c in changes if c.change != "status" and c.field != "document"
             and not c.label.endswith(ANNOTATION_CHANGE)]
    answers = [n for n in names if n[:1].isdigit()]  # the template's numbered fields
    if not answers:
        return "No change to the answers" + (f" ({'; '.join(names).lower()} updated)"
                                               if names else "")
    names = answers
    shown = "; ".join(names[:MAX_LISTED])
    more = f"; and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return f"Changed {shown}{more}"


def _stored(ctx: Context, ref: str | None) -> dict[str, Any] | None:
    """A published version's stored JSON, relative to the record file. A record that does
    not come from a file (the server keeps records in its database) resolves no paths."""
    if ref is None or ctx.sources.record_path is None:
        return None
    base = ctx.sources.record_path.parent
    path = Path(ref) if Path(ref).is_absolute() else base / ref
    return load_version(path)


def document_control(ctx: Context, doc: Document, default_url: str | None) -> None:
    """Fill ``doc.control`` from ``document`` in the record; gaps become review notes."""
    info = ctx.record.document
    url = info.url or default_url
    earlier = tuple(
        " ".join(p for p in (f"Version {v.version}",
                             f"of {v.date.isoformat()}" if v.date else None,
                             f"— {v.url}" if v.url else None) if p)
        for v in reversed(info.previous_versions))
    stored = [(v, _stored(ctx, v.document)) for v in info.previous_versions]
    current = doc.to_dict()
    log: list[str] = []
    if info.version:
        last = next((d for _, d in reversed(stored) if d is not None), None)
        if last is not None:
            generated = f"{_changed_fields(diff(last, current))} (docs diff)."
        elif info.previous_versions:
            generated = f"Update of version {info.previous_versions[-1].version}."
            doc.notes.append("Changelog not generated: no stored JSON of an earlier version "
                             "(document.previous_versions[].document, read only from a record "
                             "file).")
        else:
            generated = "First published version."
        day = f" ({info.last_update.isoformat()})" if info.last_update else ""
        log.append(f"{info.version}{day}: {generated}")
    for i in range(len(stored) - 1, -1, -1):
        v, data = stored[i]
        before = next((d for _, d in reversed(stored[:i]) if d is not None), None)
        parts = [v.changes.strip().rstrip(".") + "." if v.changes else None,
                 f"{_changed_fields(diff(before, data))} (docs diff)."
                 if before is not None and data is not None else None]
        day = f" ({v.date.isoformat()})" if v.date else ""
        log.append(f"{v.version}{day}: " + (" ".join(p for p in parts if p) or "published."))
    doc.control = [
        ControlItem("Version", info.version or "not given"),
        ControlItem("Status", STATUS_LABELS[info.status]),
        ControlItem("Last update", info.last_update.isoformat() if info.last_update
                    else "not given"),
        ControlItem("Authoritative version", url or "not given"),
        ControlItem("Updates announced at", info.announcements or "not given"),
        ControlItem("Earlier versions", earlier or ("None: this is the first version.",)),
        ControlItem("Changelog", tuple(log)),
    ]
    missing = [name for name, value in (("document.version", info.version),
                                         ("document.last_update", info.last_update),
                                         ("document.url or model.summary_url", url),
                                         ("document.announcements", info.announcements))
               if not value]
    if missing:
        doc.notes.append("Document control incomplete: " + ", ".join(missing) + ".")
