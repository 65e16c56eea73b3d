"""Every page of the hostile site in Chromium: hover and focus every link and button with
no dialog, no navigation away, no console error (except failed tile loads: no network)
and no Content-Security-Policy violation."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import HostileSite

pytestmark = pytest.mark.browser

HOVER_ALL = """() => {
  const els = document.querySelectorAll("a, button, summary, [tabindex], img, td, code, span, li");
  for (const el of els) {
    for (const type of ["pointerover", "pointerenter", "mouseover", "mouseenter", "mousemove", "mouseleave"]) {
      el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true}));
    }
    if (el.focus) { el.focus(); }
    el.dispatchEvent(new FocusEvent("focusin", {bubbles: true}));
  }
  return els.length;
}"""


def test_every_page_is_inert(browser: Any, serve: Any, hostile_site: HostileSite) -> None:
    server = serve(hostile_site.output)
    pages = sorted(str(p.relative_to(hostile_site.output)) for p in hostile_site.output.rglob("*.html"))
    assert len(pages) >= 30
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                  else route.abort())
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    csp: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_console(msg: Any) -> None:
        if "Content Security Policy" in msg.text:
            csp.append(msg.text)
        elif msg.type == "error" and "Failed to load resource" not in msg.text:
            errors.append(msg.text)

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for path in pages:
        url = f"{server.url}/{path}"
        page.goto(url)
        page.wait_for_load_state("load")
        # every link and button: hover and focus events dispatched in the page (fast) ...
        count = page.evaluate(HOVER_ALL)
        assert count > 0, path
        # ... and a real mouse and keyboard over the first ones
        for el in page.query_selector_all("a, button, summary")[:4]:
            if not el.is_visible():
                continue
            el.scroll_into_view_if_needed(timeout=1000)
            box = el.bounding_box()
            if box is not None and box["width"] > 0 and box["height"] > 0:
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            el.focus()
        page.wait_for_timeout(50)
        assert page.url.split("#", 1)[0] == url, f"navigated away from {path} to {page.url}"
        assert not page.evaluate("typeof window.__xss !== 'undefined'")
    context.close()
    assert dialogs == []
    assert csp == []
    assert errors == []
