"""Fixtures of the browser tests: the sample site served under a module's ``SUB`` path, and a page
that records console errors, page errors and the URLs it requested."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server


@pytest.fixture(scope="module")
def site_url(request: pytest.FixtureRequest, sample_site: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site served from 127.0.0.1 under the test module's ``SUB`` (e.g. ``"a/b/"``)."""
    sub: str = request.module.SUB
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(sample_site, root / sub)
    server = Server(root)
    try:
        yield f"{server.url}/{sub}"
    finally:
        server.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    p = context.new_page()
    p.problems = []  # console errors, page errors and CSP violations
    p.requests = []  # every URL the page asked for
    p.on("console", lambda m: p.problems.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: p.problems.append(f"pageerror: {e}"))
    p.on("request", lambda r: p.requests.append(r.url))
    yield p
    context.close()
