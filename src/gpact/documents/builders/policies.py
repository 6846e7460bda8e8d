"""Copyright policy (Art. 53(1)(c), Code Copyright chapter) and the Art. 52(1) notification."""

from __future__ import annotations

import datetime as dt

from gpact.documents.builders.base import Builder
from gpact.documents.builders.common import (
    authorised_representative,
    model_name,
    model_versions,
    provider_contact,
    record_field,
    training_compute,
)
from gpact.documents.context import Context
from gpact.documents.document import Answer, Value


def _covered_models(ctx: Context) -> Value:
    return model_versions(ctx) or [model_name(ctx)]


def _crawl_audit(ctx: Context) -> Answer:
    audit = ctx.sources.rights_audit
    if not isinstance(audit, dict):
        return Answer(None)
    figures = ", ".join(f"{k}: {v}" for k, v in audit.items()
                        if isinstance(v, int | float | str) and not isinstance(v, bool))
    return Answer(f"Opt-out audit of the crawl log: {figures}." if figures else None)


COPYRIGHT_POLICY = Builder(
    reader="the provider (a summary may be published)",
    kind="copyright-policy", obligation="copyright_policy",
    tree_key="documents.copyright_policy",
    resolvers={
        "covered_models": _covered_models,
        "responsible": record_field("copyright.responsible"),
        "policy_summary_url": record_field("copyright.policy_url"),
        "legacy_disclosure": record_field("copyright.legacy_disclosure"),
        "no_circumvention": record_field("copyright.no_circumvention"),
        "infringing_sites_excluded": record_field("copyright.infringing_sites"),
        "robots_txt": record_field("copyright.robots_txt"),
        "other_protocols": record_field("copyright.other_protocols"),
        "third_party_datasets": record_field("copyright.third_party_datasets"),
        "crawler_disclosure": record_field("copyright.crawler_disclosure"),
        "search_engine_note": record_field("copyright.search_engine_note"),
        "crawl_audit_evidence": _crawl_audit,
        "output_safeguards": record_field("copyright.output_safeguards"),
        "usage_prohibition": record_field("copyright.usage_prohibition"),
        "contact_point": record_field("copyright.contact_point"),
        "complaint_mechanism": record_field("copyright.complaint_mechanism"),
        "complaint_handling": record_field("copyright.complaint_handling"),
    },
)


def _known_on(ctx: Context) -> dt.date | None:
    return ctx.record.notification.threshold_met_on or ctx.profile.model.threshold_known_on


def _condition(ctx: Context) -> Answer:
    threshold = ctx.rules.rule("ai_act.art51.presumption_threshold_flop")
    flop = training_compute(ctx).value
    known = _known_on(ctx)
    if flop is None:
        return Answer(None)
    value = flop.value  # type: ignore[union-attr]
    limit = float(threshold.value)
    state = "exceeds" if value > limit else "does not (yet) exceed"
    text = (f"Cumulative training compute {state} the {limit:.0e} FLOP presumption "
            f"threshold of {threshold.source}.")
    if known is not None:
        text += f" The provider knew on {known.isoformat()} that the condition is or will be met."
    problems = () if known is not None else \
        ("date the condition was met or became known not given (model.threshold_known_on)",)
    return Answer(text, problems=problems)


def _deadline(ctx: Context) -> Answer:
    obligation = ctx.obligation("notification")
    if obligation and obligation.get("due"):
        return Answer(f"{obligation['due']} (from the assessment).")
    known = _known_on(ctx)
    if known is None:
        return Answer(None)
    days = ctx.rules.rule("ai_act.art52.notification_period_days")
    due = known + dt.timedelta(days=days.value)
    return Answer(f"Without delay and in any event by {due.isoformat()} ({days.value} days "
                  f"after {known.isoformat()}; {days.source}).")


def _evidence(ctx: Context) -> Value:
    evidence = ctx.record.notification.evidence
    ledger = " A compute ledger is referenced." if ctx.sources.compute_ledger else ""
    return (evidence + ledger) if evidence else None


def _estimation_method(ctx: Context) -> Value:
    method = (ctx.sources.compute_ledger or {}).get("method")
    return ctx.record.notification.estimation_method \
        or ctx.record.training.compute_methodology or (str(method) if method else None)


NOTIFICATION = Builder(
    reader="European Commission (AI Office)",
    kind="notification", obligation="notification",
    tree_key="documents.notification",
    resolvers={
        "provider_name_contact": provider_contact,
        "authorised_representative": authorised_representative,
        "model_name": model_name,
        "condition_status": _condition,
        "training_compute": training_compute,
        "estimation_method": _estimation_method,
        "evidence": _evidence,
        "notification_deadline": _deadline,
        "rebuttal_arguments": record_field("notification.rebuttal_arguments"),
    },
)
