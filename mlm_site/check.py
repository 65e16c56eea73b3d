"""Crawl and check: every document of a catalog with its findings.

``gather`` crawls and checks (JSON Schema and best-practice rules) one
catalog; ``validate_paths`` is ``mlm-site validate``; ``check_documents`` is
the checking step of ``build``, with the build cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from mlm_site import urls
from mlm_site.cache import BuildCache
from mlm_site.config import SiteConfig
from mlm_site.crawl import Document, Fetcher, crawl
from mlm_site.errors import RootUnreadable
from mlm_site.findings import Finding, Report
from mlm_site.parallel import map_chunks
from mlm_site.validate import report_for

Progress = Callable[[str], None]


def make_store(config: SiteConfig) -> Any:
    from mlm_site.schemas import SchemaStore

    return SchemaStore(config.schemas, config.cache_dir, offline=config.offline, timeout=config.timeout)


def crawl_documents(config: SiteConfig, progress: Progress | None = None) -> list[Document]:
    """Every document reachable from the catalog (remote ones fetched concurrently)."""
    fetcher = Fetcher(timeout=config.timeout)
    try:
        documents = list(crawl(config.catalog, fetcher, confine=not config.follow_outside))
    finally:
        fetcher.close()
    root = documents[0]
    if root.raw is None and len(documents) == 1:
        reason = root.findings[0].message if root.findings else "unreadable"
        raise RootUnreadable(config.catalog, reason)
    if progress:
        progress(f"crawled {len(documents)} documents")
    return documents


# --------------------------------------------------------------------------- validation

_WORKER: dict[str, Any] = {}  # per-process: the schema validator, the Jinja environment


def _validator(config: SiteConfig) -> Any:
    from mlm_site.validate.schema import SchemaValidator

    key = (os.getpid(), config.schemas, config.cache_dir, config.offline, config.timeout)
    if _WORKER.get("validator_key") != key:
        _WORKER["validator"] = SchemaValidator(make_store(config))
        _WORKER["validator_key"] = key
    return _WORKER["validator"]


def _close_validator() -> None:
    validator = _WORKER.pop("validator", None)
    _WORKER.pop("validator_key", None)
    if validator is not None:
        validator.store.close()


def _check_chunk(state: tuple[SiteConfig, list[Document]], start: int, stop: int) -> list[tuple[list[Finding], list[Finding]]]:
    """Schema findings and document-scope rule findings of ``docs[start:stop]``."""
    from mlm_site.validate.rules import run_rules

    config, docs = state
    validator = _validator(config)
    out: list[tuple[list[Finding], list[Finding]]] = []
    for d in docs[start:stop]:
        if d.raw is None or d.kind is None:
            out.append(([], []))
            continue
        out.append((list(validator.validate(d.raw, d.href)), run_rules(d.raw, d.href, None)))
    return out


def check_documents(
    config: SiteConfig, documents: list[Document], cache: BuildCache | None = None, progress: Progress | None = None,
) -> dict[str, list[Finding]]:
    """Findings of every document by href: read problems, JSON Schema, best-practice rules.

    Schema and document-scope rules run in worker processes (or come from the
    build cache for documents whose bytes did not change); catalog-scope rules
    need the whole catalog and run here. The merge is the same as
    :meth:`mlm_site.validate.Checker.check` gives.
    """
    from mlm_site.validate.rules import RULES, run_rules

    catalog = {d.href: d.raw for d in documents if d.raw is not None and d.kind is not None}
    keys = [cache.doc_key(d) if cache is not None else "" for d in documents]
    todo = [i for i, d in enumerate(documents) if cache is None or cache.old_checks(keys[i]) is None]
    try:
        fresh = map_chunks(_check_chunk, len(todo), (config, [documents[i] for i in todo]), config.effective_jobs)
    finally:
        _close_validator()
    done = dict(zip(todo, fresh))
    catalog_rules = [r.id for r in RULES.values() if r.scope == "catalog"]
    findings: dict[str, list[Finding]] = {}
    for i, d in enumerate(documents):
        if i in done:
            schema, doc_rules = done[i]
        else:
            schema, doc_rules = cache.old_checks(keys[i])  # type: ignore[union-attr]
        if cache is not None:
            cache.keep_checks(keys[i], (schema, doc_rules))
        if d.raw is None or d.kind is None:
            findings[d.href] = list(d.findings)
            continue
        cat_rules = run_rules(d.raw, d.href, catalog, select=catalog_rules) if catalog_rules else []
        findings[d.href] = [*d.findings, *schema, *sorted([*doc_rules, *cat_rules], key=Finding.sort_key)]
    if progress:
        progress(f"validated ({len(todo)} checked, {len(documents) - len(todo)} unchanged)")
    return findings


def gather(config: SiteConfig, progress: Progress | None = None) -> tuple[list[Document], dict[str, list[Finding]]]:
    """Crawl and check every document: the documents and their findings by href."""
    documents = crawl_documents(config, progress)
    return documents, check_documents(config, documents, None, progress)


def validate_paths(paths: list[str], config: SiteConfig) -> Report:
    """``mlm-site validate``: crawl each path (catalog or single document) and check everything."""
    from dataclasses import replace

    all_docs: list[Document] = []
    all_findings: dict[str, list[Finding]] = {}
    for path in paths:
        sub = replace(config, catalog=path)
        try:
            docs, fs = gather(sub)
        except RootUnreadable as exc:
            href = urls.normalize(path)
            docs = [Document(href, None, None, None, [Finding(href, "", "read", "error", exc.reason)])]
            fs = {href: docs[0].findings}
        for d in docs:
            if d.href not in all_findings:
                all_docs.append(d)
                all_findings[d.href] = fs.get(d.href, [])
    return report_for(all_docs, all_findings, {})


__all__ = ["check_documents", "crawl_documents", "gather", "make_store", "validate_paths"]
