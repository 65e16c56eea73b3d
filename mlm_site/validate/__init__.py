"""Validation: JSON Schema findings (:mod:`.schema`) and best-practice rules (:mod:`.rules`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mlm_site import stac
from mlm_site.crawl import Document
from mlm_site.findings import DocumentReport, Finding, Report


class Checker:
    """Runs the schema validator and the lint rules over crawled documents."""

    def __init__(self, schema_validator: Any, *, rules: bool = True) -> None:
        self.schema_validator = schema_validator
        self.rules = rules

    def check(self, doc: Document, catalog: Mapping[str, Mapping[str, Any]] | None) -> list[Finding]:
        findings = list(doc.findings)
        if doc.raw is None or doc.kind is None:
            return findings
        findings.extend(self.schema_validator.validate(doc.raw, doc.href))
        if self.rules:
            from mlm_site.validate.rules import run_rules

            findings.extend(run_rules(doc.raw, doc.href, catalog))
        return findings


def report_for(documents: Iterable[Document], findings: Mapping[str, list[Finding]], pages: Mapping[str, str]) -> Report:
    """The report of a run: one entry per document, with its findings and its page."""
    report = Report()
    for doc in documents:
        raw = doc.raw if doc.kind is not None else None
        t = raw.get("type") if raw is not None else None
        report.documents.append(
            DocumentReport(
                href=doc.href,
                id=doc.id if raw is not None else None,
                type=t if isinstance(t, str) else (doc.kind if raw is not None else None),
                mlm=bool(raw is not None and stac.is_mlm(raw)),
                page=pages.get(doc.href),
                findings=sorted(findings.get(doc.href, doc.findings), key=Finding.sort_key),
            )
        )
    return report
