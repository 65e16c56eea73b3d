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
