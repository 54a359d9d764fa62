"""Helpers for tests and demos: a real HTTP(S) server on loopback and a fixed clock.

``LoopbackSite`` serves a folder of files plus programmable routes that write raw
bytes to the socket (slow trickles, chunked bodies, gzip bombs, redirects), so
captures can be tested against a real server, never a mock of the thing under test.
"""

from __future__ import annotations

import mimetypes
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

Route = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(BaseHTTPRequestHandler):
    server_version = "LoopbackSite/1"
    protocol_version = "HTTP/1.1"
    # Without this every keep-alive response stalls ~40 ms (Nagle + delayed ACK).
    disable_nagle_algorithm = True
    site: LoopbackSite

    def setup(self) -> None:
        super().setup()
        self.site.connections.append(self.client_address)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.site.requests.append(self.path)
        path = urlsplit(self.path).path
        route = self.site.routes.get(path)
        if route is not None:
            route(self)
            return
        self._serve_file(path)

    def _serve_file(self, path: str) -> None:
        root = self.site.root
        file = (root / unquote(path).lstrip("/")).resolve() if root else None
        if file is not None and file.is_dir():
            file = file / "index.html"
        if file is None or root is None or not file.is_relative_to(root) or not file.is_file():
            self.send_error(404)
            return
        body = file.read_bytes()
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/"):
            kind += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep test and demo output clean


class LoopbackSite:
    """A threaded HTTP or HTTPS server on ``host`` serving ``root`` and ``routes``.

    Use as a context manager; ``base_url`` is like ``http://127.0.0.1:PORT``.
    """

    def __init__(self, root: Path | None = None, *, host: str = "127.0.0.1",
                 tls: ssl.SSLContext | None = None) -> None:
        self.root = root.resolve() if root else None
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.connections: list[tuple] = []  # the client address of each one accepted
        handler = type("Handler", (_Handler,), {"site": self})
        self._server = _Server((host, 0), handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls else "http"
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"{scheme}://{shown}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base_url + path

    def raw(self, path: str, response: bytes) -> None:
        """Answer ``path`` with exactly these bytes, then close."""

        def send(handler: BaseHTTPRequestHandler) -> None:
            handler.wfile.write(response)
            handler.close_connection = True

        self.routes[path] = send

    def __enter__(self) -> LoopbackSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class FixedClock:
    """A clock that starts at ``start`` and moves ``step`` forward on every call."""

    def __init__(self, start: datetime | None = None, step: timedelta = timedelta(milliseconds=1)):
        self.now = start or datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
        self.step = step

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.step
        return current


def fixed_ids(prefix: str = "00000000-0000-4000-8000") -> Callable[[], str]:
    """Record ids ``<urn:uuid:00000000-0000-4000-8000-000000000001>``, counting up."""
    counter = iter(range(1, 1 << 48))
    return lambda: f"<urn:uuid:{prefix}-{next(counter):012d}>"


def fixed_capture_ids() -> Callable[[datetime], str]:
    """Capture ids from the instant and a counter, so golden files are stable."""
    from .ids import capture_id

    counter: Iterator[int] = iter(range(1, 1 << 48))
    return lambda moment: capture_id(moment, next(counter).to_bytes(10, "big"))
