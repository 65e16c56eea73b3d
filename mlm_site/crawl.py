"""Crawl a STAC catalog: local files or http(s), following ``child`` and ``item`` links.

The crawl yields every document it reached as a :class:`Document`, in a stable
breadth-first order. Each resolved href is visited once (cycles, duplicates).
Unreadable files, broken links, invalid JSON and JSON that is not STAC become
documents with ``raw=None`` (or ``kind=None``) and a ``read`` finding; the
crawl goes on with the rest.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterator

import httpx

from mlm_site import stac, urls
from mlm_site.findings import Finding, make_pointer

FOLLOW_RELS = ("child", "item")
MAX_BYTES = 32 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "mlm-site"


@dataclass
class Document:
    """One document reached by the crawl."""

    href: str
    raw: dict[str, Any] | None
    kind: str | None
    parent: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        if self.raw is None:
            return None
        value = self.raw.get("id")
        return value if isinstance(value, str) else None


class ReadError(Exception):
    """A document could not be read; the message says why."""


class Fetcher:
    """Reads documents from disk or over HTTP, with a size cap and one pooled client."""

    def __init__(self, *, timeout: float = 20.0, max_bytes: int = MAX_BYTES, retries: int = 2) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.retries = retries
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def _http(self) -> httpx.Client:
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
        try:
            with open(href, "rb") as fh:
                data = fh.read(self.max_bytes + 1)
        except FileNotFoundError:
            raise ReadError("file not found") from None
        except IsADirectoryError:
            raise ReadError("is a folder, not a file") from None
        except PermissionError:
            raise ReadError("permission denied") from None
        except OSError as exc:
            raise ReadError(exc.strerror or str(exc)) from None
        if len(data) > self.max_bytes:
            raise ReadError(f"larger than the {self.max_bytes // (1024 * 1024)} MiB limit")
        return data

    def _read_remote(self, href: str) -> bytes:
        import time

        last = "no response"
        for attempt in range(self.retries + 1):
            try:
                with self._http().stream("GET", href) as resp:
                    if resp.status_code >= 500 and attempt < self.retries:
                        last = f"HTTP {resp.status_code}"
                        time.sleep(0.2 * 2**attempt)
                        continue
                    if resp.status_code >= 400:
                        raise ReadError(f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise ReadError(f"response larger than the {self.max_bytes // (1024 * 1024)} MiB limit")
                        chunks.append(chunk)
                    return b"".join(chunks)
            except httpx.TooManyRedirects:
                raise ReadError(f"more than {MAX_REDIRECTS} redirects") from None
            except httpx.TimeoutException:
                last = f"timed out after {self.timeout:g} s"
            except httpx.ConnectError as exc:
                text = str(exc)
                if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
                    raise ReadError(f"TLS error: {text}") from None
                if "Name or service not known" in text or "nodename" in text or "getaddrinfo" in text:
                    raise ReadError(f"host name could not be resolved: {text}") from None
                last = f"connection failed: {text}"
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                last = f"connection broken: {exc}"
            except httpx.HTTPError as exc:
                raise ReadError(f"HTTP error: {exc}") from None
            if attempt < self.retries:
                time.sleep(0.2 * 2**attempt)
        raise ReadError(last)

    def read_json(self, href: str) -> Any:
        data = self.read_bytes(href)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReadError(f"not UTF-8 text (byte {exc.start})") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReadError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise ReadError("JSON nested too deeply") from None


def _read_finding(href: str, message: str) -> Finding:
    return Finding(href=href, pointer="", rule="read", severity="error", message=message)


def load_document(fetcher: Fetcher, href: str, parent: str | None, via: str | None) -> Document:
    """Read one document; problems become a ``read`` finding on it."""
    suffix = f" (linked from {via})" if via else ""
    try:
        raw = fetcher.read_json(href)
    except ReadError as exc:
        return Document(href, None, None, parent, [_read_finding(href, f"{exc}{suffix}")])
    if not isinstance(raw, dict):
        what = type(raw).__name__ if raw is not None else "null"
        return Document(href, None, None, parent, [_read_finding(href, f"JSON is a {what}, not an object{suffix}")])
    kind = stac.kind(raw)
    if kind is None:
        t = raw.get("type")
        detail = f"type {t!r}" if "type" in raw else "no 'type' and no 'stac_version'"
        return Document(
            href, raw, None, parent,
            [_read_finding(href, f"not a STAC Catalog, Collection or Item ({detail}){suffix}")],
        )
    return Document(href, raw, kind, parent)


def crawl(root: str, fetcher: Fetcher | None = None, *, workers: int = 8, max_documents: int = 1_000_000) -> Iterator[Document]:
    """Yield every document reachable from ``root`` by ``child`` and ``item`` links, once each."""
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    root_href = urls.normalize(root) if not urls.is_remote(root) else urls.normalize(root)
    seen: set[str] = {root_href}
    level: list[tuple[str, str | None, str | None]] = [(root_href, None, None)]
    remote = urls.is_remote(root_href)
    pool = ThreadPoolExecutor(max_workers=max(1, workers)) if remote else None
    count = 0
    try:
        while level:
            if pool is not None and len(level) > 1:
                docs = list(pool.map(lambda a: load_document(fetcher, *a), level))
            else:
                docs = [load_document(fetcher, *a) for a in level]
            next_level: list[tuple[str, str | None, str | None]] = []
            for doc in docs:
                count += 1
                if doc.raw is not None and doc.kind in ("Catalog", "Collection"):
                    for index, link in stac.links(doc.raw):
                        rel = link.get("rel")
                        if rel not in FOLLOW_RELS:
                            continue
                        pointer = make_pointer(("links", index, "href"))
                        try:
                            target = urls.resolve(doc.href, link["href"])
                        except ValueError:
                            doc.findings.append(Finding(doc.href, pointer, "read", "error", f"link href {link['href']!r} is not a valid URL or path"))
                            continue
                        if urls.is_remote(target) != remote and not urls.is_remote(target):
                            doc.findings.append(Finding(doc.href, pointer, "read", "error", "a remote catalog cannot link to a local file"))
                            continue
                        if target in seen:
                            continue
                        if len(seen) >= max_documents:
                            doc.findings.append(Finding(doc.href, pointer, "read", "warning", f"not followed: more than {max_documents} documents"))
                            continue
                        seen.add(target)
                        next_level.append((target, doc.href, f"{doc.href}#{pointer}"))
                yield doc
            level = next_level
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if own:
            fetcher.close()
