"""View-models of model cards: everything a template shows, already derived.

Pure functions over raw STAC dictionaries: no I/O. Every access is guarded,
because catalog content is untrusted and can have any type anywhere. Text
stays plain here (templates escape it); Markdown becomes sanitised HTML via
:mod:`mlm_site.markup`; URLs pass :func:`mlm_site.urls.safe_url`.
"""

from __future__ import annotations

import json
import math
import pickle
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mlm_site import stac, urls, usage
from mlm_site.citation import Citation, citation_for
from mlm_site.findings import Finding, worst
from mlm_site.markup import plain_from_html, plain_text, render_markdown
from mlm_site.urls import safe_url
from mlm_site.usage import Checksum, Snippet
from mlm_site.write import relative

LinkFn = Callable[[object], "str | None"]
#: Returns the raw document at an absolute, normalised href when the catalog holds it.
ResolveFn = Callable[[str], "Mapping[str, Any] | None"]


class Linker:
    """Turns an href written in a document into a URL usable on the page that shows it.

    Absolute http(s) and mailto URLs are kept; relative hrefs are resolved against
    the document: a target that has a page on the site becomes a relative link to
    that page, a remote target an absolute URL, and a local file outside the site
    no link at all. Unsafe schemes never pass.
    """

    def __init__(self, doc_href: str, page: str, site_pages: Mapping[str, str]) -> None:
        self.doc_href = doc_href
        self.page = page
        self.site_pages = site_pages

    def __call__(self, raw: object) -> str | None:
        url = safe_url(raw)
        if url is None:
            return None
        if url.startswith("#") or url.lower().startswith(("http://", "https://", "mailto:")):
            if url.lower().startswith(("http://", "https://")):
                target = urls.normalize(url)
                if target in self.site_pages:
                    return relative(self.page, self.site_pages[target])
            return url
        try:
            target = urls.resolve(self.doc_href, url)
        except ValueError:
            return None
        if target in self.site_pages:
            return relative(self.page, self.site_pages[target])
        if urls.is_remote(target):
            return target
        return None


def absolute_only(raw: object) -> str | None:
    """The default link policy: only absolute http(s)/mailto URLs are kept."""
    url = safe_url(raw)
    if url is not None and url.lower().startswith(("http://", "https://", "mailto:")):
        return url
    return None

OPEN_START = "1900-01-01"
OPEN_END = "9999-12-31"
_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


# --- guarded accessors -------------------------------------------------------

def s(value: Any) -> str | None:
    """A non-empty string, or None."""
    return value if isinstance(value, str) and value.strip() else None


