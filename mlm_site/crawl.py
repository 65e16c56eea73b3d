"""Crawl a STAC catalog: local files or http(s), following ``child`` and ``item`` links.

The crawl yields every document it reached as a :class:`Document`, in a stable
breadth-first order. Each resolved href is visited once (cycles, duplicates).
Unreadable files, broken links, invalid JSON and JSON that is not STAC become
documents with ``raw=None`` (or ``kind=None``) and a ``read`` finding; the
crawl goes on with the rest.

Limits (a catalog is untrusted input):

- a document is at most :data:`MAX_BYTES` (local files and HTTP responses; a
  ``Content-Length`` above it is refused before the body is read) and is
  nested at most :data:`MAX_NESTING` levels deep; ``NaN``/``Infinity`` and
  integers too long to convert are invalid JSON; lone UTF-16 surrogates
  (``"\\ud800"``) are replaced by U+FFFD with a warning naming the pointer;
- the tree of ``child``/``item`` links is followed at most :data:`MAX_DEPTH`
  levels below the root;
- **local files stay inside the catalog folder**: a link (relative with
  ``..``, absolute, ``file:``, or through a symbolic link) whose real path is
  outside the folder of the root document is not followed and becomes a
  finding on the linking document. Symbolic links that stay inside the
  folder are followed. Only regular files are read (never a FIFO, a device
  or ``/dev/stdin``, which could block the build or read without end);
- HTTP: a timeout per read and a deadline per response, retries with
  exponential backoff for 5xx and broken connections, at most
  :data:`MAX_REDIRECTS` redirects, and clear messages for TLS and DNS errors
  and for a body that is not JSON (naming the content type served).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: only remote catalogs and schemas need it
    import httpx

from mlm_site import stac, urls
from mlm_site.findings import Finding, make_pointer

FOLLOW_RELS = ("child", "item")
MAX_BYTES = 32 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_NESTING = 64
MAX_DEPTH = 64
USER_AGENT = "mlm-site"


@dataclass
class Document:
    """One document reached by the crawl."""

    href: str
    raw: dict[str, Any] | None
    kind: str | None
    parent: str | None = None
    findings: list[Finding] = field(default_factory=list)
    #: a hash of the bytes read (None when nothing could be read): what the build cache compares
    digest: str | None = None

    @property
    def id(self) -> str | None:
        if self.raw is None:
            return None
        value = self.raw.get("id")
        return value if isinstance(value, str) else None


class ReadError(Exception):
    """A document could not be read; the message says why."""


class _Retry(Exception):
    """A transient HTTP failure (5xx): try again after a pause."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class Fetcher:
    """Reads documents from disk or over HTTP, with a size cap and one pooled client."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        max_bytes: int | None = None,
        retries: int = 2,
        backoff: float = 0.2,
        deadline: float | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes if max_bytes is not None else MAX_BYTES
        self.retries = retries
        self.backoff = backoff
        #: the longest one response may take in all (a server trickling bytes
        #: never trips the per-read timeout)
        self.deadline = deadline if deadline is not None else 3 * timeout
        self._types: dict[str, str] = {}
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def _http(self) -> httpx.Client:
        import httpx

        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    timeout=self.timeout,
                    follow_redirects=True,
                    max_redirects=MAX_REDIRECTS,
                    headers={"User-Agent": USER_AGENT, "Accept": "application/json, */*;q=0.5"},
                    limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
                )
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def read_bytes(self, href: str) -> bytes:
        if urls.is_remote(href):
            return self._read_remote(href)
        return self._read_local(href)

    def _limit_text(self) -> str:
        mib = self.max_bytes / (1024 * 1024)
        return f"{mib:g} MiB" if mib >= 1 else f"{self.max_bytes} byte"

    def _read_local(self, href: str) -> bytes:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then
        # refuses anything that is not a regular file (FIFO, device, socket).
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(href, flags)
        except FileNotFoundError:
            raise ReadError("file not found") from None
        except IsADirectoryError:
            raise ReadError("is a folder, not a file") from None
        except PermissionError:
            raise ReadError("permission denied") from None
        except OSError as exc:
            raise ReadError(exc.strerror or str(exc)) from None
        except ValueError:  # an embedded NUL character
            raise ReadError("the path contains a NUL character") from None
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise ReadError("is a folder, not a file")
            if not stat.S_ISREG(info.st_mode):
                raise ReadError("is not a regular file (a device, FIFO or socket); not read")
            if info.st_size > self.max_bytes:
                raise ReadError(f"{info.st_size} bytes, larger than the {self._limit_text()} limit")
            # the size fstat gave and one byte more (a file that grew is seen), not a buffer of
            # max_bytes for every small file; at most max_bytes + 1 in all
            chunks: list[bytes] = []
            size, want = 0, min(info.st_size, self.max_bytes) + 1
            while size <= self.max_bytes:
                chunk = os.read(fd, want)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                want = self.max_bytes + 1 - size
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        except OSError as exc:
            raise ReadError(exc.strerror or str(exc)) from None
        finally:
            if fd >= 0:
                os.close(fd)
        if len(data) > self.max_bytes:
            raise ReadError(f"larger than the {self._limit_text()} limit")
        return data

    def _read_remote(self, href: str) -> bytes:
        import httpx

        last = "no response"
        for attempt in range(self.retries + 1):
            try:
                return self._get(href)
            except _Retry as exc:
                last = str(exc)
            except httpx.TooManyRedirects:
                raise ReadError(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)") from None
            except httpx.TimeoutException:
                last = f"timed out after {self.timeout:g} s"
            except httpx.ConnectError as exc:
                text = str(exc)
                if "CERTIFICATE" in text.upper() or "SSL" in text.upper() or "TLS" in text.upper():
                    raise ReadError(f"TLS error: {text}") from None
                if "Name or service not known" in text or "nodename" in text or "getaddrinfo" in text \
                        or "Temporary failure in name resolution" in text:
                    raise ReadError(f"host name could not be resolved: {text}") from None
                last = f"connection failed: {text}"
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                last = f"connection broken (truncated response?): {exc}"
            except httpx.InvalidURL as exc:
                raise ReadError(f"invalid URL: {exc}") from None
            except httpx.HTTPError as exc:
                raise ReadError(f"HTTP error: {exc}") from None
            if attempt < self.retries:
                time.sleep(self.backoff * 2**attempt)
        raise ReadError(f"{last} (after {self.retries + 1} attempts)" if self.retries else last)

    def _get(self, href: str) -> bytes:
        import httpx

        started = time.monotonic()
        deadline = started + self.deadline
        with self._http().stream("GET", href) as resp:
            if resp.status_code >= 500:
                raise _Retry(f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
            if not 200 <= resp.status_code < 300:
                raise ReadError(f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
            declared = resp.headers.get("content-length")
            if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
                raise ReadError(f"response of {int(declared)} bytes (Content-Length), larger than the {self._limit_text()} limit")
            content_type = resp.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise ReadError(f"response larger than the {self._limit_text()} limit")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(f"response not complete after {self.deadline:g} s")
                chunks.append(chunk)
            with self._lock:
                self._types[href] = content_type
            return b"".join(chunks)

    def read_json(self, href: str) -> Any:
        return self.parse_json(self.read_bytes(href), href)

    def parse_json(self, data: bytes, href: str) -> Any:
        """Parse the bytes read from ``href`` (the server's content type names a wrong format)."""
        served = self._types.get(href, "")
        hint = f" (the server sent {served}, not JSON)" if served and "json" not in served else ""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReadError(f"not UTF-8 text (byte {exc.start}){hint}") from None
        try:
            return json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise ReadError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{hint}") from None
        except RecursionError:
            raise ReadError(f"JSON nested too deeply (more than {MAX_NESTING} levels)") from None
        except ValueError as exc:  # NaN/Infinity, integers over the conversion limit
            raise ReadError(f"invalid JSON: {str(exc).split(':', 1)[0]}") from None


def inspect_tree(raw: Any) -> tuple[Any, list[tuple[str, str]]]:
    """Check a parsed document without recursion: ``(raw, problems)``.

    Problems are ``(pointer, message)``. Nesting deeper than
    :data:`MAX_NESTING` is reported once (the caller refuses the document);
    lone surrogates in strings and keys (which cannot be written as UTF-8) are
    replaced by U+FFFD in place and reported with their pointer.
    """
    problems: list[tuple[str, str]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(raw, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_NESTING:
            problems.append((make_pointer(path), f"nested more than {MAX_NESTING} levels deep"))
            return raw, problems
        if isinstance(value, dict):
            for key in list(value):
                item = value[key]
                if isinstance(key, str) and _has_surrogate(key):
                    fixed = _fix(key)
                    problems.append((make_pointer((*path, fixed)), "key holds an unpaired UTF-16 surrogate (\\ud800-\\udfff); replaced by U+FFFD"))
                    del value[key]
                    value[fixed] = item
                    key = fixed
                if isinstance(item, str):
                    if _has_surrogate(item):
                        value[key] = _fix(item)
                        problems.append((make_pointer((*path, key)), "text holds an unpaired UTF-16 surrogate (\\ud800-\\udfff); replaced by U+FFFD"))
                elif isinstance(item, (dict, list)):
                    stack.append((item, (*path, key)))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    if _has_surrogate(item):
                        value[i] = _fix(item)
                        problems.append((make_pointer((*path, i)), "text holds an unpaired UTF-16 surrogate (\\ud800-\\udfff); replaced by U+FFFD"))
                elif isinstance(item, (dict, list)):
                    stack.append((item, (*path, i)))
    if isinstance(raw, str) and _has_surrogate(raw):
        raw = _fix(raw)
    return raw, problems


#: a backslash escape that can hide a quote, a backslash or a UTF-16 code unit
_ESCAPE_RE = re.compile(rb'\\[\\"u]')
#: an escape that may be a UTF-16 surrogate (``\\ud800``-``\\udfff``; false positives are harmless)
_SURROGATE_ESCAPE_RE = re.compile(rb"\\u[dD][89a-fA-F]")
#: every byte but the structural ``"[]{}``, for ``bytes.translate``
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
#: objects nest like arrays: one kind of bracket (then each pass below removes exactly one level)
_BRACKETS = bytes.maketrans(b"{}", b"[]")


def plain_json(data: bytes) -> bool:
    """True when the JSON text ``data`` (already parsed without error) surely needs no :func:`inspect_tree`.

    That is: it holds no ``\\uD800``-``\\uDFFF`` escape (the only way a
    surrogate gets into the parsed strings: UTF-8 cannot encode one) and its
    arrays and objects nest at most :data:`MAX_NESTING` levels. A byte scan,
    much cheaper than walking the parsed tree: brackets inside strings are
    ignored (escaped quotes and backslashes are dropped first, then the
    quoted spans), objects count as arrays, and each pass of the nesting
    loop removes the innermost pairs, one level (``bytes.replace`` does not
    look again at what it joined). False means "walk the tree" (a surrogate
    pair, an escaped backslash before ``u``, exactly :data:`MAX_NESTING` + 1
    levels also give False), never that the document is bad.
    """
    if _ESCAPE_RE.search(data) is not None:
        if _SURROGATE_ESCAPE_RE.search(data) is not None:
            return False
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    # only quotes and brackets; dropping adjacent quotes either removes a
    # string without brackets or joins two strings with nothing between them
    rest = data.translate(_BRACKETS, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in rest:
        rest = b"".join(rest.split(b'"')[::2])  # the spans outside strings
    for _ in range(MAX_NESTING):
        if not rest:
            return True
        rest = rest.replace(b"[]", b"")
    return not rest


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block.

    Parsing allocates millions of dicts and lists that all stay alive; the
    collector would walk the growing heap again and again for nothing (JSON
    trees hold no reference cycles). Reference counting still frees memory.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _fix(text: str) -> str:
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def _read_finding(href: str, message: str) -> Finding:
    return Finding(href=href, pointer="", rule="read", severity="error", message=message)


def load_document(
    fetcher: Fetcher, href: str, parent: str | None, via: str | None, *, digest: bool = True
) -> Document:
    """Read one document; problems become a ``read`` finding on it.

    ``digest=False``: no hash of the bytes (``Document.digest`` stays None).
    """
    suffix = f" (linked from {via})" if via else ""
    try:
        data = fetcher.read_bytes(href)
        digest_ = hashlib.blake2b(data, digest_size=16).hexdigest() if digest else None
        raw = fetcher.parse_json(data, href)
    except ReadError as exc:
        return Document(href, None, None, parent, [_read_finding(href, f"{exc}{suffix}")])
    problems: list[tuple[str, str]] = []
    if not plain_json(data):
        raw, problems = inspect_tree(raw)
    if any(msg.startswith("nested more") for _, msg in problems):
        pointer, msg = problems[-1]
        return Document(href, None, None, parent, [Finding(href, pointer, "read", "error", f"JSON {msg}; not read{suffix}")], digest_)
    extra = [Finding(href, pointer, "read", "warning", msg) for pointer, msg in problems]
    if not isinstance(raw, dict):
        what = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(type(raw), "null")
        return Document(href, None, None, parent, [_read_finding(href, f"JSON is {what}, not an object{suffix}")], digest_)
    kind = stac.kind(raw)
    if kind is None:
        t = raw.get("type")
        detail = f"type {t!r}" if "type" in raw else "no 'type' and no 'stac_version'"
        return Document(
            href, raw, None, parent,
            [_read_finding(href, f"not a STAC Catalog, Collection or Item ({detail}){suffix}"), *extra], digest_,
        )
    return Document(href, raw, kind, parent, extra, digest_)


def _scheme(href: str) -> str | None:
    """The URL scheme of ``href`` (lower case), None for a path (``C:`` drive letters are paths)."""
    head = href.strip().split(":", 1)
    if len(head) == 2 and len(head[0]) > 1 and head[0][:1].isalpha() and all(c.isalnum() or c in "+.-" for c in head[0]):
        return head[0].lower()
    return None


class _RealPaths:
    """``os.path.realpath`` for the absolute, normalised paths of one crawl.

    The real paths of folders are remembered, so a file costs one ``lstat``
    (thousands of items in a few folders); a symbolic link as the last
    component is resolved by ``os.path.realpath`` itself. Same results as
    ``os.path.realpath``: resolving ``a/b`` is resolving ``a``, then ``b``
    inside the real ``a``.
    """

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        head, tail = os.path.split(path)
        if not head or not tail or tail in (".", "..") or not os.path.isabs(head) or head == path:
            return os.path.realpath(path)
        real_head = self._folders.get(head)
        if real_head is None:
            real_head = self._folders[head] = self(head)
        candidate = os.path.join(real_head, tail)
        try:
            if stat.S_ISLNK(os.lstat(candidate).st_mode):
                return os.path.realpath(path)
        except OSError:
            pass  # missing: kept as it is, like os.path.realpath does
        return candidate


def _inside(path: str, folder: str, realpath: Callable[[str], str] = os.path.realpath) -> bool:
    """True when the real path of ``path`` (symbolic links resolved) is inside ``folder``."""
    try:
        real = realpath(path)
    except (OSError, ValueError):
        return False
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


#: one document to read: its href, the href of the document linking to it, and
#: ``href#pointer`` of that link (for messages); None, None for the root
Entry = tuple[str, "str | None", "str | None"]
#: how a level of the crawl is read: ``load(level, default)`` returns one
#: :class:`Document` per entry, in order (``default`` is the crawl's own way)
LevelLoader = Callable[[list[Entry], Callable[[list[Entry]], list[Document]]], list[Document]]


def crawl(
    root: str,
    fetcher: Fetcher | None = None,
    *,
    workers: int = 16,
    max_documents: int = 1_000_000,
    max_depth: int = MAX_DEPTH,
    confine: bool = True,
    load: LevelLoader | None = None,
) -> Iterator[Document]:
    """Yield every document reachable from ``root`` by ``child`` and ``item`` links, once each.

    With ``confine`` (the default) local documents are read only from inside
    the folder of the root document (real paths: symbolic links are resolved).
    ``load`` replaces the reading of each level of the crawl (see
    :data:`LevelLoader`); links are followed only from the Catalogs and
    Collections it returns with their ``raw`` document.
    """
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    root_href = urls.normalize(root)
    seen: set[str] = {root_href}
    level: list[Entry] = [(root_href, None, None)]
    remote = urls.is_remote(root_href)
    folder = os.path.realpath(os.path.dirname(root_href)) if not remote else ""
    pool = ThreadPoolExecutor(max_workers=max(1, workers)) if remote else None
    realpath = _RealPaths()
    depth = 0

    def default(entries: list[Entry]) -> list[Document]:
        if pool is not None and len(entries) > 1:
            return list(pool.map(lambda a: load_document(fetcher, *a), entries))
        return [load_document(fetcher, *a) for a in entries]

    try:
        while level:
            with gc_paused():
                docs = load(level, default) if load is not None else default(level)
            next_level: list[Entry] = []
            for doc in docs:
                if doc.raw is not None and doc.kind in ("Catalog", "Collection"):
                    for index, link in stac.links(doc.raw):
                        rel = link.get("rel")
                        if rel not in FOLLOW_RELS:
                            continue
                        pointer = f"/links/{index}/href"  # make_pointer(("links", index, "href"))
                        scheme = _scheme(link["href"])
                        if scheme is not None and scheme not in ("http", "https", "file"):
                            doc.findings.append(Finding(doc.href, pointer, "read", "error", f"link href has the unsupported URL scheme {scheme!r}; only http, https, file and relative paths are followed"))
                            continue
                        if "\x00" in link["href"]:
                            doc.findings.append(Finding(doc.href, pointer, "read", "error", "link href contains a NUL character; not followed"))
                            continue
                        try:
                            target = urls.resolve(doc.href, link["href"])
                        except ValueError:
                            doc.findings.append(Finding(doc.href, pointer, "read", "error", f"link href {link['href']!r} is not a valid URL or path"))
                            continue
                        # an absolute path has no URL scheme
                        target_remote = not target.startswith("/") and urls.is_remote(target)
                        if target_remote != remote and not target_remote:
                            doc.findings.append(Finding(doc.href, pointer, "read", "error", "a remote catalog cannot link to a local file"))
                            continue
                        if not target_remote and confine and not _inside(target, folder, realpath):
                            doc.findings.append(Finding(
                                doc.href, pointer, "read", "error",
                                f"link to {link['href']!r} leads outside the catalog folder {folder} "
                                "(through '..', an absolute path or a symbolic link); not followed",
                            ))
                            continue
                        if target in seen:
                            continue
                        if len(seen) >= max_documents:
                            doc.findings.append(Finding(doc.href, pointer, "read", "warning", f"not followed: more than {max_documents} documents"))
                            continue
                        if depth + 1 > max_depth:
                            doc.findings.append(Finding(doc.href, pointer, "read", "warning", f"not followed: more than {max_depth} levels below the root catalog"))
                            continue
                        seen.add(target)
                        next_level.append((target, doc.href, f"{doc.href}#{pointer}"))
                yield doc
            level = next_level
            depth += 1
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if own:
            fetcher.close()
