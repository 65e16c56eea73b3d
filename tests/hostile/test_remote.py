"""Remote catalogs against a server on 127.0.0.1 that misbehaves on purpose: each
misbehaviour is one clear finding and the rest of the catalog still builds."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from mlm_site.crawl import Fetcher, crawl

MLM = "https://stac-extensions.github.io/mlm/v1.5.2/schema.json"
ITEM = {"type": "Feature", "stac_version": "1.1.0", "stac_extensions": [MLM], "id": "good", "geometry": None,
        "properties": {"datetime": None, "mlm:name": "good"}, "links": [], "assets": {}}
CASES = ["slow", "flaky", "down", "truncated", "loop", "huge", "huge-chunked", "html", "text-json", "good", "gone"]


class Handler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[dict[str, int]] = {}
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, code: int, body: bytes, ctype: str = "application/json", length: int | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        name = self.path.strip("/").removesuffix(".json")
        Handler.hits[name] = Handler.hits.get(name, 0) + 1
        n = Handler.hits[name]
        if name == "catalog":
            links = [{"rel": "item", "href": f"./{c}.json"} for c in CASES]
            self.send(200, json.dumps({"type": "Catalog", "stac_version": "1.1.0", "id": "remote",
                                       "description": "d", "links": links}).encode())
        elif name == "slow":
            time.sleep(1.5)
            self.send(200, json.dumps(ITEM).encode())
        elif name == "flaky":  # 500 twice, then 200
            if n <= 2:
                self.send(500, b"oops", "text/plain")
            else:
                self.send(200, json.dumps({**ITEM, "id": "flaky"}).encode())
        elif name == "down":
            self.send(503, b"down", "text/plain")
        elif name == "truncated":
            body = json.dumps(ITEM).encode()
            self.send(200, body[:20], length=len(body))
            self.close_connection = True
        elif name == "loop":
            self.send_response(302)
            self.send_header("Location", "/loop2.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif name == "loop2":
            self.send_response(301)
            self.send_header("Location", "/loop.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif name == "huge":  # announced too big: refused before the body
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(10 * 1024 * 1024))
            self.end_headers()
            self.close_connection = True
        elif name == "huge-chunked":  # no length announced: the streamed cap trips
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"[" * 65536
            try:
                for _ in range(64):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif name == "html":
            self.send(200, b"<!DOCTYPE html><html><body>Login</body></html>", "text/html; charset=utf-8")
        elif name == "text-json":  # JSON served as text/plain (raw.githubusercontent.com does this): fine
            self.send(200, json.dumps({**ITEM, "id": "text-json"}).encode(), "text/plain")
        elif name == "good":
            self.send(200, json.dumps(ITEM).encode())
        else:
            self.send(404, b"not found", "text/plain")


@pytest.fixture
def server() -> Iterator[str]:
    Handler.hits = {}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetcher() -> Fetcher:
    return Fetcher(timeout=0.5, retries=2, backoff=0.05, max_bytes=1024 * 1024)


def test_each_misbehaviour_is_a_clear_finding(server: str) -> None:
    started = time.monotonic()
    f = fetcher()
    try:
        docs = {d.href.rsplit("/", 1)[-1].removesuffix(".json"): d for d in crawl(f"{server}/catalog.json", f)}
    finally:
        f.close()
    elapsed = time.monotonic() - started
    assert elapsed < 15

    def message(name: str) -> str:
        d = docs[name]
        assert d.raw is None, name
        [f] = d.findings
        assert f.rule == "read" and f.severity == "error" and f.href == f"{server}/{name}.json"
        assert f"{server}/catalog.json#/links/{CASES.index(name)}/href" in f.message
        return f.message

    assert "timed out after 0.5 s" in message("slow")
    assert "HTTP 503" in message("down") and "after 3 attempts" in message("down")
    assert "truncated" in message("truncated")
    assert "redirects" in message("loop")
    assert "10485760 bytes (Content-Length)" in message("huge")
    assert "larger than the 1 MiB limit" in message("huge-chunked")
    assert "invalid JSON" in message("html") and "text/html, not JSON" in message("html")
    assert "HTTP 404" in message("gone")
    # retried with backoff: 500, 500, then 200
    assert docs["flaky"].raw is not None and docs["flaky"].raw["id"] == "flaky" and not docs["flaky"].findings
    assert Handler.hits["flaky"] == 3 and Handler.hits["down"] == 3 and Handler.hits["gone"] == 1
    assert docs["text-json"].raw is not None and docs["good"].raw is not None


def test_a_trickling_server_hits_the_deadline(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def trickle() -> None:
        conn, _ = listener.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        try:
            for _ in range(100):
                conn.sendall(b" ")
                time.sleep(0.05)
        except OSError:
            pass
        conn.close()

    threading.Thread(target=trickle, daemon=True).start()
    f = Fetcher(timeout=0.5, retries=0, deadline=1.0)
    started = time.monotonic()
    try:
        [doc] = list(crawl(f"http://127.0.0.1:{port}/x.json", f))
    finally:
        f.close()
    assert time.monotonic() - started < 4
    assert "timed out" in doc.findings[0].message
    listener.close()


def test_dns_failure_is_named(tmp_path: Path) -> None:
    [doc] = list(crawl("http://does-not-exist.invalid/catalog.json"))
    assert "could not be resolved" in doc.findings[0].message or "connection failed" in doc.findings[0].message


def test_remote_catalog_cannot_read_local_files(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "catalog.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.1.0", "id": "r", "description": "d",
        "links": [{"rel": "item", "href": "file:///etc/passwd"}, {"rel": "item", "href": "/etc/passwd"}]}))
    f = fetcher()
    try:
        docs = list(crawl(f"{serve(tmp_path).url}/catalog.json", f))
    finally:
        f.close()
    assert len(docs) == 2  # "/etc/passwd" is a URL path on the same server (a 404), never a local file
    messages = [x.message for x in docs[0].findings]
    assert messages == ["a remote catalog cannot link to a local file"]
    assert "HTTP 404" in docs[1].findings[0].message


def test_remote_build_refuses_nothing_of_the_rest(server: str, tmp_path: Path, schemas_dir: Path,
                                                  offline_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlm_site import check as check_module
    from mlm_site.build import build
    from mlm_site.config import load_config

    real = check_module.Fetcher  # build crawls through mlm_site.check
    monkeypatch.setattr(check_module, "Fetcher", lambda **kw: real(timeout=0.5, retries=2, backoff=0.05,
                                                                      max_bytes=1024 * 1024))
    config = load_config(None, catalog=f"{server}/catalog.json", output=tmp_path / "site", schemas=schemas_dir,
                         offline=True, cache_dir=offline_cache, fail_on="never", tiles="")
    result = build(config)
    report = json.loads((tmp_path / "site" / "report.json").read_text())
    pages = {d["href"].rsplit("/", 1)[-1]: d["page"] for d in report["documents"]}
    assert pages["good.json"] and pages["flaky.json"] and pages["text-json.json"]
    assert result.cards == 3
