"""``mlm-site serve``: build, serve the site on 127.0.0.1 and rebuild when an input changes.

Changes are found by polling modification times (catalog folder, templates
folder, configuration file): no extra dependency, works on every platform.
A failed rebuild leaves the previous site being served.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from mlm_site import urls
from mlm_site.config import SiteConfig

WATCHED_SUFFIXES = (".json", ".geojson", ".html", ".css", ".js", ".svg", ".png", ".toml", ".md", ".txt", ".xml")


def snapshot(roots: Iterable[Path]) -> dict[str, float]:
    """Modification time of every watched file under ``roots`` (files or folders)."""
    out: dict[str, float] = {}
    for root in roots:
        if root.is_file():
            out[str(root)] = root.stat().st_mtime
            continue
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.endswith(WATCHED_SUFFIXES):
                    path = os.path.join(dirpath, name)
                    try:
                        out[path] = os.stat(path).st_mtime
                    except OSError:
                        continue
    return out


def watched_roots(config: SiteConfig, config_file: Path | None = None) -> list[Path]:
    """What a change to triggers a rebuild: the catalog's folder, the templates, the config file."""
    roots: list[Path] = []
    if not urls.is_remote(config.catalog):
        roots.append(Path(config.catalog).resolve().parent)
    if config.templates is not None:
        roots.append(config.templates)
    if config_file is not None:
        roots.append(config_file)
    return [r for r in roots if not _inside(config.output.resolve(), r.resolve())]


def _inside(path: Path, root: Path) -> bool:
    try:
        return path == root or path.is_relative_to(root)
    except ValueError:
        return False


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A static file server of ``directory``; the folder is looked up per request, so a
    rebuild that swaps the folder is served at once."""
    handler = functools.partial(_Quiet, directory=str(directory))
    return http.server.ThreadingHTTPServer((host, port), handler)


def watch(
    roots: list[Path],
    rebuild: Callable[[], None],
    *,
    interval: float = 1.0,
    stop: threading.Event | None = None,
) -> None:
    """Call ``rebuild`` whenever a watched file is added, removed or modified."""
    stop = stop or threading.Event()
    before = snapshot(roots)
    while not stop.wait(interval):
        now = snapshot(roots)
        if now != before:
            before = now
            rebuild()


def serve(
    config: SiteConfig,
    build: Callable[[SiteConfig], object],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    interval: float = 1.0,
    config_file: Path | None = None,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Build once, serve ``config.output`` and rebuild on change until interrupted (or ``stop``)."""
    build(config)
    server = make_server(config.output, host, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    echo(f"Serving {config.output} at http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)")

    def rebuild() -> None:
        started = time.monotonic()
        try:
            build(config)
        except Exception as exc:
            echo(f"Rebuild failed: {exc}")
            return
        echo(f"Rebuilt in {time.monotonic() - started:.2f} s")

    try:
        watch(watched_roots(config, config_file), rebuild, interval=interval, stop=stop)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["make_server", "serve", "snapshot", "watch", "watched_roots"]
