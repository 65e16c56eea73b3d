"""Tests of :mod:`mlm_site.schemas`: mirror, cache, network, registry and URL quirks."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from referencing.exceptions import Unresolvable

from mlm_site.schemas import (
    SchemaStore,
    SchemaUnavailable,
    core_schema_url,
    schema_key,
    usable_schema,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "schema"
FIXTURE_MIRROR = FIXTURES / "mirror"

MLM_152 = "https://stac-extensions.github.io/mlm/v1.5.2/schema.json"
MLM_130 = "https://stac-extensions.github.io/mlm/v1.3.0/schema.json"
COMMON_110 = "https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/common.json"


def shared_mirror() -> Path:
    """The offline mirror named by ``MLM_SITE_SCHEMAS``; skips the test when absent."""
    value = os.environ.get("MLM_SITE_SCHEMAS")
    if not value:
        pytest.skip("MLM_SITE_SCHEMAS is not set (path of the offline schema mirror)")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"MLM_SITE_SCHEMAS={value} is not a folder")
    return path


# -- a real HTTP server on the loopback interface ---------------------------------


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 serving a folder, with a few extra routes.

    ``/slow/...`` waits before answering, ``/moved/X`` redirects to ``/X``,
    ``/big/...`` sends more bytes than the tests allow. ``hits`` counts GETs by path.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hits: dict[str, int] = {}
        self.delay = 2.0
        self.release = threading.Event()
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(server.root), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with lock:
                    server.hits[self.path] = server.hits.get(self.path, 0) + 1
                try:
                    if self.path.startswith("/slow/"):
                        server.release.wait(server.delay)
                        self._send(200, b"{}")
                    elif self.path.startswith("/moved/"):
                        self.send_response(302)
                        self.send_header("Location", self.path[len("/moved") :])
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    elif self.path.startswith("/big/"):
                        self._send(200, b'{"description": "' + b"x" * 5000 + b'"}')
                    else:
                        super().do_GET()
                except OSError:  # the client gave up (timeout tests)
                    pass

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        lock = threading.Lock()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def stop(self) -> None:
        if self.thread.is_alive():
            self.release.set()
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(5)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[_Server]:
    root = tmp_path / "www"
    tiny = root / "tiny" / "v1.0.0"
    tiny.mkdir(parents=True)
    source = FIXTURE_MIRROR / "example.test" / "tiny" / "v1.0.0"
    for name in ("schema.json", "defs.json"):
        (tiny / name).write_bytes((source / name).read_bytes())
    (root / "bad.json").write_text("{not json", encoding="utf-8")
    (root / "list.json").write_text("[1, 2]", encoding="utf-8")
    srv = _Server(root)
    yield srv
    srv.stop()


# -- URL handling ---------------------------------------------------------------------


def test_schema_key_drops_fragment_and_normalises_host() -> None:
    assert schema_key(" https://Schemas.StacSpec.org/v1.0.0/item.json#/definitions/x ") == (
        "https://schemas.stacspec.org/v1.0.0/item.json"
    )
    assert schema_key("http://json-schema.org/draft-07/schema#") == "http://json-schema.org/draft-07/schema"


def test_mirror_layout(tmp_path: Path) -> None:
    store = SchemaStore(tmp_path / "m", tmp_path / "c", offline=True)
    assert (
        store.mirror_path(MLM_152 + "#")
        == tmp_path / "m" / "stac-extensions.github.io/mlm/v1.5.2/schema.json"
    )
    # http and https share a file
    assert store.mirror_path(MLM_152.replace("https:", "http:")) == store.mirror_path(MLM_152)
    # explicit ports stay apart from the default port
    assert store.cache_path("http://127.0.0.1:8123/a/b.json") == tmp_path / "c" / "127.0.0.1_8123/a/b.json"
    # ".." cannot leave the host folder
    assert (
        store.mirror_path("https://h.example/a/../../../etc/passwd")
        == tmp_path / "m" / "h.example/etc/passwd"
    )
    assert store.mirror_path("https://h.example/folder/") is None
    assert store.mirror_path("file:///etc/passwd") is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("eo", "not an http(s) URL"),
        ("file:///etc/passwd", "not an http(s) URL"),
        ("https://h.example/dir/", "does not name a file"),
        ("https://h.example/s.json?v=1", "query string"),
        ("https:///nohost.json", "host"),
    ],
)
def test_unmappable_urls_are_unavailable(tmp_path: Path, url: str, reason: str) -> None:
    store = SchemaStore(None, tmp_path, offline=False)
    with pytest.raises(SchemaUnavailable) as info:
        store.get(url)
    assert reason in info.value.reason
    assert info.value.url == schema_key(url)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"type": "Feature", "stac_version": "1.0.0"}, "v1.0.0/item-spec/json-schema/item.json"),
        (
            {"type": "Collection", "stac_version": "1.1.0"},
            "v1.1.0/collection-spec/json-schema/collection.json",
        ),
        (
            {"type": "Catalog", "stac_version": "1.0.0-rc.1"},
            "v1.0.0-rc.1/catalog-spec/json-schema/catalog.json",
        ),
        ({"type": "Feature", "stac_version": "v1.0.0"}, "v1.0.0/item-spec/json-schema/item.json"),
        ({"type": "Feature"}, None),
        ({"type": "Feature", "stac_version": 1.0}, None),
        ({"type": "Feature", "stac_version": "../../evil"}, None),
        ({"type": "FeatureCollection", "stac_version": "1.0.0"}, None),
    ],
)
def test_core_schema_url(doc: dict[str, Any], expected: str | None) -> None:
    url = core_schema_url(doc)
    if expected is None:
        assert url is None
    else:
        assert url == "https://schemas.stacspec.org/" + expected


# -- mirror and built-ins ---------------------------------------------------------------


def test_mirror_lookup_and_memoisation(tmp_path: Path) -> None:
    mirror = shared_mirror()
    store = SchemaStore(mirror, tmp_path, offline=True)
    schema = store.get(MLM_152)
    assert schema["$id"] == MLM_152
    assert store.origin(MLM_152) == "mirror"
    assert store.get(MLM_152 + "#/$defs/mlm:name") is schema
    assert store.get(MLM_152.replace("https:", "http:"))["$id"] == MLM_152
    assert not any(tmp_path.iterdir()), "mirror hits are not copied to the cache"


@pytest.mark.parametrize(
    "url", ["http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-07/schema#"]
)
def test_draft07_metaschema_is_builtin(tmp_path: Path, url: str) -> None:
    store = SchemaStore(None, tmp_path, offline=True)
    assert store.origin(url) == "builtin"
    assert store.get(url)["title"] == "Core schema meta-schema"


def test_offline_miss_is_unavailable_and_memoised(tmp_path: Path) -> None:
    store = SchemaStore(None, tmp_path, offline=True)
    url = "https://example.test/nowhere/v1.0.0/schema.json"
    with pytest.raises(SchemaUnavailable) as first:
        store.get(url)
    assert "offline" in first.value.reason
    assert url in str(first.value)
    with pytest.raises(SchemaUnavailable) as second:
        store.get(url)
    assert second.value is first.value


def test_bad_json_in_mirror(tmp_path: Path) -> None:
    target = tmp_path / "m" / "h.example" / "s.json"
    target.parent.mkdir(parents=True)
    target.write_text("{oops", encoding="utf-8")
    store = SchemaStore(tmp_path / "m", tmp_path / "c", offline=True)
    with pytest.raises(SchemaUnavailable, match="not valid JSON"):
        store.get("https://h.example/s.json")


def test_from_env(tmp_path: Path) -> None:
    store = SchemaStore.from_env(environ={"MLM_SITE_SCHEMAS": str(tmp_path)}, offline=True)
    assert store.mirror == tmp_path
    assert SchemaStore.from_env(environ={}, offline=True).mirror is None
    assert SchemaStore.from_env(tmp_path / "x", environ={"MLM_SITE_SCHEMAS": "y"}).mirror == tmp_path / "x"


# -- $id quirks and the referencing registry ------------------------------------------


def test_id_differs_from_url_mlm_v130(tmp_path: Path) -> None:
    store = SchemaStore(shared_mirror(), tmp_path, offline=True)
    bogus_id = "https://stac-extensions/mlm/v1.3.0/schema.json"
    with pytest.raises(SchemaUnavailable):
        store.lookup(bogus_id)  # nothing is published there, and no file has claimed it yet
    schema = store.get(MLM_130)
    assert schema["$id"] == bogus_id
    assert store.lookup(bogus_id) == schema
    assert store.lookup(bogus_id) is store.lookup(MLM_130)
    with pytest.raises(SchemaUnavailable):
        store.get(bogus_id)  # get() is by URL only


def test_registry_resolves_by_requested_url_and_by_id(tmp_path: Path) -> None:
    store = SchemaStore(shared_mirror(), tmp_path, offline=True)
    resolver = store.registry.resolver()
    resolved = resolver.lookup(MLM_130 + "#/$defs/mlm:name")
    assert resolved.contents["type"] == "string"
    # A reference inside the file resolves against its (bogus) $id.
    inner = resolved.resolver.lookup("#/$defs/mlm:architecture")
    assert inner.contents["type"] == "string"


def test_registry_common_json_id_typo(tmp_path: Path) -> None:
    """STAC 1.1.0 common.json says ``$id: .../commonjson``; its own refs must still work."""
    store = SchemaStore(shared_mirror(), tmp_path, offline=True)
    item = "https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/item.json"
    resolved = store.registry.resolver(base_uri=item).lookup("common.json")
    assert resolved.contents["$id"].endswith("/commonjson")
    assert resolved.resolver.lookup("#/allOf/0").contents == {"$ref": "basics.json"}
    assert resolved.resolver.lookup("bands.json").contents["$id"].endswith("/bands.json")


def test_registry_fixture_renamed_id() -> None:
    store = SchemaStore(FIXTURE_MIRROR, None, offline=True, use_cache=False)
    url = "https://example.test/renamed/v2.0.0/schema.json"
    resolved = store.registry.resolver().lookup(url + "#/definitions/fields")
    level = resolved.resolver.lookup(resolved.contents["properties"]["renamed:level"]["$ref"])
    assert level.contents == {"type": "integer", "maximum": 3}


def test_registry_unresolvable_carries_reason(tmp_path: Path) -> None:
    store = SchemaStore(None, tmp_path, offline=True)
    with pytest.raises(Unresolvable) as info:
        store.registry.resolver().lookup("https://example.test/missing.json")
    causes: list[BaseException] = []
    cause: BaseException | None = info.value
    while cause is not None:
        causes.append(cause)
        cause = cause.__cause__
    unavailable = [c for c in causes if isinstance(c, SchemaUnavailable)]
    assert unavailable and "offline" in unavailable[0].reason


# -- network, cache, timeouts --------------------------------------------------------------


def test_fetch_once_then_cached(tmp_path: Path, server: _Server) -> None:
    cache = tmp_path / "cache"
    url = server.url("tiny/v1.0.0/schema.json")
    with SchemaStore(None, cache, timeout=5) as store:
        assert store.get(url)["title"] == "Tiny test extension"
        assert store.origin(url) == "network"
        assert store.get(url + "#/properties")["title"] == "Tiny test extension"
    assert server.hits == {"/tiny/v1.0.0/schema.json": 1}
    cached = cache / f"127.0.0.1_{server.port}" / "tiny" / "v1.0.0" / "schema.json"
    assert cached.is_file()
    assert json.loads(cached.read_text(encoding="utf-8"))["title"] == "Tiny test extension"
    assert [p.name for p in cached.parent.iterdir()] == ["schema.json"], "no temporary files left"

    server.stop()
    with SchemaStore(None, cache, timeout=1) as again:
        assert again.get(url)["title"] == "Tiny test extension"
        assert again.origin(url) == "cache"
    with SchemaStore(None, cache, offline=True) as offline:
        assert offline.origin(url) == "cache"


def test_mirror_wins_over_cache_and_network(tmp_path: Path, server: _Server) -> None:
    url = server.url("tiny/v1.0.0/schema.json")
    mirror = tmp_path / "mirror" / f"127.0.0.1_{server.port}" / "tiny" / "v1.0.0"
    mirror.mkdir(parents=True)
    (mirror / "schema.json").write_text('{"title": "from the mirror"}', encoding="utf-8")
    with SchemaStore(tmp_path / "mirror", tmp_path / "cache") as store:
        assert store.get(url) == {"title": "from the mirror"}
    assert server.hits == {}


def test_refs_of_fetched_schema_are_fetched_too(tmp_path: Path, server: _Server) -> None:
    url = server.url("tiny/v1.0.0/schema.json")
    with SchemaStore(None, tmp_path) as store:
        name = store.registry.resolver(base_uri=url).lookup("defs.json#/definitions/name")
        assert name.contents == {"type": "string", "minLength": 1}


def test_corrupt_cache_entry_is_refetched(tmp_path: Path, server: _Server) -> None:
    url = server.url("tiny/v1.0.0/schema.json")
    with SchemaStore(None, tmp_path) as store:
        path = store.cache_path(url)
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_text("{truncated", encoding="utf-8")
    with SchemaStore(None, tmp_path) as store:
        assert store.origin(url) == "network"
    assert json.loads(path.read_text(encoding="utf-8"))["title"] == "Tiny test extension"


def test_redirects_are_followed(tmp_path: Path, server: _Server) -> None:
    with SchemaStore(None, tmp_path) as store:
        assert store.get(server.url("moved/tiny/v1.0.0/defs.json"))["definitions"]["name"]["minLength"] == 1


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("nothing/here.json", "HTTP 404"),
        ("bad.json", "not valid JSON"),
        ("list.json", "not a JSON Schema"),
        ("big/schema.json", "larger than"),
    ],
)
def test_http_failures(tmp_path: Path, server: _Server, path: str, reason: str) -> None:
    cache = tmp_path / "cache"
    with SchemaStore(None, cache, max_bytes=1000) as store, pytest.raises(SchemaUnavailable) as info:
        store.get(server.url(path))
    assert reason in info.value.reason
    assert not cache.exists(), "failures are not cached"


def test_timeout_is_unavailable(tmp_path: Path, server: _Server) -> None:
    url = server.url("slow/schema.json")
    with SchemaStore(None, tmp_path, timeout=0.3) as store:
        started = time.monotonic()
        with pytest.raises(SchemaUnavailable) as info:
            store.get(url)
        assert time.monotonic() - started < 1.8
        assert "timed out" in info.value.reason
        with pytest.raises(SchemaUnavailable):
            store.get(url)  # memoised: no second wait
    assert server.hits == {"/slow/schema.json": 1}


def test_offline_never_fetches(tmp_path: Path, server: _Server) -> None:
    with (
        SchemaStore(None, tmp_path, offline=True) as store,
        pytest.raises(SchemaUnavailable, match="offline"),
    ):
        store.get(server.url("tiny/v1.0.0/schema.json"))
    assert server.hits == {}


def test_concurrent_gets_fetch_once(tmp_path: Path, server: _Server) -> None:
    url = server.url("tiny/v1.0.0/schema.json")
    results: list[Any] = []
    with SchemaStore(None, tmp_path) as store:
        threads = [threading.Thread(target=lambda: results.append(store.get(url))) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    assert len(results) == 8
    assert all(r is results[0] for r in results)
    assert server.hits == {"/tiny/v1.0.0/schema.json": 1}


def test_usable_schema_drops_comment_strings_in_property_maps() -> None:
    published = {
        "properties": {"$comment": "not a schema", "a": {"const": {"properties": {"x": "data"}}}, "b": True},
        "$defs": {"n": 3, "m": {"type": "integer"}},
        "enum": [{"properties": "kept"}],
        "allOf": [{"properties": {"$comment": "nested", "c": {}}}],
    }
    assert usable_schema(published) == {
        "properties": {"a": {"const": {"properties": {"x": "data"}}}, "b": True},
        "$defs": {"m": {"type": "integer"}},
        "enum": [{"properties": "kept"}],
        "allOf": [{"properties": {"c": {}}}],
    }
    assert "$comment" in published["properties"], "the input is not modified"


def test_mlm_v100_published_slip_is_repaired_for_validation(tmp_path: Path) -> None:
    store = SchemaStore(shared_mirror(), tmp_path, offline=True)
    url = "https://crim-ca.github.io/mlm-extension/v1.0.0/schema.json"
    raw = store.get(url)
    slip = raw["$defs"]["mlm:pretrained"]["if"]["properties"]
    assert slip["$comment"] == "This is the STAC-Item 'properties' field."
    assert "$comment" not in store.lookup(url)["$defs"]["mlm:pretrained"]["if"]["properties"]
