"""Search on the index page in Debian Chromium: the JavaScript tokenizer against the Python one,
and queries typed into the search field of the sample site served under a sub-path."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from mlm_site.search import fold, query_terms, tokens
from tests.conftest import Server

pytestmark = pytest.mark.browser

SUB = "x/y/"

ALPINE = ["Alpine Land-Cover Segmentation 1.0.0", "Alpine Land-Cover Segmentation 1.1.0",
          "Alpine Land-Cover Segmentation 2.0.0-beta"]
ERA5 = "ERA5 to 7 km downscaler for Quebec (residual U-Net)"
LAKE = "Lake-district water segmentation U-Net (DELIBERATELY DEFECTIVE)"
VESSEL = "South-West Pacific vessel detector for Sentinel-1 (YOLOv8-s)"

TRICKY = [
    "", "   ", "U-Net", "ResNet-18 backbone", "Sentinel-2-L2A", "hello_world foo.bar", "don't it’s",
    "e.g. U.S.A. v1.2.0-beta", "1 2 3 a b 7km 10.5281/zenodo.123",
    "ÉCOLE Straße ΟΔΟΣ ὈΔΥΣΣΕΎΣ", "ﬁ ﬂ ﬀ Ｆｕｌｌ ｗｉｄｔｈ", "İstanbul DİYARBAKIR", "Ꭰꭰ ꮳꮃꭹ ᏸ Cherokee",
    "ᲀᲁᲂᲃᲄᲅᲆᲇᲈ", "ᾼ ᾳ ᾀ ͅ", "Ångström µm ℃ ½ ² ㎞", "naïve café coöperate x\u0301y", "Ǆ ǅ ǆ ŉ ǰ",
    "東京タワー 한국어 日本語の文", "مرحبا بالعالم", "שָׁלוֹם עולם", "हिंदी भाषा", "ภาษาไทย",
    "../../etc/passwd", "a\x00b\x00cd", "<script>alert(1)</script>", "emoji 🛰️🌍 👩‍👩‍👧 ok",
    "\u202eevil\u202c \u2066iso\u2069", "x" * 200, "-".join(["ab"] * 50), "𝔘𝔫𝔦𝔱 𝐁𝐨𝐥𝐝", "𠀀𠀁 ext-B",
    "ＡＢＣ－１２３", "tab\there\nnewline\u00a0nbsp\u2028ls", "C++ C# .NET F#", "ß-ẞ ﬅ",
]


def visible_titles(page: Any) -> list[str]:
    return sorted(t.strip() for t in page.locator("li.tile:not([hidden]) h3").all_inner_texts())


def search_for(page: Any, text: str, count: int) -> None:
    from playwright.sync_api import expect

    page.fill("#q", text)
    expect(page.locator("#search-note")).to_have_text(
        f"{count} page{'' if count == 1 else 's'} match “{text}”.", timeout=15000)


def test_javascript_tokenizer_is_the_python_one(page: Any, site_url: str) -> None:
    page.goto(site_url + "index.html")
    got = page.evaluate("xs => xs.map(x => [window.mlmSiteSearch.fold(x), window.mlmSiteSearch.tokens(x),"
                        " window.mlmSiteSearch.terms(x)])", TRICKY)
    for text, (js_fold, js_tokens, js_terms) in zip(TRICKY, got):
        assert js_fold == fold(text), text
        assert sorted(js_tokens) == sorted(tokens(text)), text
        assert js_terms == query_terms(text), text
    assert page.problems == []


def test_a_query_shows_exactly_the_matching_tiles(page: Any, site_url: str) -> None:
    page.goto(site_url + "index.html")
    search_for(page, "U-Net", 5)
    assert visible_titles(page) == sorted([*ALPINE, ERA5, LAKE])
    assert page.locator("#result-count").inner_text() == "Showing 5 of 10 models."
    assert "q=U-Net" in page.url
    # only the index and the one shard of the term were fetched
    fetched = sorted(u.split(SUB, 1)[1] for u in page.requests if "/search/" in u)
    assert fetched == ["search/75-6e.json", "search/index.json"]
    assert page.problems == []


def test_two_terms_are_anded(page: Any, site_url: str) -> None:
    page.goto(site_url + "index.html")
    search_for(page, "unet", 5)
    assert ERA5 in visible_titles(page)
    search_for(page, "unet sentinel", 4)
    assert visible_titles(page) == sorted([*ALPINE, LAKE])  # the ERA5 model names no Sentinel
    search_for(page, "unet vessel", 0)
    assert visible_titles(page) == []
    assert page.locator("#no-match").is_visible()
    page.click("#clear-all")
    from playwright.sync_api import expect

    expect(page.locator("#result-count")).to_have_text("Showing all 10 models.")
    assert page.problems == []


def test_a_prefix_matches_as_you_type(page: Any, site_url: str) -> None:
    page.goto(site_url + "index.html")
    search_for(page, "yolo", 1)  # "yolov8s", "yolov8"
    assert visible_titles(page) == [VESSEL]
    search_for(page, "Labr", 1)  # "Labrador", in the description only
    assert visible_titles(page) == [ERA5]
    page.fill("#q", "")
    page.locator("#q").press_sequentially("vess", delay=20)
    from playwright.sync_api import expect

    expect(page.locator("#search-note")).to_have_text("1 page match “vess”.", timeout=15000)
    assert visible_titles(page) == [VESSEL]
    assert page.problems == []


def test_query_in_the_location_hash_and_filters_together(page: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(site_url + "index.html#q=segmentation")
    expect(page.locator("#search-note")).to_contain_text("match “segmentation”", timeout=15000)
    with_search = visible_titles(page)
    assert set(ALPINE) <= set(with_search) and VESSEL not in with_search
    page.check("input[name=status][value=invalid]")
    assert set(visible_titles(page)) <= set(with_search)
    page.fill("#q", "a")  # no usable term: no search, and a hint
    expect(page.locator("#search-note")).to_contain_text("two or more letters", timeout=15000)
    assert page.problems == []


def test_search_unavailable_without_the_index(page: Any, sample_site: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    shutil.rmtree(site / "search")
    server = Server(site)
    try:
        page.goto(f"{server.url}/index.html")
        page.fill("#q", "vessel")
        expect(page.locator("#search-note")).to_contain_text("Search is unavailable", timeout=15000)
        assert len(visible_titles(page)) == 10
    finally:
        server.close()
