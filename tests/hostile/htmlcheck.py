"""Is anything from the catalog alive in a page? Parse it as a browser would (html5lib).

:func:`live_content` lists every problem found in one HTML text:

- a ``<script>`` that is not the site's own: an external script under the
  site (``static/...``, the shared map scripts included) or JSON-LD; inline
  script code of any other kind is a problem;
- an ``on*`` event-handler attribute, a ``style`` attribute, a ``<style>``,
  ``<iframe>``, ``<object>``, ``<embed>``, ``<form>``, ``<base>``, ``<frame>``,
  ``<svg>`` foreign content with scripts, a ``<meta http-equiv=refresh>``;
- a URL attribute (``href``, ``src``, ``action``, ``formaction``, ``xlink:href``,
  ``poster``, ``srcset``, ``data``) whose scheme is not http, https, mailto or
  relative, after the same normalisation a browser does (control characters
  and whitespace dropped, case folded);
- template syntax that was evaluated: the payloads compute ``7*191``, so
  ``1337`` must never appear in the page.
"""

from __future__ import annotations

import re

import html5lib

NS_HTML = "{http://www.w3.org/1999/xhtml}"
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "srcset", "background", "cite",
             "{http://www.w3.org/1999/xlink}href", "xlink:href"}
FORBIDDEN_TAGS = {"style", "iframe", "object", "embed", "base", "frame", "frameset", "applet", "link", "meta",
                  "math", "portal", "template", "noscript"}
#: SVG elements that can run script, load content or navigate (the site's icons use none of them)
FORBIDDEN_SVG = {"script", "foreignobject", "animate", "set", "animatetransform", "animatemotion", "use", "a",
                 "image", "handler", "iframe"}
ALLOWED_SAFE_SCHEMES = ("http:", "https:", "mailto:")
_CTRL = re.compile(r"[\x00-\x20\x7f]+")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see (``javascript:`` for ``" Java\\tScript:..."``), or None."""
    cleaned = _CTRL.sub("", value).lower()
    m = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return m.group(1) + ":" if m else None


def live_content(html: str) -> list[str]:
    """Problems in ``html``; an empty list means nothing from the catalog can run."""
    problems: list[str] = []
    doc = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)
    in_head = True
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = _local(el.tag)
        if tag == "body":
            in_head = False
        attrs = {(_local(k) if not k.startswith("{http://www.w3.org/1999/xlink}") else "xlink:href"): v
                 for k, v in el.attrib.items()}
        if tag == "script":
            src = attrs.get("src")
            kind = attrs.get("type", "")
            if kind == "application/ld+json":
                if "</" in (el.text or ""):
                    problems.append("JSON-LD holds '</'")
            elif not src or (el.text or "").strip():
                problems.append(f"inline script: {(el.text or '')[:80]!r}")
            elif url_scheme(src) is not None or src.startswith("//") or "static/" not in src:
                problems.append(f"foreign script src {src!r}")
        if tag in FORBIDDEN_TAGS:
            own = (tag == "link" and in_head and attrs.get("rel") in ("stylesheet", "icon", "canonical", "alternate")) \
                or (tag == "meta" and in_head and (attrs.get("http-equiv", "").lower() != "refresh"))
            if not own:
                problems.append(f"<{tag}> element {attrs}")
        if tag == "form" and (url_scheme(attrs.get("action", "")) is not None or "target" in attrs):
            problems.append(f"form posting elsewhere {attrs}")
        if el.tag.startswith("{http://www.w3.org/2000/svg}") and tag in FORBIDDEN_SVG:
            problems.append(f"svg <{tag}> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "style":
                problems.append(f"style attribute {value!r} on <{tag}>")
            if name in URL_ATTRS:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in ALLOWED_SAFE_SCHEMES:
                    problems.append(f"{name}={value!r} on <{tag}>")
        for text in (el.text, el.tail):
            if text and "1337" in text:
                problems.append(f"evaluated template (1337) in {text[:80]!r}")
    for name, value in re.findall(r'(\w[\w:-]*)="([^"]*1337[^"]*)"', html):
        problems.append(f"evaluated template (1337) in attribute {name}")
    return problems


def text_of(html: str) -> str:
    """All text of a page (what a reader sees), for checking payloads are shown literally."""
    doc = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    body = doc.find("body")
    return "".join(body.itertext()) if body is not None else ""
