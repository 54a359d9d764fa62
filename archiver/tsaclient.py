"""Asking an RFC 3161 time-stamping authority for a token, over HTTP(S).

``request_timestamp`` sends the SHA-256 of some bytes to a TSA in a TimeStampReq (built
by rfc3161-client: a random 64-bit nonce, certReq set), and checks that the answer is a
granted TimeStampResp for that very request: its nonce and message imprint. It returns
a ``TimestampToken`` (``archiver.timestamp``, which parses and verifies tokens) holding
the token as the TSA sent it, the chain ordered from the TSA certificate up, and our
clock's time beside the TSA's.

The TSA URL is the operator's choice, not something a captured page names, so the
capture network policy (no private addresses) does not apply here: an in-house TSA on
a private network is legitimate. Only http and https URLs are accepted, redirects are
not followed, one deadline covers connect, send and every read (name resolution has
no timeout of its own), and the answer is capped at :data:`MAX_RESPONSE_BYTES`.
"""

from __future__ import annotations

import hashlib
import http.client
import ssl
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder
from rfc3161_client.tsp import PKIStatus

from .errors import ArchiverError
from .timestamp import (
    TimestampToken,
    TimestampVerificationError,
    message_imprint,
    ordered_chain,
    parse_token,
    split_response,
    token_facts,
)

#: A TimeStampResp is a few KiB even with a long chain; anything bigger is not one.
MAX_RESPONSE_BYTES = 1024 * 1024
DEFAULT_TIMEOUT = 30.0
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"


class TimestampRequestError(ArchiverError):
    """The TSA could not be reached or gave no usable token."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"time-stamp request to {url} failed: {reason}")
        self.url = url
        self.reason = reason


def request_timestamp(
    data: bytes,
    tsa_url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    chain: Sequence[x509.Certificate] = (),
    trusted_roots: Sequence[x509.Certificate] = (),
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ssl_context: ssl.SSLContext | None = None,
    user_agent: str = "archiver (RFC 3161 client)",
    monotonic: Callable[[], float] = time.monotonic,
) -> TimestampToken:
    """Have the TSA at ``tsa_url`` time-stamp the SHA-256 of ``data``.

    Args:
        data: the bytes to time-stamp (a checkpoint, a capture summary).
        tsa_url: http or https URL of an RFC 3161 TSA.
        timeout: seconds for the whole exchange (connect, send, every read).
        chain: certificates to store with the token besides those the TSA embeds (a
            TSA that sends only its own certificate needs its intermediates here).
        trusted_roots: when given, the token is also verified against them before it
            is returned, so a TSA we cannot trust fails now rather than at audit time.
        clock: our clock; its reading when the request goes out is ``local_time``.

    Raises:
        TimestampRequestError: bad URL, TSA unreachable or slow, HTTP error, an answer
            that is not a granted TimeStampResp for this request.
        TimestampVerificationError: ``trusted_roots`` given and the token fails them.
    """
    scheme = urlsplit(tsa_url).scheme.lower()
    if scheme not in ("http", "https") or not urlsplit(tsa_url).hostname:
        raise TimestampRequestError(tsa_url, "only http:// and https:// TSA URLs are supported")
    digest = hashlib.sha256(data).digest()
    request = (TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256)
               .nonce(nonce=True).cert_request(cert_request=True).build())
    local_time = clock().astimezone(timezone.utc)
    body, content_type = _post(tsa_url, request.as_bytes(), timeout=timeout,
                               ssl_context=ssl_context, user_agent=user_agent,
                               monotonic=monotonic)

    def fail(reason: str) -> TimestampRequestError:
        return TimestampRequestError(tsa_url, reason)

    try:
        status, token = split_response(body)
    except ValueError as exc:
        shown = f"Content-Type {content_type}, " if content_type else ""
        raise fail(f"the answer is not an RFC 3161 TimeStampResp ({shown}{len(body)} bytes:"
                   f" {exc})") from None
    if status[0] not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        name = PKIStatus(status[0]).name.lower() if status[0] in set(PKIStatus) else status[0]
        said = "; ".join(status[1]) or "no reason given"
        raise fail(f"the TSA refused: status {name} ({said})")
    if token is None:
        raise fail("status granted but no token in the answer")
    try:
        info = parse_token(token)
    except TimestampVerificationError as exc:
        raise fail(exc.reason) from None
    if info.tst_info.nonce != request.nonce:
        raise fail("the token's nonce is not the one we sent (a replayed or mixed-up answer)")
    algorithm, imprint = message_imprint(info)
    if algorithm != "sha256" or imprint != digest:
        raise fail("the token's message imprint is not the SHA-256 of the data we sent")
    certificates = ordered_chain(info, list(chain))
    stamped = TimestampToken(token=token, tsa_url=tsa_url, local_time=local_time,
                             chain=tuple(c.public_bytes(serialization.Encoding.PEM).decode("ascii")
                                         for c in certificates),
                             **token_facts(info, local_time))
    if trusted_roots:
        stamped.verify(data, trusted_roots=trusted_roots)
    return stamped


def _post(url: str, query: bytes, *, timeout: float, ssl_context: ssl.SSLContext | None,
          user_agent: str, monotonic: Callable[[], float]) -> tuple[bytes, str]:
    """POST the query; return the body of a 200 answer and its Content-Type."""
    parts = urlsplit(url)
    deadline = monotonic() + timeout

    def left() -> float:
        remaining = deadline - monotonic()
        if remaining <= 0:
            raise TimestampRequestError(url, f"no complete answer within {timeout:g}s")
        return remaining

    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise TimestampRequestError(url, "the URL has an invalid port") from None
    if parts.scheme.lower() == "https":
        context = ssl_context or ssl.create_default_context()
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=left(), context=context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=left())
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.connect()
        conn.sock.settimeout(left())
        conn.request("POST", target, body=query, headers={
            "Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE, "User-Agent": user_agent,
            "Connection": "close"})
        conn.sock.settimeout(left())
        response = conn.getresponse()
        if response.status != 200:
            where = response.getheader("Location")
            hint = f", redirect to {where}: give that URL instead" if where else ""
            raise TimestampRequestError(url, f"HTTP {response.status} {response.reason}{hint}")
        chunks: list[bytes] = []
        size = 0
        while True:
            conn.sock.settimeout(left())
            chunk = response.read(64 * 1024)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise TimestampRequestError(
                    url, f"the answer is larger than {MAX_RESPONSE_BYTES} bytes")
            chunks.append(chunk)
        return b"".join(chunks), response.getheader("Content-Type") or ""
    except TimestampRequestError:
        raise
    except TimeoutError:
        raise TimestampRequestError(url, f"no complete answer within {timeout:g}s") from None
    except (OSError, http.client.HTTPException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else repr(exc)
        raise TimestampRequestError(url, f"cannot reach the TSA ({reason})") from None
    finally:
        conn.close()
