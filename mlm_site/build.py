"""``build(config) -> BuildResult``: crawl, validate, model, relate, render, write.

Two phases: first gather everything (documents, findings, view-models, the
site graph), then render and write into a staging folder that is swapped in
only when complete (or, over a site this tool built, updated in place). The
second phase lives in :mod:`mlm_site.pages`, loaded only when there is
something to write.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlm_site import stac
from mlm_site.cache import BuildCache, code_digest, digest, tree_digest
from mlm_site.cache import default_root as cache_root
from mlm_site.check import check_documents, crawl_documents, gather, validate_paths
from mlm_site.config import SiteConfig, builtin_templates
from mlm_site.crawl import Document
from mlm_site.findings import Finding, Report, reaches
from mlm_site.parallel import collector_paused
from mlm_site.validate import report_for
from mlm_site.write import Staging, assign_slugs, check_output

Progress = Callable[[str], None]

@dataclass
class BuildResult:
    output: Path
    report: Report
    documents: int
    cards: int
    pages: int
    seconds: float
    failed: bool
    #: the build's working data (documents, view-models, cache): kept with the result, so that when it
    #: is freed is the caller's choice (the command-line tool exits without freeing it object by object)
    retained: Any = field(default=None, repr=False, compare=False)

    def summary_line(self) -> str:
        counts = self.report.summary()["findings"]
        return (
            f"{self.documents} documents, {self.cards} model cards, {self.pages} pages; "
            f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info; "
            f"{self.seconds:.2f} s"
        )


def assign_pages(documents: list[Document]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Site paths of every page and every published JSON, by document href.

    The root Catalog (or Collection) is the index page; other Catalogs and
    Collections get ``collections/<slug>/``; MLM Items and Collections get
    ``models/<slug>/``. Slugs come from ids, made safe and unique.
    """
    readable = [d for d in documents if d.raw is not None and d.kind is not None]
    root = documents[0] if documents and documents[0].kind in ("Catalog", "Collection") else None
    colls = [d for d in readable if d.kind in ("Catalog", "Collection")]
    models = [d for d in readable if stac.is_mlm(d.raw or {})]
    pages: dict[str, str] = {}
    jsons: dict[str, str] = {}
    coll_pages: dict[str, str] = {}
    model_slugs = assign_slugs((d.href, d.id or "model") for d in models)
    coll_slugs = assign_slugs((d.href, d.id or "collection") for d in colls)
    for d in colls:
        if d is root:
            pages[d.href], jsons[d.href] = "index.html", "catalog.json"
        else:
            slug = coll_slugs[d.href]
            pages[d.href] = f"collections/{slug}/index.html"
            jsons[d.href] = f"collections/{slug}/{'collection' if d.kind == 'Collection' else 'catalog'}.json"
    card_pages: dict[str, str] = {}
    for d in models:
        slug = model_slugs[d.href]
        card_pages[d.href] = f"models/{slug}/index.html"
        if d.href not in jsons:
            jsons[d.href] = f"models/{slug}/{'collection' if d.kind == 'Collection' else 'item'}.json"
    # a document's page on the site: its model card when it has one
    coll_pages.update((h, p) for h, p in pages.items())
    for href, page in card_pages.items():
        pages[href] = page
    return pages, jsons, coll_pages


def _inputs_digest(config: SiteConfig) -> str:
    """What every cached result depends on besides the documents: the code and the options."""
    return digest(code_digest(), str(config.schemas), config.offline, config.follow_outside)


def _site_digest(config: SiteConfig, inputs: str) -> str:
    """What every page depends on besides the view-models: templates, static files and options."""
    templates = tree_digest([builtin_templates(), config.templates])
    return digest(inputs, templates, config.base_url, config.title, config.tiles, config.tiles_attribution)


def build(config: SiteConfig, progress: Progress | None = None) -> BuildResult:
    """Build the site described by ``config``; the old site stays until the new one is complete.

    Unless ``config.clean``, the build cache of the output folder decides what
    is recomputed: documents whose bytes (and whatever else they read) did not
    change keep their findings, view-models and files.
    """
    with collector_paused():
        return _build(config, progress)


def _build(config: SiteConfig, progress: Progress | None = None) -> BuildResult:
    started = time.monotonic()
    out = check_output(config.output, config.catalog, force=config.force,
                       keep=(config.templates, config.schemas, config.cache_dir))
    inputs = _inputs_digest(config)
    cache = BuildCache(out, cache_root(config.cache_dir), inputs, clean=config.clean)
    documents = crawl_documents(config, progress)
    site_key = _site_digest(config, inputs)
    whole = digest("site", site_key, [(d.href, d.digest, d.kind, d.parent) for d in documents])
    findings = check_documents(config, documents, cache, progress)
    previous = cache.old_files("*", whole)
    if previous is not None:
        return _unchanged(config, out, cache, whole, previous, documents, findings, started, progress)
    from mlm_site.pages import model_site, write_site
    from mlm_site.render import make_environment

    env = make_environment(config.templates, cache_root(config.cache_dir).parent / "templates")
    assigned = assign_pages(documents)
    report = report_for(documents, findings, assigned[0])
    keys: dict[str, str] = {}
    # the parsed Items, most of the memory of a large build, go once their cards are built
    graph = model_site(documents, findings, cache, config.effective_jobs, keys, release=True, assigned=assigned)
    if progress:
        progress(f"modelled {len(graph.cards)} cards")

    prior = cache.old.get("pages", {}).get("*") if cache.warm else None
    staging = Staging(out, prior[1] if prior else None)  # a warm cache: update the site in place
    try:
        count = write_site(staging, env, graph, documents, report, config, progress,
                           cache=cache, keys=keys, site_key=site_key)
        cache.keep_files("*", whole, sorted(staging.files))
        cache.new["counts"] = (len(graph.cards), count)
        staging.commit()
    except BaseException:
        staging.abort()
        raise
    cache.save()
    seconds = time.monotonic() - started
    return BuildResult(
        output=out,
        report=report,
        documents=len(documents),
        cards=len(graph.cards),
        pages=count,
        seconds=seconds,
        failed=reaches(report.all_findings(), config.fail_on),
        retained=(documents, findings, graph, keys, cache, staging),
    )


def _unchanged(
    config: SiteConfig, out: Path, cache: BuildCache, whole: str, previous: list[str], documents: list[Document],
    findings: dict[str, list[Finding]], started: float, progress: Progress | None,
) -> BuildResult:
    """Nothing the site reads changed: the previous site (every file of it is still there) stays as it is."""
    if progress:
        progress("nothing changed: the previous site stays")
    pages, _, _ = assign_pages(documents)
    report = report_for(documents, findings, pages)
    cards, count = cache.old.get("counts", (0, 0))
    cache.carry_over()
    cache.keep_files("*", whole, previous)
    cache.new["counts"] = (cards, count)
    cache.save()
    return BuildResult(
        output=out,
        report=report,
        documents=len(documents),
        cards=cards,
        pages=count,
        seconds=time.monotonic() - started,
        failed=reaches(report.all_findings(), config.fail_on),
        retained=(documents, findings, cache),
    )


def __getattr__(name: str) -> Any:
    # the page half of the build, under the names it had here
    if name in ("FACET_LABELS", "CardWriter", "model_site", "write_site"):
        from mlm_site import pages

        return getattr(pages, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BuildResult", "assign_pages", "build", "gather", "validate_paths"]
