"""Crawl and check: every document of a catalog with its findings.

``gather`` crawls and checks (JSON Schema and best-practice rules) one
catalog; ``validate_paths`` is ``mlm-site validate``; ``check_documents`` is
the checking step of ``build``, with the build cache.

``validate_paths`` needs the findings, not the documents: a large level of
the crawl (the Items of a catalog, usually) is read, parsed and checked in
the worker processes, which send back each document's findings and only what
the report and the catalog-scope rules read of it
(:func:`mlm_site.validate.rules.catalog_view`), not the parsed document.
Same findings, in the same order, as ``gather``.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from mlm_site import urls
from mlm_site.cache import BuildCache
from mlm_site.config import SiteConfig
from mlm_site.crawl import Document, Entry, Fetcher, LevelLoader, crawl, gc_paused, load_document
from mlm_site.errors import RootUnreadable
from mlm_site.findings import Finding, Report
from mlm_site.parallel import fork_available, map_chunks
from mlm_site.validate import report_for

Progress = Callable[[str], None]


def make_store(config: SiteConfig) -> Any:
    from mlm_site.schemas import SchemaStore

    return SchemaStore(config.schemas, config.cache_dir, offline=config.offline, timeout=config.timeout)


def crawl_documents(
    config: SiteConfig, progress: Progress | None = None, load: LevelLoader | None = None
) -> list[Document]:
    """Every document reachable from the catalog (remote ones fetched concurrently).

    ``load`` reads the levels of the crawl (:data:`mlm_site.crawl.LevelLoader`).
    """
    fetcher = Fetcher(timeout=config.timeout)
    try:
        documents = list(crawl(config.catalog, fetcher, confine=not config.follow_outside, load=load))
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
    from mlm_site.validate.rules import RULES, release_catalog, run_rules

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
    release_catalog()
    return findings


def gather(config: SiteConfig, progress: Progress | None = None) -> tuple[list[Document], dict[str, list[Finding]]]:
    """Crawl and check every document: the documents and their findings by href."""
    documents = crawl_documents(config, progress)
    return documents, check_documents(config, documents, None, progress)


# --------------------------------------------------------------------------- validate

#: a level of the crawl with at least this many documents, all local, is read
#: and checked in the worker processes (``validate_paths``)
PARALLEL_LEVEL = 64
#: a finding on its way back from a worker, without its href (pickles faster than a Finding)
_Sent = tuple[str, str, str, str, "str | None"]
#: a document read and checked by a worker: (href, raw, kind, parent, digest, read findings,
#: schema findings, document-scope rule findings)
_Checked = tuple[str, Any, "str | None", "str | None", "str | None", list[_Sent], list[_Sent], list[_Sent]]


def _send(findings: list[Finding]) -> list[_Sent]:
    return [(f.pointer, f.rule, f.severity, f.message, f.schema) for f in findings]


def _received(href: str, sent: list[_Sent]) -> list[Finding]:
    return [Finding(href, pointer, rule, severity, message, schema) for pointer, rule, severity, message, schema in sent]  # type: ignore[arg-type]


@contextmanager
def _chunk_gc() -> Iterator[list[bool]]:
    """In a worker: no collection while a chunk is read and checked (the parsed trees hold no
    cycles). Set ``[True]`` when a document had schema findings: the errors of the Python
    jsonschema engine point at each other, so the youngest objects are collected after the chunk."""
    dirty = [False]
    with gc_paused():
        yield dirty
    if dirty[0]:
        gc.collect(0)


def _check_one(validator: Any, d: Document) -> tuple[list[Finding], list[Finding]]:
    from mlm_site.validate.rules import run_rules

    if d.raw is None or d.kind is None:
        return [], []
    return list(validator.validate(d.raw, d.href)), run_rules(d.raw, d.href, None)


def _read_check(
    state: tuple[SiteConfig, list[Document], list[Entry]], start: int, stop: int
) -> list[_Checked]:
    """In a worker: check documents already read (``todo``), then read and check a level of the crawl.

    Units ``0 .. len(todo) - 1`` are the documents of ``todo`` (sent back without their
    ``raw``), the next ones the entries of ``level``: each document read, its schema findings
    and its document-scope rule findings. Items come back as their catalog view, Catalogs and
    Collections whole (the crawl follows their links).
    """
    from mlm_site.validate.rules import catalog_view

    config, todo, level = state
    validator = _validator(config)
    fetcher = Fetcher(timeout=config.timeout)
    out: list[_Checked] = []
    try:
        with _chunk_gc() as dirty:
            for unit in range(start, stop):
                if unit < len(todo):
                    d, keep = todo[unit], False
                else:
                    href, parent, via = level[unit - len(todo)]
                    d, keep = load_document(fetcher, href, parent, via, digest=False), True  # no build cache
                schema, doc_rules = _check_one(validator, d)
                dirty[0] = dirty[0] or bool(schema)
                raw = d.raw
                if raw is not None and d.kind is not None and d.kind not in ("Catalog", "Collection"):
                    raw = catalog_view(raw)
                out.append((
                    d.href, raw if keep else None, d.kind, d.parent, d.digest,
                    _send(d.findings) if keep else [], _send(schema), _send(doc_rules),
                ))  # fmt: skip
    finally:
        fetcher.close()
    return out


#: with at least this many documents, the catalog-scope rules run in the worker processes too
CATALOG_PARALLEL = 2000


def _catalog_chunk(state: tuple[list[str], dict[str, Any]], start: int, stop: int) -> list[list[_Sent]]:
    """The catalog-scope rule findings of the documents ``hrefs[start:stop]`` (views)."""
    from mlm_site.validate.rules import RULES, run_rules

    hrefs, views = state
    catalog_rules = [r.id for r in RULES.values() if r.scope == "catalog"]
    if not catalog_rules:
        return [[] for _ in range(start, stop)]
    with gc_paused():
        return [_send(run_rules(views[href], href, views, select=catalog_rules)) for href in hrefs[start:stop]]


def validate_catalog(config: SiteConfig) -> tuple[list[Document], dict[str, list[Finding]]]:
    """What ``gather`` gives for the report of ``mlm-site validate``, with less work.

    The findings are the same. The documents are the same but for ``raw``:
    the :func:`~mlm_site.validate.rules.catalog_view` of each STAC document
    (enough for :func:`mlm_site.validate.report_for`), not the whole document.
    """
    from mlm_site import urls
    from mlm_site.validate import schema as _schema  # noqa: F401  (imported once, before the workers fork)
    from mlm_site.validate.rules import catalog_view

    jobs = config.effective_jobs
    checked: dict[str, tuple[list[Finding], list[Finding]]] = {}
    viewed: set[str] = set()  # hrefs of the documents whose raw already is the catalog view
    pending: list[Document] = []  # read in this process, not checked yet

    def load(level: list[Entry], default: Any) -> list[Document]:
        if jobs > 1 and len(level) >= PARALLEL_LEVEL and fork_available() and not any(
            urls.is_remote(href) for href, _, _ in level
        ):
            todo = [d for d in pending if d.raw is not None and d.kind is not None]
            pending.clear()
            n = len(todo) + len(level)
            try:
                # small chunks: the workers finish together (a document takes about half a millisecond)
                parts = map_chunks(_read_check, n, (config, todo, level), jobs, chunk=max(32, min(256, n // (jobs * 16))))
            finally:
                _close_validator()
            for d, (_, _, _, _, _, _, schema, doc_rules) in zip(todo, parts):
                checked[d.href] = (_received(d.href, schema), _received(d.href, doc_rules))
            received = []
            for href, raw, kind, parent, digest, read, schema, doc_rules in parts[len(todo) :]:
                received.append(Document(href, raw, kind, parent, _received(href, read), digest))
                checked[href] = (_received(href, schema), _received(href, doc_rules))
                if raw is not None and kind is not None and kind not in ("Catalog", "Collection"):
                    viewed.add(href)
            return received
        docs: list[Document] = default(level)
        pending.extend(docs)
        return docs

    documents = crawl_documents(config, None, load)  # (each level read with the collector paused)
    # the documents read here after the last level the workers read: checked as check_documents does
    # (with the collector on: the Python jsonschema engine leaves reference cycles)
    todo = [d for d in pending if d.raw is not None and d.kind is not None]
    try:
        fresh = map_chunks(_check_chunk, len(todo), (config, todo), jobs if len(todo) >= PARALLEL_LEVEL else 1)
    finally:
        _close_validator()
    checked.update((d.href, result) for d, result in zip(todo, fresh))

    with gc_paused():  # views and findings: no reference cycles
        views: dict[str, Any] = {}
        for d in documents:
            if d.raw is not None and d.kind is not None:
                d.raw = views[d.href] = d.raw if d.href in viewed else catalog_view(d.raw)
        hrefs = list(views)
        big = len(hrefs) >= CATALOG_PARALLEL
        sent = map_chunks(_catalog_chunk, len(hrefs), (hrefs, views), jobs if big else 1, chunk=None if big else len(hrefs))
        catalog_findings = dict(zip(hrefs, sent))
        findings: dict[str, list[Finding]] = {}
        for d in documents:
            if d.raw is None or d.kind is None:
                findings[d.href] = list(d.findings)
                continue
            schema, doc_rules = checked[d.href]
            cat_rules = _received(d.href, catalog_findings[d.href])
            # run_rules sorts: doc_rules alone are in order already
            rules = sorted([*doc_rules, *cat_rules], key=Finding.sort_key) if cat_rules else doc_rules
            findings[d.href] = [*d.findings, *schema, *rules]
    return documents, findings


def validate_paths(paths: list[str], config: SiteConfig) -> Report:
    """``mlm-site validate``: crawl each path (catalog or single document) and check everything."""
    from dataclasses import replace

    all_docs: list[Document] = []
    all_findings: dict[str, list[Finding]] = {}
    for path in paths:
        sub = replace(config, catalog=path)
        try:
            docs, fs = validate_catalog(sub)
        except RootUnreadable as exc:
            href = urls.normalize(path)
            docs = [Document(href, None, None, None, [Finding(href, "", "read", "error", exc.reason)])]
            fs = {href: docs[0].findings}
        for d in docs:
            if d.href not in all_findings:
                all_docs.append(d)
                all_findings[d.href] = fs.get(d.href, [])
    return report_for(all_docs, all_findings, {})


__all__ = ["check_documents", "crawl_documents", "gather", "make_store", "validate_catalog", "validate_paths"]
