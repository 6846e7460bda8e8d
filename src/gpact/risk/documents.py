"""Build the report documents from the records: incident reports, Framework, Model Report.

Contents follow the rulebook catalogues (``incident_report_contents``, ``framework_contents``,
``model_report_contents``); anything the records do not yet hold becomes a named gap, never an
invented sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gpact.errors import InputError
from gpact.risk.clocks import (
    SS,
    Clock,
    framework_clocks,
    incident_clocks,
    model_report_clocks,
    retain_until,
)
from gpact.risk.register import check_register, reached_tiers, taxonomy
from gpact.risk.reports import Document, Section
from gpact.risk.schema import (
    EvaluationLog,
    Incident,
    ModelDescription,
    ModelReportRecord,
    RiskRegister,
)
from gpact.rulebook import RulesInForce, RuleValue

REPORT_KINDS: tuple[str, ...] = ("initial", "intermediate", "final")
NOT_YET = "Not yet known."


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str | None
    provider: str
    placed_on: dt.date | None
    description: tuple[tuple[str, str], ...] = ()


def _label(m: ModelInfo) -> str:
    return f"{m.name} {m.version}" if m.version else m.name


def _clock_table(clocks: list[Clock], as_of: dt.date) -> list[list[str]]:
    return [["Obligation", "Due", "Done", "Status", "Source"]] + [
        [c.title, c.due.isoformat() if c.due else "—", c.done_on.isoformat() if c.done_on
         else "—", c.status(as_of), c.source] for c in clocks]


# --- serious-incident reports ----------------------------------------------------------------

def incident_report(incident: Incident, kind: str, model: ModelInfo, as_of: dt.date,
                    rules: RulesInForce, rulebook_label: str) -> Document:
    """Initial, intermediate or final report with the Measure 9.2 items the kind calls for."""
    if kind not in REPORT_KINDS:
        raise InputError(None, "--kind", f"unknown report kind {kind!r}; use "
                         f"{', '.join(REPORT_KINDS)}")
    if kind == "final" and incident.resolved_on is None:
        raise InputError(None, "--kind", f"incident {incident.id} has no resolved_on: a final "
                         "report follows resolution")
    clocks = incident_clocks(incident, as_of, rules)
    keep, why = retain_until(incident, rules)
    doc = Document(kind=f"incident_{kind}_report",
                   title=f"Serious incident report ({kind}): {incident.title}",
                   model=_label(model), generated_on=as_of, rulebook_label=rulebook_label)
    doc.facts = [("Provider", model.provider), ("Model", _label(model)),
                 ("Incident", incident.id), ("Type of harm", incident.category.replace("_", " ")),
                 ("Became aware of the model's involvement", incident.aware_on.isoformat()),
                 ("Resolved", incident.resolved_on.isoformat() if incident.resolved_on
                  else "not yet")]
    if incident.bundled_with:
        doc.facts.append(("Bundled with", f"incident {incident.bundled_with} (similar incident; "
                          "reported with the first one's reports and timeline)"))
    contents = rules.rule(f"{SS}.incident_report_contents")
    section = Section("Contents", source=contents.source)
    for item in contents.value:
        if kind != "final" and item["from_report"] == "final":
            continue
        text = _incident_field(incident, str(item["field"]))
        if text is None:
            doc.gaps.append(f"Item {item['item']}: {item['title']}")
            text = NOT_YET + (" To follow in the final report." if kind != "final" and
                              item["from_report"] != "initial" else "")
        section.table.append([f"({item['item']}) {item['title']}", text])
    section.table.insert(0, ["Item", "Content"])
    doc.sections.append(section)
    doc.sections.append(Section("Reporting timeline", table=_clock_table(clocks, as_of),
                                paragraphs=[f"Keep this documentation until at least {keep} "
                                            f"({why})."]))
    doc.sections.append(Section("Notice", paragraphs=[
        "Reporting a serious incident is not an admission of wrongdoing."],
        source="GPAI Code of Practice, Safety & Security chapter, recital (j)"))
    doc.unverified = _unverified(rules, contents.key)
    return doc


def _incident_field(incident: Incident, name: str) -> str | None:
    if name == "dates":
        if incident.started_on is None:
            return None
        end = incident.ended_on.isoformat() if incident.ended_on else "ongoing"
        return f"{incident.started_on.isoformat()} to {end}"
    value = getattr(incident, name, None)
    return str(value) if value else None


# --- Framework and Model Report --------------------------------------------------------------

def framework_document(register: RiskRegister, model: ModelInfo, as_of: dt.date,
                       rules: RulesInForce, rulebook_label: str) -> Document:
    """The Safety & Security Framework drawn from the register (Commitments 1-4, 8, 9)."""
    fw = register.framework
    doc = Document(kind="safety_security_framework",
                   title=f"Safety & Security Framework — {model.provider}",
                   model=_label(model), generated_on=as_of, rulebook_label=rulebook_label)
    doc.facts = [("Provider", model.provider), ("Model", _label(model)),
                 ("Framework version", fw.version or "—"),
                 ("Confirmed", fw.confirmed_on.isoformat() if fw.confirmed_on else "not yet")]
    catalogue = rules.rule(f"{SS}.framework_contents")
    titles = {e["id"]: (e["title"], e["source"]) for e in catalogue.value}
    doc.sections.append(_triggers_section(register, doc, *titles["evaluation_triggers"]))
    doc.sections.append(_risks_section(register, rules, *titles["risk_identification"]))
    doc.sections.append(_tiers_section(register, *titles["tiers"]))
    doc.sections.append(_mitigations_section(register, *titles["tier_mitigations"]))
    forecasts = [f"{r.id}: {r.estimate.forecast}" for r in register.risks
                 if r.estimate and r.estimate.forecast]
    doc.sections.append(Section(titles["forecast"][0], items=forecasts,
                                source=titles["forecast"][1]))
    doc.sections.append(_acceptance_section(register, *titles["acceptance"]))
    doc.sections.append(_text_section(doc, fw.external_evaluators, "framework.external_evaluators",
                                      *titles["external_evaluators"]))
    doc.sections.append(_responsibilities_section(register, doc, *titles["responsibilities"]))
    doc.sections.append(_incidents_section(register, rules, doc, *titles["incidents"]))
    gov = Section(titles["governance"][0], source=titles["governance"][1],
                  table=_clock_table(framework_clocks(register, model.placed_on, rules), as_of))
    if fw.security_goal:
        gov.paragraphs.append(f"Security Goal: {fw.security_goal}")
    gov.items = [f"Changelog: {c}" for c in fw.changelog]
    doc.sections.append(gov)
    if not forecasts:
        doc.gaps.append("No estimate of when a model may exceed the highest tier reached "
                        "(estimate.forecast).")
    doc.gaps += [f"{f.subject}: {f.text}" for f in check_register(
        register, rules, placed_on=model.placed_on, as_of=as_of) if f.severity == "problem"]
    doc.unverified = _unverified(rules, catalogue.key)
    return doc


def _text_section(doc: Document, text: str | None, field: str, heading: str,
                  source: str) -> Section:
    if not text:
        doc.gaps.append(f"{field}: {heading}")
    return Section(heading, paragraphs=[text or NOT_YET], source=source)


def _triggers_section(register: RiskRegister, doc: Document, heading: str,
                      source: str) -> Section:
    triggers = register.framework.evaluation_triggers
    s = Section(heading, source=source)
    s.table = [["Lifecycle point", "Evaluations run"]] + [[t.point, t.evaluations]
                                                           for t in triggers]
    if not triggers:
        doc.gaps.append(f"framework.evaluation_triggers: {heading}")
    return s


RESPONSIBILITIES = (("oversight", "Oversight"), ("ownership", "Ownership"),
                    ("support_monitoring", "Support and monitoring"),
                    ("assurance", "Assurance"), ("resources", "Resources and risk culture"))


def _responsibilities_section(register: RiskRegister, doc: Document, heading: str,
                              source: str) -> Section:
    held = register.framework.responsibilities
    s = Section(heading, source=source)
    s.table = [["Responsibility", "Held by"]]
    for attr, label in RESPONSIBILITIES:
        who = getattr(held, attr)
        s.table.append([label, who or NOT_YET])
        if not who:
            doc.gaps.append(f"framework.responsibilities.{attr}: {label} ({source})")
    return s


def _incidents_section(register: RiskRegister, rules: RulesInForce, doc: Document,
                       heading: str, source: str) -> Section:
    """The provider's process, with the Code's reporting deadlines from the rulebook."""
    days = rules.rule(f"{SS}.incident_initial_report_days")
    update = rules.rule(f"{SS}.incident_update_interval_days")
    final = rules.rule(f"{SS}.incident_final_report_days")
    keep = rules.rule(f"{SS}.incident_retention_years")
    s = _text_section(doc, register.framework.incident_process,
                      "framework.incident_process", heading, source)
    s.table = [["Type of serious incident", "Initial report within"]] + [
        [k.replace("_", " "), f"{v} days of becoming aware of the model's involvement"]
        for k, v in days.value.items()]
    s.items = [f"Updates at least every {update.value} days until resolved "
               f"({update.source}).",
               f"Final report within {final.value} days of resolution ({final.source}).",
               f"Incident documentation kept at least {keep.value} years ({keep.source})."]
    return s


def model_report_document(register: RiskRegister, evaluations: EvaluationLog, model: ModelInfo,
                          as_of: dt.date, rules: RulesInForce, rulebook_label: str) -> Document:
    """The Safety & Security Model Report drawn from the register and evaluations (Commitment 7);
    each section names the measure it answers."""
    mr = register.model_report
    doc = Document(kind="model_report", title=f"Safety & Security Model Report — {_label(model)}",
                   model=_label(model), generated_on=as_of, rulebook_label=rulebook_label)
    doc.facts = [("Provider", model.provider), ("Model", _label(model)),
                 ("Placed on the market", model.placed_on.isoformat() if model.placed_on
                  else "not yet"), ("Report version", mr.version or "—")]
    catalogue = rules.rule(f"{SS}.model_report_contents")
    entries = {e["id"]: (e["title"], e["source"]) for e in catalogue.value}
    doc.sections.append(_description_section(mr.description, model, doc,
                                             *entries["model_description"]))
    doc.sections.append(_justification_section(mr, doc, *entries["justification"]))
    doc.sections.append(_text_section(doc, mr.justification_limits,
                                      "model_report.justification_limits",
                                      *entries["justification_limits"]))
    doc.sections.append(_risks_section(register, rules, *entries["risk_documentation"]))
    doc.sections.append(_acceptance_section(register, "Risk acceptance",
                                            entries["risk_documentation"][1]))
    doc.sections.append(_mitigations_section(register, *entries["mitigations"]))
    doc.sections.append(_evaluations_section(evaluations, doc, *entries["evaluations"]))
    doc.sections.append(_external_section(mr, doc, *entries["external_reports"]))
    doc.sections.append(_text_section(doc, mr.landscape_changes, "model_report.landscape_changes",
                                      *entries["landscape"]))
    doc.sections.append(Section("Deadlines", table=_clock_table(
        model_report_clocks(mr, model.placed_on, rules, register), as_of),
        source="Measures 7.6, 7.7"))
    doc.gaps += [f"{f.subject}: {f.text}" for f in check_register(
        register, rules, evaluations=evaluations, placed_on=model.placed_on, as_of=as_of)
        if f.severity == "problem"]
    doc.unverified = _unverified(rules, catalogue.key)
    return doc


DESCRIPTION = (("capabilities", "Capabilities"), ("propensities", "Propensities"),
               ("affordances", "Affordances"), ("intended_uses", "Intended uses"),
               ("behaviour", "Behaviour"))


def _description_section(desc: ModelDescription, model: ModelInfo, doc: Document,
                         heading: str, source: str) -> Section:
    s = Section(heading, source=source, paragraphs=[f"{_label(model)} by {model.provider}."])
    s.table = [["Aspect", "Description"]]
    for attr, label in DESCRIPTION:
        text = getattr(desc, attr)
        s.table.append([label, text or NOT_YET])
        if not text:
            doc.gaps.append(f"model_report.description.{attr}: {label} ({source})")
    s.items = [f"{k}: {v}" for k, v in model.description]
    return s


def _justification_section(mr: ModelReportRecord, doc: Document, heading: str,
                           source: str) -> Section:
    s = _text_section(doc, mr.justification, "model_report.justification", heading, source)
    if mr.similarly_safe is not None:
        s.paragraphs.append(f"Similarly safe or safer than {mr.similarly_safe.reference_model}: "
                            f"{mr.similarly_safe.comparison}")
    return s


def _evaluations_section(evaluations: EvaluationLog, doc: Document, heading: str,
                         source: str) -> Section:
    ev = Section(heading, source=source)
    ev.table = [["Run", "Benchmark", "Date", "Elicitation", "Adversarial", "Run by", "Results",
                 "Risks"]]
    for e in sorted(evaluations.evaluations, key=lambda e: (e.run_on, e.id)):
        ev.table.append([e.id, e.benchmark + (f" v{e.benchmark_version}" if e.benchmark_version
                                              else ""),
                         e.run_on.isoformat(), e.elicitation or "NOT DESCRIBED",
                         "yes" if e.adversarial else "no", e.run_by or "—",
                         "; ".join(f"{m.name}={m.value:g}" + (f"±{m.stderr:g}" if m.stderr
                                                              else "") for m in e.results),
                         ", ".join(e.risks) or "—"])
        if not e.elicitation:
            doc.gaps.append(f"Evaluation {e.id} ({e.benchmark}) has no elicitation description "
                            f"(evaluations.yaml: elicitation; {source}).")
    if len(ev.table) == 1:
        doc.gaps.append("No evaluations recorded (risk/evaluations.yaml).")
    elif not any(e.adversarial for e in evaluations.evaluations):
        doc.gaps.append("No adversarial testing recorded (Art. 55(1)(a) asks for documented "
                        "adversarial testing).")
    return ev


def _external_section(mr: ModelReportRecord, doc: Document, heading: str,
                      source: str) -> Section:
    s = Section(heading, source=source)
    for what, reports, reason, field in (
            ("External evaluation", mr.external_evaluation_reports,
             mr.no_external_evaluation_reason, "external_evaluation"),
            ("Security review", mr.security_review_reports, mr.no_security_review_reason,
             "security_review")):
        if reports:
            s.items += [f"{what} report: {r}" for r in reports]
        elif reason:
            s.paragraphs.append(f"No {what.lower()} report: {reason}")
        else:
            s.paragraphs.append(f"{what}: {NOT_YET}")
            doc.gaps.append(f"model_report.{field}_reports or no_{field}_reason: {what} "
                            f"reports or the reason there are none ({source})")
    return s


def _risks_section(register: RiskRegister, rules: RulesInForce, heading: str,
                   source: str) -> Section:
    names = {e.id: e.title for e in taxonomy(rules)}
    s = Section(heading, source=source)
    s.table = [["Risk", "Taxonomy", "Scenarios", "Highest tier reached", "Estimate",
                "Evidence"]]
    for r in register.risks:
        est = r.estimate
        reached = reached_tiers(r)
        s.table.append([
            r.title or r.id, names.get(r.taxonomy, f"{r.taxonomy} (not in taxonomy)"),
            "; ".join(sc.description for sc in r.scenarios) or "—",
            reached[-1] if reached else "none",
            (f"{est.estimated_on.isoformat()}: " + ", ".join(
                filter(None, [est.probability and f"probability {est.probability}",
                              est.severity and f"severity {est.severity}"]
                       + [f"{k}={v:g}" for k, v in est.metrics.items()])))
            if est else "—",
            ", ".join(est.evidence) if est and est.evidence else "—"])
    return s


def _tiers_section(register: RiskRegister, heading: str, source: str) -> Section:
    s = Section(heading, source=source)
    s.table = [["Risk", "Tier", "Threshold", "Reached"]]
    for r in register.risks:
        reached = set(reached_tiers(r))
        for t in r.tiers:
            op = ">=" if t.direction == "at_least" else "<="
            threshold = f"{t.metric} {op} {t.threshold:g}" if t.measurable and \
                t.threshold is not None else "not measurable"
            s.table.append([r.id, t.name or t.id, threshold + (f" ({t.description})"
                                                               if t.description else ""),
                            "yes" if t.id in reached else "not yet"])
    return s


def _mitigations_section(register: RiskRegister, heading: str, source: str) -> Section:
    s = Section(heading, source=source)
    s.table = [["Mitigation", "Kind", "Status", "Addresses"]]
    s.table += [[m.description, m.kind, m.status, ", ".join(m.addresses)]
                for m in register.mitigations]
    return s


def _acceptance_section(register: RiskRegister, heading: str, source: str) -> Section:
    s = Section(heading, source=source)
    s.table = [["Risk", "Decision", "Date", "Safety margin", "Rationale"]]
    for r in register.risks:
        a = r.acceptance
        s.table.append([r.id, a.decision if a else "pending",
                        a.decided_on.isoformat() if a and a.decided_on else "—",
                        (a.safety_margin if a else None) or "—",
                        (a.rationale if a else None) or "—"])
    return s


def _unverified(rules: RulesInForce, *keys: str) -> list[RuleValue]:
    for k in keys:
        rules.rule(k)
    return rules.unverified_used()
