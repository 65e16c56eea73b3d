"""Report formats for ``mlm-site validate``: text, JUnit XML, GitHub Actions annotations."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import click

from mlm_site.findings import Report

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def text(report: Report, *, color: bool = False) -> str:
    """Findings grouped by document, then totals."""
    lines: list[str] = []
    for doc in sorted(report.documents, key=lambda d: d.href):
        if not doc.findings:
            continue
        lines.append(click.style(doc.href, bold=True) if color else doc.href)
        for f in sorted(doc.findings, key=lambda f: f.sort_key()):
            sev = click.style(f"{f.severity:<7}", fg=_COLOURS[f.severity]) if color else f"{f.severity:<7}"
            where = f.pointer or "(document)"
            lines.append(f"  {sev} {f.rule:<8} {where}: {f.message}")
    s = report.summary()
    c = s["findings"]
    lines.append(
        f"{s['documents']} documents ({s['mlm_documents']} MLM): "
        f"{c['error']} errors, {c['warning']} warnings, {c['info']} info"
    )
    return "\n".join(lines) + "\n"


def junit(report: Report) -> str:
    """JUnit XML: one test case per document, failures for errors, the rest as system-out."""
    docs = sorted(report.documents, key=lambda d: d.href)
    failures = sum(1 for d in docs if any(f.severity == "error" for f in d.findings))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="mlm-site validate" tests="{len(docs)}" failures="{failures}">',
           f'<testsuite name="mlm-site" tests="{len(docs)}" failures="{failures}">']
    for d in docs:
        out.append(f"<testcase classname={quoteattr(d.type or 'unreadable')} name={quoteattr(d.href)}>")
        for f in sorted(d.findings, key=lambda f: f.sort_key()):
            msg = f"{f.rule} {f.pointer or '(document)'}: {f.message}"
            if f.severity == "error":
                out.append(f"<failure type={quoteattr(f.rule)} message={quoteattr(msg)}>{escape(msg)}</failure>")
        rest = [f for f in d.findings if f.severity != "error"]
        if rest:
            body = "\n".join(f"{f.severity} {f.rule} {f.pointer or '(document)'}: {f.message}" for f in rest)
            out.append(f"<system-out>{escape(body)}</system-out>")
        out.append("</testcase>")
    out += ["</testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_escape(text).replace(":", "%3A").replace(",", "%2C")


def github(report: Report) -> str:
    """GitHub Actions workflow commands (``::error file=…::message``)."""
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for d in sorted(report.documents, key=lambda d: d.href):
        for f in sorted(d.findings, key=lambda f: f.sort_key()):
            title = f"{f.rule} {f.pointer or '(document)'}"
            lines.append(f"::{level[f.severity]} file={_gh_prop(d.href)},title={_gh_prop(title)}::{_gh_escape(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
