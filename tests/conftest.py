"""Shared fixtures: the schema mirror, the official examples, the sample catalog,
a real HTTP server on 127.0.0.1, and a built sample site."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_catalog" / "catalog.json"
CHROMIUM = Path("/usr/bin/chromium")


def _env_dir(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value and Path(value).is_dir() else None


@pytest.fixture(scope="session")
def schemas_dir() -> Path:
    path = _env_dir("MLM_SITE_SCHEMAS")
    if path is None:
        pytest.skip("MLM_SITE_SCHEMAS is not set to the offline schema mirror (../shared/schemas)")
    return path


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    path = _env_dir("MLM_SITE_EXAMPLES")
    if path is None:
        pytest.skip("MLM_SITE_EXAMPLES is not set to the official MLM examples (../shared/mlm-examples)")
    return path


@pytest.fixture(scope="session")
def offline_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty schema cache, so that tests never read the user's cache."""
    return tmp_path_factory.mktemp("schema-cache")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class Server:
    def __init__(self, directory: Path) -> None:
        handler = functools.partial(QuietHandler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[type[Server]]:
    """Start real HTTP servers on 127.0.0.1 for a folder: ``server = serve(path)``."""
    started: list[Server] = []

    def start(directory: Path) -> Server:
        s = Server(directory)
        started.append(s)
        return s

    yield start  # type: ignore[misc]
    for s in started:
        s.close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory, schemas_dir: Path, offline_cache: Path) -> Path:
    """The sample catalog built once, offline, against the mirror."""
    from mlm_site.build import build
    from mlm_site.config import load_config

    out = tmp_path_factory.mktemp("sample") / "site"
    config = load_config(None, catalog=str(SAMPLE), output=out, schemas=schemas_dir, offline=True,
                         cache_dir=offline_cache, base_url="https://models.example.org/zoo/")
    build(config)
    return out


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """The one headless Debian Chromium of the test session.

    Every browser test uses this fixture: two sync Playwright instances cannot
    live in one process, so no test starts its own.
    """
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
