"""Report formats for ``mlm-site validate``: text, JUnit XML, GitHub Actions annotations.

(The JSON format is :meth:`mlm_site.findings.Report.to_json`, the report contract.)

* :func:`text`: findings grouped by document (documents sorted by href, findings by severity
  then pointer), then one totals line. Colours only when asked (:func:`use_colour` decides for
  a stream: a terminal, and ``NO_COLOR`` unset).
* :func:`junit`: one ``<testcase>`` per document; each error is a ``<failure>``, warnings and
  info go to ``<system-out>``. Text from the catalog is escaped, and characters XML 1.0 cannot
  carry (control characters) are replaced, so the file always parses.
* :func:`github`: one workflow command per finding (``::error file=…,title=…::message``), with
  the escaping of the Actions toolkit: ``%``, CR and LF in messages; also ``:`` and ``,`` in
  properties. Local files under the working folder are named relative to it, as the
  annotations expect.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

import click

from mlm_site.findings import Finding, Report

__all__ = ["github", "junit", "text", "use_colour"]

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def use_colour(stream: IO[Any], environ: dict[str, str] | None = None) -> bool:
    """True when ``stream`` is a terminal and ``NO_COLOR`` is not set (https://no-color.org)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False


def _where(f: Finding) -> str:
    return f.pointer or "(document)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def text(report: Report, *, color: bool = False) -> str:
    """Findings grouped by document, then totals."""
    lines: list[str] = []
    for doc in sorted(report.documents, key=lambda d: d.href):
        if not doc.findings:
            continue
        lines.append(click.style(doc.href, bold=True) if color else doc.href)
        for f in sorted(doc.findings, key=Finding.sort_key):
            label = f"{f.severity:<7}"
            sev = click.style(label, fg=_COLOURS[f.severity]) if color else label
            message = f.message.replace("\r", " ").replace("\n", " ")
            lines.append(f"  {sev} {f.rule:<8} {_where(f)}: {message}")
    s = report.summary()
    c = s["findings"]
    totals = (
        f"{_plural(s['documents'], 'document')} ({s['mlm_documents']} MLM): "
        f"{_plural(c['error'], 'error')}, {_plural(c['warning'], 'warning')}, {c['info']} info"
    )
    if color:
        worst = "error" if c["error"] else "warning" if c["warning"] else None
        totals = click.style(totals, fg=_COLOURS[worst] if worst else "green", bold=True)
    lines.append(totals)
    return "\n".join(lines) + "\n"


# XML 1.0 allows TAB, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return escape(_XML_INVALID.sub("\ufffd", value))


def _xml_attr(value: str) -> str:
    return quoteattr(_XML_INVALID.sub("\ufffd", value))


def junit(report: Report) -> str:
    """JUnit XML: one test case per document, failures for errors, the rest as system-out."""
    docs = sorted(report.documents, key=lambda d: d.href)
    failures = sum(1 for d in docs if any(f.severity == "error" for f in d.findings))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="mlm-site validate" tests="{len(docs)}" failures="{failures}" errors="0">',
        f'<testsuite name="mlm-site" tests="{len(docs)}" failures="{failures}" errors="0" skipped="0">',
    ]
    for d in docs:
        out.append(f"<testcase classname={_xml_attr(d.type or 'unreadable')} name={_xml_attr(d.href)}>")
        findings = sorted(d.findings, key=Finding.sort_key)
        for f in findings:
            if f.severity == "error":
                msg = f"{f.rule} {_where(f)}: {f.message}"
                out.append(f"<failure type={_xml_attr(f.rule)} message={_xml_attr(msg)}>{_xml_text(msg)}</failure>")
        rest = [f for f in findings if f.severity != "error"]
        if rest:
            body = "\n".join(f"{f.severity} {f.rule} {_where(f)}: {f.message}" for f in rest)
            out.append(f"<system-out>{_xml_text(body)}</system-out>")
        out.append("</testcase>")
    out += ["</testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


def _gh_escape(value: str) -> str:
    """Escape workflow-command data (the message)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(value: str) -> str:
    """Escape a workflow-command property (``file=``, ``title=``)."""
    return _gh_escape(value).replace(":", "%3A").replace(",", "%2C")


def _gh_file(href: str, cwd: Path | None = None) -> str:
    """A local file under the working folder relative to it; anything else as is."""
    if "://" in href:
        return href
    base = Path.cwd() if cwd is None else cwd
    try:
        return Path(href).resolve().relative_to(base.resolve()).as_posix()
    except (ValueError, OSError):
        return href


def github(report: Report, *, cwd: Path | None = None) -> str:
    """GitHub Actions workflow commands (``::error file=…,title=…::message``)."""
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for d in sorted(report.documents, key=lambda d: d.href):
        path = _gh_file(d.href, cwd)
        for f in sorted(d.findings, key=Finding.sort_key):
            title = f"{f.rule} {_where(f)}"
            lines.append(
                f"::{level[f.severity]} file={_gh_prop(path)},title={_gh_prop(title)}::{_gh_escape(f.message)}"
            )
    return "\n".join(lines) + ("\n" if lines else "")