def lst(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def mp(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def strs(value: Any) -> list[str]:
    return [v for v in lst(value) if isinstance(v, str) and v.strip()]


# --- formatting ----------------------------------------------------------------

def human_bytes(n: Any) -> str | None:
    """``123456789`` -> ``"123.5 MB"`` (decimal units)."""
    v = num(n)
    if v is None or v < 0:
        return None
    units = ["B", "kB", "MB", "GB", "TB", "PB"]
    i = 0
    while v >= 1000 and i < len(units) - 1:
        v /= 1000
        i += 1
    return f"{int(v)} {units[i]}" if i == 0 else f"{v:.1f} {units[i]}"


def human_count(n: Any) -> str | None:
    """``31042434`` -> ``"31.0 M"``."""
    v = num(n)
    if v is None or v < 0:
        return None
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= limit:
            return f"{v / limit:.1f} {suffix}"
    return f"{int(v)}"


def hex_colour(value: Any) -> str | None:
    """A ``#rrggbb`` colour from a 6-hex-digit string, else None (nothing else is trusted)."""
    if not isinstance(value, str):
        return None
    m = _HEX.match(value.strip())
    return f"#{m.group(1).lower()}" if m else None


def readable(value: Any, limit: int = 400) -> str:
    """A compact, readable text form of any JSON value."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, (int, float)):
        text = repr(value) if num(value) is not None else str(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        except (ValueError, RecursionError):
            text = "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _date_words(d: datetime) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


# --- view-models -----------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    """A safe outgoing link."""

    href: str
    title: str
    rel: str = ""
    type: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Provider:
    name: str
    roles: tuple[str, ...]
    url: str | None
    description: str


@dataclass(frozen=True)
class Band:
    name: str
    common_name: str | None = None
    description: str | None = None
    wavelength: str | None = None
    nodata: str | None = None
    data_type: str | None = None
    format: str | None = None
    expression: str | None = None
    defined: bool = False
    source: str | None = None


@dataclass(frozen=True)
class Variable:
    """A data variable of an input or output, with its ``cube:variables`` details when defined."""

    name: str
    description: str | None = None
    unit: str | None = None
    dimensions: tuple[str, ...] = ()
    type: str | None = None
    format: str | None = None
    expression: str | None = None
    defined: bool = False


@dataclass(frozen=True)
class Dim:
    size: str
    name: str


@dataclass(frozen=True)
class Structure:
    """A tensor shape: ``dims`` named from ``dim_order`` (``-1`` reads "any"/"any batch");
    ``shape_text`` the compact form (``-1 × 6 × 512 × 512``), ``labelled`` the spoken one
    (``any batch × 6 bands × 512 height × 512 width``)."""

    dims: tuple[Dim, ...]
    data_type: str | None
    shape_text: str
    labelled: str = ""


@dataclass(frozen=True)
class Expression:
    """A processing expression; ``html`` is its escaped, highlighted form."""

    format: str
    expression: str
    description: str | None
    html: str = ""


@dataclass(frozen=True)
class Scaling:
    target: str
    type: str
    params: str
    expression: Expression | None = None


@dataclass(frozen=True)
class ModelInput:
    name: str
    description: str | None
    bands: tuple[Band, ...]
    variables: tuple[Variable, ...]
    structure: Structure | None
    value_scaling: tuple[Scaling, ...]
    resize_type: str | None
    pre_processing: tuple[Expression, ...]


@dataclass(frozen=True)
class ClassItem:
    value: str
    name: str
    title: str | None
    description: str | None
    colour: str | None
    nodata: bool = False


@dataclass(frozen=True)
class ModelOutput:
    name: str
    description: str | None
    tasks: tuple[str, ...]
    structure: Structure | None
    bands: tuple[Band, ...]
    variables: tuple[Variable, ...]
    classes: tuple[ClassItem, ...]
    post_processing: tuple[Expression, ...]


@dataclass(frozen=True)
class Asset:
    key: str
    title: str
    href: str | None
    type: str | None
    roles: tuple[str, ...]
    description: str | None
    artifact_type: str | None = None
    size: str | None = None
    checksum: str | None = None
    entrypoint: str | None = None
    compile_method: str | None = None


@dataclass(frozen=True)
class Temporal:
    text: str
    start: str | None
    end: str | None
    open_ended: bool


@dataclass(frozen=True)
class Example:
    """An ``example`` link (example-links extension)."""

    href: str
    title: str
    language: str | None
    type: str | None
    container: bool
    description: str | None


@dataclass(frozen=True)
class WeightsUse:
    """How to fetch, verify and load one ``mlm:model`` asset."""

    asset: Asset
    file: str
    download: Snippet | None
    checksum: Checksum | None
    verify: Snippet | None
    load: Snippet | None


@dataclass(frozen=True)
class SourceUse:
    """A source-code asset and the import line of its ``mlm:entrypoint``."""

    asset: Asset
    code: Snippet | None


@dataclass(frozen=True)
class ContainerUse:
    """A container asset and its ``docker pull`` line (only for a valid image reference)."""

    asset: Asset
    image: str | None
    pull: Snippet | None


@dataclass(frozen=True)
class Usage:
    """The "How to use" section, generated from the metadata."""

    weights: tuple[WeightsUse, ...] = ()
    sources: tuple[SourceUse, ...] = ()
    containers: tuple[ContainerUse, ...] = ()
    examples: tuple[Example, ...] = ()
    references: tuple[Link, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.weights or self.sources or self.containers or self.examples or self.references)


@dataclass(frozen=True)
class LabelInfo:
    """Label extension details of a training-data document found in the catalog."""

    title: str | None
    summary: str
    type: str | None
    tasks: tuple[str, ...]
    methods: tuple[str, ...]
    properties: tuple[str, ...]
    classes: tuple[tuple[str, tuple[str, ...]], ...]
    description: str | None


@dataclass(frozen=True)
class TrainingSource:
    link: Link
    label: LabelInfo | None = None


@dataclass(frozen=True)
class TrainingGroup:
    split: str
    title: str
    sources: tuple[TrainingSource, ...]


@dataclass(frozen=True)
class FindingView:
    """A finding as the card shows it, with a link to the rule's documentation."""

    severity: str
    rule: str
    rule_title: str | None
    pointer: str
    message: str
    doc_url: str | None
    schema: str | None


@dataclass
class ModelCard:
    """Everything a card page shows about one MLM Item or Collection."""

    href: str
    id: str
    kind: str
    title: str
    name: str | None
    description_html: str
    summary: str
    tasks: tuple[str, ...]
    architecture: str | None
    framework: str | None
    framework_version: str | None
    version: str | None
    deprecated: bool
    experimental: bool
    license: str | None
    keywords: tuple[str, ...]
    providers: tuple[Provider, ...]
    total_parameters: str | None
    memory_size: str | None
    batch_size: str | None
    pretrained: bool | None
    pretrained_source: str | None
    accelerator: str | None
    accelerator_count: int | None
    accelerator_constrained: bool | None
    accelerator_summary: str | None
    inputs: tuple[ModelInput, ...]
    outputs: tuple[ModelOutput, ...]
    hyperparameters: tuple[tuple[str, str], ...]
    assets: tuple[Asset, ...]
    examples: tuple[Link, ...]
    training_data: tuple[tuple[str, tuple[Link, ...]], ...]
    other_links: tuple[Link, ...]
    bbox: tuple[float, ...] | None
    geometry: Any
    temporal: Temporal | None
    processing: tuple[tuple[str, str], ...]
    mlm_version: str | None
    citation: Citation | None = None
    findings: list[Finding] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    training: tuple[TrainingGroup, ...] = ()
    lineage_html: str = ""
    software: tuple[tuple[str, str], ...] = ()
    license_url: str | None = None
    collection_id: str | None = None
    # filled in by the build (from the document and the site's paths), the site graph and the writer
    page: str = ""
    json_page: str = ""
    collection: Any = None
    #: the document as published with the site (``item.json``), and when the model last changed
    source_json: str = ""
    date: Any = None

    @property
    def status(self) -> str:
        """``invalid`` (errors), ``warnings``, ``valid`` (only info or nothing)."""
        w = worst(self.findings)
        return {"error": "invalid", "warning": "warnings"}.get(w or "", "valid")

    @property
    def model_assets(self) -> tuple[Asset, ...]:
        return tuple(a for a in self.assets if "mlm:model" in a.roles)

    @property
    def finding_groups(self) -> list[tuple[str, list[FindingView]]]:
        """Findings grouped by severity (errors first), each group sorted by pointer."""
        return finding_groups(self.findings)

    # A card travels pickled (from the workers that build it, through the build cache). Most of it
    # only its own page reads: that part goes as one inner pickle, unpacked on first use, so the
    # build holds and loads 10,000 cards for the site-wide pages at a fraction of the cost, and a
    # card whose page is not rendered again is never unpacked. Templates see no difference.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if "_detail" in state:  # packed (perhaps unpacked too): the blob is the detail
            for name in DETAIL_FIELDS:
                state.pop(name, None)
        else:
            state["_detail"] = pickle.dumps({name: state.pop(name) for name in DETAIL_FIELDS},
                                            pickle.HIGHEST_PROTOCOL)
        return state

    def pack(self) -> None:
        """Let go of the unpacked detail of a card that came pickled (it unpacks again when read)."""
        if "_detail" in self.__dict__:
            for name in DETAIL_FIELDS:
                self.__dict__.pop(name, None)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        # called only when an attribute is missing: a detail field of a card not unpacked yet
        if name in _DETAIL_SET:
            values = self.__dict__
            blob = values.get("_detail")
            if blob is not None:
                values.update(pickle.loads(blob))
                return values[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


#: what only a card's own page reads (with the rendering of its index tile, compare column and
#: search terms, done beside it): packed while the card is pickled (:meth:`ModelCard.__getstate__`)
DETAIL_FIELDS = ("description_html", "providers", "inputs", "outputs", "hyperparameters", "assets", "examples",
                 "training_data", "other_links", "processing", "usage")
_DETAIL_SET = frozenset(DETAIL_FIELDS)
# a field with a class-level default would be found there and never unpacked
assert not any(name in vars(ModelCard) for name in DETAIL_FIELDS), "detail fields need no class default"


def _bands_index(doc: Mapping[str, Any]) -> dict[str, Band]:
    """Band definitions by name, from STAC 1.1 ``bands``, ``eo:bands`` and ``raster:bands``
    at item level and on every asset (the model asset first)."""
    return {name: band for name, (band, _) in _bands_raw(doc).items()}


def _bands_raw(doc: Mapping[str, Any]) -> dict[str, tuple[Band, Mapping[str, Any]]]:
    props = stac.properties(doc)
    sources: list[tuple[str, Mapping[str, Any]]] = [("item" if doc.get("type") == "Feature" else "collection", props)]
    assets = mp(doc.get("assets"))
    ordered = sorted(assets.items(), key=lambda kv: (0 if "mlm:model" in strs(mp(kv[1]).get("roles")) else 1, str(kv[0])))
    sources += [(f"asset {k}", mp(a)) for k, a in ordered]
    found: dict[str, dict[str, Any]] = {}
    rich: dict[str, list[str]] = {}
    bare: dict[str, list[str]] = {}
    for label, src in sources:
        for key in ("bands", "eo:bands", "raster:bands"):
            for b in lst(src.get(key)):
                b = mp(b)
                name = s(b.get("name"))
                if not name:
                    continue
                entry = found.setdefault(name, {})
                # where the band is defined: places that say more than its name
                tags = rich if len(b) > 1 else bare
                tag = f"{label} {key}"
                if tag not in tags.setdefault(name, []):
                    tags[name].append(tag)
                for k, v in b.items():
                    entry.setdefault(k, v)
    out: dict[str, tuple[Band, Mapping[str, Any]]] = {}
    for name, b in found.items():
        wl = num(b.get("eo:center_wavelength", b.get("center_wavelength")))
        nodata = b.get("nodata", b.get("raster:nodata"))
        out[name] = (Band(
            name=name,
            common_name=s(b.get("eo:common_name", b.get("common_name"))),
            description=s(b.get("description")),
            wavelength=f"{wl:g} µm" if wl is not None else None,
            nodata=readable(nodata, 40) if nodata is not None else None,
            data_type=s(b.get("data_type", b.get("raster:data_type"))),
            defined=True,
            source=", ".join(rich.get(name) or bare.get(name, [])[:1]) or None,
        ), b)
    return out


def _variables_index(doc: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """``cube:variables`` by name, from the item/collection level, then every asset."""
    found: dict[str, Mapping[str, Any]] = {}
    holders = [stac.properties(doc)] + [mp(a) for _, a in sorted(mp(doc.get("assets")).items(), key=lambda kv: str(kv[0]))]
    for holder in holders:
        for k, v in mp(holder.get("cube:variables")).items():
            if isinstance(k, str) and k not in found:
                found[k] = mp(v)
    return found


def _variables(value: Any, index: Mapping[str, Mapping[str, Any]]) -> tuple[Variable, ...]:
    out: list[Variable] = []
    for v in lst(value):
        if isinstance(v, str) and v.strip():
            name, fmt, expr = v, None, None
        elif isinstance(v, Mapping) and s(v.get("name")):
            name = str(v["name"])
            fmt = s(v.get("format"))
            expr = readable(v.get("expression"), 300) if "expression" in v else None
        else:
            continue
        d = index.get(name)
        if d is None:
            out.append(Variable(name=name, format=fmt, expression=expr))
            continue
        out.append(Variable(
            name=name,
            description=s(d.get("description")),
            unit=s(d.get("unit")),
            dimensions=tuple(strs(d.get("dimensions"))),
            type=s(d.get("variable_type")),
            format=fmt,
            expression=expr,
            defined=True,
        ))
    return tuple(out)


def _bandrefs(value: Any, index: Mapping[str, Band]) -> tuple[Band, ...]:
    out: list[Band] = []
    for b in lst(value):
        if isinstance(b, str):
            name, fmt, expr = b, None, None
        elif isinstance(b, Mapping) and s(b.get("name")):
            name = str(b["name"])
            fmt = s(b.get("format"))
            expr = readable(b.get("expression"), 300) if "expression" in b else None
        else:
            continue
        base = index.get(name)
        if base is not None:
            out.append(Band(**{**base.__dict__, "format": fmt, "expression": expr}))
        else:
            out.append(Band(name=name, format=fmt, expression=expr))
    return tuple(out)


def _structure(value: Any) -> Structure | None:
    st = mp(value)
    if not st:
        return None
    shape = lst(st.get("shape"))
    order = lst(st.get("dim_order"))
    dims = []
    for i in range(max(len(shape), len(order))):
        size = shape[i] if i < len(shape) else None
        name = order[i] if i < len(order) and isinstance(order[i], str) else "?"
        if size == -1:
            label = "any batch" if name == "batch" else "any"
        elif num(size) is not None:
            label = readable(size)
        else:
            label = "?"
        dims.append(Dim(label, name))
    shape_text = " × ".join(d.size if d.size not in ("any", "any batch") else "−1" for d in dims)
    labelled = " × ".join(d.size if d.size == "any batch" else f"{d.size} {d.name}" if d.name != "?" else d.size for d in dims)
    return Structure(tuple(dims), s(st.get("data_type")), shape_text, labelled)


def _expressions(value: Any) -> tuple[Expression, ...]:
    items = value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []
    out = []
    for e in items:
        e = mp(e)
        if not e:
            continue
        out.append(expression_of(e))
    return tuple(out)


def expression_of(e: Mapping[str, Any]) -> Expression:
    """An expression object (``format``, ``expression``, ``description``) with its code highlighted
    when the format is Python-like (``python``, ``python-callable``, ...)."""
    raw = e.get("expression")
    fmt = s(e.get("format")) or "unknown"
    text = raw if isinstance(raw, str) else readable(raw, 2000)
    lang = "python" if fmt.lower().startswith("py") else "shell" if fmt.lower() in ("shell", "bash", "sh") else "text"
    return Expression(format=fmt, expression=text, description=s(e.get("description")),
                      html=usage.highlight(text, lang))


def _scalings(value: Any, names: list[str]) -> tuple[Scaling, ...]:
    out = []
    items = lst(value)
    for i, v in enumerate(items):
        v = mp(v)
        if not v:
            continue
        is_expr = "expression" in v
        params = ", ".join(
            f"{k} = {readable(x, 60)}" for k, x in sorted(v.items(), key=lambda kv: str(kv[0]))
            if k != "type" and not (is_expr and k in ("expression", "format", "description"))
        )
        if len(items) == 1:
            target = "all bands" if len(names) != 1 else names[0]
        else:
            target = names[i] if i < len(names) else f"#{i + 1}"
        expr = expression_of(v) if is_expr else None
        out.append(Scaling(target, s(v.get("type")) or "unspecified", params, expr))
    return tuple(out)


def _raw_classes(holder: Mapping[str, Any]) -> list[Any]:
    raw = holder.get("classification:classes")
    if not isinstance(raw, list) or not raw:
        raw = holder.get("classification_classes")
    return lst(raw)


def _classes(output: Mapping[str, Any], fallbacks: list[Mapping[str, Any]] | None = None) -> tuple[ClassItem, ...]:
    """Classes of an output: ``classification:classes`` (or the ``classification_classes``
    spelling) on the output, else on its bands' definitions, else on ``fallbacks``."""
    raw = _raw_classes(output)
    for holder in fallbacks or []:
        if raw:
            break
        raw = _raw_classes(holder)
    out = []
    for c in lst(raw):
        c = mp(c)
        if "value" not in c:
            continue
        out.append(
            ClassItem(
                value=readable(c.get("value"), 40),
                name=s(c.get("name")) or "",
                title=s(c.get("title")),
                description=s(c.get("description")),
                colour=hex_colour(c.get("color_hint")),
                nodata=c.get("nodata") is True,
            )
        )
    return tuple(out)


def _providers(doc: Mapping[str, Any], link: LinkFn = absolute_only) -> tuple[Provider, ...]:
    out = []
    for p in lst(stac.properties(doc).get("providers")):
        p = mp(p)
        name = s(p.get("name"))
        if not name:
            continue
        out.append(Provider(name, tuple(strs(p.get("roles"))), link(p.get("url")), render_markdown(p.get("description"), heading_shift=3, link=link)))
    return tuple(out)


def _assets(doc: Mapping[str, Any], link: LinkFn = absolute_only) -> tuple[Asset, ...]:
    out = []
    for key, a in sorted(mp(doc.get("assets")).items(), key=lambda kv: str(kv[0])):
        a = mp(a)
        if not a:
            continue
        roles = tuple(strs(a.get("roles")))
        size = human_bytes(a.get("file:size"))
        out.append(
            Asset(
                key=str(key),
                title=s(a.get("title")) or str(key),
                href=link(a.get("href")),
                type=s(a.get("type")),
                roles=roles,
                description=s(a.get("description")),
                artifact_type=s(a.get("mlm:artifact_type")),
                size=size,
                checksum=s(a.get("file:checksum")),
                entrypoint=s(a.get("mlm:entrypoint")),
                compile_method=s(a.get("mlm:compile_method")),
            )
        )
    # model assets first, then code and containers, then the rest
    def rank(x: Asset) -> int:
        if "mlm:model" in x.roles:
            return 0
        if "code" in x.roles or "mlm:source_code" in x.roles:
            return 1
        if "runtime" in x.roles:
            return 2
        return 3

    return tuple(sorted(out, key=lambda x: (rank(x), x.key)))


def _link(base: Mapping[str, Any], link: LinkFn = absolute_only) -> Link | None:
    href = link(base.get("href"))
    if href is None:
        return None
    title = s(base.get("title")) or href
    extra = tuple(
        (k, readable(v, 80)) for k, v in sorted(base.items())
        if k not in ("href", "title", "rel", "type") and isinstance(v, (str, int, float, bool))
    )
    return Link(href, title, s(base.get("rel")) or "", s(base.get("type")), extra)


def temporal_of(props: Mapping[str, Any], extent: Any = None) -> Temporal | None:
    """Temporal extent in words; the 1900-01-01 / 9999-12-31 workaround reads as open-ended."""
    start_raw = props.get("start_datetime")
    end_raw = props.get("end_datetime")
    if extent is not None:
        intervals = lst(mp(mp(extent).get("temporal")).get("interval"))
        first = lst(intervals[0]) if intervals else []
        if len(first) == 2:
            start_raw, end_raw = first
    if start_raw is None and end_raw is None and props.get("datetime") is not None:
        d = parse_date(props.get("datetime"))
        return Temporal(_date_words(d), props["datetime"], props["datetime"], False) if d else None
    start = parse_date(start_raw)
    end = parse_date(end_raw)
    open_start = start is None or (isinstance(start_raw, str) and start_raw.startswith(OPEN_START))
    open_end = end is None or (isinstance(end_raw, str) and end_raw.startswith(OPEN_END))
    if start is None and end is None and start_raw is not None and end_raw is not None:
        return None
    if open_start and open_end:
        text = "Any time (no temporal restriction)"
    elif open_start:
        assert end is not None
        text = f"Up to {_date_words(end)}"
    elif open_end:
        assert start is not None
        text = f"From {_date_words(start)} onwards"
    else:
        assert start is not None and end is not None
        text = f"{_date_words(start)} to {_date_words(end)}"
    return Temporal(text, s(start_raw), s(end_raw), open_start or open_end)


def bbox_of(doc: Mapping[str, Any]) -> tuple[float, ...] | None:
    raw = doc.get("bbox")
    if raw is None and doc.get("type") == "Collection":
        boxes = lst(mp(mp(doc.get("extent")).get("spatial")).get("bbox"))
        raw = boxes[0] if boxes else None
    values = lst(raw)
    if len(values) not in (4, 6) or any(num(v) is None for v in values):
        return None
    return tuple(float(v) for v in values)


def flatten_hyperparameters(value: Any, prefix: str = "", depth: int = 0) -> list[tuple[str, str]]:
    """Nested hyperparameters as readable rows: dicts flattened to ``a.b`` keys, lists of
    objects to ``a[0].b``, lists of scalars joined by commas; keys sorted."""
    rows: list[tuple[str, str]] = []
    if isinstance(value, Mapping) and value and depth < 8:
        for k, v in sorted(value.items(), key=lambda kv: str(kv[0])):
            rows += flatten_hyperparameters(v, f"{prefix}.{k}" if prefix else str(k), depth + 1)
        return rows
    if isinstance(value, list) and value and depth < 8 and any(isinstance(v, (Mapping, list)) for v in value):
        for i, v in enumerate(value[:100]):
            rows += flatten_hyperparameters(v, f"{prefix}[{i}]", depth + 1)
        return rows
    if isinstance(value, list):
        text = "[ ]" if not value else ", ".join(_scalar(v) for v in value)
    elif isinstance(value, Mapping):
        text = "{ }" if not value else readable(value)
    else:
        text = _scalar(value)
    return [(prefix or "(value)", text if len(text) <= 400 else text[:399] + "…")]


def _scalar(v: Any) -> str:
    if isinstance(v, str):
        return v
    return readable(v, 400)


def _example(raw: Mapping[str, Any], link: LinkFn) -> Example | None:
    href = link(raw.get("href"))
    if href is None:
        return None
    return Example(
        href=href,
        title=s(raw.get("title")) or s(raw.get("description")) or href,
        language=s(raw.get("example:language")),
        type=s(raw.get("type")),
        container=raw.get("example:container") is True,
        description=s(raw.get("description")) if s(raw.get("title")) else None,
    )


REFERENCE_RELS = {
    "via": "Source", "model-card": "Model card", "describedby": "Documentation", "documentation": "Documentation",
    "code": "Code", "about": "About", "handbook": "Handbook", "related": "Related",
}


def _usage(doc: Mapping[str, Any], assets: tuple[Asset, ...], framework: str | None, link: LinkFn) -> Usage:
    raw_assets = mp(doc.get("assets"))
    weights: list[WeightsUse] = []
    sources: list[SourceUse] = []
    containers: list[ContainerUse] = []
    entry_import: str | None = None
    for a in assets:
        raw = mp(raw_assets.get(a.key))
        roles = set(a.roles)
        if "mlm:model" in roles:
            name = usage.file_name(raw.get("href"))
            ck = usage.decode_checksum(raw.get("file:checksum"), name)
            url = a.href if a.href and a.href.lower().startswith(("http://", "https://")) else None
            dl = usage.download_command(url, name)
            state_dict = bool(roles & {"mlm:weights", "mlm:checkpoint"}) and "mlm:compiled" not in roles
            weights.append(WeightsUse(
                asset=a,
                file=name,
                download=usage.snippet("shell", dl) if dl else None,
                checksum=ck,
                verify=usage.snippet("shell", ck.command) if ck and ck.command else None,
                load=usage.load_snippet(a.artifact_type, framework, name, weights_only=state_dict),
            ))
        elif a.entrypoint or roles & {"code", "mlm:source_code"}:
            line = usage.import_line(a.entrypoint)
            code = None
            if line:
                call = usage.call_name(a.entrypoint)
                text = line + (f"\n\nmodel = {call}(...)  # see the source for the arguments" if call else "")
                code = usage.snippet("python", text)
                entry_import = entry_import or line
            sources.append(SourceUse(a, code))
        elif "runtime" in roles or "mlm:inference-runtime" in roles or "mlm:training-runtime" in roles or (
            isinstance(raw.get("href"), str) and str(raw.get("href")).lower().startswith("docker://")
        ):
            image = usage.image_ref(raw.get("href"))
            containers.append(ContainerUse(a, image, usage.snippet("shell", f"docker pull {image}") if image else None))
    examples: list[Example] = []
    references: list[Link] = []
    for _, raw_link in stac.links(doc):
        rel = raw_link.get("rel")
        if rel == "example":
            ex = _example(raw_link, link)
            if ex is not None:
                examples.append(ex)
        elif isinstance(rel, str) and rel in REFERENCE_RELS:
            lv = _link(raw_link, link)
            if lv is not None:
                references.append(lv)
    return Usage(tuple(weights), tuple(sources), tuple(containers), tuple(examples), tuple(references))


def label_info(doc: Mapping[str, Any]) -> LabelInfo | None:
    """Label extension details of a training-data Item or Collection (top level, properties
    or summaries), or None when it has none."""
    props = stac.properties(doc)
    summaries = mp(doc.get("summaries"))

    def get(key: str) -> Any:
        for holder in (props, doc, summaries):
            if key in holder and holder[key] is not None:
                return holder[key]
        return None

    ltype = get("label:type")
    tasks = get("label:tasks")
    methods = get("label:methods")
    properties = get("label:properties")
    desc = get("label:description")
    classes_raw = lst(get("label:classes"))
    if all(x is None for x in (ltype, tasks, methods, properties, desc)) and not classes_raw:
        return None
    classes = []
    for c in classes_raw:
        c = mp(c)
        values = tuple(readable(v, 60) for v in lst(c.get("classes"))[:200] if v is not None)
        if values:
            # raster labels must have a null name (label v1.0.1): the template shows plain "Classes"
            classes.append((s(c.get("name")) or "", values))
    ltype_s = s(ltype) if not isinstance(ltype, list) else ", ".join(strs(ltype)) or None
    return LabelInfo(
        title=s(doc.get("title")) or s(props.get("title")),
        summary=plain_text(doc.get("description") if doc.get("type") != "Feature" else props.get("description"), 200),
        type=ltype_s,
        tasks=tuple(strs(tasks)),
        methods=tuple(strs(methods)),
        properties=tuple(strs(properties)),
        classes=tuple(classes),
        # a Collection can only summarise it as a list of strings
        description=s(desc) or ("; ".join(strs(desc)) or None),
    )


SPLIT_TITLES = {"train": "Training", "validate": "Validation", "test": "Test", "unspecified": "Split not given"}


def finding_groups(findings: list[Finding]) -> list[tuple[str, list[FindingView]]]:
    """Findings grouped by severity (error, warning, info), each with its rule's documentation."""
    try:
        from mlm_site.validate.rules import RULES
    except (ImportError, SyntaxError):  # pragma: no cover - rule docs are a nicety
        RULES = {}

    groups: list[tuple[str, list[FindingView]]] = []
    for sev in ("error", "warning", "info"):
        views = []
        for f in sorted((f for f in findings if f.severity == sev), key=lambda f: (f.pointer, f.rule, f.message)):
            rule = RULES.get(f.rule)
            doc_url = rule.source_url if rule is not None else (safe_url(f.schema) if f.schema else None)
            views.append(FindingView(f.severity, f.rule, rule.title if rule else None, f.pointer, f.message,
                                     absolute_only(doc_url), f.schema))
        if views:
            groups.append((sev, views))
    return groups


def build_card(
    doc: Mapping[str, Any], href: str, findings: list[Finding] | None = None, link: LinkFn = absolute_only,
    resolve_doc: ResolveFn | None = None,
) -> ModelCard:
    """Derive the card of one MLM Item or Collection."""
    props = stac.properties(doc)
    name = s(props.get("mlm:name"))
    ident = s(doc.get("id")) or name or "unnamed"
    title = s(props.get("title")) or name or ident
    raw_bands = _bands_raw(doc)
    index = {name: band for name, (band, _) in raw_bands.items()}
    var_index = _variables_index(doc)

    inputs = []
    for i, raw in enumerate(lst(props.get("mlm:input"))):
        raw = mp(raw)
        if not raw:
            continue
        bands = _bandrefs(raw.get("bands"), index)
        variables = _variables(raw.get("variables"), var_index)
        inputs.append(
            ModelInput(
                name=s(raw.get("name")) or f"input {i + 1}",
                description=s(raw.get("description")),
                bands=bands,
                variables=variables,
                structure=_structure(raw.get("input")),
                value_scaling=_scalings(raw.get("value_scaling"), [b.name for b in bands] + [v.name for v in variables]),
                resize_type=s(raw.get("resize_type")),
                pre_processing=_expressions(raw.get("pre_processing_function")),
            )
        )
    outputs = []
    raw_outputs = [mp(r) for r in lst(props.get("mlm:output")) if mp(r)]
    model_raw = [mp(a) for a in mp(doc.get("assets")).values() if "mlm:model" in strs(mp(a).get("roles"))]
    for i, raw in enumerate(raw_outputs):
        band_defs = [raw_bands[n][1] for n in (b if isinstance(b, str) else mp(b).get("name") for b in lst(raw.get("bands")))
                     if isinstance(n, str) and n in raw_bands]
        # item- or asset-level classes only describe the output when there is a single one
        fallbacks = band_defs + ([props, *model_raw] if len(raw_outputs) == 1 else [])
        outputs.append(
            ModelOutput(
                name=s(raw.get("name")) or f"output {i + 1}",
                description=s(raw.get("description")),
                tasks=tuple(strs(raw.get("tasks"))),
                structure=_structure(raw.get("result")),
                bands=_bandrefs(raw.get("bands"), index),
                variables=_variables(raw.get("variables"), var_index),
                classes=_classes(raw, fallbacks),
                post_processing=_expressions(raw.get("post_processing_function")),
            )
        )

    hyper = tuple(flatten_hyperparameters(mp(props.get("mlm:hyperparameters")))) if mp(props.get("mlm:hyperparameters")) else ()

    examples: list[Link] = []
    training: dict[str, list[Link]] = {}
    training_src: dict[str, list[TrainingSource]] = {}
    others: list[Link] = []
    license_url: str | None = None
    for _, raw_link in stac.links(doc):
        rel = raw_link.get("rel")
        link_view = _link(raw_link, link)
        if link_view is None:
            continue
        if rel == "example":
            examples.append(link_view)
        elif rel == "derived_from":
            split = s(raw_link.get("ml-aoi:split")) or "unspecified"
            training.setdefault(split, []).append(link_view)
            found_label: LabelInfo | None = None
            if resolve_doc is not None:
                try:
                    target = resolve_doc(urls.resolve(href, str(raw_link.get("href"))))
                except ValueError:
                    target = None
                if isinstance(target, Mapping):
                    found_label = label_info(target)
            training_src.setdefault(split, []).append(TrainingSource(link_view, found_label))
        elif rel not in ("self", "root", "parent", "collection", "child", "item", "latest-version",
                         "predecessor-version", "successor-version", "version-history"):
            if rel == "license" and license_url is None:
                license_url = link_view.href
            others.append(link_view)
    order = {"train": 0, "validate": 1, "test": 2}
    training_data = tuple((k, tuple(v)) for k, v in sorted(training.items(), key=lambda kv: (order.get(kv[0], 9), kv[0])))
    training_groups = tuple(
        TrainingGroup(k, SPLIT_TITLES.get(k, k[:1].upper() + k[1:]), tuple(v))
        for k, v in sorted(training_src.items(), key=lambda kv: (order.get(kv[0], 9), kv[0]))
    )

    processing = []
    for key, label in (("processing:level", "Level"), ("processing:facility", "Facility"),
                       ("processing:datetime", "Processed"), ("processing:version", "Processing version")):
        if key in props and props[key] is not None and not isinstance(props[key], (Mapping, list)):
            value = props[key]
            d = parse_date(value) if key == "processing:datetime" else None
            processing.append((label, _date_words(d) if d else readable(value, 200)))
    lineage_html = render_markdown(props.get("processing:lineage"), heading_shift=3, link=link)
    software = tuple((str(k), readable(v, 80)) for k, v in sorted(mp(props.get("processing:software")).items(),
                                                                 key=lambda kv: str(kv[0])) if v is not None)
    framework = s(props.get("mlm:framework"))
    assets = _assets(doc, link)

    acc_count = props.get("mlm:accelerator_count")
    batch = props.get("mlm:batch_size_suggestion")
    pretrained = props.get("mlm:pretrained")
    constrained = props.get("mlm:accelerator_constrained")
    return ModelCard(
        href=href,
        id=ident,
        kind="Collection" if doc.get("type") == "Collection" else "Item",
        title=title,
        name=name,
        description_html=(
            description_html := render_markdown(
                props.get("description") if doc.get("type") == "Feature" else doc.get("description"), link=link
            )
        ),
        summary=plain_from_html(description_html),
        tasks=tuple(strs(props.get("mlm:tasks"))),
        architecture=s(props.get("mlm:architecture")),
        framework=framework,
        framework_version=s(props.get("mlm:framework_version")),
        version=s(props.get("version")),
        deprecated=props.get("deprecated") is True,
        experimental=props.get("experimental") is True,
        license=s(props.get("license")),
        keywords=tuple(strs(props.get("keywords"))),
        providers=_providers(doc, link),
        total_parameters=human_count(props.get("mlm:total_parameters")),
        memory_size=human_bytes(props.get("mlm:memory_size")),
        batch_size=str(batch) if isinstance(batch, int) and not isinstance(batch, bool) else None,
        pretrained=pretrained if isinstance(pretrained, bool) else None,
        pretrained_source=s(props.get("mlm:pretrained_source")),
        accelerator=s(props.get("mlm:accelerator")),
        accelerator_count=acc_count if isinstance(acc_count, int) and not isinstance(acc_count, bool) else None,
        accelerator_constrained=constrained if isinstance(constrained, bool) else None,
        accelerator_summary=s(props.get("mlm:accelerator_summary")),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        hyperparameters=hyper,
        assets=assets,
        examples=tuple(examples),
        training_data=training_data,
        other_links=tuple(others),
        bbox=bbox_of(doc),
        geometry=doc.get("geometry"),
        temporal=temporal_of(props, doc.get("extent") if doc.get("type") == "Collection" else None),
        processing=tuple(processing),
        mlm_version=stac.mlm_version(doc),
        citation=citation_for(doc),
        findings=list(findings or []),
        usage=_usage(doc, assets, framework, link),
        training=training_groups,
        lineage_html=lineage_html,
        software=software,
        license_url=license_url,
        collection_id=s(doc.get("collection")) if doc.get("type") == "Feature" else None,
    )


@dataclass
class CollectionPage:
    """A Collection or Catalog page: its text, extent and the models it holds."""

    href: str
    id: str
    kind: str
    title: str
    description_html: str
    summary: str
    license: str | None
    providers: tuple[Provider, ...]
    keywords: tuple[str, ...]
    bbox: tuple[float, ...] | None
    temporal: Temporal | None
    findings: list[Finding] = field(default_factory=list)
    page: str = ""
    json_page: str = ""
    cards: list[ModelCard] = field(default_factory=list)
    children: list[CollectionPage] = field(default_factory=list)
    parent: CollectionPage | None = None
    card: ModelCard | None = None  # a Collection that itself declares MLM


def build_collection(
    doc: Mapping[str, Any], href: str, findings: list[Finding] | None = None, link: LinkFn = absolute_only
) -> CollectionPage:
    ident = s(doc.get("id")) or "unnamed"
    kind = "Collection" if doc.get("type") == "Collection" or "extent" in doc else "Catalog"
    return CollectionPage(
        href=href,
        id=ident,
        kind=kind,
        title=s(doc.get("title")) or ident,
        description_html=render_markdown(doc.get("description"), link=link),
        summary=plain_text(doc.get("description")),
        license=s(doc.get("license")),
        providers=_providers(doc, link),
        keywords=tuple(strs(doc.get("keywords"))),
        bbox=bbox_of(doc) if kind == "Collection" else None,
        temporal=temporal_of({}, doc.get("extent")) if kind == "Collection" else None,
        findings=list(findings or []),
    )
