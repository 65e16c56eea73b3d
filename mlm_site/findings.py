"""Findings: problems found in a catalog, as data.

A :class:`Finding` says which rule fired, how bad it is, in which document
(``href``) and where in it (``pointer``, an RFC 6901 JSON pointer), and a
readable message. Findings never stop a build; they are shown on the cards
and in the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]

#: Severities from most to least serious.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
_RANK = {"error": 0, "warning": 1, "info": 2}


def severity_rank(severity: str) -> int:
    """0 for error, 1 for warning, 2 for info (lower is more serious)."""
    return _RANK[severity]


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token of a JSON pointer (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def make_pointer(path: Iterable[str | int]) -> str:
    """Build a JSON pointer from path elements: ``("a", 0, "b/c")`` -> ``/a/0/b~1c``."""
    return "".join("/" + escape_pointer_token(p) for p in path)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one document.

    ``rule`` is ``"schema"`` for JSON Schema findings, ``"read"`` for problems
    reading or parsing a document, ``"crawl"`` for link problems, or the id
    of a best-practice rule. ``schema`` is the schema URL for schema findings.
    """

    href: str
    pointer: str
    rule: str
    severity: Severity
    message: str
    schema: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "pointer": self.pointer,
            "message": self.message,
        }
        if self.schema is not None:
            data["schema"] = self.schema
        return data

    def sort_key(self) -> tuple[int, str, str, str]:
        return (severity_rank(self.severity), self.pointer, self.rule, self.message)


@dataclass
class Counts:
    error: int = 0
    warning: int = 0
    info: int = 0

    def add(self, severity: str) -> None:
        setattr(self, severity, getattr(self, severity) + 1)

    def to_json(self) -> dict[str, int]:
        return {"error": self.error, "warning": self.warning, "info": self.info}


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The most serious severity among ``findings`` (None when there are none)."""
    best: Severity | None = None
    for f in findings:
        if best is None or severity_rank(f.severity) < severity_rank(best):
            best = f.severity
    return best


def reaches(findings: Iterable[Finding], fail_on: str) -> bool:
    """True when a finding is at or above ``fail_on`` (``error``, ``warning``, ``info`` or ``never``)."""
    if fail_on == "never":
        return False
    limit = severity_rank(fail_on)
    return any(severity_rank(f.severity) <= limit for f in findings)


@dataclass
class DocumentReport:
    """What the report says about one document."""

    href: str
    id: str | None
    type: str | None
    mlm: bool
    page: str | None = None
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "href": self.href,
            "id": self.id,
            "type": self.type,
            "mlm": self.mlm,
            "page": self.page,
            "findings": [f.to_json() for f in sorted(self.findings, key=Finding.sort_key)],
        }


@dataclass
class Report:
    """The validation report of a whole run (``report.json``)."""

    documents: list[DocumentReport] = field(default_factory=list)

    def all_findings(self) -> list[Finding]:
        return [f for d in self.documents for f in d.findings]

    def summary(self) -> dict[str, Any]:
        counts = Counts()
        by_rule: dict[str, int] = {}
        for f in self.all_findings():
            counts.add(f.severity)
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        return {
            "documents": len(self.documents),
            "mlm_documents": sum(1 for d in self.documents if d.mlm),
            "unreadable": sum(1 for d in self.documents if d.type is None),
            "pages": sum(1 for d in self.documents if d.page),
            "findings": counts.to_json(),
            "by_rule": dict(sorted(by_rule.items())),
            "valid_documents": sum(
                1 for d in self.documents if not any(f.severity == "error" for f in d.findings)
            ),
        }

    def to_json(self) -> dict[str, Any]:
        docs = sorted(self.documents, key=lambda d: d.href)
        return {"documents": [d.to_json() for d in docs], "summary": self.summary()}


def report_text(data: Mapping[str, Any]) -> str:
    """``report.json`` (and ``validate --format json``) as text: one document per line, the summary
    last, each written by the C encoder (indented output runs the pure-Python one, a second at
    10,000 documents); easy to grep and to diff, and plain JSON to every reader."""
    import json

    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    parts = []
    for key, value in data.items():
        if key == "documents" and value:
            body = "[\n    " + ",\n    ".join(map(encode, value)) + "\n  ]"
        else:
            body = encode(value)
        parts.append(f"  {encode(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"
