"""HTTP/1.1 exchanges, recorded byte for byte, over kept-alive connections.

We open our own sockets and let h11 (sans-IO) find the message boundaries, so the
request block is exactly what we sent and the response block exactly what we
received. Every hop is checked against the network policy on the address the
socket connected to, and one wall-clock deadline covers the whole capture: DNS,
connect, TLS handshake and every read, across all redirects.

A connection whose response ended cleanly is kept for the next request to the same
origin, as browsers and wget do: a batch from one outlet then costs one TCP and TLS
handshake per fetch thread, not one per page.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from urllib.parse import urljoin

import h11

from .errors import CaptureError, PolicyError
from .httpmsg import MAX_HEAD_BYTES, HttpHead, parse_head
from .limits import Limits
from .netpolicy import NetworkPolicy, Target, parse_target

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
READ_SIZE = 256 * 1024
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: Encodings we can undo within the decode cap for extraction (httpmsg.content_decode).
ACCEPT_ENCODING = "gzip, deflate, br"

#: Idle kept-alive connections, over all origins: a crawl across many outlets must not
#: hold a socket open for each.
MAX_IDLE_CONNECTIONS = 32
#: An idle connection older than this is not reused: servers close theirs after 5 s
#: (Apache) to 75 s (nginx), and a connection closed under us costs a second try.
IDLE_SECONDS = 4.0

# Name resolution has no timeout of its own; run it where we can stop waiting.
_resolver_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="archiver-dns")


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsInfo:
    version: str
    cipher: str
    verified: bool
    server_name: str
    certificates: tuple[str, ...]  # PEM, leaf first, as the server presented them

    def to_document(self) -> dict:
        return {"version": self.version, "cipher": self.cipher, "verified": self.verified,
                "server_name": self.server_name, "certificates": list(self.certificates)}


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    """One request and its response, as bytes on the wire."""

    url: str
    request: bytes
    response: bytes
    head: HttpHead  # the parsed response head
    peer_ip: str
    tls: TlsInfo | None
    truncated: str | None  # "length" or "time" when the body was cut

    @property
    def status(self) -> int:
        return self.head.status or 0


@dataclass(slots=True)
class _Connection:
    """An open socket to one origin, with what was learnt when it was opened."""

    origin: tuple[str, str, int]  # scheme, host, port
    sock: socket.socket
    peer_ip: str
    tls: TlsInfo | None
    reused: bool = False
    idle_since: float = 0.0


class _StaleConnection(Exception):
    """A kept-alive connection turned out closed before any byte of the response."""


@dataclass(kw_only=True)
class Fetcher:
    """Fetches a URL and its redirects; everything it needs is injected."""

    policy: NetworkPolicy
    limits: Limits
    user_agent: str
    ssl_context: ssl.SSLContext
    monotonic: Callable[[], float] = time.monotonic
    resolve: Callable[..., list] = socket.getaddrinfo
    _idle: list[_Connection] = field(default_factory=list, init=False, repr=False)
    _idle_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def close(self) -> None:
        """Close the idle kept-alive connections."""
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.sock.close()

    def fetch(self, url: str, *, conditional: Sequence[tuple[str, str]] = ()) -> list[Exchange]:
        """Every exchange from ``url`` through its redirects to the final response.

        ``conditional`` headers (If-None-Match, If-Modified-Since) go with the first
        request only: they describe what we hold of ``url`` itself.
        """
        deadline = self.monotonic() + self.limits.timeout
        exchanges: list[Exchange] = []
        target = parse_target(url)
        while True:
            exchange = self._exchange(target, deadline, () if exchanges else conditional)
            exchanges.append(exchange)
            location = exchange.head.get("location")
            if exchange.status not in REDIRECT_STATUSES or not location or exchange.truncated:
                return exchanges
            if len(exchanges) > self.limits.max_redirects:
                raise CaptureError(url, f"more than {self.limits.max_redirects} redirects")
            try:
                next_url = urljoin(target.url, location.strip())
            except ValueError as exc:  # e.g. an unclosed IPv6 bracket
                raise CaptureError(url, f"redirect to {location.strip()[:200]!r}, which is not "
                                        f"a valid URL ({exc})") from None
            target = parse_target(next_url)

    def _remaining(self, url: str, deadline: float, doing: str) -> float:
        left = deadline - self.monotonic()
        if left <= 0:
            raise CaptureError(url, f"{doing} did not finish within the {self.limits.timeout:g}s deadline (raise --timeout)")
        return left

    def _exchange(self, target: Target, deadline: float,
                  extra_headers: Sequence[tuple[str, str]]) -> Exchange:
        connection = self._checkout(target)
        if connection is not None:
            try:
                return self._request(connection, target, deadline, extra_headers)
            except _StaleConnection:
                pass  # closed by the server while idle: once more, on a new connection
        return self._request(self._open(target, deadline), target, deadline, extra_headers)

    def _open(self, target: Target, deadline: float) -> _Connection:
        sock, peer_ip = self._connect(target, deadline)
        tls = None
        if target.scheme == "https":
            try:
                sock, tls = self._handshake(sock, target, deadline)
            except BaseException:
                sock.close()
                raise
        return _Connection((target.scheme, target.host, target.port), sock, peer_ip, tls)

    def _checkout(self, target: Target) -> _Connection | None:
        """The most recently used idle connection to ``target``'s origin, if one is fit."""
        origin = (target.scheme, target.host, target.port)
        now = self.monotonic()
        with self._idle_lock:
            found = None
            for index in range(len(self._idle) - 1, -1, -1):
                if self._idle[index].origin == origin:
                    found = self._idle.pop(index)
                    break
        if found is None:
            return None
        if now - found.idle_since > IDLE_SECONDS or _has_input(found.sock):
            found.sock.close()  # stale, or the server said something unasked (a close)
            return None
        found.reused = True  # its address passed this fetcher's policy when it was opened
        return found

    def _checkin(self, connection: _Connection) -> None:
        connection.idle_since = self.monotonic()
        with self._idle_lock:
            self._idle.append(connection)
            evicted = self._idle[:-MAX_IDLE_CONNECTIONS]
            del self._idle[:-MAX_IDLE_CONNECTIONS]
        for old in evicted:
            old.sock.close()

    def _addresses(self, target: Target, deadline: float) -> list[tuple]:
        future = _resolver_pool.submit(self.resolve, target.host, target.port, 0, socket.SOCK_STREAM)
        try:
            return future.result(timeout=self._remaining(target.url, deadline, "name resolution"))
        except FutureTimeout:
            raise CaptureError(target.url, f"name resolution did not finish within the {self.limits.timeout:g}s deadline") from None
        except (socket.gaierror, UnicodeError) as exc:
            raise CaptureError(target.url, f"cannot resolve host {target.host!r} ({exc})") from None

    def _connect(self, target: Target, deadline: float) -> tuple[socket.socket, str]:
        refusal: PolicyError | None = None
        failure: OSError | None = None
        for family, kind, proto, _name, address in self._addresses(target, deadline):
            try:
                self.policy.check_address(target.url, address[0])
            except PolicyError as exc:
                refusal = exc
                continue
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self._remaining(target.url, deadline, "connecting"))
                sock.connect(address)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                peer_ip = sock.getpeername()[0]
                self.policy.check_address(target.url, peer_ip)  # the address really connected
                return sock, peer_ip
            except OSError as exc:
                sock.close()
                failure = exc
            except BaseException:
                sock.close()
                raise
        if failure is not None:
            reason = "timed out" if isinstance(failure, TimeoutError) else failure.strerror or str(failure)
            raise CaptureError(target.url, f"cannot connect to {target.host} port {target.port}: {reason}")
        if refusal is not None:
            raise refusal
        raise CaptureError(target.url, f"host {target.host!r} has no address")

    def _handshake(self, sock: socket.socket, target: Target, deadline: float):
        sock.settimeout(self._remaining(target.url, deadline, "the TLS handshake"))
        try:
            # An IP literal here makes ssl check the certificate's IP SANs and send no SNI.
            tls_sock = self.ssl_context.wrap_socket(sock, server_hostname=target.host)
        except ssl.SSLCertVerificationError as exc:
            raise CaptureError(target.url, f"TLS certificate not trusted: {exc.verify_message} (use --ca-bundle FILE for a private CA)") from None
        except (ssl.SSLError, OSError) as exc:
            raise CaptureError(target.url, f"TLS handshake failed: {exc}") from None
        cipher = tls_sock.cipher()
        info = TlsInfo(
            version=tls_sock.version() or "",
            cipher=cipher[0] if cipher else "",
            verified=self.ssl_context.verify_mode == ssl.CERT_REQUIRED,
            server_name=target.host,
            certificates=tuple(_peer_chain(tls_sock)),
        )
        return tls_sock, info

    def _request(self, connection: _Connection, target: Target, deadline: float,
                 extra_headers: Sequence[tuple[str, str]]) -> Exchange:
        """One exchange on ``connection``, which goes back to the idle list when the
        response ended cleanly and both sides may go on, and is closed otherwise."""
        keep = False
        try:
            exchange, keep = self._exchange_on(connection, target, deadline, extra_headers)
            return exchange
        finally:
            if keep:
                self._checkin(connection)
            else:
                connection.sock.close()

    def _exchange_on(self, connection: _Connection, target: Target, deadline: float,
                     extra_headers: Sequence[tuple[str, str]]) -> tuple[Exchange, bool]:
        conn = h11.Connection(our_role=h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
        headers = [("Host", target.host_header), ("User-Agent", self.user_agent),
                   ("Accept", ACCEPT), ("Accept-Encoding", ACCEPT_ENCODING), *extra_headers]
        try:
            message = h11.Request(method="GET", target=target.request_target, headers=headers)
        # a validator the server gave us is not a valid value, or not ASCII
        except (h11.LocalProtocolError, UnicodeEncodeError):
            message = h11.Request(method="GET", target=target.request_target,
                                  headers=[h for h in headers if h not in extra_headers])
        request = conn.send(message)
        request += conn.send(h11.EndOfMessage())
        sock = connection.sock
        try:
            sock.settimeout(self._remaining(target.url, deadline, "sending the request"))
            sock.sendall(request)
        except OSError as exc:
            if connection.reused:
                raise _StaleConnection from None
            raise CaptureError(target.url, f"sending the request failed: {exc}") from None
        response, truncated = self._read_response(connection, conn, target, deadline)
        head = parse_head(response)
        if head is None or head.status is None:
            raise CaptureError(target.url, "the response has no valid HTTP head")
        exchange = Exchange(url=target.url, request=request, response=response, head=head,
                            peer_ip=connection.peer_ip, tls=connection.tls, truncated=truncated)
        reusable = (truncated is None and conn.our_state is h11.DONE
                    and conn.their_state is h11.DONE and not conn.trailing_data[0])
        return exchange, reusable

    def _read_response(self, connection: _Connection, conn: h11.Connection, target: Target,
                       deadline: float):
        """Read until h11 sees the end of the message, the cap, or the deadline."""
        sock = connection.sock
        received = bytearray()
        have_head = False
        cut: str | None = None
        while True:
            event = _next_event(conn, target.url)
            if event is h11.NEED_DATA:
                if cut is not None:
                    return self._cut(target, received, have_head, cut)
                left = deadline - self.monotonic()
                if left <= 0:
                    return self._cut(target, received, have_head, "time")
                sock.settimeout(left)
                try:
                    data = sock.recv(READ_SIZE)
                except TimeoutError:
                    return self._cut(target, received, have_head, "time")
                except OSError as exc:
                    if connection.reused and not received:
                        raise _StaleConnection from None
                    raise CaptureError(target.url, f"reading the response failed: {exc}") from None
                if connection.reused and not data and not received:
                    raise _StaleConnection
                room = self.limits.max_bytes - len(received)
                if len(data) > room:
                    data, cut = data[:room], "length"
                received += data
                if data or cut is None:  # an empty read is the server closing
                    conn.receive_data(data)
            elif isinstance(event, h11.Response):
                have_head = True
            elif isinstance(event, h11.EndOfMessage):
                unread = len(conn.trailing_data[0])
                return bytes(received[: len(received) - unread]), None
            elif isinstance(event, h11.ConnectionClosed):
                raise CaptureError(target.url, "the server closed the connection before a response")
            # InformationalResponse (1xx) and Data need nothing: the bytes are in `received`.

    def _cut(self, target: Target, received: bytearray, have_head: bool, why: str):
        if not have_head:
            what = f"the {self.limits.timeout:g}s deadline (raise --timeout)" if why == "time" \
                else f"the {self.limits.max_bytes}-byte cap (raise --max-bytes)"
            raise CaptureError(target.url, f"no complete response head within {what}")
        return bytes(received), why


def _has_input(sock: socket.socket) -> bool:
    """Whether an idle socket is readable: the server closed it, or sent unasked bytes."""
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _next_event(conn: h11.Connection, url: str):
    try:
        return conn.next_event()
    except h11.RemoteProtocolError as exc:
        raise CaptureError(url, f"malformed HTTP response: {exc}") from None


def _peer_chain(tls_sock: ssl.SSLSocket) -> list[str]:
    """The certificate chain the server sent, leaf first, as PEM."""
    # Python 3.13 makes this public (get_unverified_chain); 3.10-3.12 have it privately.
    sslobj = getattr(tls_sock, "_sslobj", None)
    chain_of = getattr(sslobj, "get_unverified_chain", None)
    if chain_of is not None:
        chain = chain_of() or []
        return [cert.public_bytes(ssl._ssl.ENCODING_PEM) for cert in chain]  # type: ignore[attr-defined]
    leaf = tls_sock.getpeercert(binary_form=True)
    return [ssl.DER_cert_to_PEM_cert(leaf)] if leaf else []
