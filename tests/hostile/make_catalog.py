"""Write the hostile fixture catalog under ``tests/hostile/catalog/``.

    python tests/hostile/make_catalog.py

The catalog is committed; this script documents how it was made and
regenerates it. Parts that cannot or should not be committed (symbolic links
out of the catalog, a document over the size cap, a file name carrying a
payload, a FIFO, a very deep tree) are added at test time by
``tests/hostile/conftest.py``.

Every payload tries to run something: ``alert(...)`` through a script element,
an event handler, a ``javascript:``/``vbscript:``/``data:`` URL, CSS, or a
template engine (``{{ 7*191 }}``, ``{% ... %}``, ``${7*191}``: 1337 must never
appear in the output).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "catalog"
MLM = "https://stac-extensions.github.io/mlm/v1.5.2/schema.json"
CLASSIFICATION = "https://stac-extensions.github.io/classification/v2.0.0/schema.json"
FILE = "https://stac-extensions.github.io/file/v2.1.0/schema.json"

#: one of each kind of payload (kept in sync with tests/hostile/payloads.py)
SCRIPT = "<script>alert('xss-script')</script>"
IMG = '"><img src=x onerror="alert(\'xss-img\')">'
SVG = "'><svg/onload=alert('xss-svg')>"
CLOSE = "</script><script>alert('xss-close')</script>"
STYLE = "<style>body{display:none}</style><div style=\"background:url(javascript:alert('xss-style'))\">x</div>"
IFRAME = "<iframe src=\"javascript:alert('xss-iframe')\"></iframe><object data=\"x.swf\"></object><form action=\"javascript:alert(1)\"><button formaction=\"javascript:alert(1)\">go</button></form>"
JINJA = "{{ 7*191 }}"
JINJA_BLOCK = "{% for x in range(3) %}{{ 7*191 }}{% endfor %}"
JS_TEMPLATE = "${7*191}"
BASE = "<base href=\"https://evil.example/\"><meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">"
BIDI = "\u202egnp.exe\u202c"
ALL = " ".join([SCRIPT, IMG, SVG, CLOSE, STYLE, IFRAME, JINJA, JINJA_BLOCK, JS_TEMPLATE, BASE])
MARKDOWN = (
    f"# Heading {SCRIPT}\n\n"
    "[click](javascript:alert('xss-md-link')) [vb](vbscript:msgbox(1)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n\n"
    "[ref link][r] <javascript:alert('xss-autolink')> [tab](java\tscript:alert(1)) [ent](&#106;avascript:alert(1))\n\n"
    "![img](javascript:alert('xss-md-img')) ![data](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)\n\n"
    f"<a href=\"javascript:alert('xss-raw-a')\" onclick=\"alert(1)\" onmouseover=\"alert(1)\">raw</a> {IMG} {SVG}\n\n"
    f"{STYLE}\n\n{IFRAME}\n\n{BASE}\n\n"
    f"Template text shown literally: `{JINJA}` {JINJA} {JINJA_BLOCK} {JS_TEMPLATE}\n\n"
    "<details open ontoggle=\"alert('xss-toggle')\"><summary>s</summary></details>\n\n"
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-mxss')></style></mglyph></table></mtext></math>\n\n"
    f"{CLOSE}\n\n"
    "[r]: javascript:alert('xss-ref')\n"
)
BAD_URLS = [
    "javascript:alert('xss-href')",
    " JaVaScRiPt:alert('xss-case')",
    "java\tscript:alert('xss-tab')",
    "\x01javascript:alert('xss-ctl')",
    "vbscript:msgbox('xss')",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "javascript&colon;alert('xss-entity')",
    "//evil.example/%2e%2e",
]


def link(rel: str, href: Any, title: Any = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"rel": rel, "href": href}
    if title is not None:
        out["title"] = title
    out.update(extra)
    return out


def catalog(ident: Any, title: Any, links: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "Catalog", "stac_version": "1.1.0", "id": ident, "title": title,
            "description": MARKDOWN, "links": links, **extra}


def collection(ident: Any, title: Any, links: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "Collection", "stac_version": "1.1.0", "id": ident, "title": title,
        "description": MARKDOWN, "license": f"proprietary {SCRIPT}",
        "keywords": [SCRIPT, IMG, JINJA, JS_TEMPLATE],
        "providers": [{"name": f"Provider {IMG}", "url": u, "roles": [SCRIPT], "description": MARKDOWN} for u in BAD_URLS[:3]],
        "extent": {"spatial": {"bbox": [[-10, 40, 10, 50]]},
                   "temporal": {"interval": [[f"2020-01-01T00:00:00Z{SCRIPT}", None]]}},
        "links": links, **extra,
    }


def mlm_item(ident: Any, **props: Any) -> dict[str, Any]:
    base = {
        "type": "Feature", "stac_version": "1.1.0",
        "stac_extensions": [MLM, FILE, CLASSIFICATION],
        "id": ident,
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]},
        "bbox": [0, 0, 1, 1],
        "properties": {
            "datetime": "2021-01-01T00:00:00Z",
            "mlm:name": f"model {ident!s}"[:60],
            "mlm:architecture": "ResNet",
            "mlm:tasks": ["classification"],
            "mlm:input": [{"name": "in", "bands": [], "input": {"shape": [-1, 3, 64, 64], "dim_order": ["batch", "bands", "height", "width"], "data_type": "float32"}}],
            "mlm:output": [{"name": "out", "tasks": ["classification"], "result": {"shape": [-1, 2], "dim_order": ["batch", "class"], "data_type": "float32"}}],
            **props,
        },
        "links": [],
        "assets": {"model": {"href": "https://models.example/model.pt", "type": "application/octet-stream; application=pytorch",
                             "roles": ["mlm:model"], "mlm:artifact_type": "torch.save"}},
    }
    return base


def xss_item() -> dict[str, Any]:
    """Payloads in every field a card shows."""
    doc = mlm_item(f"xss {SCRIPT}")
    props = doc["properties"]
    props.update({
        "title": f"Title {ALL}",
        "description": MARKDOWN,
        "keywords": [SCRIPT, IMG, SVG, JINJA, JINJA_BLOCK, JS_TEMPLATE, BIDI],
        "license": f"MIT {IMG}",
        "version": f"1.0{SCRIPT}",
        "providers": [{"name": f"P {n} {IMG}", "url": u, "roles": [SCRIPT, JINJA], "description": MARKDOWN}
                      for n, u in enumerate(BAD_URLS)],
        "mlm:name": f"name {SCRIPT} {JINJA}",
        "mlm:architecture": f"arch {IMG} {JS_TEMPLATE}",
        "mlm:framework": f"fw {SVG}",
        "mlm:framework_version": f"{CLOSE}",
        "mlm:accelerator": f"acc {SCRIPT}",
        "mlm:accelerator_summary": ALL,
        "mlm:pretrained": True,
        "mlm:pretrained_source": f"src {IMG}",
        "mlm:tasks": ["classification", SCRIPT, JINJA],
        "mlm:hyperparameters": {SCRIPT: IMG, JINJA: JS_TEMPLATE, "nested": {"k": [SVG, {"x": CLOSE}]},
                                f"on{'click'}": "alert(1)", "style": "background:url(javascript:alert(1))"},
        "bands": [{"name": f"band {SCRIPT}", "description": IMG, "common_name": JINJA, "nodata": SVG,
                   "data_type": CLOSE}],
        "processing:lineage": ALL,
        "processing:software": {SCRIPT: JINJA},
        "sci:doi": f"10.1234/{SCRIPT}",
        "sci:citation": ALL,
        "sci:publications": [{"doi": f"10.9999/{IMG}", "citation": ALL}],
    })
    props["mlm:input"] = [{
        "name": f"input {SCRIPT}", "description": ALL,
        "bands": [f"band {SCRIPT}", f"undefined {IMG}", {"name": JINJA, "format": SCRIPT, "expression": IMG}],
        "variables": [JS_TEMPLATE],
        "input": {"shape": [-1, 3, 64, 64], "dim_order": ["batch", SCRIPT, JINJA, IMG], "data_type": SVG},
        "value_scaling": [{"type": SCRIPT, "minimum": IMG, "maximum": JINJA}],
        "resize_type": CLOSE,
        "pre_processing_function": {"format": SCRIPT, "expression": CLOSE, "description": ALL},
    }]
    props["mlm:output"] = [{
        "name": f"output {IMG}", "description": ALL, "tasks": ["classification", SCRIPT],
        "result": {"shape": [-1, 4], "dim_order": ["batch", SVG], "data_type": JINJA},
        "classification:classes": [
            {"value": 0, "name": f"c0 {SCRIPT}", "title": IMG, "description": JINJA,
             "color_hint": "ff0000;background:url(javascript:alert('xss-colour'))"},
            {"value": 1, "name": "c1", "color_hint": "red\" onmouseover=\"alert('xss-colour')"},
            {"value": 2, "name": "c2", "color_hint": "expression(alert(1))"},
            {"value": 3, "name": "c3", "color_hint": "00ff00"},
            {"value": SCRIPT, "name": JS_TEMPLATE, "color_hint": "#0000FF"},
        ],
        "post_processing_function": [{"format": JINJA, "expression": {"code": SCRIPT}}],
    }]
    doc["assets"] = {
        f"asset {SCRIPT}": {"href": u, "title": f"asset {n} {IMG}", "roles": ["mlm:model", SCRIPT],
                            "type": CLOSE, "description": ALL, "mlm:artifact_type": JINJA,
                            "mlm:entrypoint": SVG, "file:checksum": SCRIPT}
        for n, u in enumerate(BAD_URLS[:1])
    }
    for n, u in enumerate(BAD_URLS):
        doc["assets"][f"a{n}"] = {"href": u, "title": f"asset {n} {IMG}", "roles": ["mlm:model"]}
    doc["assets"]["rel-outside"] = {"href": "../../../../../../etc/passwd", "roles": ["data"]}
    doc["links"] = [link(r, u, f"link {r} {IMG} {JINJA}") for r in ("example", "derived_from", "license", "about")
                    for u in BAD_URLS]
    doc["links"] += [link("derived_from", "https://data.example/x", ALL, **{"ml-aoi:split": SCRIPT}),
                     link("example", "https://ok.example/nb", f"good link {SCRIPT}", type=IMG)]
    doc["geometry"] = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], ["</script><script>alert(1)//", 0], [0, 0]]]}
    doc["bbox"] = [0, 0, 1, SCRIPT]
    return doc


def nulls_item() -> dict[str, Any]:
    """``null`` in every field."""
    doc = mlm_item("nulls")
    doc["geometry"] = None
    doc["bbox"] = None
    for key in list(doc["properties"]):
        doc["properties"][key] = None
    doc["properties"].update({k: None for k in ("title", "description", "keywords", "providers", "license",
                                                 "mlm:hyperparameters", "bands", "version")})
    doc["properties"]["mlm:name"] = "nulls"
    doc["assets"] = {"model": None, "x": {"href": None, "roles": None, "title": None}}
    doc["links"] = [None, {"rel": None, "href": None}, {"rel": "example", "href": "https://ok.example", "title": None}]
    doc["properties"]["mlm:input"] = [None, {"name": None, "bands": None, "input": None, "value_scaling": None}]
    doc["properties"]["mlm:output"] = [None, {"name": None, "classification:classes": [None, {"value": None, "color_hint": None}]}]
    return doc


def wrong_types_item() -> dict[str, Any]:
    """Strings for arrays, objects for lists, numbers for strings, arrays for objects."""
    doc = mlm_item("wrong-types")
    doc["stac_extensions"] = {"a": MLM}
    doc["stac_extensions"] = [MLM, 42, None, {"x": 1}]
    doc["geometry"] = "POLYGON((0 0, 1 1))"
    doc["bbox"] = {"west": 0}
    doc["links"] = {"rel": "self", "href": "x"}
    doc["assets"] = ["model.pt"]
    doc["properties"].update({
        "title": 42, "description": ["not", "a", "string"], "keywords": "one,two", "license": {"id": "MIT"},
        "providers": {"name": "p"}, "datetime": 20210101, "start_datetime": [], "version": 1.5,
        "mlm:name": 7, "mlm:architecture": ["ResNet"], "mlm:tasks": "classification",
        "mlm:framework": {"name": "torch"}, "mlm:total_parameters": "many", "mlm:memory_size": [1],
        "mlm:pretrained": "yes", "mlm:batch_size_suggestion": 2.5, "mlm:accelerator_count": "2",
        "mlm:accelerator_constrained": "no", "mlm:hyperparameters": [1, 2, 3],
        "mlm:input": {"name": "in"}, "mlm:output": "out", "bands": "B01",
        "processing:software": "x", "sci:publications": "x", "sci:doi": 10,
        "deprecated": "true", "experimental": 1,
    })
    return doc


def wrong_types_deep_item() -> dict[str, Any]:
    doc = mlm_item("wrong-types-deep")
    props = doc["properties"]
    props["mlm:input"] = [1, "x", [], {"name": 1, "bands": "B01", "input": [1, 2], "value_scaling": {"type": "scale"},
                                        "pre_processing_function": "x", "variables": 3, "resize_type": 5}]
    props["mlm:output"] = [{"name": [], "tasks": "classification", "result": "x",
                            "classification:classes": {"value": 1}, "post_processing_function": 1},
                           {"classification:classes": ["x", 1, {"value": {"nested": True}, "name": 1, "color_hint": 16711680}]}]
    props["mlm:hyperparameters"] = {"lr": float("1e308"), "big": 10 ** 40, "neg": -0.0, "t": True, "n": None}
    doc["assets"] = {"model": {"href": 5, "roles": "mlm:model", "file:size": "large", "title": ["t"]}, "b": "string"}
    doc["links"] = [1, "x", {"rel": 5, "href": ["a"]}, {"rel": "example", "href": {"u": 1}}, {"rel": "child", "href": "x", "title": {}}]
    return doc


def missing_item() -> dict[str, Any]:
    """An MLM item without the fields the schemas require."""
    return {"type": "Feature", "stac_version": "1.1.0", "stac_extensions": [MLM], "id": "missing-required",
            "properties": {"mlm:name": "missing"}}


def id_item(ident: Any, name: str) -> dict[str, Any]:
    doc = mlm_item(ident)
    doc["properties"]["title"] = f"id test {name}"
    doc["properties"]["mlm:name"] = f"id-{name}"
    return doc


def write(rel: str, data: Any) -> None:
    path = HERE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(json.dumps(data, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")


#: ids an attacker (or an unlucky catalog) uses to steer output paths
ID_ITEMS = {
    "ids/traversal.json": "../../../../tmp/evil",
    "ids/absolute.json": "/etc/cron.d/evil",
    "ids/separators.json": "a/b\\c:d*e?f\"g<h>i|j",
    "ids/nul.json": "nul\u0000byte",
    "ids/control.json": "ctl\t\n\r\x1b[31m\x7f",
    "ids/bidi.json": "\u202eevil\u202c\u2066x\u2069",
    "ids/con.json": "CON",
    "ids/con-ext.json": "con.json",
    "ids/lpt1.json": "LPT1",
    "ids/dots.json": "..",
    "ids/dot.json": ".",
    "ids/empty.json": "",
    "ids/spaces.json": "   ",
    "ids/long.json": "x" * 5000,
    "ids/upper.json": "Model",
    "ids/lower.json": "model",
    "ids/mixed.json": "MODEL",
    "ids/unicode.json": "Mödel",
    "ids/payload.json": SCRIPT,
    "ids/number.json": 12345,
    "ids/dup-a.json": "dup",
}


def main() -> None:
    if HERE.exists():
        shutil.rmtree(HERE)
    root_links = [
        link("root", "./catalog.json", f"root {SCRIPT}"),
        link("self", "javascript:alert('xss-self')"),
        link("child", "./alpha/collection.json", f"alpha {IMG}"),
        link("child", "./beta/collection.json", f"beta {JINJA}"),
        link("child", "./ids/catalog.json"),
        link("child", "./broken/catalog.json"),
        link("child", "./catalog.json", "loop to itself"),
        link("child", "./alpha/../catalog.json", "loop via .."),
        link("child", "./missing/nowhere.json", "link to a missing file"),
        link("child", "javascript:alert('xss-child')"),
        link("item", "data:application/json,{}"),
        link("item", "../outside.json", "outside the catalog folder"),
        link("item", "/etc/passwd", "absolute path outside"),
        link("item", "file:///etc/hostname", "file URL outside"),
        link("item", "./items/nul\u0000byte.json", "NUL in href"),
        link("item", "./items/xss.json", ALL),
        link("license", "vbscript:msgbox(1)", ALL),
        link("about", "https://ok.example/about", ALL),
        link("child", 42), link("child", None), "not a link", None,
    ]
    write("catalog.json", catalog(f"hostile {SCRIPT}", f"Hostile catalog {ALL}", root_links))
    write("items/xss.json", xss_item())

    # two collections: same item id in both, a loop between them, payloads
    write("alpha/collection.json", collection("alpha", f"Alpha {SCRIPT}", [
        link("root", "../catalog.json"), link("parent", "../catalog.json"),
        link("child", "../beta/collection.json", "loop alpha -> beta"),
        link("item", "./dup.json"), link("item", "./nulls.json"), link("item", "./wrong-types.json"),
        link("item", "./wrong-types-deep.json"), link("item", "./missing-required.json"),
        link("item", "./collection.json", "an item link to its own collection"),
    ]))
    write("alpha/dup.json", id_item("dup", "alpha-dup"))
    write("alpha/nulls.json", nulls_item())
    write("alpha/wrong-types.json", wrong_types_item())
    write("alpha/wrong-types-deep.json", wrong_types_deep_item())
    write("alpha/missing-required.json", missing_item())
    beta = collection("beta", f"Beta {IMG}", [
        link("root", "../catalog.json"),
        link("child", "../alpha/collection.json", "loop beta -> alpha"),
        link("item", "./dup.json"), link("item", "./dup-upper-case-id.json"),
    ], stac_extensions=[MLM])
    beta.update({"mlm:name": f"beta-collection {SCRIPT}", "mlm:tasks": ["classification"],
                 "mlm:architecture": IMG, "mlm:input": [], "mlm:output": []})
    write("beta/collection.json", beta)
    write("beta/dup.json", id_item("dup", "beta-dup"))
    write("beta/dup-upper-case-id.json", id_item("Dup", "beta-Dup"))

    # ids steering output paths
    write("ids/catalog.json", catalog("ids", "Hostile ids", [link("root", "../catalog.json")] +
                                      [link("item", "../" + rel) for rel in ID_ITEMS]))
    for n, (rel, ident) in enumerate(ID_ITEMS.items()):
        write(rel, id_item(ident, str(n)))
    # a catalog with the same id as a collection, and a collection with an id of a payload
    write("ids/sub/catalog.json", catalog("alpha", "Same id as collection alpha", [link("root", "../../catalog.json")]))
    with open(HERE / "ids/catalog.json", encoding="utf-8") as fh:
        ids_cat = json.load(fh)
    ids_cat["links"].append(link("child", "./sub/catalog.json"))
    write("ids/catalog.json", ids_cat)

    # broken documents
    broken = {
        "invalid.json": "{ \"type\": \"Feature\", ",
        "trailing-comma.json": "{\"type\": \"Catalog\", \"links\": [1,],}",
        "empty.json": "",
        "array.json": [1, 2, 3],
        "null.json": "null",
        "string.json": "\"a string\"",
        "number.json": "42",
        "notstac.json": {"hello": "world"},
        "nan.json": "{\"type\": \"Feature\", \"stac_version\": \"1.1.0\", \"id\": \"nan\", \"bbox\": [NaN, Infinity, 0, 0], \"properties\": {}}",
        "bigint.json": "{\"type\": \"Feature\", \"id\": \"big\", \"n\": " + "9" * 5000 + "}",
        "deep-json.json": "{\"type\": \"Feature\", \"x\": " + "[" * 900 + "]" * 900 + "}",
        "very-deep-json.json": "[" * 20_000 + "]" * 20_000,
        "surrogate.json": "{\"type\": \"Feature\", \"stac_version\": \"1.1.0\", \"stac_extensions\": [\"" + MLM + "\"], \"id\": \"sur\\ud800rogate\", \"geometry\": null, \"properties\": {\"datetime\": null, \"title\": \"lone \\udc00 surrogate\", \"mlm:name\": \"s\\ud83d\"}, \"links\": [], \"assets\": {}}",
        "latin1.json": "{\"type\": \"Catalog\", \"id\": \"caf\xe9\"}".encode("latin-1"),
        "utf16.json": "{\"type\": \"Catalog\"}".encode("utf-16"),
        "binary.json": bytes(range(256)),
        "bom.json": "\ufeff" + json.dumps(id_item("bom", "bom")),
        "type-wrong.json": {"type": ["Feature"], "stac_version": 1, "id": {"x": 1}},
        "type-item-no-props.json": {"type": "Feature", "stac_version": "1.1.0", "stac_extensions": [MLM], "id": "noprops", "properties": "oops", "links": "x", "assets": 5},
        "collection-broken.json": {"type": "Collection", "stac_version": "1.1.0", "id": "cbroken", "description": None,
                                   "extent": "everywhere", "license": 3, "links": [{"rel": "item", "href": "../missing-item.json"}],
                                   "providers": "p", "keywords": 5},
    }
    for name, content in broken.items():
        write(f"broken/{name}", content)
    write("broken/catalog.json", catalog("broken", "Broken documents", [link("root", "../catalog.json")] +
                                         [link("item" if not name.startswith("collection") else "child", f"./{name}")
                                          for name in broken] + [link("child", "./")]))
    write("README.md", __doc__.split("\n\n", 1)[0] + "\n\nGenerated by `tests/hostile/make_catalog.py`; see that file.\n")


if __name__ == "__main__":
    main()
