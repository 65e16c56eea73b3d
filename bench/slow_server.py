"""A static file server on 127.0.0.1 that answers each request after a delay, for the remote-crawl benchmark.

    python bench/slow_server.py FOLDER [--latency 0.02] [--lifetime 900]

Prints ``PORT`` on the first line of standard output once it listens. HTTP/1.1 with
keep-alive (as object storage serves), one thread per connection; it stops by itself
after ``--lifetime`` seconds, or when its standard input is closed.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
import time


class SlowHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    latency = 0.02

    def do_GET(self) -> None:
        time.sleep(self.latency)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--latency", type=float, default=0.02)
    ap.add_argument("--lifetime", type=float, default=900.0)
    args = ap.parse_args()
    handler = functools.partial(type("H", (SlowHandler,), {"latency": args.latency}), directory=args.folder)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    stop = threading.Timer(args.lifetime, httpd.shutdown)
    stop.daemon = True
    stop.start()

    def watch_stdin() -> None:  # the parent closed our stdin (or died): stop
        sys.stdin.read()
        httpd.shutdown()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever(poll_interval=0.1)
    httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
