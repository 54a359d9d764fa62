"""One HTTP/1.1 exchange per connection, recorded byte for byte.

We open our own sockets and let h11 (sans-IO) find the message boundaries, so the
request block is exactly what we sent and the response block exactly what we
received. Every hop is checked against the network policy on the address the
socket connected to, and one wall-clock deadline covers the whole capture: DNS,
connect, TLS handshake and every read, across all redirects.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
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


@dataclass(kw_only=True)
class Fetcher:
    """Fetches a URL and its redirects; everything it needs is injected."""

    policy: NetworkPolicy
    limits: Limits
    user_agent: str
    ssl_context: ssl.SSLContext
    monotonic: Callable[[], float] = time.monotonic
    resolve: Callable[..., list] = socket.getaddrinfo

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
        sock, peer_ip = self._connect(target, deadline)
        with sock:
            tls = None
            if target.scheme == "https":
                sock, tls = self._handshake(sock, target, deadline)
            return self._request(sock, target, peer_ip, tls, deadline, extra_headers)

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

    def _request(self, sock, target: Target, peer_ip: str, tls, deadline: float,
                 extra_headers: Sequence[tuple[str, str]]) -> Exchange:
        conn = h11.Connection(our_role=h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
        headers = [("Host", target.host_header), ("User-Agent", self.user_agent),
                   ("Accept", ACCEPT), ("Accept-Encoding", ACCEPT_ENCODING),
                   *extra_headers, ("Connection", "close")]
        try:
            message = h11.Request(method="GET", target=target.request_target, headers=headers)
        # a validator the server gave us is not a valid value, or not ASCII
        except (h11.LocalProtocolError, UnicodeEncodeError):
            message = h11.Request(method="GET", target=target.request_target,
                                  headers=[h for h in headers if h not in extra_headers])
        request = conn.send(message)
        request += conn.send(h11.EndOfMessage())
        try:
            sock.settimeout(self._remaining(target.url, deadline, "sending the request"))
            sock.sendall(request)
        except OSError as exc:
            raise CaptureError(target.url, f"sending the request failed: {exc}") from None
        response, truncated = self._read_response(sock, conn, target, deadline)
        head = parse_head(response)
        if head is None or head.status is None:
            raise CaptureError(target.url, "the response has no valid HTTP head")
        return Exchange(url=target.url, request=request, response=response, head=head,
                        peer_ip=peer_ip, tls=tls, truncated=truncated)

    def _read_response(self, sock, conn: h11.Connection, target: Target, deadline: float):
        """Read until h11 sees the end of the message, the cap, or the deadline."""
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
                    raise CaptureError(target.url, f"reading the response failed: {exc}") from None
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
