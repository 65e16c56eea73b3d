"""Best-practice lint rules for MLM documents.

The JSON schema of the MLM extension checks structure; it cannot check that a
band name refers to a band that exists, that ``shape`` and ``dim_order`` have
the same length, or that the recommendations of the specification and of its
best-practices document are followed. Those checks live here, as a registry of
:class:`Rule` objects keyed by a stable id (``MLM001`` ...).

Every rule quotes the sentence of the specification (``README.md``, ``R``) or of
the best practices (``best-practices.md``, ``BP``) it comes from and links to it.
``docs/rules.md`` is generated from this registry by :func:`rules_markdown`::

    python -m mlm_site.validate.rules docs/rules.md

Documents come from untrusted catalogs: checks never assume a type, and
:func:`run_rules` turns an exception escaping a check into an internal-error
finding instead of propagating it.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast
from urllib.parse import urlsplit

from mlm_site import multihash, stac, urls
from mlm_site.findings import Finding, Severity, make_pointer

__all__ = [
    "RULES",
    "SUPPRESSIONS",
    "Rule",
    "RuleContext",
    "catalog_view",
    "register",
    "rules_markdown",
    "run_rules",
]

Scope = Literal["document", "catalog"]
#: Which documents a rule runs on: MLM documents, any document, or documents
#: that are not MLM but link to an MLM document with ``derived_from``.
Applies = Literal["mlm", "any", "derived"]
Pointer = tuple[str | int, ...]
Hit = tuple[str, str]


@dataclass(frozen=True)
class RuleContext:
    """Where a document comes from and, when known, the rest of the catalog.

    ``catalog`` maps the absolute normalised href of every crawled document to
    its raw JSON; resolve a link with ``urls.resolve(ctx.href, link_href)``.
    """

    href: str
    catalog: Mapping[str, Mapping[str, Any]] | None = None


CheckFn = Callable[[Mapping[str, Any], RuleContext], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """One best-practice rule.

    ``check(doc, ctx)`` yields ``(json_pointer, message)`` pairs. ``scope`` is
    ``"catalog"`` for rules that need ``ctx.catalog`` (skipped without it).
    """

    id: str
    name: str
    severity: Severity
    title: str
    source: str
    source_url: str
    example: str
    scope: Scope
    check: CheckFn
    applies: Applies = "mlm"


RULES: dict[str, Rule] = {}

#: Candidate rules that are not checks but suppressions of other tools' checks.
SUPPRESSIONS: dict[str, str] = {
    "MLM046": (
        "datetime-null-ok: a model described by a `start_datetime`/`end_datetime` range may have "
        "`datetime: null` (best-practices warning block). No rule of this registry reports "
        "`datetime: null` when both range fields are set, and mlm-site runs no stac-check style "
        "`datetime_null` check; a null `datetime` without a range is left to the core STAC schema."
    ),
}

_SEVERITIES = ("error", "warning", "info")
_ID_RE = re.compile(r"^MLM[0-9]{3}$")
_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: At most this many findings of one rule in one document (then one summary finding).
MAX_FINDINGS_PER_RULE = 50


def register(
    *,
    id: str,
    name: str,
    severity: Severity,
    title: str,
    source: str,
    source_url: str,
    example: str,
    scope: Scope = "document",
    applies: Applies = "mlm",
) -> Callable[[CheckFn], CheckFn]:
    """Decorator registering a check function as a rule in :data:`RULES`."""

    def decorate(fn: CheckFn) -> CheckFn:
        if not _ID_RE.match(id) or id in RULES:
            raise ValueError(f"bad or duplicate rule id {id!r}")
        if not _NAME_RE.match(name) or any(r.name == name for r in RULES.values()):
            raise ValueError(f"bad or duplicate rule name {name!r}")
        if severity not in _SEVERITIES:
            raise ValueError(f"bad severity {severity!r} for {id}")
        RULES[id] = Rule(id, name, severity, title, source, source_url, example, scope, fn, applies)
        return fn

    return decorate


# ---------------------------------------------------------------------------
# Defensive accessors
# ---------------------------------------------------------------------------

R_URL = "https://github.com/stac-extensions/mlm/blob/main/README.md"
BP_URL = "https://github.com/stac-extensions/mlm/blob/main/best-practices.md"
CHANGELOG_URL = "https://github.com/stac-extensions/mlm/blob/main/CHANGELOG.md"
MLM_LEGACY_ML_MODEL = "https://github.com/stac-extensions/mlm/blob/main/docs/legacy/ml-model.md"
MLM_LEGACY_DLM = "https://github.com/stac-extensions/mlm/blob/main/docs/legacy/dlm.md"


#: pointers already built (the same few hundred recur in every document of a catalog)
_POINTERS: dict[tuple[str | int, ...], str] = {}


def _ptr(*parts: str | int) -> str:
    try:
        return _POINTERS[parts]
    except KeyError:
        pass
    pointer = make_pointer(parts)
    if len(pointer) <= 200:  # never keep a hostile document's huge keys
        if len(_POINTERS) >= 20_000:  # a catalog of odd keys: start again, never grow without end
            _POINTERS.clear()
        _POINTERS[parts] = pointer
    return pointer


def _is_map(value: Any) -> bool:
    """``isinstance(value, Mapping)``, without the slow ABC check for the usual ``dict``."""
    return type(value) is dict or isinstance(value, Mapping)


def _map(value: Any) -> Mapping[str, Any]:
    return value if type(value) is dict or isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# -- per-document memo ---------------------------------------------------------------
#
# Many rules ask the same questions of a document (its properties, inputs and
# outputs, assets, roles, links). While :func:`run_rules` checks a document,
# the helpers marked ``@_memo`` answer each question once for it. The memo is
# one slot, ``(document, values)``, replaced as a whole and read at once, so
# a thread checking another document at the same time only misses it (the
# helpers then compute afresh). Memoised results are tuples: nobody can
# change them for the next rule.

_NO_DOC = object()
_SLOT: list[tuple[Any, dict[Any, Any]]] = [(_NO_DOC, {})]

_F = TypeVar("_F", bound=Callable[..., Any])


def _memo(fn: _F) -> _F:
    """Memoise ``fn(doc, *args)`` for the document being checked."""
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(doc: Any, *args: Any) -> Any:
        current, values = _SLOT[0]
        if doc is not current:
            return fn(doc, *args)
        key = (name, *args) if args else name
        try:
            return values[key]
        except KeyError:
            value = values[key] = fn(doc, *args)
            return value

    return cast(_F, wrapper)


def _memo_obj(fn: _F) -> _F:
    """Memoise ``fn(obj)`` for a part ``obj`` (an asset ...) while a document is checked."""
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(obj: Any) -> Any:
        current, values = _SLOT[0]
        if current is _NO_DOC:
            return fn(obj)
        key = (name, id(obj))
        hit = values.get(key)
        if hit is not None and hit[0] is obj:  # the memo holds obj: its id cannot be reused
            return hit[1]
        value = fn(obj)
        values[key] = (obj, value)
        return value

    return cast(_F, wrapper)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        f = float(value)
    except (OverflowError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _show(value: Any) -> str:
    """A short, safe description of a JSON value for messages (never recursive)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = str(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge integer"
        return text
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return '"' + text.replace("\n", " ") + '"'
    if isinstance(value, list):
        return f"an array of {len(value)} item(s)"
    if isinstance(value, Mapping):
        return "an object"
    return "a " + type(value).__name__


def _names(values: Iterable[str]) -> str:
    items = sorted(set(values))
    return ", ".join(f'"{v}"' for v in items[:12]) + (" ..." if len(items) > 12 else "")


def _base(doc: Mapping[str, Any]) -> Pointer:
    """Pointer prefix of MLM fields: ``/properties`` for Items, the top level otherwise."""
    return ("properties",) if doc.get("type") == "Feature" else ()


@_memo
def _props(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    return stac.properties(doc)


@_memo
def _links(doc: Mapping[str, Any]) -> tuple[tuple[int, Mapping[str, Any]], ...]:
    return tuple(stac.links(doc))


@_memo
def _extensions(doc: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(stac.extensions(doc))


@_memo
def _mlm_version(doc: Mapping[str, Any]) -> str | None:
    return stac.mlm_version(doc)


@_memo
def _legacy_extensions(doc: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(stac.legacy_extensions(doc))


def _is_item(doc: Mapping[str, Any]) -> bool:
    return doc.get("type") == "Feature"


@_memo
def _ios(doc: Mapping[str, Any], key: str) -> tuple[tuple[Pointer, Mapping[str, Any]], ...]:
    """``(pointer, object)`` of each well-formed entry of ``mlm:input`` / ``mlm:output``."""
    base = _base(doc)
    return tuple([((*base, key, i), obj) for i, obj in enumerate(_list(_props(doc).get(key))) if _is_map(obj)])


@_memo
def _all_ios(doc: Mapping[str, Any]) -> tuple[tuple[Pointer, Mapping[str, Any], str], ...]:
    """Inputs and outputs with the key of their structure object (``input``/``result``)."""
    return tuple(
        [(path, obj, "input") for path, obj in _ios(doc, "mlm:input")]
        + [(path, obj, "result") for path, obj in _ios(doc, "mlm:output")]
    )


def _structure(obj: Mapping[str, Any], key: str) -> tuple[list[Any], list[Any]]:
    """``(shape, dim_order)`` of an input/result structure (empty lists when malformed)."""
    struct = _map(obj.get(key))
    return _list(struct.get("shape")), _list(struct.get("dim_order"))


def _ref_name(ref: Any) -> str | None:
    """Name of a band/variable reference: a string or an object with a string ``name``."""
    if isinstance(ref, str):
        return ref
    if isinstance(ref, Mapping):
        return _str(ref.get("name"))
    return None


def _refs(obj: Mapping[str, Any], key: str) -> list[tuple[int, str, Any]]:
    return [(i, n, r) for i, r in enumerate(_list(obj.get(key))) if (n := _ref_name(r)) is not None]


@_memo
def _assets(doc: Mapping[str, Any]) -> tuple[tuple[Pointer, str, Mapping[str, Any]], ...]:
    return tuple([
        (("assets", key), key, asset)
        for key, asset in _map(doc.get("assets")).items()
        if isinstance(key, str) and (type(asset) is dict or isinstance(asset, Mapping))
    ])  # fmt: skip


@_memo_obj
def _roles(asset: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple([r for r in _list(asset.get("roles")) if isinstance(r, str)])


@_memo_obj
def _role_set(asset: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(_roles(asset))


@_memo
def _model_assets(doc: Mapping[str, Any]) -> tuple[tuple[Pointer, str, Mapping[str, Any]], ...]:
    return tuple([a for a in _assets(doc) if "mlm:model" in _role_set(a[2])])


@_memo_obj
def _media_type(asset: Mapping[str, Any]) -> str:
    """The bare media type (parameters dropped, lower case); "" when missing."""
    t = _str(asset.get("type")) or ""
    return t.split(";", 1)[0].strip().lower()


def _rel(link: Mapping[str, Any]) -> str:
    return (_str(link.get("rel")) or "").strip().lower()


@_memo
def _rel_links(doc: Mapping[str, Any]) -> tuple[tuple[int, Mapping[str, Any], str], ...]:
    """``(index, link, rel)`` of the well-formed links (``rel`` as :func:`_rel` gives it)."""
    return tuple([(i, link, _rel(link)) for i, link in _links(doc)])


@_memo
def _rels(doc: Mapping[str, Any]) -> frozenset[str]:
    return frozenset([rel for _, _, rel in _rel_links(doc)])


def _resolve(ctx: RuleContext, href: str) -> str | None:
    try:
        return urls.resolve(ctx.href, href)
    except (ValueError, TypeError, OSError):
        return None


def _target(ctx: RuleContext, href: str) -> Mapping[str, Any] | None:
    if ctx.catalog is None:
        return None
    resolved = _resolve(ctx, href)
    if resolved is None:
        return None
    target = ctx.catalog.get(resolved)
    return target if isinstance(target, Mapping) else None


def _canon(text: str) -> str:
    return re.sub(r"[\s_\-.]+", "", text.lower())


# ---------------------------------------------------------------------------
# Band and variable definitions
# ---------------------------------------------------------------------------

_BAND_KEYS = ("eo:bands", "raster:bands", "bands")


def _band_objects(doc: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(where, band object)`` of every band definition of the document."""
    holders: list[tuple[str, Mapping[str, Any]]] = [("properties", _props(doc))]
    holders += [(f"asset {k}", a) for _, k, a in _assets(doc)]
    if doc.get("type") == "Collection":
        for k, a in _map(doc.get("item_assets")).items():
            if isinstance(a, Mapping):
                holders.append((f"item_assets {k}", a))
        summaries = _map(doc.get("summaries"))
        holders.append(("summaries", summaries))
    for where, holder in holders:
        for key in _BAND_KEYS:
            for band in _list(holder.get(key)):
                if isinstance(band, Mapping):
                    yield f"{where} {key}", band


@_memo
def _band_names(doc: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """Names and common names of all band definitions."""
    names: set[str] = set()
    common: set[str] = set()
    for _, band in _band_objects(doc):
        if (n := _str(band.get("name"))) is not None:
            names.add(n)
        if (c := _str(band.get("common_name"))) is not None:
            common.add(c)
    return frozenset(names), frozenset(common)


def _cube_variables(doc: Mapping[str, Any]) -> set[str]:
    keys: set[str] = set()
    holders = [_props(doc)] + [a for _, _, a in _assets(doc)]
    for holder in holders:
        keys.update(k for k in _map(holder.get("cube:variables")) if isinstance(k, str))
    return keys


def _is_virtual(ref: Any) -> bool:
    """A band/variable object that defines itself by an expression (e.g. NDVI)."""
    return isinstance(ref, Mapping) and ("expression" in ref or "format" in ref)


# ===========================================================================
# Rules from the lint-rules research notes (MLM001-MLM045)
# ===========================================================================


@register(
    id="MLM001",
    name="band-ref-resolves",
    severity="error",
    title="Every band referenced by an input or output is defined as a Band Object",
    source=(
        "When either `bands` or `variables` are provided (non-empty arrays), they **MUST** refer to "
        "corresponding Band Object and Data Variable respectively."
    ),
    source_url=f"{R_URL}#bands-and-variables",
    example='"bands": ["B04"] while `eo:bands` only names "B02" and "B03"',
)
def _band_ref_resolves(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    names, common = _band_names(doc)
    for path, obj, _ in _all_ios(doc):
        for i, name, ref in _refs(obj, "bands"):
            if name in names or _is_virtual(ref):
                continue
            where = '; it is only a common_name, reference the band "name" instead' if name in common else ""
            found = f"defined bands are {_names(names)}" if names else "no band is defined"
            yield (
                _ptr(*path, "bands", i),
                (
                    f'Band "{name}" in bands matches no Band Object name in eo:bands, raster:bands or '
                    f"bands ({found}){where}."
                ),
            )


@register(
    id="MLM002",
    name="variable-ref-resolves",
    severity="error",
    title="Every variable referenced by an input or output is a key of cube:variables",
    source=(
        "The variable `name` referenced in the Model Variable Object should directly reference to a "
        "corresponding key of the `cube:variables` mapping."
    ),
    source_url=f"{R_URL}#data-variables",
    example='"variables": ["temperature_2m"] while `cube:variables` has the key "2m_temperature"',
)
def _variable_ref_resolves(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if not any(obj.get("variables") for _, obj, _ in _all_ios(doc)):
        return  # nothing referenced
    keys = _cube_variables(doc)
    for path, obj, _ in _all_ios(doc):
        for i, name, ref in _refs(obj, "variables"):
            if name in keys or _is_virtual(ref):
                continue
            found = f"its keys are {_names(keys)}" if keys else "there is no cube:variables"
            yield (
                _ptr(*path, "variables", i),
                f'Variable "{name}" in variables is not a key of cube:variables ({found}).',
            )


@register(
    id="MLM003",
    name="cube-dimensions-present",
    severity="warning",
    title="cube:variables comes with cube:dimensions",
    source=(
        "Because each Variable Object **requires** a ``dimensions`` property, the corresponding "
        "`cube:dimensions` mapping should also be provided in the STAC Item definition containing "
        "the MLM metadata."
    ),
    source_url=f"{R_URL}#data-variables",
    example='"cube:variables": {"t2m": {...}} without "cube:dimensions"',
)
def _cube_dimensions(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    props = _props(doc)
    if "cube:variables" in props and not isinstance(props.get("cube:dimensions"), Mapping):
        yield (
            _ptr(*_base(doc), "cube:variables"),
            (
                f"cube:variables is set but cube:dimensions is {_show(props.get('cube:dimensions')) if 'cube:dimensions' in props else 'missing'}; "
                "provide the cube:dimensions mapping its variables refer to."
            ),
        )


@register(
    id="MLM004",
    name="shape-dim-order-length",
    severity="error",
    title="shape and dim_order have the same length",
    source="Order of the `shape` dimensions by name.",
    source_url=f"{R_URL}#input-structure-object",
    example='"shape": [-1, 3, 64, 64], "dim_order": ["batch", "height", "width"]',
)
def _shape_dim_order(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj, key in _all_ios(doc):
        struct = _map(obj.get(key))
        shape, dims = struct.get("shape"), struct.get("dim_order")
        if isinstance(shape, list) and isinstance(dims, list) and len(shape) != len(dims):
            yield (
                _ptr(*path, key, "shape"),
                (
                    f"{key}.shape has {len(shape)} dimension(s) but {key}.dim_order names {len(dims)}; "
                    "each shape dimension needs exactly one name."
                ),
            )


@register(
    id="MLM005",
    name="shape-positive",
    severity="error",
    title="Each shape dimension is greater than 0 or -1",
    source=("Each dimension must either be greater than 0 or -1 to indicate a variable dimension size."),
    source_url=f"{R_URL}#input-structure-object",
    example='"shape": [-1, 0, 64, 64]',
)
def _shape_positive(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj, key in _all_ios(doc):
        shape, _ = _structure(obj, key)
        for i, size in enumerate(shape):
            n = _int(size)
            if n is not None and (n == 0 or n < -1):
                yield (
                    _ptr(*path, key, "shape", i),
                    (
                        f"{key}.shape[{i}] is {_show(n)}; each dimension must be greater than 0, or -1 for a "
                        "variable size."
                    ),
                )


def _processing_set(obj: Mapping[str, Any]) -> bool:
    return any(obj.get(k) is not None for k in ("pre_processing_function", "post_processing_function"))


@register(
    id="MLM006",
    name="bands-dim-size",
    severity="warning",
    title="The size of the bands/variables dimension matches the number of bands/variables",
    source=(
        "The order of elements within `bands` and `variables` fields is important, notably when the "
        'Input Structure Object or the Result Structure references `"bands"` and/or `"variables"` '
        "as dimensions of stacked bands/variables within its Dimension Order property."
    ),
    source_url=f"{R_URL}#bands-and-variables",
    example='"bands": ["B02", "B03", "B04"] with "shape": [-1, 4, 64, 64] and dim_order "bands" at index 1',
)
def _bands_dim_size(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj, key in _all_ios(doc):
        if _processing_set(obj):
            continue  # a pre/post-processing function may combine bands (e.g. NDVI)
        shape, dims = _structure(obj, key)
        for field in ("bands", "variables"):
            refs = _list(obj.get(field))
            if not refs or field not in dims:
                continue
            idx = dims.index(field)
            size = _int(shape[idx]) if idx < len(shape) else None
            if size is not None and size > 0 and size != len(refs):
                yield (
                    _ptr(*path, key, "shape", idx),
                    (
                        f'{key}.shape[{idx}] (the "{field}" dimension) is {_show(size)} but {field} lists '
                        f"{len(refs)}; the dimension size should equal the number of {field} or be -1."
                    ),
                )


_CHANNEL_DIMS = ("bands", "variables", "channel", "channels", "C", "c")


@register(
    id="MLM007",
    name="value-scaling-count",
    severity="error",
    title="value_scaling has one object or one per band/channel",
    source=(
        "When `value_scaling` is specified, the amount of objects defined in the array must match the "
        "size of the bands/channels/dimensions described by the Model Input. However, the "
        "`value_scaling` array is allowed to contain a single object if the entire input must be "
        "rescaled using the same definition across all dimensions."
    ),
    source_url=f"{R_URL}#value-scaling-object",
    example='4 bands with "value_scaling": [{...}, {...}] (2 objects)',
)
def _value_scaling_count(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj in _ios(doc, "mlm:input"):
        scaling = obj.get("value_scaling")
        if not isinstance(scaling, list) or len(scaling) <= 1:
            continue
        expected: set[int] = set()
        for field in ("bands", "variables"):
            if refs := _list(obj.get(field)):
                expected.add(len(refs))
        shape, dims = _structure(obj, "input")
        for i, dim in enumerate(dims):
            if dim in _CHANNEL_DIMS and i < len(shape):
                size = _int(shape[i])
                if size is not None and size > 0:
                    expected.add(size)
        if expected and len(scaling) not in expected:
            counts = " or ".join(str(n) for n in sorted(expected))
            yield (
                _ptr(*path, "value_scaling"),
                (
                    f"value_scaling has {len(scaling)} objects but the input has {counts} "
                    "bands/channels; give 1 object (broadcast) or one per band/channel."
                ),
            )


@register(
    id="MLM008",
    name="pretrained-source-null",
    severity="warning",
    title="A model trained from scratch sets mlm:pretrained_source to null explicitly",
    source=(
        "If trained from scratch (i.e.: `pretrained = false`), the `null` value should be set explicitly."
    ),
    source_url=f"{R_URL}#item-properties-and-collection-fields",
    example='"mlm:pretrained": false, "mlm:pretrained_source": "ImageNet"',
)
def _pretrained_source_null(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    props = _props(doc)
    if props.get("mlm:pretrained") is not False:
        return
    if "mlm:pretrained_source" not in props:
        yield (
            _ptr(*_base(doc), "mlm:pretrained"),
            "mlm:pretrained is false but mlm:pretrained_source is missing; set it explicitly to null.",
        )
    elif props.get("mlm:pretrained_source") is not None:
        yield (
            _ptr(*_base(doc), "mlm:pretrained_source"),
            (
                f"mlm:pretrained is false but mlm:pretrained_source is "
                f"{_show(props.get('mlm:pretrained_source'))}; a model trained from scratch has null."
            ),
        )


@register(
    id="MLM009",
    name="pretrained-source-known",
    severity="info",
    title="A pretrained model names its pretraining source",
    source=(
        "Indicates if the model was pretrained. If the model was pretrained, consider providing "
        "`pretrained_source` if it is known."
    ),
    source_url=f"{R_URL}#item-properties-and-collection-fields",
    example='"mlm:pretrained": true without "mlm:pretrained_source"',
)
def _pretrained_source_known(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    props = _props(doc)
    if props.get("mlm:pretrained") is True and props.get("mlm:pretrained_source") is None:
        yield (
            _ptr(*_base(doc), "mlm:pretrained"),
            (
                "mlm:pretrained is true but mlm:pretrained_source is "
                f"{'null' if 'mlm:pretrained_source' in props else 'missing'}; name the pretraining "
                "dataset (e.g. ImageNet) if it is known."
            ),
        )


@register(
    id="MLM010",
    name="name-not-architecture",
    severity="warning",
    title="mlm:name is more than the architecture name",
    source=(
        "A name for the model. This can include, but must be distinct, from simply naming the model "
        "architecture."
    ),
    source_url=f"{R_URL}#item-properties-and-collection-fields",
    example='"mlm:name": "ResNet", "mlm:architecture": "ResNet"',
)
def _name_not_architecture(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    props = _props(doc)
    name, arch = _str(props.get("mlm:name")), _str(props.get("mlm:architecture"))
    if name and arch and name.strip().casefold() == arch.strip().casefold():
        yield (
            _ptr(*_base(doc), "mlm:name"),
            (
                f"mlm:name {_show(name)} only repeats mlm:architecture; name the model itself "
                "(e.g. its published name), not just its architecture."
            ),
        )


FRAMEWORKS = (
    "PyTorch", "TensorFlow", "scikit-learn", "Hugging Face", "Keras", "ONNX", "rgee",
    "spatialRF", "JAX", "Flax", "MXNet", "Caffe", "PyMC", "Weka", "Paddle",
)  # fmt: skip
_FRAMEWORK_ALIASES = {
    **{_canon(f): f for f in FRAMEWORKS},
    "torch": "PyTorch",
    "sklearn": "scikit-learn",
    "scikit": "scikit-learn",
    "tf": "TensorFlow",
    "huggingface": "Hugging Face",
    "hf": "Hugging Face",
    "paddlepaddle": "Paddle",
}


def _framework_levels(doc: Mapping[str, Any]) -> Iterator[tuple[Pointer, Any]]:
    props = _props(doc)
    if "mlm:framework" in props:
        yield (*_base(doc), "mlm:framework"), props.get("mlm:framework")
    for path, _, asset in _assets(doc):
        if "mlm:framework" in asset:
            yield (*path, "mlm:framework"), asset.get("mlm:framework")


@register(
    id="MLM011",
    name="framework-common-name",
    severity="warning",
    title="mlm:framework uses the common spelling of a known framework",
    source=(
        'No "Enum" are *enforced* to allow easy addition of newer frameworks, but it is **STRONGLY** '
        "recommended to use common names when applicable."
    ),
    source_url=f"{R_URL}#framework",
    example='"mlm:framework": "pytorch" (common name: "PyTorch")',
)
def _framework_common_name(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, value in _framework_levels(doc):
        fw = _str(value)
        if fw is None:
            continue
        common = _FRAMEWORK_ALIASES.get(_canon(fw))
        if common is not None and fw != common:
            yield (
                _ptr(*path),
                f'mlm:framework is {_show(fw)}; use the common name "{common}".',
            )


@register(
    id="MLM012",
    name="output-tasks-subset",
    severity="warning",
    title="Output tasks are among mlm:tasks",
    source=(
        "If multi-tasks outputs are provided by distinct model heads, specify all available tasks "
        "under the main properties and specify respective tasks in each Model Output Object."
    ),
    source_url=f"{R_URL}#item-properties-and-collection-fields",
    example='"mlm:tasks": ["classification"] and an output with "tasks": ["object-detection"]',
)
def _output_tasks_subset(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    tasks = _props(doc).get("mlm:tasks")
    if not isinstance(tasks, list):
        return
    declared = {t for t in tasks if isinstance(t, str)}
    for path, obj in _ios(doc, "mlm:output"):
        for i, task in enumerate(_list(obj.get("tasks"))):
            if isinstance(task, str) and task not in declared:
                yield (
                    _ptr(*path, "tasks", i),
                    (
                        f'Output task "{task}" is not in mlm:tasks ({_names(declared) or "empty"}); '
                        "list every task of every output in mlm:tasks."
                    ),
                )


_SPECIFIC_TASKS = {
    "classification": ("scene-classification",),
    "detection": ("object-detection",),
    "segmentation": ("semantic-segmentation", "instance-segmentation", "panoptic-segmentation"),
}
_SPATIAL_DIMS = {"height", "width", "h", "w", "x", "y", "latitude", "longitude", "lat", "lon"}


@register(
    id="MLM013",
    name="tasks-most-specific",
    severity="info",
    title="mlm:tasks gives the most specific task, not only a generic one",
    source=(
        "To avoid this kind of ambiguity, it is strongly recommended that `tasks` always aim to "
        "provide the most specific definitions possible to explicitly describe what the model "
        "accomplishes."
    ),
    source_url=f"{R_URL}#task-enum",
    example='"mlm:tasks": ["classification"] for a model predicting one class per scene',
)
def _tasks_most_specific(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    tasks = _list(_props(doc).get("mlm:tasks"))
    present = {t for t in tasks if isinstance(t, str)}
    pixelwise = any(
        any(d in _SPATIAL_DIMS for d in _structure(obj, "result")[1] if isinstance(d, str))
        for _, obj in _ios(doc, "mlm:output")
    )
    for i, task in enumerate(tasks):
        specific = _SPECIFIC_TASKS.get(task) if isinstance(task, str) else None
        if specific is None or present.intersection(specific):
            continue
        if task == "classification" and pixelwise:
            hint = '"semantic-segmentation" (its output is pixel-wise)'
        else:
            hint = " or ".join(f'"{s}"' for s in specific)
        yield (
            _ptr(*_base(doc), "mlm:tasks", i),
            (
                f'mlm:tasks has only the generic task "{task}"; add the specific task {hint} that '
                "describes what the model does."
            ),
        )


def _accelerator_levels(
    doc: Mapping[str, Any],
) -> Iterator[tuple[Pointer, Mapping[str, Any], Mapping[str, Any] | None]]:
    """``(path, holder, parent)``: the properties, then assets overriding the accelerator."""
    props = _props(doc)
    yield _base(doc), props, None
    for path, _, asset in _assets(doc):
        if "mlm:accelerator" in asset or "mlm:accelerator_constrained" in asset:
            yield path, asset, props


@register(
    id="MLM014",
    name="accelerator-cpu",
    severity="warning",
    title='mlm:accelerator "cpu" is documented but rejected by the v1.5.2 schema',
    source="`cpu` an alias for the `amd64` accelerator type",
    source_url=f"{R_URL}#accelerator-type-enum",
    example='"mlm:accelerator": "cpu"',
)
def _accelerator_cpu(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, holder, _ in _accelerator_levels(doc):
        acc = _str(holder.get("mlm:accelerator"))
        if acc is not None and acc.strip().lower() == "cpu":
            yield (
                _ptr(*path, "mlm:accelerator"),
                (
                    'mlm:accelerator is "cpu", an alias the README documents but the v1.5.2 schema '
                    'rejects; use "amd64".'
                ),
            )


@register(
    id="MLM015",
    name="amd64-constrained",
    severity="info",
    title="An amd64 model sets mlm:accelerator_constrained to true",
    source=(
        "To improve comprehension by users, it is recommended that any model using "
        "`mlm:accelerator = amd64` also set explicitly `mlm:accelerator_constrained = true` to "
        "illustrate that the model **WILL NOT** use accelerators, although the hardware resolution "
        "should be identical nonetheless."
    ),
    source_url=f"{R_URL}#accelerator-type-enum",
    example='"mlm:accelerator": "amd64" without "mlm:accelerator_constrained": true',
)
def _amd64_constrained(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, holder, parent in _accelerator_levels(doc):
        acc = holder.get("mlm:accelerator", _map(parent).get("mlm:accelerator"))
        if acc != "amd64":
            continue
        constrained = holder.get(
            "mlm:accelerator_constrained", _map(parent).get("mlm:accelerator_constrained")
        )
        if constrained is not True:
            yield (
                _ptr(*path, "mlm:accelerator"),
                (
                    f'mlm:accelerator is "amd64" but mlm:accelerator_constrained is {_show(constrained)}; '
                    "set it to true to say the model will not use accelerators."
                ),
            )


@register(
    id="MLM016",
    name="null-accelerator-constrained",
    severity="info",
    title="No accelerator_constrained: true without an accelerator",
    source=(
        "To avoid confusion, it is suggested to set the `mlm:accelerator_constrained = false` or "
        "omit the field entirely in this case."
    ),
    source_url=f"{R_URL}#accelerator-type-enum",
    example='"mlm:accelerator": null, "mlm:accelerator_constrained": true',
)
def _null_accelerator_constrained(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, holder, parent in _accelerator_levels(doc):
        if holder.get("mlm:accelerator_constrained") is not True:
            continue
        acc = holder.get("mlm:accelerator", _map(parent).get("mlm:accelerator"))
        if acc is None:
            yield (
                _ptr(*path, "mlm:accelerator_constrained"),
                (
                    "mlm:accelerator_constrained is true but mlm:accelerator is null or missing; set it "
                    "to false or omit it."
                ),
            )


_CHANNELISH = {"channel", "channels", "C", "c"}


@register(
    id="MLM017",
    name="bands-recommended",
    severity="info",
    title="An input with channels references its bands or variables",
    source=(
        "Although `bands` and `variables` are not required, supplying them is **STRONGLY "
        "RECOMMENDED** if they are applicable."
    ),
    source_url=f"{R_URL}#bands-and-variables",
    example='dim_order ["batch", "channel", "height", "width"] with "bands": []',
)
def _bands_recommended(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj in _ios(doc, "mlm:input"):
        _, dims = _structure(obj, "input")
        channel = next((d for d in dims if isinstance(d, str) and d in _CHANNELISH), None)
        if channel and not _list(obj.get("bands")) and not _list(obj.get("variables")):
            yield (
                _ptr(*path),
                (
                    f'Input has a "{channel}" dimension but no bands or variables; reference the bands '
                    "(or variables) its channels carry if applicable."
                ),
            )


@register(
    id="MLM018",
    name="explicit-empty-bands",
    severity="info",
    title="An input without bands or variables says so with empty arrays",
    source=(
        "If no `bands` or `variables` are needed to describe dimensions (e.g.: describing generic "
        "text or floating value), it is *RECOMMENDED* to set both of them to an empty array (`[]`) "
        "to be explicit about it."
    ),
    source_url=f"{R_URL}#bands-and-variables",
    example="an mlm:input object with neither `bands` nor `variables`",
)
def _explicit_empty_bands(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj in _ios(doc, "mlm:input"):
        if "bands" not in obj and "variables" not in obj:
            yield (
                _ptr(*path),
                (
                    'Input has neither bands nor variables; set "bands": [] and "variables": [] to be '
                    "explicit that none apply."
                ),
            )


@register(
    id="MLM019",
    name="bands-variables-distinct",
    severity="warning",
    title="bands and variables of one input/output use distinct names",
    source=(
        "If both `bands` and `variables` are supplied simultaneously, distinct names should be "
        "employed to allow distinguishing between them and the references of corresponding STAC "
        "extensions they refer to"
    ),
    source_url=f"{R_URL}#bands-and-variables",
    example='"bands": ["t2m"], "variables": ["t2m"]',
)
def _bands_variables_distinct(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj, _ in _all_ios(doc):
        bands = {n for _, n, _ in _refs(obj, "bands")}
        for i, name, _ in _refs(obj, "variables"):
            if name in bands:
                yield (
                    _ptr(*path, "variables", i),
                    f'"{name}" is used in both bands and variables; give bands and variables distinct names.',
                )


@register(
    id="MLM020",
    name="eo-bands-location",
    severity="warning",
    title="eo:bands are on the model asset (with name-only copies when also in properties)",
    source=(
        "Therefore, `eo:bands` should either be specified *only* under the Asset containing the "
        "`mlm:model` role (see Model Asset), or define them *both* under the Asset and Item "
        "properties. If the second approach is selected, it is recommended that the `eo:bands` under "
        "the Asset contains only the `name` or the `common_name` property"
    ),
    source_url=f"{R_URL}#bands-and-statistics",
    example='"eo:bands" in Item properties but none on the `mlm:model` asset',
)
def _eo_bands_location(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if not _is_item(doc):
        return
    item_bands = _props(doc).get("eo:bands")
    models = _model_assets(doc)
    if isinstance(item_bands, list) and item_bands and models:
        if not any(isinstance(a.get("eo:bands"), list) for _, _, a in models):
            yield (
                _ptr("properties", "eo:bands"),
                (
                    "eo:bands is in Item properties but no mlm:model asset has eo:bands; define them on "
                    "the model asset (alone, or as name-only copies)."
                ),
            )
            return
        for path, _, asset in models:
            for i, band in enumerate(_list(asset.get("eo:bands"))):
                if isinstance(band, Mapping):
                    extra = sorted(k for k in band if isinstance(k, str) and k not in ("name", "common_name"))
                    if extra:
                        yield (
                            _ptr(*path, "eo:bands", i),
                            (
                                f"eo:bands of the model asset repeats {_names(extra)} although Item "
                                "properties define the bands; keep only name or common_name here."
                            ),
                        )


_VERSION_RE = re.compile(r"/(eo|raster)/v(\d+)\.")


@register(
    id="MLM021",
    name="eo-raster-v1-only",
    severity="warning",
    title="Band references rely on eo/raster v1.x or on STAC 1.1 bands",
    source=(
        "Only versions `v1.x` of `eo` and `raster` are supported to provide `mlm:input` band references."
    ),
    source_url=f"{R_URL}#bands-and-statistics",
    example='input "bands" with only eo v2.0.0 declared and no STAC 1.1 `bands`',
)
def _eo_raster_v1_only(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if not any(_list(obj.get("bands")) for _, obj, _ in _all_ios(doc)):
        return
    majors: dict[str, set[int]] = {}
    for ext in _extensions(doc):
        if m := _VERSION_RE.search(ext):
            majors.setdefault(m.group(1), set()).add(int(m.group(2)))
    v2_only = sorted(e for e, vs in majors.items() if vs and min(vs) >= 2)
    if not v2_only:
        return
    has_core_bands = any(key.endswith(" bands") for key, _ in _band_objects(doc))
    has_v1 = any(1 in vs for vs in majors.values())
    if not has_core_bands and not has_v1:
        yield (
            _ptr("stac_extensions"),
            (
                f"Bands are referenced but {' and '.join(v2_only)} are declared only at v2.x, whose "
                "bands MLM cannot reference; use eo/raster v1.x or STAC 1.1 bands."
            ),
        )


LEGACY_IO_KEYS = {
    "classification_classes": 'use "classification:classes"',
    "classes": 'use "classification:classes"',
    "norm_by_channel": "removed in v1.4.0; give one value_scaling object per band or a single one",
    "norm_type": "removed in v1.4.0; use value_scaling objects with a type",
    "norm_clip": "removed in v1.4.0; use value_scaling objects of type clip",
    "statistics": "removed in v1.4.0; use value_scaling",
}


#: Keys that MLM v1.0.0-v1.3.0 define (and validate) and v1.4.0 removed.
_PRE_V14_IO_KEYS = {"norm_by_channel", "norm_type", "norm_clip", "statistics"}


@register(
    id="MLM022",
    name="legacy-field",
    severity="warning",
    title="No legacy (pre-v1.4) keys in input/output objects",
    source=(
        "Removed `norm_by_channel` from `mlm:input` objects. If rescaling (previously normalization "
        "in the documentation) is a single value, broadcasting to the relevant bands should be "
        "performed implicitly."
    ),
    source_url=f"{CHANGELOG_URL}#v140",
    example='"classification_classes": [...] or "norm_by_channel": true in an input/output',
)
def _legacy_field(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    declared = _mlm_version(doc)
    version = _version_tuple(declared) if declared else None
    before_v14 = version is not None and version < (1, 4)
    shown = f"MLM v{declared}" if declared else "MLM"
    for path, obj, _ in _all_ios(doc):
        for key in sorted(k for k in obj if isinstance(k, str) and k in LEGACY_IO_KEYS):
            if before_v14 and key in _PRE_V14_IO_KEYS:
                continue  # defined by the version the document declares
            yield (
                _ptr(*path, key),
                (
                    f'"{key}" is a legacy key the {shown} schema neither knows nor validates; '
                    f"{LEGACY_IO_KEYS[key]}."
                ),
            )


def _version_tuple(text: str) -> tuple[int, ...] | None:
    """``"1.3.0"`` -> ``(1, 3, 0)``; None when not dotted numbers."""
    try:
        return tuple(int(part) for part in text.split("-", 1)[0].split("."))
    except ValueError:
        return None


_INPUT_KEYS = {
    "name", "description", "bands", "variables", "input", "value_scaling", "resize_type",
    "pre_processing_function",
}  # fmt: skip
_OUTPUT_KEYS = {
    "name", "description", "tasks", "result", "bands", "variables", "classification:classes",
    "post_processing_function",
}  # fmt: skip
_STRUCT_KEYS = {"shape", "dim_order", "data_type"}


@register(
    id="MLM023",
    name="unknown-io-key",
    severity="info",
    title="Input, output and structure objects use only the fields of the specification",
    source="Fix check of disallowed unknown/undefined `mlm:`-prefixed fields",
    source_url=f"{CHANGELOG_URL}#v140",
    example='an mlm:input object with "nomalize": true',
)
def _unknown_io_key(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj, skey in _all_ios(doc):
        known = _INPUT_KEYS if skey == "input" else _OUTPUT_KEYS
        kind = "input" if skey == "input" else "output"
        unknown = [k for k in obj if isinstance(k, str) and k not in known and k not in LEGACY_IO_KEYS]
        for key in sorted(k for k in unknown if not k.startswith("$")):
            yield (
                _ptr(*path, key),
                (
                    f'"{key}" is not a field of the Model {kind.title()} Object; check its spelling '
                    "or move it elsewhere."
                ),
            )
        struct = _map(obj.get(skey))
        for key in sorted(k for k in struct if isinstance(k, str) and k not in _STRUCT_KEYS and not k.startswith("$")):
            yield (
                _ptr(*path, skey, key),
                (
                    f'"{key}" is not a field of the {skey} structure (shape, dim_order, '
                    "data_type); check its spelling or move it elsewhere."
                ),
            )


CLASS_TASKS = {
    "classification", "scene-classification", "detection", "object-detection", "segmentation",
    "semantic-segmentation", "instance-segmentation", "panoptic-segmentation",
}  # fmt: skip


@register(
    id="MLM024",
    name="classes-for-classification",
    severity="info",
    title="Classification-type outputs list their classes in classification:classes",
    source=(
        "While only `tasks` and `result` are required, all fields are recommended for tasks that "
        "produce a fixed shape tensor and have output classes."
    ),
    source_url=f"{R_URL}#model-output-object",
    example='an output with "tasks": ["semantic-segmentation"] and no "classification:classes"',
)
def _classes_for_classification(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj in _ios(doc, "mlm:output"):
        tasks = {t for t in _list(obj.get("tasks")) if isinstance(t, str)} & CLASS_TASKS
        if tasks and "classification:classes" not in obj:
            legacy = [k for k in ("classification_classes", "classes") if k in obj]
            found = f' (found legacy "{legacy[0]}")' if legacy else ""
            yield (
                _ptr(*path),
                (
                    f"Output with task(s) {_names(tasks)} has no classification:classes{found}; list "
                    "the classes it predicts."
                ),
            )


COMMON_DIMS = {
    "batch", "B", "channel", "C", "bands", "variables", "temperature", "T", "pressure", "P",
    "time", "t", "latitude", "lat", "longitude", "lon", "altitude", "alt", "height", "h",
    "width", "w", "depth", "D", "x", "y", "z", "token", "class", "score", "confidence",
    "embedding",
}  # fmt: skip
_COMMON_DIMS_LOWER = {d.lower(): d for d in COMMON_DIMS if len(d) > 1}


@register(
    id="MLM025",
    name="dim-order-common-names",
    severity="info",
    title="dim_order uses the recommended common dimension names",
    source=(
        "Recommended values should use common names as much as possible to allow better "
        "interpretation by users and scripts that could need to resolve the dimension ordering for "
        "reshaping requirements according to the ML framework employed."
    ),
    source_url=f"{R_URL}#dimension-order",
    example='"dim_order": ["batch", "classes"] (common name: "class")',
)
def _dim_order_common(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    lower = _COMMON_DIMS_LOWER
    for path, obj, key in _all_ios(doc):
        for i, dim in enumerate(_structure(obj, key)[1]):
            if not isinstance(dim, str) or dim in COMMON_DIMS:
                continue
            guess = lower.get(dim.lower()) or lower.get(dim.lower().rstrip("s"))
            hint = f'; did you mean "{guess}"' if guess else ""
            yield (
                _ptr(*path, key, "dim_order", i),
                f'Dimension name "{dim}" is not one of the recommended common names{hint}.',
            )


@register(
    id="MLM026",
    name="explicit-nulls",
    severity="info",
    title="Nullable input/output fields are given as null rather than omitted",
    source=(
        "However, setting `null` explicitly when this information is known by the model provider "
        "can help users understand what is the expected behavior of the model. It is therefore "
        "recommended to provide `null` explicitly when applicable."
    ),
    source_url=f"{R_URL}#model-input-object",
    example='an mlm:input object without `resize_type` (instead of `"resize_type": null`)',
)
def _explicit_nulls(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    wanted = {
        "input": ("value_scaling", "resize_type", "pre_processing_function"),
        "result": ("post_processing_function",),
    }
    for path, obj, key in _all_ios(doc):
        missing = [f for f in wanted[key] if f not in obj]
        if missing:
            yield (
                _ptr(*path),
                (
                    f"{_names(missing)} omitted; set them explicitly (null when none applies) so users "
                    "know the expected behaviour."
                ),
            )


@register(
    id="MLM027",
    name="multiple-model-assets",
    severity="warning",
    title="Several mlm:model assets are told apart by mlm:artifact_type",
    source=(
        "However, multiple Assets employing the `mlm:model` role are permitted to provide alternate "
        "interfaces of the same model (e.g.: using different frameworks or compilations), but those "
        "assets should have exactly the same model interfaces (i.e.: identical `mlm:input`, "
        "`mlm:output`, etc.). In such case, the `mlm:artifact_type` property should be used to "
        "distinguish them."
    ),
    source_url=f"{R_URL}#assets-objects",
    example='two mlm:model assets both with "mlm:artifact_type": "torch.save"',
)
def _multiple_model_assets(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    seen: dict[str, str] = {}
    for path, key, asset in _model_assets(doc):
        art = _str(asset.get("mlm:artifact_type"))
        if art is None:
            continue
        if art in seen:
            yield (
                _ptr(*path, "mlm:artifact_type"),
                (
                    f'mlm:model assets "{seen[art]}" and "{key}" share mlm:artifact_type {_show(art)}; '
                    "alternate artifacts should differ by artifact type."
                ),
            )
        else:
            seen[art] = key


@register(
    id="MLM028",
    name="model-asset-roles",
    severity="info",
    title="The model asset also has mlm:weights, mlm:checkpoint or mlm:compiled",
    source=(
        "Recommended Asset `roles` include `mlm:weights` or `mlm:checkpoint` for model weights that "
        "need to be loaded by a model definition and `mlm:compiled` for models that can be loaded "
        "directly without an intermediate model definition."
    ),
    source_url=f"{R_URL}#model-asset",
    example='"roles": ["mlm:model"] only',
)
def _model_asset_roles(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _model_assets(doc):
        if not {"mlm:weights", "mlm:checkpoint", "mlm:compiled"} & _role_set(asset):
            yield (
                _ptr(*path, "roles"),
                (
                    "Model asset roles have none of mlm:weights, mlm:checkpoint or mlm:compiled; add "
                    "the one that says how the artifact is loaded."
                ),
            )


@register(
    id="MLM029",
    name="model-file-integrity",
    severity="info",
    title="The model asset gives file:checksum and file:size",
    source=(
        "Providing the `file:checksum` and `file:size` for this file can help ensure that the model "
        "is properly instantiated from the expected weights, or that sufficient storage is allocated "
        "to run it."
    ),
    source_url=f"{BP_URL}#file-extension",
    example='an mlm:model asset without "file:checksum"',
)
def _model_file_integrity(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _model_assets(doc):
        missing = [k for k in ("file:checksum", "file:size") if k not in asset]
        if missing:
            yield (
                _ptr(*path),
                (
                    f"Model asset has no {' or '.join(missing)}; give them (file extension) so users "
                    "can verify the download and plan storage."
                ),
            )


@register(
    id="MLM030",
    name="artifact-media-type",
    severity="info",
    title="The model asset avoids custom application/x-* media types",
    source=(
        "In contrast, custom media-types such as `application/x-pytorch` have higher chances to be "
        "considered unacceptable (HTTP 406 Not Acceptable) by servers, which is why they should "
        "preferably be avoided."
    ),
    source_url=f"{R_URL}#model-artifact-media-type",
    example='"type": "application/x-pytorch"',
)
def _artifact_media_type(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _model_assets(doc):
        mt = _media_type(asset)
        if mt.startswith("application/x-"):
            fw = mt[len("application/x-") :] or "..."
            yield (
                _ptr(*path, "type"),
                (
                    f"Model asset type {_show(asset.get('type'))} is a custom media type; prefer "
                    f'"application/octet-stream; framework={fw}".'
                ),
            )


ARTIFACT_TYPES = (
    "torch.save", "torch.jit.save", "torch.export.save", "tf.keras.Model.save",
    "tf.keras.Model.save_weights", "tf.keras.Model.export",
)  # fmt: skip
_SAFETENSORS_RE = re.compile(r"^safetensors\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)$")


@register(
    id="MLM031",
    name="artifact-type-known",
    severity="info",
    title="mlm:artifact_type is one of the recommended values",
    source=(
        "Typically related to a particular ML framework, see Best Practices - Framework-specific "
        "Artifact Types for **RECOMMENDED** values."
    ),
    source_url=f"{BP_URL}#framework-specific-artifact-types",
    example='"mlm:artifact_type": "pytorch-pickle"',
)
def _artifact_type_known(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _model_assets(doc):
        art = _str(asset.get("mlm:artifact_type"))
        if art is None or art in ARTIFACT_TYPES or _SAFETENSORS_RE.match(art):
            continue
        yield (
            _ptr(*path, "mlm:artifact_type"),
            (
                f"mlm:artifact_type {_show(art)} is not a recommended value ({', '.join(ARTIFACT_TYPES)} "
                "or safetensors.{framework}.{method})."
            ),
        )


_SOURCE_ROLES = {"mlm:source_code"}


@_memo
def _source_code_assets(doc: Mapping[str, Any]) -> tuple[tuple[Pointer, str, Mapping[str, Any]], ...]:
    return tuple([a for a in _assets(doc) if _SOURCE_ROLES & _role_set(a[2]) or "mlm:entrypoint" in a[2]])


_OCI_RE = re.compile(r"^application/vnd\.(oci\.image|docker\.distribution|docker\.container)")
_RUNTIME_ROLES = frozenset(("runtime", "mlm:inference-runtime", "mlm:training-runtime"))
_CODE_ROLES = frozenset(("mlm:source_code", "code"))


@register(
    id="MLM032",
    name="sidecar-assets",
    severity="info",
    title="Source code and runtime (container) side-car assets are provided",
    source=(
        "These additional Assets are optional, but it is *STRONGLY RECOMMENDED* to provide them in "
        "order to help correct adoption and use of the described model by users."
    ),
    source_url=f"{R_URL}#assets-objects",
    example="assets with only the mlm:model asset",
)
def _sidecar_assets(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    assets = _assets(doc)
    code = any(not _CODE_ROLES.isdisjoint(_role_set(a)) for _, _, a in assets)
    runtime = any(not _RUNTIME_ROLES.isdisjoint(_role_set(a)) or _OCI_RE.match(_media_type(a)) for _, _, a in assets)
    if not code:
        yield (
            _ptr("assets"),
            (
                "No source code asset (role mlm:source_code or code); link the code that trains or "
                "runs the model."
            ),
        )
    if not runtime:
        yield (
            _ptr("assets"),
            (
                "No runtime asset (container or role runtime / mlm:inference-runtime / "
                "mlm:training-runtime); provide one to help users run the model."
            ),
        )


_HTML_BLOB_RE = re.compile(
    r"^https?://(?:www\.)?(?:github\.com/[^/]+/[^/]+/blob/|gitlab\.[^/]+/.+/-/blob/|bitbucket\.org/[^/]+/[^/]+/src/)",
    re.IGNORECASE,
)


@register(
    id="MLM033",
    name="source-code-raw",
    severity="warning",
    title="A script asset points to the raw file, not its HTML rendering",
    source=(
        "Using the HTML rendering of that source file, such as though GitHub for example, should be "
        'avoided. It is preferable to provide the "Raw Contents" endpoint of the script to '
        "facilitate its invocation without additional parsing to retrieve the source code."
    ),
    source_url=f"{R_URL}#source-code-asset",
    example='"href": "https://github.com/org/repo/blob/v1/predict.py", "type": "text/x-python"',
)
def _source_code_raw(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _assets(doc):
        href = _str(asset.get("href"))
        if href is None or not _HTML_BLOB_RE.match(href.strip()):
            continue
        mt = _media_type(asset)
        if mt and mt != "text/html":
            yield (
                _ptr(*path, "href"),
                (
                    f"Asset href {_show(href)} is the HTML page of the file while its type is "
                    f'"{mt}"; link the raw contents (e.g. raw.githubusercontent.com).'
                ),
            )


_VCS_RE = re.compile(r"^https?://(?:www\.)?(github\.com|gitlab\.com|bitbucket\.org)/(.*)$", re.IGNORECASE)


def _vcs_unpinned(href: str) -> bool:
    m = _VCS_RE.match(href.strip())
    if not m:
        return False
    path = m.group(2).split("?", 1)[0].split("#", 1)[0]
    parts = [p for p in path.split("/") if p]
    if len(parts) < 2:
        return False
    return len(parts) == 2 and "@" not in parts[1]


@register(
    id="MLM034",
    name="source-code-pinned",
    severity="info",
    title="A repository URL pins a commit, release, branch or tag",
    source=(
        "If an URI to a version control system is employed, it is recommended that it includes a "
        "specific commit hash, a release number, a target branch or Git tag in order to ensure "
        "correct resolution of the specific model being described."
    ),
    source_url=f"{R_URL}#source-code-asset",
    example='"href": "https://github.com/org/repo"',
)
def _source_code_pinned(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _assets(doc):
        href = _str(asset.get("href"))
        if href is not None and _vcs_unpinned(href):
            yield (
                _ptr(*path, "href"),
                (
                    f"Repository URL {_show(href)} names no commit, release, branch or tag; pin one "
                    "(e.g. .../tree/<commit>)."
                ),
            )


@register(
    id="MLM035",
    name="source-code-roles",
    severity="info",
    title="The source code asset has the code and metadata roles",
    source=(
        "Recommended asset `roles` include `code` and `metadata`, since the source code asset might "
        "also refer to more detailed metadata than this specification captures."
    ),
    source_url=f"{R_URL}#source-code-asset",
    example='"roles": ["mlm:source_code"]',
)
def _source_code_roles(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _source_code_assets(doc):
        missing = [r for r in ("code", "metadata") if r not in _roles(asset)]
        if missing:
            yield (
                _ptr(*path, "roles"),
                f"Source code asset roles lack {_names(missing)}; add them.",
            )


@register(
    id="MLM036",
    name="container-asset",
    severity="info",
    title='A container asset has the "runtime" role',
    source='Specify `["runtime"]` and any other custom roles.',
    source_url=f"{R_URL}#container-asset",
    example='"type": "application/vnd.oci.image.index.v1+json", "roles": ["mlm:container"]',
)
def _container_asset(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _assets(doc):
        if _OCI_RE.match(_media_type(asset)) and "runtime" not in _roles(asset):
            yield (
                _ptr(*path, "roles"),
                f'Container asset (type {_show(asset.get("type"))}) lacks the "runtime" role; add it.',
            )


@register(
    id="MLM037",
    name="not-alone",
    severity="warning",
    title="MLM is not the only extension in stac_extensions",
    source=(
        "A properly defined MLM STAC Item/Collection should almost never have the Machine Learning "
        "Model extension exclusively in `stac_extensions`."
    ),
    source_url=f"{R_URL}#description",
    example='"stac_extensions": ["https://stac-extensions.github.io/mlm/v1.5.2/schema.json"]',
)
def _not_alone(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    exts = _extensions(doc)
    if exts and all(stac.MLM_SCHEMA_RE.match(e.strip()) for e in exts):
        yield (
            _ptr("stac_extensions"),
            (
                "stac_extensions declares only MLM; describe bands, files, processing, citations etc. "
                "with their extensions (eo/raster, file, processing, scientific ...)."
            ),
        )


@register(
    id="MLM038",
    name="temporal-context",
    severity="info",
    title="start_datetime/end_datetime give the model's recommended temporal context",
    source=(
        "It is recommended to use the `start_datetime` and `end_datetime`, `geometry`, and `bbox` "
        "in a STAC Item, and the corresponding Extent Object in a Collection, to represent the "
        "*recommended context* of the data the model was trained with and for which the model should "
        "have appropriate domain knowledge for inference."
    ),
    source_url=f"{BP_URL}#using-stac-common-metadata-fields-for-the-mlm-extension",
    example='an Item with only "datetime": "2024-01-01T00:00:00Z"',
)
def _temporal_context(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if not _is_item(doc):
        return
    props = _props(doc)
    missing = [k for k in ("start_datetime", "end_datetime") if not _str(props.get(k))]
    if missing:
        yield (
            _ptr("properties"),
            (
                f"Item has no {' / '.join(missing)}; give the time range of the training data as the "
                "model's recommended temporal context."
            ),
        )
    if doc.get("geometry") is None or not isinstance(doc.get("bbox"), list):
        yield (
            _ptr(*(("geometry",) if doc.get("geometry") is None else ("bbox",))),
            (
                "Item has no geometry/bbox; give the area of the training data as the model's "
                "recommended spatial context."
            ),
        )


_OPEN_START = re.compile(r"^1900-01-01")
_OPEN_END = re.compile(r"^9999-12-31")


def _global_bbox(box: Any) -> bool:
    vals = [_num(v) for v in _list(box)]
    if len(vals) not in (4, 6) or any(v is None for v in vals):
        return False
    nums = [v for v in vals if v is not None]
    w, s, e, n = (
        (nums[0], nums[1], nums[2], nums[3]) if len(nums) == 4 else (nums[0], nums[1], nums[3], nums[4])
    )
    # the second form is the lat/lon-swapped "world" of the best practices
    return (e - w >= 359.0 and n - s >= 179.0) or (w <= -90 and s <= -180 and e >= 90 and n >= 180)


@register(
    id="MLM039",
    name="extent-too-broad",
    severity="info",
    title="The extent is not the whole world / the 1900…9999 open-ended workaround",
    source=(
        "It is to be noted that generic and very broad spatiotemporal extents like above rarely "
        "reflect the reality regarding the capabilities and precision of the model to predict "
        "reliable results. If a more restrained area and time of interest can be identified, such as "
        "the ranges for which the training dataset applies, or a test split dataset that validates "
        "the applicability of the model on other domains, those should be provided instead."
    ),
    source_url=f"{BP_URL}#using-stac-common-metadata-fields-for-the-mlm-extension",
    example='"start_datetime": "1900-01-01T00:00:00Z", "end_datetime": "9999-12-31T23:59:59Z"',
)
def _extent_too_broad(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if _is_item(doc):
        props = _props(doc)
        start, end = _str(props.get("start_datetime")), _str(props.get("end_datetime"))
        s_ptr, e_ptr = _ptr("properties", "start_datetime"), _ptr("properties", "end_datetime")
        box, b_ptr = doc.get("bbox"), _ptr("bbox")
    else:
        extent = _map(doc.get("extent"))
        intervals = _list(_map(extent.get("temporal")).get("interval"))
        first = _list(intervals[0]) if intervals else []
        start = _str(first[0]) if len(first) > 0 else None
        end = _str(first[1]) if len(first) > 1 else None
        s_ptr = _ptr("extent", "temporal", "interval", 0, 0)
        e_ptr = _ptr("extent", "temporal", "interval", 0, 1)
        boxes = _list(_map(extent.get("spatial")).get("bbox"))
        box, b_ptr = (boxes[0] if boxes else None), _ptr("extent", "spatial", "bbox", 0)
    if start and _OPEN_START.match(start):
        yield (
            s_ptr,
            (
                f"start_datetime {_show(start)} is the best-practices workaround for an open start; "
                "give the start of the training data if it is known."
            ),
        )
    if end and _OPEN_END.match(end):
        yield (
            e_ptr,
            (
                f"end_datetime {_show(end)} is the best-practices workaround for an open end (null is "
                "not allowed); give a real end if the model's validity is known."
            ),
        )
    if _global_bbox(box):
        yield (
            b_ptr,
            "bbox covers the whole world; give the area of the training data if a narrower area is known.",
        )


@register(
    id="MLM040",
    name="training-data-links",
    severity="info",
    title="The model links its training data with derived_from",
    source=(
        "the STAC Item that contains the MLM Extension should include those STAC Collections in its "
        "`links` listing in order to provide direct references to the training dataset that was "
        "employed for creating the model."
    ),
    source_url=f"{BP_URL}#ml-aoi-and-label-extensions",
    example='links without any "rel": "derived_from"',
)
def _training_data_links(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if "derived_from" not in _rels(doc):
        yield (
            _ptr("links"),
            'links has no "derived_from" link; link the training (and validation/test) data collections.',
        )


@register(
    id="MLM041",
    name="scientific-citation",
    severity="info",
    title="The model gives sci:doi, sci:citation or a cite-as link",
    source=(
        "Provided that most models derive from previous scientific work, it is strongly recommended "
        "to employ the Scientific Extension to provide references corresponding to the original "
        "source of the model (`sci:doi`, `sci:citation`)."
    ),
    source_url=f"{BP_URL}#scientific-extension",
    example="no sci:doi, sci:citation, sci:publications nor cite-as link",
)
def _scientific_citation(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    props = _props(doc)
    if any(props.get(k) for k in ("sci:doi", "sci:citation", "sci:publications")):
        return
    if "cite-as" in _rels(doc):
        return
    yield (
        _ptr(*_base(doc)),
        (
            "No sci:doi, sci:citation or cite-as link; reference the publication of the model "
            "(scientific extension)."
        ),
    )


def _field_anywhere(doc: Mapping[str, Any], key: str) -> bool:
    return key in _props(doc) or any(key in a for _, _, a in _assets(doc))


@register(
    id="MLM042",
    name="processing-fields",
    severity="info",
    title="processing:lineage and processing:level describe the input data",
    source=(
        "It is recommended to use at least the `processing:lineage` and `processing:level` fields "
        "from the Processing Extension to make it clear how Model Input Objects are processed by the "
        "data provider prior to an inference preprocessing pipeline."
    ),
    source_url=f"{BP_URL}#processing-extension",
    example='no "processing:lineage" / "processing:level"',
)
def _processing_fields(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    missing = [k for k in ("processing:lineage", "processing:level") if not _field_anywhere(doc, k)]
    if missing:
        yield (
            _ptr(*_base(doc)),
            (
                f"No {' or '.join(missing)}; say how the input data is processed before inference "
                "(processing extension)."
            ),
        )


@register(
    id="MLM043",
    name="example-links",
    severity="info",
    title="example links show how to run the model",
    source=("This kind of reference should be added under the `links` of the STAC Item using MLM."),
    source_url=f"{BP_URL}#example-extension",
    example='links without "rel": "example"',
)
def _example_links(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if "example" in _rels(doc):
        return
    code = _source_code_assets(doc)
    hint = f' (e.g. replicate the source code asset "{code[0][1]}")' if code else ""
    yield (
        _ptr("links"),
        f'links has no "example" link; add code examples or a model card{hint}.',
    )


VERSION_RELS = ("latest-version", "predecessor-version", "successor-version", "version-history")
#: the links catalog-scope rules look at (see :func:`catalog_view`)
_CATALOG_RELS = frozenset(("derived_from", *VERSION_RELS))


@_memo
def _version_links(doc: Mapping[str, Any]) -> tuple[tuple[int, Mapping[str, Any]], ...]:
    return tuple([(i, link) for i, link, rel in _rel_links(doc) if rel in VERSION_RELS])


_NAME_COUNTS: dict[str, Any] = {"catalog": None, "counts": Counter()}


def release_catalog() -> None:
    """Forget the catalog the catalog-scope rules last read (it holds every parsed document)."""
    _NAME_COUNTS["catalog"], _NAME_COUNTS["counts"] = None, Counter()


def _mlm_name_counts(catalog: Mapping[str, Any]) -> Counter[str]:
    """How many MLM documents of ``catalog`` carry each ``mlm:name`` (computed once per catalog)."""
    if _NAME_COUNTS["catalog"] is not catalog:
        counts: Counter[str] = Counter()
        for other in catalog.values():
            if isinstance(other, Mapping) and stac.is_mlm(other):
                name = _str(stac.properties(other).get("mlm:name"))
                if name:
                    counts[name] += 1
        _NAME_COUNTS["catalog"], _NAME_COUNTS["counts"] = catalog, counts
    counts_now: Counter[str] = _NAME_COUNTS["counts"]
    return counts_now


@register(
    id="MLM044",
    name="version-extension",
    severity="info",
    title="Models sharing mlm:name are chained by version links",
    source=(
        "In the even that a model is retrained with gradually added annotations or improved training "
        "strategies leading to better performances, the existing model and newer models represented "
        "by STAC Items with MLM should also make use of the Version Extension."
    ),
    source_url=f"{BP_URL}#version-extension",
    example="two Items with the same mlm:name and no predecessor-version / successor-version links",
    scope="catalog",
)
def _version_extension(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    name = _str(_props(doc).get("mlm:name"))
    if not name or ctx.catalog is None or _version_links(doc):
        return
    self_href = _resolve(ctx, ctx.href) or ctx.href
    own = ctx.catalog.get(self_href)
    own_counted = isinstance(own, Mapping) and stac.is_mlm(own) and _str(stac.properties(own).get("mlm:name")) == name
    others = _mlm_name_counts(ctx.catalog)[name] - (1 if own_counted else 0)
    if others:
        yield (
            _ptr(*_base(doc), "mlm:name"),
            (
                f"mlm:name {_show(name)} is shared with {others} other document(s) of the catalog but "
                "there are no version links; chain the versions (version extension)."
            ),
        )


def catalog_view(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What the catalog-scope rules read of a document: of the one checked and of the others.

    ``type`` and ``id`` as they are; the MLM schemas of ``stac_extensions``
    (what :func:`mlm_site.stac.is_mlm` looks for); ``mlm:name`` where
    :func:`mlm_site.stac.properties` finds it (Item properties or the top
    level); of ``links``, the ``rel``, ``href`` and ``mlm:name`` of the
    ``derived_from`` and version links, every other entry replaced by null
    (so that the indices, which the pointers name, stay).

    The catalog-scope rules give the same findings on views (the document's
    and those of ``ctx.catalog``) as on whole documents: ``mlm-site
    validate`` keeps only the views of a large catalog in memory. A
    catalog-scope rule that reads anything else must add it here
    (``test_catalog_rules_see_the_same_on_views`` checks the fixtures).
    ``catalog_view(catalog_view(doc)) == catalog_view(doc)``.
    """
    view = {key: doc[key] for key in ("type", "id") if key in doc}
    if "stac_extensions" in doc:
        view["stac_extensions"] = [e for e in stac.extensions(doc) if stac.MLM_SCHEMA_RE.match(e.strip())]
    props = stac.properties(doc)
    if "mlm:name" in props:
        if doc.get("type") == "Feature":
            view["properties"] = {"mlm:name": props["mlm:name"]}
        else:
            view["mlm:name"] = props["mlm:name"]
    links = doc.get("links")
    if isinstance(links, list):
        kept: list[Any] = [None] * len(links)
        for i, link in stac.links(doc):
            if _rel(link) in _CATALOG_RELS:
                kept[i] = {key: link[key] for key in ("rel", "href", "mlm:name") if key in link}
        view["links"] = kept
    return view


def _mlm_derived_links(
    doc: Mapping[str, Any], ctx: RuleContext
) -> list[tuple[int, Mapping[str, Any], Mapping[str, Any] | None]]:
    """``derived_from`` links to an MLM document: in the catalog, or flagged by ``mlm:name``."""
    found: list[tuple[int, Mapping[str, Any], Mapping[str, Any] | None]] = []
    for i, link, rel in _rel_links(doc):
        if rel != "derived_from":
            continue
        target = _target(ctx, link["href"])
        if target is not None and stac.is_mlm(target):
            found.append((i, link, target))
        elif target is None and isinstance(link.get("mlm:name"), str):
            found.append((i, link, None))
    return found


@register(
    id="MLM045",
    name="derived-from-name",
    severity="info",
    title="A derived_from link to an MLM document carries its mlm:name",
    source=(
        "It is recommended that the link using `derived_from` referring to another STAC definition "
        "using the MLM extension specifies the `mlm:name` value to make the derived reference more "
        "explicit."
    ),
    source_url=f"{R_URL}#relation-types",
    example='{"rel": "derived_from", "href": "../model/item.json"} without "mlm:name"',
    scope="catalog",
    applies="any",
)
def _derived_from_name(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for i, link, target in _mlm_derived_links(doc, ctx):
        if target is None:
            continue
        expected = _str(stac.properties(target).get("mlm:name"))
        name = link.get("mlm:name")
        if "mlm:name" not in link:
            yield (
                _ptr("links", i),
                (
                    f"derived_from link to an MLM document has no mlm:name; add "
                    f"{_show(expected) if expected else 'the model name'}."
                ),
            )
        elif expected is not None and name != expected:
            yield (
                _ptr("links", i, "mlm:name"),
                (
                    f"derived_from link has mlm:name {_show(name)} but the linked model is named "
                    f"{_show(expected)}; use the same name."
                ),
            )


# ===========================================================================
# Further checks of the README and best practices (MLM047-)
# ===========================================================================


@register(
    id="MLM047",
    name="legacy-extension",
    severity="info",
    title="Documents using the legacy ml-model / dl-model extension migrate to MLM",
    source=("For migration details from `ml-model` to `mlm`, please refer to the ML-Model Legacy document."),
    source_url=f"{R_URL}#description",
    example='"stac_extensions": ["https://stac-extensions.github.io/ml-model/v1.0.0/schema.json"]',
    applies="any",
)
def _legacy_extension(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    exts_raw = _list(doc.get("stac_extensions"))
    for schema in _legacy_extensions(doc):
        guide = MLM_LEGACY_DLM if "dl-model" in schema else MLM_LEGACY_ML_MODEL
        which = "dl-model (DLM)" if "dl-model" in schema else "ml-model"
        idx = exts_raw.index(schema)
        yield (
            _ptr("stac_extensions", idx),
            f"stac_extensions declares the legacy {which} extension; migrate to MLM (see {guide}).",
        )
    props = _props(doc)
    legacy_keys = sorted(k for k in props if isinstance(k, str) and k.startswith(("ml-model:", "dlm:")))
    if legacy_keys and not _legacy_extensions(doc):
        yield (
            _ptr(*_base(doc), legacy_keys[0]),
            (
                f"Legacy ml-model/dlm fields {_names(legacy_keys)} are used; migrate them to MLM "
                f"(see {MLM_LEGACY_ML_MODEL})."
            ),
        )


@register(
    id="MLM048",
    name="bbox-coordinates",
    severity="error",
    title="bbox is [west, south, east, north] in degrees (not lat/lon swapped)",
    source=(
        "In this case, the common metadata to use with the model could include the bbox of "
        '"the world" `[-90, -180, 90, 180]` and the `start_datetime` and `end_datetime` range would '
        'ideally be generic values like `["1900-01-01T00:00:00Z", null]` (see warning below).'
    ),
    source_url=f"{BP_URL}#using-stac-common-metadata-fields-for-the-mlm-extension",
    example='"bbox": [-90, -180, 90, 180]',
)
def _bbox_coordinates(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if _is_item(doc):
        boxes: list[tuple[Pointer, Any]] = [(("bbox",), doc.get("bbox"))]
    else:
        raw = _list(_map(_map(doc.get("extent")).get("spatial")).get("bbox"))
        boxes = [(("extent", "spatial", "bbox", i), b) for i, b in enumerate(raw)]
    for path, box in boxes:
        vals = [_num(v) for v in _list(box)]
        if len(vals) not in (4, 6) or any(v is None for v in vals):
            continue
        nums = [v for v in vals if v is not None]
        half = len(nums) // 2
        w, s, e, n = nums[0], nums[1], nums[half], nums[half + 1]
        problems = []
        if not (-90 <= s <= 90 and -90 <= n <= 90):
            swapped = -90 <= w <= 90 and -90 <= e <= 90
            problems.append(
                "latitudes outside [-90, 90]" + (" (latitude and longitude look swapped)" if swapped else "")
            )
        if not (-180 <= w <= 180 and -180 <= e <= 180):
            problems.append("longitudes outside [-180, 180]")
        if s > n and -90 <= s <= 90 and -90 <= n <= 90:
            problems.append("south greater than north")
        if problems:
            yield (
                _ptr(*path),
                (
                    f"bbox {[round(v, 6) for v in nums]} has {' and '.join(problems)}; a bbox is "
                    "[west, south, east, north] in WGS84 degrees."
                ),
            )


@register(
    id="MLM049",
    name="ml-aoi-splits",
    severity="info",
    title="Training data links give the train, validate and test splits",
    source=(
        "If specific datasets with training/validation/test splits are known to support the claims "
        "of the suggested extent for the model, it is recommended that they are included as "
        "reference to the STAC Item/Collection using MLM."
    ),
    source_url=f"{BP_URL}#using-stac-common-metadata-fields-for-the-mlm-extension",
    example='one derived_from link with "ml-aoi:split": "train" and none for validate/test',
)
def _ml_aoi_splits(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    splits: set[str] = set()
    split_links = False
    for i, link, rel in _rel_links(doc):
        if rel != "derived_from" or "ml-aoi:split" not in link:
            continue
        split_links = True
        value = link.get("ml-aoi:split")
        if value in ("train", "validate", "test"):
            splits.add(str(value))
        else:
            yield (
                _ptr("links", i, "ml-aoi:split"),
                f'ml-aoi:split is {_show(value)}; expected "train", "validate" or "test".',
            )
    missing = [s for s in ("train", "validate", "test") if s not in splits]
    if split_links and missing:
        yield (
            _ptr("links"),
            (
                f"derived_from links give ml-aoi:split {_names(splits) or 'none'} but not "
                f"{_names(missing)}; link those splits too if they are known."
            ),
        )


def _derived_value_somewhere(
    doc: Mapping[str, Any], key: str, ok: Callable[[Any], bool], links: Sequence[Mapping[str, Any]]
) -> bool:
    holders = [_props(doc)] + [a for _, _, a in _assets(doc)] + list(links)
    return any(key in h and ok(h.get(key)) for h in holders)


@register(
    id="MLM050",
    name="derived-processing-level",
    severity="warning",
    title="A product derived from a model carries processing:level L4",
    source=(
        "STAC Items or STAC Assets resulting from the model inference should be annotated with "
        "`processing:level = L4` (as described below) to indicate that they correspond from the "
        "output of an ML model."
    ),
    source_url=f"{BP_URL}#processing-extension",
    example='an Item with a derived_from link to a model and "processing:level": "L2A"',
    applies="derived",
)
def _derived_processing_level(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    derived = _mlm_derived_links(doc, ctx)
    if not derived:
        return
    if _derived_value_somewhere(doc, "processing:level", lambda v: v == "L4", [d[1] for d in derived]):
        return
    props = _props(doc)
    found = props.get("processing:level") if "processing:level" in props else None
    where = _ptr(*_base(doc), "processing:level") if "processing:level" in props else _ptr(*_base(doc))
    yield (
        where,
        (
            f"Document is derived from a model (links/{derived[0][0]}) but processing:level is "
            f'{_show(found) if found is not None else "missing"}; set "L4" on the Item or its assets.'
        ),
    )


@register(
    id="MLM051",
    name="derived-processing-expression",
    severity="warning",
    title='A product derived from a model has a processing:expression of format "stac-mlm"',
    source=(
        "Furthermore, the `processing:expression` should be specified with a reference to the STAC "
        "Item employing the MLM extension to provide full context of the source of the derived "
        "product."
    ),
    source_url=f"{BP_URL}#processing-extension",
    example='a derived product without "processing:expression": {"format": "stac-mlm", ...}',
    applies="derived",
)
def _derived_processing_expression(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    derived = _mlm_derived_links(doc, ctx)
    if not derived:
        return

    def ok(value: Any) -> bool:
        return (
            isinstance(value, Mapping) and value.get("format") == "stac-mlm" and bool(value.get("expression"))
        )

    if _derived_value_somewhere(doc, "processing:expression", ok, []):
        return
    props = _props(doc)
    where = (
        _ptr(*_base(doc), "processing:expression") if "processing:expression" in props else _ptr(*_base(doc))
    )
    found = _show(props.get("processing:expression")) if "processing:expression" in props else "missing"
    yield (
        where,
        (
            f"Document is derived from a model (links/{derived[0][0]}) but processing:expression is "
            f'{found}; give {{"format": "stac-mlm", "expression": "<URI of the model Item>"}}.'
        ),
    )


@register(
    id="MLM052",
    name="version-link-target",
    severity="warning",
    title="Version links point to documents of the catalog",
    source=(
        "Using the fields and link relation types defined by this extension, the retraining cycle "
        "of the model can better be described, with a full history of the newer versions developed."
    ),
    source_url=f"{BP_URL}#version-extension",
    example='{"rel": "predecessor-version", "href": "./v0.json"} with no v0.json in the catalog',
    scope="catalog",
    applies="any",
)
def _version_link_target(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if ctx.catalog is None:
        return
    for i, link in _version_links(doc):
        resolved = _resolve(ctx, link["href"])
        if resolved is not None and resolved not in ctx.catalog:
            yield (
                _ptr("links", i, "href"),
                (
                    f"{_rel(link)} link points to {_show(link['href'])}, which is not a document of the "
                    "catalog; fix the href or publish that version."
                ),
            )


@register(
    id="MLM053",
    name="version-field",
    severity="info",
    title="A versioned model has a version field",
    source=(
        "the existing model and newer models represented by STAC Items with MLM should also make "
        "use of the Version Extension."
    ),
    source_url=f"{BP_URL}#version-extension",
    example='a "predecessor-version" link but no "version" property',
)
def _version_field(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    declared = any("/version/" in e for e in _extensions(doc))
    vlinks = _version_links(doc)
    if not (declared or vlinks):
        return
    props = _props(doc)
    if not _str(props.get("version")):
        why = "has version links" if vlinks else "declares the version extension"
        found = _show(props.get("version")) if "version" in props else "missing"
        yield (
            _ptr(*_base(doc), *(("version",) if "version" in props else ())),
            f"Document {why} but version is {found}; give the model version as a string.",
        )


def _framework_matches(art: str, framework: str) -> bool | None:
    """None when the artifact type implies no framework."""
    fw = _canon(framework)
    if art.startswith("torch."):
        return "torch" in fw
    if art.startswith("tf."):
        return any(k in fw for k in ("tensorflow", "keras")) or fw == "tf"
    m = _SAFETENSORS_RE.match(art)
    if m:
        family = m.group(1).lower()
        aliases = {
            "torch": ("torch",),
            "tensorflow": ("tensorflow", "keras", "tf"),
            "flax": ("flax", "jax"),
            "paddle": ("paddle",),
            "mlx": ("mlx",),
            "numpy": ("numpy", "scikitlearn", "sklearn"),
        }.get(family, (family,))
        return any(a in fw for a in aliases)
    return None


@register(
    id="MLM054",
    name="artifact-type-framework",
    severity="warning",
    title="mlm:artifact_type agrees with mlm:framework",
    source=(
        "Framework used to train the model (ex: PyTorch, TensorFlow). Typically, this will align "
        "with the applied `mlm:artifact_type` of the Model Asset."
    ),
    source_url=f"{R_URL}#item-properties-and-collection-fields",
    example='"mlm:framework": "TensorFlow" with "mlm:artifact_type": "torch.save"',
)
def _artifact_type_framework(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    item_fw = _str(_props(doc).get("mlm:framework"))
    for path, _, asset in _model_assets(doc):
        art = _str(asset.get("mlm:artifact_type"))
        fw = _str(asset.get("mlm:framework")) or item_fw
        if art is None or fw is None:
            continue
        if _framework_matches(art, fw) is False:
            yield (
                _ptr(*path, "mlm:artifact_type"),
                (
                    f"mlm:artifact_type {_show(art)} does not belong to mlm:framework {_show(fw)}; "
                    "make the artifact type and the framework agree."
                ),
            )


@register(
    id="MLM055",
    name="entrypoint-code-role",
    severity="error",
    title="An asset with mlm:entrypoint has the code role",
    source=(
        "Specific entrypoint reference in the code to use for running model inference. If "
        "specified, the `code` role is MANDATORY."
    ),
    source_url=f"{R_URL}#source-code-asset",
    example='"mlm:entrypoint": "pkg.mod:predict", "roles": ["mlm:source_code"]',
)
def _entrypoint_code_role(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _assets(doc):
        if "mlm:entrypoint" in asset and "code" not in _roles(asset):
            yield (
                _ptr(*path, "roles"),
                (
                    f'Asset has mlm:entrypoint but its roles {_show(asset.get("roles"))} lack "code"; '
                    "add the code role."
                ),
            )


MULTIHASH_CODES = multihash.CODES
_HEX_RE = multihash.HEX


def multihash_problem(checksum: Any) -> str | None:
    """Why ``checksum`` is not a well-formed hex multihash (None when it is)."""
    if not isinstance(checksum, str):
        return f"is {_show(checksum)}, not a string"
    text = checksum.strip()
    if not text or not _HEX_RE.match(text) or len(text) % 2:
        return "is not an even-length hexadecimal string"
    if len(text) > 4096:
        return "is too long for a checksum"
    parts = multihash.split(bytes.fromhex(text))
    bare = {32: "md5", 40: "sha1", 64: "sha2-256", 128: "sha2-512"}.get(len(text))
    hint = f"; it looks like a bare {bare} digest without the multihash prefix" if bare else ""
    if parts is None:
        return "has no valid multihash code/length prefix" + hint
    fn, size = parts[0], parts[1]
    digest = len(parts[2])
    if digest != size:
        known = MULTIHASH_CODES.get(fn)
        name = known[0] if known else f"code 0x{fn:x}"
        return f"declares a {size}-byte {name} digest but carries {digest} byte(s)" + hint
    known = MULTIHASH_CODES.get(fn)
    if known is None:
        return f"uses the unknown multihash function code 0x{fn:x}" + hint
    if known[1] is not None and size > known[1]:
        return f"declares a {size}-byte digest, longer than {known[0]}'s {known[1]} bytes"
    return None


@register(
    id="MLM056",
    name="checksum-multihash",
    severity="error",
    title="file:checksum is a well-formed hexadecimal multihash",
    source=(
        "In order to provide a reliable and reproducible machine learning pipeline, external "
        "references to data required by the model should employ the file to validate that they are "
        "properly retrieved for inference."
    ),
    source_url=f"{BP_URL}#file-extension",
    example='"file:checksum": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" (no 1220 prefix)',
)
def _checksum_multihash(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _assets(doc):
        if "file:checksum" in asset:
            problem = multihash_problem(asset.get("file:checksum"))
            if problem:
                yield (
                    _ptr(*path, "file:checksum"),
                    (
                        f"file:checksum {problem}; expected a hex multihash such as 1220 followed by "
                        "64 hex digits of SHA2-256."
                    ),
                )


_COLOR_RE = re.compile(r"^[0-9A-Fa-f]{6}$")


@register(
    id="MLM057",
    name="color-hint-hex",
    severity="error",
    title="Class color_hint is six hexadecimal digits, as the Classification Extension requires",
    source="A list of class objects adhering to the Classification Extension.",
    source_url=f"{R_URL}#model-output-object",
    example='"color_hint": [0, 0, 255] or "#0000FF"',
)
def _color_hint_hex(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj in _ios(doc, "mlm:output"):
        for key in ("classification:classes", "classification_classes", "classes"):
            for i, cls in enumerate(_list(obj.get(key))):
                if not isinstance(cls, Mapping) or "color_hint" not in cls:
                    continue
                hint = cls.get("color_hint")
                if hint is None or (isinstance(hint, str) and _COLOR_RE.match(hint)):
                    continue  # null: no hint (the schema judges null under classification:classes)
                fix = ' such as "00FF00"'
                if (
                    isinstance(hint, list)
                    and len(hint) == 3
                    and all((v := _int(x)) is not None and 0 <= v <= 255 for x in hint)
                ):
                    fix = f' (here "{"".join(f"{int(x):02X}" for x in hint)}")'
                elif isinstance(hint, str) and _COLOR_RE.match(hint.lstrip("#")):
                    fix = f' (here "{hint.lstrip("#")}")'
                yield (
                    _ptr(*path, key, i, "color_hint"),
                    f"color_hint is {_show(hint)}; expected six hexadecimal digits{fix}.",
                )


@register(
    id="MLM058",
    name="value-scaling-null-type",
    severity="warning",
    title='value_scaling {"type": null} is documented but rejected by the v1.5.2 schema',
    source=(
        "If none of the above values applies for a given dimension, `type: null` (literal `null`, "
        "not string) should be used instead."
    ),
    source_url=f"{R_URL}#value-scaling-object",
    example='"value_scaling": [{"type": null}, {"type": "z-score", ...}]',
)
def _value_scaling_null_type(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj in _ios(doc, "mlm:input"):
        for i, scale in enumerate(_list(obj.get("value_scaling"))):
            if isinstance(scale, Mapping) and "type" in scale and scale.get("type") is None:
                yield (
                    _ptr(*path, "value_scaling", i, "type"),
                    (
                        "value_scaling type is null, as the README says for unscaled dimensions, but the "
                        "v1.5.2 schema rejects it; validators will report this object (e.g. use "
                        '{"type": "scale", "value": 1}).'
                    ),
                )


@register(
    id="MLM059",
    name="band-format-expression",
    severity="error",
    title="A band/variable object gives format and expression together",
    source=(
        "Although `format` and `expression` are not required in this context, they are mutually "
        "dependent on each other."
    ),
    source_url=f"{R_URL}#model-band-or-variable-object",
    example='{"name": "NDVI", "format": "rio-calc"} without "expression"',
)
def _band_format_expression(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, obj, _ in _all_ios(doc):
        for field in ("bands", "variables"):
            for i, ref in enumerate(_list(obj.get(field))):
                if not isinstance(ref, Mapping):
                    continue
                has_f, has_e = "format" in ref, "expression" in ref
                if has_f != has_e:
                    given, lacking = ("format", "expression") if has_f else ("expression", "format")
                    yield (
                        _ptr(*path, field, i),
                        (
                            f"{field} object has {given} but no {lacking}; give both or neither "
                            "(some validators miss this)."
                        ),
                    )


@register(
    id="MLM060",
    name="raster-band-name",
    severity="error",
    title="raster:bands entries carry a name when inputs reference bands",
    source=("When using `raster:bands`, and additional `name` parameter **MUST** be provided for each band."),
    source_url=f"{R_URL}#bands-and-statistics",
    example='"raster:bands": [{"data_type": "uint16"}] with input "bands": ["B02"]',
)
def _raster_band_name(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    if not any(_list(obj.get("bands")) for _, obj, _ in _all_ios(doc)):
        return
    holders: list[tuple[Pointer, Mapping[str, Any]]] = [(_base(doc), _props(doc))]
    holders += [(p, a) for p, _, a in _assets(doc)]
    for path, holder in holders:
        for i, band in enumerate(_list(holder.get("raster:bands"))):
            if isinstance(band, Mapping) and not _str(band.get("name")):
                yield (
                    _ptr(*path, "raster:bands", i),
                    (
                        f"raster:bands[{i}] has name {_show(band.get('name')) if 'name' in band else 'missing'}; "
                        "each raster band needs a name for mlm:input references."
                    ),
                )


@register(
    id="MLM061",
    name="model-role-required",
    severity="error",
    title="Weights, checkpoint and compiled assets also have the mlm:model role",
    source="In each case, the `mlm:model` **MUST** be applied as well to indicate that this asset represents the model.",
    source_url=f"{R_URL}#model-asset",
    example='"roles": ["mlm:weights"] without "mlm:model"',
)
def _model_role_required(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _assets(doc):
        roles = _roles(asset)
        specific = [r for r in ("mlm:weights", "mlm:checkpoint", "mlm:compiled") if r in roles]
        if specific and "mlm:model" not in roles:
            yield (
                _ptr(*path, "roles"),
                f"Asset roles have {_names(specific)} but not mlm:model; add mlm:model.",
            )


_ASSET_KEYS: dict[str, tuple[str, ...]] = {
    "mlm:model": ("mlm:model",),
    "mlm:source_code": ("mlm:source_code",),
    "mlm:training-runtime": ("mlm:training", "mlm:container"),
    "mlm:inference-runtime": ("mlm:inference", "mlm:container"),
}
_CONTAINER_KEYS = ("mlm:container", "mlm:inference", "mlm:training")


@register(
    id="MLM062",
    name="asset-key-names",
    severity="info",
    title="MLM assets use the recommended asset keys (mlm:model, mlm:source_code, ...)",
    source=(
        "It is recommended that the Assets defined in a STAC Item using MLM extension use the above "
        "field property names for nesting the Assets in order to improve their quick "
        "identification, although the specific names employed are left up to user preference."
    ),
    source_url=f"{R_URL}#assets-objects",
    example='the model asset under "assets": {"weights": {...}}',
)
def _asset_key_names(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    assets = _assets(doc)
    present: set[str] = set()
    for _, _, a in assets:
        present.update(_role_set(a))
    groups: list[tuple[str, tuple[str, ...], list[tuple[Pointer, str]]]] = [
        (f"role {role}", wanted, [(p, k) for p, k, a in assets if role in _role_set(a)])
        for role, wanted in _ASSET_KEYS.items()
        if role in present  # no holder otherwise
    ]
    groups.append(
        (
            "a container media type",
            _CONTAINER_KEYS,
            [(p, k) for p, k, a in assets if _OCI_RE.match(_media_type(a))],
        )
    )
    for what, wanted, holders in groups:
        if holders and not any(k in wanted for _, k in holders):
            path, key = holders[0]
            yield (
                _ptr(*path),
                f'The asset with {what} is keyed "{key}"; the recommended key is '
                + " or ".join(f'"{w}"' for w in wanted)
                + ".",
            )


_GENERIC_ROLES = {
    "mlm:model": ("model",),
    "mlm:weights": ("weights", "checkpoint"),
    "mlm:checkpoint": ("weights", "checkpoint"),
    "mlm:inference-runtime": ("runtime",),
    "mlm:training-runtime": ("runtime",),
    "mlm:source_code": ("code",),
}
_GENERIC_ROLE_CHECKS = tuple((role, frozenset(generic), "/".join(generic)) for role, generic in _GENERIC_ROLES.items())


@register(
    id="MLM063",
    name="asset-generic-roles",
    severity="info",
    title="mlm: asset roles come with their generic (non-prefixed) roles",
    source=(
        "Note that `mlm:` prefixed roles are used for identification purpose of the Assets, but "
        "non-prefixed roles can be provided as well to offer generic descriptors."
    ),
    source_url=f"{R_URL}#mlm-asset-roles",
    example='"roles": ["mlm:model", "mlm:weights"] without "model" / "weights"',
)
def _asset_generic_roles(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _assets(doc):
        roles = _role_set(asset)
        if roles.isdisjoint(_GENERIC_ROLES):
            continue
        missing = sorted(
            {joined for role, generic, joined in _GENERIC_ROLE_CHECKS if role in roles and roles.isdisjoint(generic)}
        )
        if missing:
            yield (
                _ptr(*path, "roles"),
                (
                    f"Asset roles {_names(r for r in roles if r.startswith('mlm:'))} lack the generic "
                    f"role(s) {', '.join(missing)}; add them for clients unaware of MLM."
                ),
            )


_SCRIPT_TYPES = {
    ".py": "text/x-python",
    ".r": "text/x-r",
    ".jl": "text/x-julia",
    ".sh": "text/x-shellscript",
}


@register(
    id="MLM064",
    name="source-code-media-type",
    severity="warning",
    title="A script asset uses a specific media type such as text/x-python",
    source=(
        "It is strongly recommended to use a specific media-type such as `text/x-python` if the "
        "source code refers directly to a script of a known programming language."
    ),
    source_url=f"{R_URL}#source-code-asset",
    example='"href": "https://raw.githubusercontent.com/o/r/v1/run.py", "type": "text/plain"',
)
def _source_code_media_type(doc: Mapping[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    for path, _, asset in _assets(doc):
        href = _str(asset.get("href"))
        if href is None or _CODE_ROLES.isdisjoint(_role_set(asset)):
            continue
        try:
            file_path = urlsplit(href.strip()).path.lower()
        except ValueError:
            continue
        ext = next((e for e in _SCRIPT_TYPES if file_path.endswith(e)), None)
        if ext is None or _HTML_BLOB_RE.match(href.strip()):
            continue  # HTML pages of scripts are MLM033's business
        if _media_type(asset) != _SCRIPT_TYPES[ext]:
            yield (
                _ptr(*path, *(("type",) if "type" in asset else ())),
                (
                    f"Script asset {_show(href)} has type {_show(asset.get('type'))}; use "
                    f'"{_SCRIPT_TYPES[ext]}".'
                ),
            )


# ---------------------------------------------------------------------------
# Running rules
# ---------------------------------------------------------------------------


def _lookup(key: str) -> Rule | None:
    if key in RULES:
        return RULES[key]
    return next((r for r in RULES.values() if r.name == key), None)


def _resolve_keys(keys: Iterable[str] | None, what: str) -> set[str] | None:
    if keys is None:
        return None
    if isinstance(keys, str):
        keys = [keys]
    ids: set[str] = set()
    for key in keys:
        rule = _lookup(key)
        if rule is None:
            if key in SUPPRESSIONS:
                continue
            raise ValueError(f"unknown rule {key!r} in {what}")
        ids.add(rule.id)
    return ids


#: the rules to run (with their severity) by (catalog given, MLM document), for each
#: (select, ignore, severity_overrides) seen; rebuilt when :data:`RULES` changes
_PLANS: dict[Any, dict[tuple[bool, bool], list[tuple[Rule, Severity]]]] = {}
_PLANS_FOR: list[list[Rule]] = [[]]


def _option_key(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return tuple(value)


def _plans(
    select: Iterable[str] | None, ignore: Iterable[str] | None, severity_overrides: Mapping[str, str] | None
) -> dict[tuple[bool, bool], list[tuple[Rule, Severity]]]:
    """Which rules :func:`run_rules` runs, in registry order; ``ValueError`` for bad options."""
    select, ignore = _option_key(select), _option_key(ignore)  # read once (iterators)
    key: Any = (select, ignore, tuple(severity_overrides.items()) if severity_overrides else None)
    rules = list(RULES.values())
    if rules != _PLANS_FOR[0]:
        _PLANS.clear()
        _PLANS_FOR[0] = rules
    try:
        plans = _PLANS.get(key)
    except TypeError:  # unhashable options: checked (and refused) below, never cached
        key, plans = _NO_DOC, None
    if plans is not None:
        return plans
    selected = _resolve_keys(select, "select")
    ignored = _resolve_keys(ignore, "ignore") or set()
    overrides: dict[str, Severity] = {}
    for name, sev in (severity_overrides or {}).items():
        rule = _lookup(name)
        if rule is None:
            raise ValueError(f"unknown rule {name!r} in severity_overrides")
        overrides[rule.id] = _as_severity(sev)
    plans = {}
    for has_catalog in (False, True):
        for mlm in (False, True):
            plans[(has_catalog, mlm)] = [
                (rule, overrides.get(rule.id, rule.severity))
                for rule in rules
                if not ((selected is not None and rule.id not in selected) or rule.id in ignored)
                and not (rule.scope == "catalog" and not has_catalog)
                and not ((rule.applies == "mlm" and not mlm) or (rule.applies == "derived" and mlm))
            ]
    if key is not _NO_DOC:
        _PLANS[key] = plans
    return plans


def _as_severity(value: str) -> Severity:
    if value == "error":
        return "error"
    if value == "warning":
        return "warning"
    if value == "info":
        return "info"
    raise ValueError(f"bad severity {value!r} (expected error, warning or info)")


def _safe_href(href: Any) -> str:
    return href if isinstance(href, str) else ""


def run_rules(
    doc: Any,
    href: str,
    catalog: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    severity_overrides: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Run the rules on one document and return their findings (sorted).

    ``select``/``ignore`` take rule ids or names; ``severity_overrides`` maps a
    rule id or name to ``error``/``warning``/``info``. Unknown rule ids or bad
    severities in these options are programming/configuration errors and raise
    ``ValueError`` before the document is looked at. The document itself can be
    anything: nothing in it makes this function raise. A check that raises
    anyway yields one ``warning`` finding naming the internal error.
    """
    plans = _plans(select, ignore, severity_overrides)
    if not isinstance(doc, Mapping):
        return []
    safe_href = _safe_href(href)
    ctx = RuleContext(safe_href, catalog if isinstance(catalog, Mapping) else None)
    findings: list[Finding] = []
    _SLOT[0] = (doc, {})
    try:
        try:
            mlm = _mlm_version(doc) is not None  # stac.is_mlm, remembered for the rules
        except Exception:  # pragma: no cover - stac.mlm_version is defensive
            mlm = False
        for rule, severity in plans[(ctx.catalog is not None, mlm)]:
            count = 0
            try:
                for pointer, message in rule.check(doc, ctx):
                    count += 1
                    if count <= MAX_FINDINGS_PER_RULE:
                        findings.append(Finding(safe_href, pointer, rule.id, severity, message))
            except Exception as exc:
                findings.append(
                    Finding(
                        safe_href,
                        "",
                        rule.id,
                        "warning",
                        f"Internal error in rule {rule.id} ({rule.name}): {type(exc).__name__}; "
                        "the rule was skipped for this document, please report it.",
                    )
                )
            if count > MAX_FINDINGS_PER_RULE:
                findings.append(
                    Finding(
                        safe_href,
                        "",
                        rule.id,
                        severity,
                        f"{count - MAX_FINDINGS_PER_RULE} more finding(s) of rule {rule.id} "
                        f"({rule.name}) not shown.",
                    )
                )
    finally:
        _SLOT[0] = (_NO_DOC, {})
    return sorted(findings, key=Finding.sort_key)


# ---------------------------------------------------------------------------
# Documentation
# ---------------------------------------------------------------------------


def _md_code(text: str) -> str:
    """``text`` as inline code unless it already contains Markdown code."""
    return text if "`" in text else f"`{text}`"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> str:
    """The rules reference (``docs/rules.md``), generated from :data:`RULES`."""
    out: list[str] = [
        "# MLM best-practice rules",
        "",
        "<!-- Generated by mlm_site.validate.rules.rules_markdown(); do not edit. -->",
        "<!-- Regenerate: python -m mlm_site.validate.rules docs/rules.md -->",
        "",
        (
            "These rules check what the MLM JSON schema cannot: cross-references (band and variable "
            "names, version links), consistency (shape vs. dim_order, value_scaling count, tasks) and the "
            "recommendations (SHOULD / RECOMMENDED) of the MLM specification (`README.md`) and its "
            "best practices (`best-practices.md`), v1.5.2."
        ),
        "",
        "* **error**: a MUST of the specification is broken or the metadata cannot be used as written;",
        (
            "* **warning**: a SHOULD / STRONGLY RECOMMENDED is not followed, or the value is documented "
            "but rejected by the schema;"
        ),
        "* **info**: a RECOMMENDED practice or suggestion.",
        "",
        (
            "Rules run on documents that declare MLM in `stac_extensions`, except those marked "
            "*any document* (legacy extensions, links) and *derived products* (documents that are not MLM "
            "but link to an MLM document with `derived_from`). Rules of scope *catalog* need the whole "
            "crawl and are skipped when a single document is validated. In Items the MLM fields are "
            "under `/properties`; in Collections they are at the top level, and pointers say so."
        ),
        "",
        (
            "Rules can be selected, ignored or given another severity by id or name "
            "(`run_rules(..., select=..., ignore=..., severity_overrides=...)`). A rule reports at most "
            f"{MAX_FINDINGS_PER_RULE} findings per document, then one summary finding. A check that fails "
            "on an unexpected input reports one warning (internal error) instead of stopping the build."
        ),
        "",
        "| id | name | severity | scope | runs on | title |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    runs_on = {"mlm": "MLM documents", "any": "any document", "derived": "derived products"}
    for rule in RULES.values():
        out.append(
            f"| [{rule.id}](#{rule.id.lower()}-{rule.name}) | `{rule.name}` | {rule.severity} | "
            f"{rule.scope} | {runs_on[rule.applies]} | {_md_cell(rule.title)} |"
        )
    out.append("")
    for rule in RULES.values():
        out += [
            f"## {rule.id} {rule.name}",
            "",
            (
                f"**{rule.title}** — severity *{rule.severity}*, scope *{rule.scope}*, runs on "
                f"{runs_on[rule.applies]}."
            ),
            "",
            f"> {rule.source}",
            "",
            f"Source: <{rule.source_url}>",
            "",
            f"Failing example: {_md_code(rule.example)}",
            "",
        ]
    out += ["## Suppressions", ""]
    for rid, text in SUPPRESSIONS.items():
        out += [f"* **{rid}** {text}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write :func:`rules_markdown` to the path given (stdout without one)."""
    args = list(sys.argv[1:] if argv is None else argv)
    text = rules_markdown()
    if args:
        with open(args[0], "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
