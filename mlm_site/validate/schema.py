"""JSON Schema validation of STAC documents, as :class:`~mlm_site.findings.Finding` s.

A document is checked against the STAC core schema for its ``type`` and
``stac_version`` and against every schema URL in its ``stac_extensions``.
Each schema is validated as the draft its own ``$schema`` names (the MLM and
STAC schemas are draft-07, so ``dependencies`` is enforced).

Speed: when the ``jsonschema_rs`` package is importable (``engine="auto"``),
each schema is also compiled with it and a document is first checked with its
``is_valid``; only documents it rejects are walked by the Python ``jsonschema``
engine, which produces the readable messages and has the last word (a
document that ``jsonschema`` accepts gets no finding).

Findings are readable rather than exhaustive trees: for ``anyOf``/``oneOf``
failures the errors of the closest branch are reported (a branch ruled out by
a discriminator such as ``type`` loses, then the one with fewest errors wins,
in the spirit of :func:`jsonschema.exceptions.best_match`), duplicates by
``(pointer, message)`` are dropped and values are shown truncated.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import jsonschema
import jsonschema.exceptions
import jsonschema.protocols
import referencing.exceptions

from mlm_site.findings import Finding, make_pointer
from mlm_site.schemas import SchemaStore, SchemaUnavailable, core_schema_url, schema_key
from mlm_site.stac import LEGACY_SCHEMA_RE, MLM_SCHEMA_RE, kind

jsonschema_rs: Any
try:  # the fast path is optional
    import jsonschema_rs as _jsonschema_rs
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema_rs = None
else:
    jsonschema_rs = _jsonschema_rs

__all__ = ["RULE", "CompiledSchema", "Engine", "SchemaValidator", "demanded_urls", "rs_available"]

log = logging.getLogger(__name__)

#: The rule id of every finding produced here.
RULE = "schema"

#: ``"auto"``: jsonschema-rs pre-check when installed, Python jsonschema for messages.
#: ``"python"``: Python jsonschema only.
Engine = Literal["auto", "python"]

_SHORT = 80  # longest rendering of a value inside a message
_LONGEST_MESSAGE = 400

_PY_DRAFTS: tuple[type[jsonschema.protocols.Validator], ...] = (
    jsonschema.Draft4Validator,
    jsonschema.Draft6Validator,
    jsonschema.Draft7Validator,
    jsonschema.Draft201909Validator,
    jsonschema.Draft202012Validator,
)


#: :func:`~mlm_site.schemas.schema_key`, remembered (a catalog names few schemas, over and over)
_remembered_key = functools.lru_cache(maxsize=4096)(schema_key)


def _key(url: str) -> str:
    return _remembered_key(url) if len(url) <= 1000 else schema_key(url)  # no huge hostile strings kept


def rs_available() -> bool:
    """True when the ``jsonschema_rs`` fast path can be used."""
    return jsonschema_rs is not None


def _draft_classes(schema: Any) -> tuple[type[jsonschema.protocols.Validator], Any]:
    """The Python and jsonschema-rs validator classes for the draft ``schema`` declares.

    Draft-07 when ``$schema`` is absent or unknown (all STAC schemas are draft-07).
    """
    declared = schema.get("$schema") if isinstance(schema, dict) else None
    py_cls: type[jsonschema.protocols.Validator] = jsonschema.Draft7Validator
    if isinstance(declared, str):
        wanted = schema_key(declared)
        for candidate in _PY_DRAFTS:
            meta = candidate.META_SCHEMA
            meta_id = meta.get("$id", meta.get("id"))
            if isinstance(meta_id, str) and schema_key(meta_id) == wanted:
                py_cls = candidate
                break
    rs_cls: Any = None
    if jsonschema_rs is not None:
        by_draft: dict[type[Any], Any] = {
            jsonschema.Draft4Validator: jsonschema_rs.Draft4Validator,
            jsonschema.Draft6Validator: jsonschema_rs.Draft6Validator,
            jsonschema.Draft7Validator: jsonschema_rs.Draft7Validator,
            jsonschema.Draft201909Validator: jsonschema_rs.Draft201909Validator,
            jsonschema.Draft202012Validator: jsonschema_rs.Draft202012Validator,
        }
        rs_cls = by_draft[py_cls]
    return py_cls, rs_cls


@dataclass(frozen=True)
class CompiledSchema:
    """The validators of one schema URL, compiled once and reused.

    Both validate the wrapper ``{"$ref": url}``, so the schema is resolved
    through the store by the URL it was requested by (whatever its ``$id``).
    ``rs`` is None when jsonschema-rs is not used or could not compile it.
    """

    url: str
    python: jsonschema.protocols.Validator
    rs: Any = None
    #: URLs the published schema demands in ``stac_extensions`` in place of
    #: its own URL (see :func:`demanded_urls`); empty for well-formed schemas.
    demanded: tuple[str, ...] = ()


# -- message formatting --------------------------------------------------------


def _short(value: Any, limit: int = _SHORT) -> str:
    """``value`` as compact JSON, cut to ``limit`` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=False, default=repr)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _label(path: Iterable[str | int]) -> str:
    """A readable location: ``properties.mlm:tasks[0]``; ``document`` for the root."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "document"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def _type_message(label: str, expected: Any, instance: Any) -> str:
    if isinstance(expected, list):
        wanted = " or ".join(str(t) for t in expected)
    else:
        wanted = str(expected)
    return f"{label}: expected {wanted}, got {_json_type(instance)} {_short(instance, 40)}"


def _required_message(label: str, name: str) -> str:
    return f"{label}: required field {name!r} is missing"


_REQUIRED_RE = re.compile(r"^(?P<name>.+) is a required property$")
_DEPENDENCY_RE = re.compile(r"^(?P<needed>.+) is a dependency of (?P<field>.+)$")


def _describe(error: jsonschema.exceptions.ValidationError) -> str:
    """A one-line message naming the field and what the schema expected."""
    label = _label(error.absolute_path)
    keyword = error.validator
    value = error.validator_value
    instance = error.instance
    message = error.message
    if keyword == "required":
        m = _REQUIRED_RE.match(message)
        if m:
            return _required_message(label, m.group("name").strip("'\""))
    elif keyword == "type":
        return _type_message(label, value, instance)
    elif keyword == "enum" and isinstance(value, list):
        return f"{label}: {_short(instance, 40)} is not one of {_short(value, 2 * _SHORT)}"
    elif keyword == "const":
        return f"{label}: expected {_short(value)}, got {_short(instance, 40)}"
    elif keyword in ("dependencies", "dependentRequired"):
        m = _DEPENDENCY_RE.match(message)
        if m:
            return f"{label}: field {m.group('field')} requires field {m.group('needed')}"
    elif keyword == "contains" and isinstance(value, Mapping):
        if "const" in value:
            return f"{label}: must contain {_short(value['const'])}"
        return f"{label}: no item matches the required schema"
    elif keyword == "additionalProperties" and isinstance(instance, Mapping):
        return f"{label}: {message}"
    elif keyword in ("anyOf", "oneOf") and not error.context:
        if keyword == "oneOf":
            return f"{label}: matches more than one of the allowed forms (oneOf)"
        return f"{label}: matches none of the allowed forms (anyOf)"
    elif keyword == "not":
        return _not_message(label, value)
    elif keyword in ("minItems", "maxItems") and isinstance(instance, list) and isinstance(value, int):
        if keyword == "maxItems" and value == 0:
            return f"{label}: expected an empty array, got {len(instance)} items"
        bound = "at least" if keyword == "minItems" else "at most"
        return f"{label}: expected {bound} {value} items, got {len(instance)}"
    elif keyword == "false":
        return f"{label}: is not allowed here"
    # Generic: jsonschema's own message, with the instance and schema value shortened.
    for whole in (instance, value):
        full = repr(whole)
        if len(full) > _SHORT and full in message:
            message = message.replace(full, _short(whole))
    text = f"{label}: {message}"
    if len(text) > _LONGEST_MESSAGE:
        text = text[: _LONGEST_MESSAGE - 1] + "…"
    return text


def _required_names(schema: Any) -> list[str] | None:
    """The field names of ``{"required": [...]}`` or an ``anyOf`` of such; None otherwise."""
    if isinstance(schema, Mapping):
        if set(schema) == {"required"} and isinstance(schema["required"], list):
            return [str(n) for n in schema["required"]]
        if set(schema) == {"anyOf"} and isinstance(schema["anyOf"], list):
            names: list[str] = []
            for branch in schema["anyOf"]:
                found = _required_names(branch)
                if found is None:
                    return None
                names.extend(found)
            return names
    return None


def _exists_chain(schema: Any) -> tuple[str, Any] | None:
    """``(path, X)`` when ``schema`` says "every ... is not X" (so ``not`` of it means "some ... is X").

    Follows ``properties``/``additionalProperties``/``items`` (a ``type`` beside them is ignored)
    down to ``{"not": {"const": X}}``; ``path`` reads like ``assets.*.roles[*]``.
    """
    path = ""
    node = schema
    for _ in range(12):
        if not isinstance(node, Mapping):
            return None
        rest = {k: v for k, v in node.items() if k not in ("type", "$comment", "description")}
        if set(rest) == {"not"} and isinstance(rest["not"], Mapping) and set(rest["not"]) == {"const"}:
            return (path or "value"), rest["not"]["const"]
        if len(rest) != 1:
            return None
        ((key, sub),) = rest.items()
        if key == "properties" and isinstance(sub, Mapping) and len(sub) == 1:
            ((name, node),) = sub.items()
            path += ("." if path else "") + str(name)
        elif key == "additionalProperties":
            path += ".*"
            node = sub
        elif key == "items":
            path += "[*]"
            node = sub
        else:
            return None
    return None


def _not_message(label: str, value: Any) -> str:
    """A readable message for a failed ``not``."""
    names = _required_names(value)
    if names is not None:
        shown = ", ".join(repr(n) for n in names)
        if len(names) == 1:
            return f"{label}: must not have the field {shown} here"
        return f"{label}: must have none of the fields {shown} here"
    if isinstance(value, Mapping):
        if set(value) == {"const"}:
            return f"{label}: must not be {_short(value['const'])}"
        if set(value) == {"contains"} and isinstance(value["contains"], Mapping) and "const" in value["contains"]:
            return f"{label}: must not contain {_short(value['contains']['const'])}"
        if set(value) == {"$ref"} and isinstance(value["$ref"], str):
            name = value["$ref"].rsplit("/", 1)[-1]
            return f"{label}: must not match the schema's definition {name!r}"
        chain = _exists_chain(value)
        if chain is not None:
            return f"{label}: at least one {chain[0]} must be {_short(chain[1])}"
    return f"{label}: must not match {_short(value)}"


_VE = jsonschema.exceptions.ValidationError
_ALTERNATIVES = ("anyOf", "oneOf")


def _branch_score(parent: _VE, errors: Sequence[_VE]) -> tuple[int, int]:
    """How badly one ``anyOf``/``oneOf`` branch misses (lower is a closer match).

    A branch whose errors include a *discriminator* mismatch (a wrong ``const``
    or ``enum`` on a direct member, like ``type: "Collection"``, or the wrong
    JSON type for the instance itself) is clearly meant for other documents.
    Among the rest, fewer errors means closer.
    """
    depth = len(parent.absolute_path)
    discriminated = any(
        (e.validator in ("const", "enum") and len(e.absolute_path) == depth + 1)
        or (e.validator == "type" and len(e.absolute_path) == depth)
        or (e.validator == "maxItems" and e.validator_value == 0 and len(e.absolute_path) == depth)
        for e in errors
    )
    return (1 if discriminated else 0, len(errors))


def _explain(error: _VE) -> list[tuple[str, str]]:
    """``(pointer, message)`` pairs for one top-level error.

    Plain errors explain themselves. For ``anyOf``/``oneOf`` the branch that
    matches best is chosen and its errors explained (recursively); when
    several branches match equally well, one message lists the alternatives.
    """
    if error.validator not in _ALTERNATIVES or not error.context:
        return [(make_pointer(error.absolute_path), _describe(error))]
    branches: dict[Any, list[_VE]] = {}
    for sub in error.context:
        index = sub.relative_schema_path[0] if sub.relative_schema_path else 0
        branches.setdefault(index, []).append(sub)
    scored = sorted(branches.items(), key=lambda item: (_branch_score(error, item[1]), str(item[0])))
    best_score = _branch_score(error, scored[0][1])
    closest = [errs for _, errs in scored if _branch_score(error, errs) == best_score]
    if len(closest) == 1:
        out: list[tuple[str, str]] = []
        for sub in closest[0]:
            out.extend(_explain(sub))
        return out
    label = _label(error.absolute_path)
    options: list[tuple[str, str]] = []
    for errs in closest:
        first = _explain(errs[0])[0]
        if first[1] not in (m for _, m in options):
            options.append(first)
    if len(options) == 1:  # every close branch fails the same way
        return options
    shown = "; or ".join(m for _, m in options[:3]) + ("; or …" if len(options) > 3 else "")
    text = f"{label}: matches none of the allowed forms: {shown}"
    if len(text) > _LONGEST_MESSAGE:
        text = text[: _LONGEST_MESSAGE - 1] + "…"
    return [(make_pointer(error.absolute_path), text)]


def _unresolvable_reason(exc: referencing.exceptions.Unresolvable) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, SchemaUnavailable):
            return f"reference {cause.url} could not be resolved: {cause.reason}"
        cause = cause.__cause__
    return f"reference could not be resolved: {exc}"


# -- published-schema quirks -----------------------------------------------------


def _stac_extensions_consts(schema: Any) -> Iterable[str]:
    """Every ``properties.stac_extensions.contains.const`` string in ``schema``."""
    if isinstance(schema, list):
        for item in schema:
            yield from _stac_extensions_consts(item)
        return
    if not isinstance(schema, dict):
        return
    for name, value in schema.items():
        if name in ("const", "enum", "default", "examples"):
            continue
        if name == "properties" and isinstance(value, dict):
            exts = value.get("stac_extensions")
            contains = exts.get("contains") if isinstance(exts, dict) else None
            if isinstance(contains, dict) and isinstance(contains.get("const"), str):
                yield contains["const"]
        yield from _stac_extensions_consts(value)


def demanded_urls(url: str, schema: Any) -> tuple[str, ...]:
    """URLs the schema at ``url`` requires in ``stac_extensions`` *instead of* ``url``.

    An extension schema checks that documents declare it, with a ``contains``
    ``const`` of its own URL. A few published files demand another URL, so a
    document declaring the very URL the schema is served at fails it:

    * MLM v1.0.0-v1.2.0 on stac-extensions.github.io demand their bogus
      ``$id`` ``https://stac-extensions/mlm/vX/schema.json`` (no such host);
    * MLM v1.3.0 on stac-extensions.github.io demands the crim-ca.github.io URL;
    * ``raster/1.1.0`` (no ``v``) demands ``raster/v1.1.0``; ml-aoi v0.1.0
      demands ``ml-aoi/v1.0.0`` (its ``$id``).

    A demanded URL counts when it is the schema's ``$id``, or when both are
    MLM URLs of the same version; other consts (e.g. a schema that requires
    a *different* extension) are not quirks and are left alone.
    """
    schema_id = schema.get("$id") if isinstance(schema, dict) else None
    own = schema_key(url)
    own_mlm = MLM_SCHEMA_RE.match(own)
    found: list[str] = []
    for const in _stac_extensions_consts(schema):
        key = schema_key(const)
        if key == own or const in found:
            continue
        other_mlm = MLM_SCHEMA_RE.match(key)
        same_mlm = bool(own_mlm and other_mlm and own_mlm.group("version") == other_mlm.group("version"))
        is_id = isinstance(schema_id, str) and schema_key(schema_id) == key
        if same_mlm or is_id:
            found.append(const)
    return tuple(found)


# -- the validator ---------------------------------------------------------------


class SchemaValidator:
    """Validates STAC documents against their core schema and declared extensions.

    :param store: where schemas come from.
    :param engine: ``"auto"`` (jsonschema-rs pre-check when installed) or
        ``"python"`` (Python jsonschema only).

    Compiled validators are cached per schema URL; instances are thread-safe.
    """

    def __init__(self, store: SchemaStore, engine: Engine = "auto") -> None:
        if engine not in ("auto", "python"):
            raise ValueError(f"unknown schema engine {engine!r} (expected 'auto' or 'python')")
        self.store = store
        self.engine: Engine = engine
        self._use_rs = engine == "auto" and jsonschema_rs is not None
        self._lock = threading.RLock()
        self._compiled: dict[str, CompiledSchema | SchemaUnavailable] = {}

    # -- compiling ---------------------------------------------------------------

    def compile(self, url: str) -> CompiledSchema:
        """The (cached) compiled validators for the schema at ``url``.

        Raises :class:`SchemaUnavailable` when the schema itself cannot be had.
        """
        key = _key(url)
        found = self._compiled.get(key)  # compiled once, then only read
        if isinstance(found, CompiledSchema):
            return found
        with self._lock:
            found = self._compiled.get(key)
            if found is None:
                try:
                    found = self._compile(key)
                except SchemaUnavailable as exc:
                    found = exc
                self._compiled[key] = found
        if isinstance(found, SchemaUnavailable):
            raise found
        return found

    def _compile(self, key: str) -> CompiledSchema:
        schema = self.store.get(key)  # raises SchemaUnavailable for the schema itself
        py_cls, rs_cls = _draft_classes(schema)
        wrapper = {"$ref": key}
        python = py_cls(wrapper, registry=self.store.registry)
        rs_validator: Any = None
        if self._use_rs and rs_cls is not None:
            failures: list[SchemaUnavailable] = []

            def retrieve(uri: str) -> Any:
                try:
                    return self.store.lookup(uri)
                except SchemaUnavailable as exc:
                    failures.append(exc)
                    raise

            try:
                rs_validator = rs_cls(wrapper, retriever=retrieve, validate_formats=False)
            except Exception as exc:
                # jsonschema-rs resolves every $ref eagerly; the Python engine
                # is lazy and may still check documents that never reach the
                # missing part, reporting it when they do.
                reason = failures[0].reason if failures else str(exc).splitlines()[0]
                log.debug("jsonschema-rs cannot compile %s (%s); using jsonschema only", key, reason)
                rs_validator = None
        return CompiledSchema(url=key, python=python, rs=rs_validator, demanded=demanded_urls(key, schema))

    # -- checking ----------------------------------------------------------------

    def check(self, doc: Mapping[str, Any], url: str, href: str, where: str = "") -> list[Finding]:
        """Findings of ``doc`` against the one schema at ``url``.

        ``where`` is the pointer of the declaration (``/stac_extensions/N``, or
        ``""`` for the core schema), used for the warning when the schema
        cannot be checked.
        """
        try:
            compiled = self.compile(url)
        except SchemaUnavailable as exc:
            return [self._unavailable(href, where, url, exc.reason)]
        instance: Any = doc if isinstance(doc, dict) else dict(doc)
        quirk: Finding | None = None
        if compiled.demanded:
            instance, quirk = self._self_url_quirk(instance, compiled, href, where)
        if compiled.rs is not None:
            try:
                if compiled.rs.is_valid(instance):
                    return [quirk] if quirk is not None else []
            except Exception as exc:
                log.debug("jsonschema-rs could not check %s against %s: %s", href, compiled.url, exc)
        errors: list[jsonschema.exceptions.ValidationError] = []
        problem: str | None = None
        try:
            errors.extend(compiled.python.iter_errors(instance))
        except referencing.exceptions.Unresolvable as exc:
            problem = _unresolvable_reason(exc)
        except Exception as exc:
            problem = f"the schema cannot be applied ({type(exc).__name__}: {_short(str(exc))})"
        findings = [
            Finding(
                href=href, pointer=pointer, rule=RULE, severity="error", message=message, schema=compiled.url
            )
            for error in errors
            for pointer, message in _explain(error)
        ]
        findings.sort(key=lambda f: (f.pointer, f.message))
        if quirk is not None:
            findings.insert(0, quirk)
        if problem is not None:
            findings.append(self._unavailable(href, where, compiled.url, problem))
        return findings

    def is_valid(self, doc: Mapping[str, Any], url: str) -> bool:
        """True when ``doc`` has no error finding against the schema at ``url``."""
        return not any(f.severity == "error" for f in self.check(doc, url, href=""))

    def validate(self, doc: Mapping[str, Any], href: str) -> list[Finding]:
        """All schema findings of ``doc`` (core schema plus each declared extension)."""
        if not isinstance(doc, Mapping):
            return [self._error(href, "", _type_message("document", "object", doc), None)]
        findings: list[Finding] = []
        core = core_schema_url(doc)
        if core is None:
            findings.extend(self._why_no_core(doc, href))
        else:
            findings.extend(self.check(doc, core, href, ""))
        exts = doc.get("stac_extensions")
        if exts is not None and not isinstance(exts, list):
            if core is None:
                findings.append(
                    self._error(
                        href, "/stac_extensions", _type_message("stac_extensions", "array", exts), None
                    )
                )
        elif isinstance(exts, list):
            seen: set[str] = set()
            for index, entry in enumerate(cast(Sequence[Any], exts)):
                pointer = f"/stac_extensions/{index}"
                if not isinstance(entry, str):
                    label = _label(("stac_extensions", index))
                    findings.append(self._error(href, pointer, _type_message(label, "string", entry), None))
                    continue
                url = entry.strip()
                key = _key(url)
                if key in seen:
                    continue
                seen.add(key)
                findings.extend(self.check(doc, url, href, pointer))
        return _dedupe(findings)

    # -- helpers -------------------------------------------------------------------

    @staticmethod
    def _error(href: str, pointer: str, message: str, schema: str | None) -> Finding:
        return Finding(
            href=href, pointer=pointer, rule=RULE, severity="error", message=message, schema=schema
        )

    @staticmethod
    def _self_url_quirk(
        instance: dict[str, Any], compiled: CompiledSchema, href: str, where: str
    ) -> tuple[dict[str, Any], Finding | None]:
        """``instance`` as the quirky schema wants it, and the warning that says so.

        Only when the document declares the schema's URL (so it *is* using the
        extension) and lacks a URL the schema demands instead: that document
        is checked as if ``stac_extensions`` also held the demanded URLs, so
        the published slip does not become an error while every real error in
        the rest of the document is still reported.
        """
        exts = instance.get("stac_extensions")
        if not isinstance(exts, list):
            return instance, None
        declared = {_key(e) for e in exts if isinstance(e, str)}
        missing = [u for u in compiled.demanded if _key(u) not in declared]
        if not missing or compiled.url not in declared:
            return instance, None
        patched = {**instance, "stac_extensions": [*exts, *missing]}
        demanded = " and ".join(_short(u) for u in missing)
        message = (
            f"stac_extensions: the schema published at {compiled.url} requires stac_extensions to contain "
            f"{demanded} instead of its own URL (a slip in the published schema, not in this document); "
            "checked as if it were declared. stac-validator and pystac report this document as invalid"
        )
        m = MLM_SCHEMA_RE.match(compiled.url)
        if m and compiled.url.startswith("https://stac-extensions.github.io/"):
            version = m.group("version")
            message += (
                f": declare https://crim-ca.github.io/mlm-extension/v{version}/schema.json, the URL MLM "
                f"v{version} documents use, or migrate to MLM v1.4.0 or later"
            )
        finding = Finding(
            href=href,
            pointer=where or "/stac_extensions",
            rule=RULE,
            severity="warning",
            message=message + ".",
            schema=compiled.url,
        )
        return patched, finding

    @staticmethod
    def _unavailable(href: str, pointer: str, url: str, reason: str) -> Finding:
        if LEGACY_SCHEMA_RE.match(url) and "/dl-model/" in url:
            reason += (
                "; the schema of the legacy DLM (dl-model) extension was never published at this URL, "
                "so its fields cannot be checked: migrate to MLM "
                "(https://github.com/stac-extensions/mlm/blob/main/docs/legacy/dlm.md)"
            )
        return Finding(
            href=href,
            pointer=pointer,
            rule=RULE,
            severity="warning",
            message=f"schema {url} could not be checked: {reason}",
            schema=url,
        )

    def _why_no_core(self, doc: Mapping[str, Any], href: str) -> list[Finding]:
        """Error findings explaining why no core schema applies to ``doc``."""
        out: list[Finding] = []
        version = doc.get("stac_version")
        if "stac_version" not in doc:
            out.append(self._error(href, "", _required_message("document", "stac_version"), None))
        elif not isinstance(version, str):
            out.append(
                self._error(href, "/stac_version", _type_message("stac_version", "string", version), None)
            )
        elif core_schema_url({"stac_version": version, "type": "Catalog"}) is None:
            out.append(
                self._error(
                    href, "/stac_version", f"stac_version: {_short(version, 40)} is not a STAC version", None
                )
            )
        if kind(doc) is None:
            if "type" in doc:
                out.append(
                    self._error(
                        href,
                        "/type",
                        f"type: {_short(doc.get('type'), 40)} is not a STAC type "
                        '(expected "Feature", "Collection" or "Catalog")',
                        None,
                    )
                )
            else:
                out.append(self._error(href, "", _required_message("document", "type"), None))
        return out


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Drop later findings with the same ``(pointer, message)``, keeping order."""
    seen: set[tuple[str, str]] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.pointer, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
