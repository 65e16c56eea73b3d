"""A model card in Debian Chromium: the map draws, copy buttons work, no console errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

#: Tile requests fail without network: those console messages are expected.
OFFLINE_NOISE = ("tile.openstreetmap.org", "ERR_NAME_NOT_RESOLVED", "ERR_INTERNET_DISCONNECTED")


def open_card(browser: Any, server: Any, slug: str, **opts: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": opts.pop("width", 1280), "height": 900}, **opts)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.goto(f"{server.url}/models/{slug}/index.html")
    page.wait_for_load_state("load")
    return context, page, messages


def real_errors(messages: list[str]) -> list[str]:
    return [m for m in messages if not any(n in m for n in OFFLINE_NOISE)]


def test_card_map_copy_and_console(browser: Any, serve: Any, sample_site: Path) -> None:
    server = serve(sample_site)
    context, page, messages = open_card(browser, server, "alpine-landcover-v1.1.0",
                                        permissions=["clipboard-read", "clipboard-write"])
    try:
        page.wait_for_selector(".leaflet-interactive", timeout=10_000)
        assert page.locator(".leaflet-interactive").count() >= 1
        # a copy button on every copyable block; the checksum command copies exactly
        assert page.locator("section[aria-labelledby=use] .copy-btn").count() >= 6
        verify = page.locator("section[aria-labelledby=use] pre.copyable", has_text="sha256sum --check").first
        verify.locator("xpath=..").locator(".copy-btn").click()
        page.locator(".copy-btn", has_text="Copied").first.wait_for(timeout=5_000)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == verify.text_content()
        assert copied.startswith('echo "') and copied.endswith("sha256sum --check")
        # the table of contents is a sticky sidebar on wide screens
        assert page.locator("nav.card-toc").is_visible()
        assert page.evaluate("getComputedStyle(document.querySelector('nav.card-toc')).position") == "sticky"
        assert real_errors(messages) == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_card_fits_a_phone(browser: Any, serve: Any, sample_site: Path, scheme: str) -> None:
    server = serve(sample_site)
    context, page, messages = open_card(browser, server, "era5-quebec-downscaler", width=390, color_scheme=scheme)
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"page scrolls sideways: {width}px"
        assert not page.locator("nav.card-toc").is_visible()
        assert real_errors(messages) == []
    finally:
        context.close()


@pytest.fixture(scope="module")
def tileless_site(tmp_path_factory: pytest.TempPathFactory, schemas_dir: Path, offline_cache: Path) -> Path:
    """The sample catalog built with maps without tiles (``tiles = ""``): a page fetches nothing outside."""
    from mlm_site.build import build
    from mlm_site.config import load_config
    from tests.conftest import SAMPLE

    out = tmp_path_factory.mktemp("tileless") / "site"
    build(load_config(None, catalog=str(SAMPLE), output=out, schemas=schemas_dir, offline=True,
                      cache_dir=offline_cache, tiles=""))
    return out


@pytest.mark.parametrize(("page_path", "layout"), [
    ("models/alpine-landcover-v1.0.0/index.html", "geojson"),
    ("collections/land-cover-models/index.html", "rectangle"),
])
def test_shared_map_script_draws_the_page_map(browser: Any, serve: Any, tileless_site: Path,
                                              page_path: str, layout: str) -> None:
    server = serve(tileless_site)
    html = (tileless_site / page_path).read_text(encoding="utf-8")
    assert f'data-layout="{layout}"' in html and f"static/maps/{layout}.js" in html and "map.js" not in html
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    messages: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.on("request", lambda r: None if r.url.startswith(server.url) else foreign.append(r.url))
    try:
        page.goto(f"{server.url}/{page_path}")
        page.wait_for_load_state("load")
        shape = page.locator(f".mlm-extent-map[data-layout={layout}] path.leaflet-interactive")
        shape.first.wait_for(state="attached", timeout=10_000)
        assert shape.count() == 1
        box = shape.first.bounding_box()
        assert box is not None and box["width"] > 20 and box["height"] > 10  # fitted to the extent
        assert page.locator(".mlm-extent-map .leaflet-tile").count() == 0
        assert messages == [] and foreign == []
    finally:
        context.close()


def test_citation_download_button_saves_the_bibtex_block(browser: Any, serve: Any, sample_site: Path) -> None:
    server = serve(sample_site)
    context, page, messages = open_card(browser, server, "alpine-landcover-v1.1.0", accept_downloads=True)
    try:
        button = page.locator("button[data-download=bibtex]")
        assert button.is_visible()  # unhidden by site.js
        expected = page.locator("pre#bibtex").text_content()
        assert expected and expected.startswith("@")
        with page.expect_download() as info:
            button.click()
        download = info.value
        assert download.suggested_filename == "citation.bib"
        saved = Path(download.path()).read_text(encoding="utf-8")
        assert saved == expected
        with page.expect_download() as info:
            page.locator("button[data-download=ris]").click()
        assert info.value.suggested_filename == "citation.ris"
        assert Path(info.value.path()).read_text(encoding="utf-8") == page.locator("pre#ris").text_content()
        assert real_errors(messages) == []
    finally:
        context.close()


def test_citation_downloads_are_hidden_without_javascript(browser: Any, serve: Any, sample_site: Path) -> None:
    server = serve(sample_site)
    context, page, _ = open_card(browser, server, "alpine-landcover-v1.1.0", java_script_enabled=False)
    try:
        assert page.locator("p.downloads").is_hidden()
        assert page.locator("pre#bibtex").is_visible()  # the text stays readable and copyable
    finally:
        context.close()
