"""Schemas: JSON Schema documents by URL, from a mirror, a cache or the network.

A :class:`SchemaStore` turns a schema URL into its parsed JSON. It looks in
this order:

1. the local *mirror* folder (``--schemas DIR`` / ``MLM_SITE_SCHEMAS``), where
   ``https://HOST/PATH`` is stored as ``DIR/HOST/PATH``;
2. the on-disk *cache* folder (same layout), filled by earlier downloads;
3. the network (http/https, with a timeout and a size cap), unless the store
   is *offline*; a downloaded schema is written to the cache atomically.

The JSON Schema meta-schemas (draft-04 to 2020-12) come from the
``jsonschema_specifications`` package and never touch the disk or network.

Schemas are looked up by the URL they were *requested by*: a few published
files carry a ``$id`` that differs from their URL (MLM v1.0-v1.3 on
stac-extensions.github.io, STAC v1.1.0 ``common.json``, ml-aoi v0.1.0). After a
file is loaded its ``$id`` is remembered as an alias of the URL, so references
written against the ``$id`` (e.g. ``#/$defs/x`` inside such a file) still
resolve to the same document.

The store is thread-safe and memoises both successes and failures, so a
schema that cannot be had costs one timeout per run, not one per document.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import re
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self
from urllib.parse import urlsplit

import jsonschema_specifications  # type: ignore[import-untyped]
import platformdirs
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

if TYPE_CHECKING:  # imported where used: only remote catalogs and schemas need it
    import httpx

from mlm_site import stac
from mlm_site.errors import MlmSiteError

__all__ = [
    "ENV_SCHEMAS",
    "Origin",
    "SchemaStore",
    "SchemaUnavailable",
    "core_schema_url",
    "default_cache_dir",
    "schema_key",
    "usable_schema",
]

log = logging.getLogger(__name__)

#: Environment variable naming the offline schema mirror folder.
ENV_SCHEMAS = "MLM_SITE_SCHEMAS"

#: Where a schema came from.
Origin = Literal["builtin", "mirror", "cache", "network"]

_HOST_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")
_VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]*$")

_CORE_PATHS = {
    "Feature": "item-spec/json-schema/item.json",
    "Collection": "collection-spec/json-schema/collection.json",
    "Catalog": "catalog-spec/json-schema/catalog.json",
}


class SchemaUnavailable(MlmSiteError):
    """A schema could not be had from the mirror, the cache or the network.

    ``url`` is the schema URL (fragment dropped), ``reason`` a short phrase.
    The validator turns it into a warning finding; it only stops a run when
    the caller wants it to.
    """

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"schema {url} is unavailable: {reason}")


def default_cache_dir() -> Path:
    """The per-user schema cache: ``<user cache dir>/mlm-site/schemas``."""
    return Path(platformdirs.user_cache_dir("mlm-site")) / "schemas"


def schema_key(url: str) -> str:
    """The canonical form of a schema URL used for lookups and memoisation.

    The fragment (and an empty trailing ``#``) is dropped, surrounding
    whitespace removed, and scheme and host lower-cased. ``http`` and
    ``https`` stay distinct here; they share one file on disk.
    """
    url = url.strip().split("#", 1)[0]
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    rebuilt = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"
    if parts.query:
        rebuilt += "?" + parts.query
    return rebuilt


def _relative_path(url: str) -> str:
    """``HOST/PATH`` (``HOST_PORT/PATH`` with an explicit port) for an http(s) URL.

    Raises :class:`ValueError` with a readable reason for URLs that cannot be
    mapped to a file safely (no host, query string, path escaping, folder).
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("not an http(s) URL")
    if parts.query:
        raise ValueError("URLs with a query string are not supported")
    host = (parts.hostname or "").lower()
    if not _HOST_RE.match(host):
        raise ValueError("URL has no valid host name")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError("URL has an invalid port") from exc
    if port is not None:
        host = f"{host}_{port}"
    path = parts.path
    if not path or path.endswith("/"):
        raise ValueError("URL does not name a file")
    clean = posixpath.normpath("/" + path.lstrip("/"))  # folds "..": cannot leave HOST/
    if any(seg in ("", ".", "..") for seg in clean.lstrip("/").split("/")):
        raise ValueError("URL path is not a plain file path")
    return host + clean


def _builtin_metaschemas() -> dict[str, Any]:
    """The meta-schemas shipped with ``jsonschema_specifications``, by key."""
    found: dict[str, Any] = {}
    for uri in jsonschema_specifications.REGISTRY:
        contents = jsonschema_specifications.REGISTRY.contents(uri)
        found[schema_key(uri)] = contents
    return found


#: Keywords whose value maps names to subschemas.
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs")
#: Keywords whose value is instance data, not schema: never rewritten.
_DATA_KEYWORDS = ("const", "enum", "default", "examples")


def usable_schema(schema: Any) -> Any:
    """A copy of ``schema`` without entries that cannot be subschemas.

    MLM v1.0.0-v1.2.0 (on both hosts) write ``"$comment": "..."`` *inside*
    ``properties`` maps, which makes ``$comment`` a property whose schema is
    a string. jsonschema-rs refuses to compile that; Python jsonschema
    crashes if a document ever reaches it. Dropping entries of
    ``properties``/``patternProperties``/``definitions``/``$defs`` that are
    neither objects nor booleans treats them as the comments they were meant
    to be. Everything else is kept as published.
    """
    if isinstance(schema, list):
        return [usable_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for name, value in schema.items():
        if name in _DATA_KEYWORDS:
            out[name] = value
        elif name in _SCHEMA_MAPS and isinstance(value, dict):
            out[name] = {k: usable_schema(v) for k, v in value.items() if isinstance(v, (dict, bool))}
        else:
            out[name] = usable_schema(value)
    return out


def core_schema_url(doc: Mapping[str, Any]) -> str | None:
    """The STAC core schema URL for ``doc`` (by ``type`` and ``stac_version``).

    ``https://schemas.stacspec.org/v{stac_version}/item-spec/json-schema/item.json``
    for Items (``type: Feature``), the collection and catalog specs for the
    others. None when the document has no usable ``stac_version`` or its kind
    is unknown. Catalogs and Collections older than STAC 1.0.0-rc.1 have no
    ``type``; their kind is inferred as :func:`mlm_site.stac.kind` does.
    """
    version = doc.get("stac_version")
    if not isinstance(version, str):
        return None
    version = version.strip()
    if version[:1] in ("v", "V"):
        version = version[1:]
    if not _VERSION_RE.match(version):
        return None
    doc_kind = stac.kind(doc)
    if doc_kind is None:
        return None
    return f"https://schemas.stacspec.org/v{version}/{_CORE_PATHS[doc_kind]}"


class SchemaStore:
    """Schema URL -> parsed JSON, from a mirror folder, a cache folder or HTTP(S).

    :param mirror: folder laid out as ``HOST/PATH`` (read only); None for none.
    :param cache_dir: cache folder with the same layout; None for
        :func:`default_cache_dir`.
    :param offline: never use the network.
    :param timeout: seconds allowed for one download (connect and read).
    :param max_bytes: largest schema accepted from the network.
    :param use_cache: set False to neither read nor write the cache folder.
    """

    def __init__(
        self,
        mirror: Path | None = None,
        cache_dir: Path | None = None,
        *,
        offline: bool = False,
        timeout: float = 10.0,
        max_bytes: int = 5_000_000,
        use_cache: bool = True,
    ) -> None:
        self.mirror = Path(mirror) if mirror is not None else None
        self.cache_dir: Path | None = (
            (Path(cache_dir) if cache_dir is not None else default_cache_dir()) if use_cache else None
        )
        self.offline = offline
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._builtin = _builtin_metaschemas()
        self._guard = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._loaded: dict[str, tuple[Any, Origin]] = {}
        self._failed: dict[str, SchemaUnavailable] = {}
        self._aliases: dict[str, str] = {}
        self._usable: dict[str, Any] = {}
        self._resources: dict[str, Resource[Any]] = {}
        self._client: httpx.Client | None = None
        self._registry: Registry[Any] = Registry(retrieve=self._retrieve_resource)  # type: ignore[call-arg]

    @classmethod
    def from_env(
        cls,
        mirror: Path | None = None,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> SchemaStore:
        """A store whose mirror is ``mirror`` or else ``$MLM_SITE_SCHEMAS`` (when set)."""
        env = os.environ if environ is None else environ
        if mirror is None and env.get(ENV_SCHEMAS):
            mirror = Path(env[ENV_SCHEMAS])
        return cls(mirror, **kwargs)

    # -- public API ---------------------------------------------------------

    def get(self, url: str) -> Any:
        """The parsed schema at ``url`` (the fragment is ignored).

        Raises :class:`SchemaUnavailable` with a reason when no source has it.
        The result is shared: do not mutate it.
        """
        return self._load(schema_key(url))[0]

    def origin(self, url: str) -> Origin:
        """Where the schema at ``url`` was found (loading it if needed)."""
        return self._load(schema_key(url))[1]

    def lookup(self, uri: str) -> Any:
        """The schema at ``uri`` as used for validation; also accepts a known ``$id``.

        This is how references resolve: the URL asked for first, then, when
        no file is published there, the document whose ``$id`` it is. The
        result is :func:`usable_schema` of the file (published slips that
        are not schemas removed); :meth:`get` returns the file as published.
        """
        key = schema_key(uri)
        try:
            self._load(key)
        except SchemaUnavailable:
            with self._guard:
                alias = self._aliases.get(key)
            if alias is None:
                raise
            key = alias
        with self._guard:
            usable = self._usable.get(key)
        if usable is None:
            usable = usable_schema(self._load(key)[0])
            with self._guard:
                usable = self._usable.setdefault(key, usable)
        return usable

    @property
    def registry(self) -> Registry[Any]:
        """The one :class:`referencing.Registry` backed by this store.

        Resources are retrieved lazily through :meth:`lookup`, so each is
        registered under the URL it was requested by; a ``$id`` that differs
        from that URL resolves to the same resource.
        """
        return self._registry

    def mirror_path(self, url: str) -> Path | None:
        """The file the mirror would hold for ``url`` (None without a mirror or for odd URLs)."""
        return self._path_in(self.mirror, schema_key(url))

    def cache_path(self, url: str) -> Path | None:
        """The file the cache would hold for ``url`` (None without a cache or for odd URLs)."""
        return self._path_in(self.cache_dir, schema_key(url))

    def close(self) -> None:
        """Close the HTTP client, if one was opened."""
        with self._guard:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- loading ------------------------------------------------------------

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            lock = self._key_locks.get(key)
            if lock is None:
                lock = self._key_locks[key] = threading.Lock()
            return lock

    def _load(self, key: str) -> tuple[Any, Origin]:
        with self._guard:
            if key in self._loaded:
                return self._loaded[key]
            if key in self._failed:
                raise self._failed[key]
        with self._lock_for(key):
            with self._guard:
                if key in self._loaded:
                    return self._loaded[key]
                if key in self._failed:
                    raise self._failed[key]
            try:
                result = self._find(key)
            except SchemaUnavailable as exc:
                with self._guard:
                    self._failed[key] = exc
                raise
            with self._guard:
                self._loaded[key] = result
                schema_id = result[0].get("$id") if isinstance(result[0], dict) else None
                if isinstance(schema_id, str):
                    id_key = schema_key(schema_id)
                    if id_key and id_key != key:
                        self._aliases.setdefault(id_key, key)
            return result

    def _find(self, key: str) -> tuple[Any, Origin]:
        if key in self._builtin:
            return self._builtin[key], "builtin"
        try:
            rel = _relative_path(key)
        except ValueError as exc:
            raise SchemaUnavailable(key, str(exc)) from None
        if self.mirror is not None:
            path = self.mirror / rel
            if path.is_file():
                return self._read_file(key, path, trusted=True), "mirror"
        if self.cache_dir is not None:
            path = self.cache_dir / rel
            if path.is_file():
                try:
                    return self._read_file(key, path, trusted=False), "cache"
                except SchemaUnavailable as exc:
                    log.warning("ignoring unreadable cached schema %s: %s", path, exc.reason)
        if self.offline:
            where = "mirror" if self.mirror is not None else "no mirror"
            raise SchemaUnavailable(
                key, f"not in the {where} or cache, and the network is disabled (offline)"
            )
        data, schema = self._fetch(key)
        if self.cache_dir is not None:
            self._write_cache(self.cache_dir / rel, data)
        return schema, "network"

    def _path_in(self, root: Path | None, key: str) -> Path | None:
        if root is None:
            return None
        try:
            return root / _relative_path(key)
        except ValueError:
            return None

    @staticmethod
    def _parse(key: str, data: bytes) -> Any:
        try:
            schema = json.loads(data)
        except (UnicodeDecodeError, ValueError) as exc:
            raise SchemaUnavailable(key, f"not valid JSON ({exc})") from None
        if not isinstance(schema, (dict, bool)):
            raise SchemaUnavailable(key, f"not a JSON Schema (a JSON {type(schema).__name__})")
        return schema

    def _read_file(self, key: str, path: Path, *, trusted: bool) -> Any:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SchemaUnavailable(key, f"cannot read {path}: {exc.strerror or exc}") from None
        if not trusted and len(data) > self.max_bytes:
            raise SchemaUnavailable(key, f"cached file {path} is larger than {self.max_bytes} bytes")
        return self._parse(key, data)

    def _http(self) -> httpx.Client:
        import httpx

        with self._guard:
            if self._client is None:
                self._client = httpx.Client(
                    follow_redirects=True,
                    timeout=httpx.Timeout(self.timeout),
                    headers={
                        "User-Agent": "mlm-site (schema fetch)",
                        "Accept": "application/json, */*;q=0.5",
                    },
                    max_redirects=5,
                )
            return self._client

    def _fetch(self, key: str) -> tuple[bytes, Any]:
        import httpx

        try:
            with self._http().stream("GET", key) as response:
                if response.status_code != 200:
                    raise SchemaUnavailable(key, f"HTTP {response.status_code} from {response.url}")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise SchemaUnavailable(key, f"response larger than {self.max_bytes} bytes")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise SchemaUnavailable(key, f"response larger than {self.max_bytes} bytes")
                    chunks.append(chunk)
        except httpx.TimeoutException:
            raise SchemaUnavailable(key, f"timed out after {self.timeout:g} s") from None
        except httpx.TooManyRedirects:
            raise SchemaUnavailable(key, "too many redirects") from None
        except httpx.HTTPError as exc:
            raise SchemaUnavailable(key, f"download failed: {type(exc).__name__}: {exc}") from None
        data = b"".join(chunks)
        return data, self._parse(key, data)

    @staticmethod
    def _write_cache(path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` atomically (temp file in the same folder, then rename)."""
        tmp_name: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, path)
            tmp_name = None
        except OSError as exc:
            log.warning("could not cache schema at %s: %s", path, exc)
        finally:
            if tmp_name is not None:
                try:
                    os.unlink(tmp_name)
                except OSError:
                    pass

    # -- referencing --------------------------------------------------------

    def _retrieve_resource(self, uri: str) -> Resource[Any]:
        key = schema_key(uri)
        with self._guard:
            cached = self._resources.get(key)
        if cached is not None:
            return cached
        # SchemaUnavailable propagates: referencing wraps it (Unretrievable,
        # then Unresolvable) keeping it as the cause, so the reason survives.
        contents = self.lookup(key)
        resource: Resource[Any] = Resource.from_contents(contents, default_specification=DRAFT7)
        with self._guard:
            self._resources.setdefault(key, resource)
        return resource
