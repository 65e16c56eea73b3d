"""The built sample site in Debian Chromium, served from 127.0.0.1 under the sub-path /a/b/:
search, filters, compare, every internal link, console errors, CSP and axe-core."""

from __future__ import annotations

import os
import re
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

pytestmark = pytest.mark.browser

SUB = "a/b/"
TILE_HOSTS = ("tile.openstreetmap.org",)


def real_problems(problems: list[str]) -> list[str]:
    """Console errors except failed map tile loads (the tests have no network)."""
    return [m for m in problems if not any(h in m for h in TILE_HOSTS)
            and "net::ERR_" not in m and "Failed to load resource" not in m]


def visible_titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("li.tile:not([hidden]) h3").all_inner_texts()]


def test_search_finds_a_model_by_a_word_of_its_description(page: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(site_url + "index.html")
    page.fill("#q", "Labrador")  # only in the description of the ERA5 downscaler
    expect(page.locator("#search-note")).to_contain_text("match", timeout=15000)
    assert visible_titles(page) == ["ERA5 to 7 km downscaler for Quebec (residual U-Net)"]
    page.fill("#q", "")
    expect(page.locator("#result-count")).to_have_text("Showing all 10 models.")
    assert real_problems(page.problems) == []


def test_filters_narrow_the_list(page: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(site_url + "index.html")
    total = len(visible_titles(page))
    assert total == 10
    page.check("input[name=framework][value=PyTorch]")
    pytorch = visible_titles(page)
    assert 1 < len(pytorch) < total
    page.check("input[name=status][value=valid]")
    assert set(visible_titles(page)) <= set(pytorch)
    page.check("input[name=collection][value='Object detection models']")
    assert visible_titles(page) == ["South-West Pacific vessel detector for Sentinel-1 (YOLOv8-s)"]
    assert "framework=PyTorch" in page.url  # the state is shareable
    page.click("button[type=reset]")
    expect(page.locator("#result-count")).to_have_text("Showing all 10 models.")
    page.select_option("#sort", "newest")
    first = visible_titles(page)[0]
    assert first.startswith("Alpine Land-Cover Segmentation 2.0.0")  # created 2025-03-27, the newest
    assert real_problems(page.problems) == []


def test_compare_shows_two_models(page: Any, site_url: str) -> None:
    page.goto(site_url + "index.html")
    page.check("#model-s2-landuse-resnet18 input[name=m]")
    page.check("#model-s1-vessel-yolov8s input[name=m]")
    page.click("#compare-go")
    page.wait_for_url(re.compile(r"compare\.html\?"))
    heads = page.locator("thead th[data-model]:not([hidden])").all_inner_texts()
    assert sorted(heads) == ["Sentinel-2 Land-Use Scene Classifier (ResNet-18)",
                             "South-West Pacific vessel detector for Sentinel-1 (YOLOv8-s)"]
    tasks = page.locator("tbody tr", has_text="Tasks").locator("td:not([hidden])").all_inner_texts()
    assert len(tasks) == 2 and "object-detection" in " ".join(tasks)
    assert real_problems(page.problems) == []


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.refs.append(value)


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except HTTPError as exc:
        return exc.code, "", b""


def test_every_internal_link_of_every_page_resolves(site_url: str) -> None:
    seen: set[str] = set()
    # 404.html is left out: its links start at the --base-url path (/zoo/), not at /a/b/
    todo = [site_url + "index.html", site_url + "rules.html"]
    broken: list[str] = []
    pages = 0
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        status, ctype, body = _fetch(url)
        if status != 200:
            broken.append(url)
            continue
        if not (ctype.startswith("text/html") or url.endswith("/")):
            continue
        pages += 1
        parser = _Refs()
        parser.feed(body.decode("utf-8"))
        for ref in parser.refs:
            target, _ = urldefrag(urljoin(url, ref))
            if urlsplit(target).netloc != urlsplit(site_url).netloc:
                continue
            assert target.startswith(site_url), f"{url}: {ref} leaves the sub-path"
            if target not in seen:
                todo.append(target)
    assert broken == []
    assert pages >= 17  # every page but 404.html


PAGES = {
    "index": "index.html",
    "card": "models/s2-landuse-resnet18/index.html",
    "collection": "collections/land-cover-models/index.html",
    "report": "report.html",
}
ALL_PAGES = {**PAGES, "compare": "compare.html", "rules": "rules.html",
             "sub-catalog-card": "models/era5-quebec-downscaler/index.html"}


@pytest.mark.parametrize("name", sorted(ALL_PAGES))
def test_no_console_errors_and_no_csp_violation(page: Any, site_url: str, name: str) -> None:
    page.goto(site_url + ALL_PAGES[name])
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    assert real_problems(page.problems) == []


def _axe_path() -> Path:
    value = os.environ.get("MLM_SITE_AXE")
    if value and Path(value).is_file():
        return Path(value)
    pytest.skip("MLM_SITE_AXE is not set to axe.min.js (cd /tmp && npm install axe-core; "
                "export MLM_SITE_AXE=/tmp/node_modules/axe-core/axe.min.js)")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_axe_finds_no_serious_violation(browser: Any, site_url: str, name: str, scheme: str) -> None:
    axe = _axe_path()
    # axe is injected from outside the page: its own CSP would (rightly) refuse it
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(site_url + PAGES[name])
        page.add_script_tag(path=str(axe))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == []


def test_theme_switch_and_keyboard(page: Any, site_url: str) -> None:
    page.goto(site_url + "index.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert "skip" in focused
    toggle = page.locator("#theme-toggle")
    toggle.click()
    theme = page.evaluate("() => document.documentElement.getAttribute('data-theme')")
    assert theme in ("light", "dark")
    page.reload()
    assert page.evaluate("() => document.documentElement.getAttribute('data-theme')") == theme
