"""RFC 3161 trusted timestamps: tokens in which a TSA signed "these bytes existed at this time".

What a token proves: a time-stamping authority saw the SHA-256 of the data at its
``genTime``. We keep the token exactly as the TSA sent it (DER), the certificates that
lead from the TSA to its root, the TSA's time and our own clock's time beside it, so
that anyone can check the claim offline, years later, with nothing of ours but the data.
This module holds the token (``TimestampToken``), parses it and verifies it; asking a
TSA for one is ``archiver.tsaclient``.

Who does what:

* **rfc3161-client** (Trail of Bits, used by sigstore) builds the TimeStampReq (random
  64-bit nonce, certReq), parses the TimeStampResp and TSTInfo, and runs OpenSSL's
  ``PKCS7_verify`` with the certificate chain evaluated **at the token's genTime**, not
  now: an expired-since TSA certificate still verifies. We use its verifier because it
  does exactly that, and ``cryptography`` has no public CMS verification.
* **cryptography** does the X.509 work and a first, independent CMS signature check.
* **this module** adds what the library leaves to the caller or gets wrong for us, with
  ``archiver.cms`` doing the DER-level CMS work (the sorted certificates SET, the
  SignerInfo, the signature and ESS checks):

  - *Parsing OpenSSL tokens.* The library parses strictly as DER and rejects a
    ``certificates`` SET that is not in DER order, which is what ``openssl ts -reply``
    (and so many real TSAs) send when they include a chain. That field is outside the
    signature, so we hand the library a copy with the SET sorted; the token we store
    stays byte for byte what the TSA sent.
  - *Trust.* The library treats every certificate it is given, intermediates included,
    as trusted. So we build the path ourselves (issuer name and signature, CA flag,
    validity at genTime) from the TSA certificate up to one of the caller's
    ``trusted_roots``, and give the library that root and only certificates proven to
    chain to it. Certificates carried in the token or in a stored chain are never
    trusted for what they are.
  - *Clear reasons.* Imprint, CMS signature (messageDigest over the TSTInfo, signature
    over the signed attributes with the TSA key), critical EKU timeStamping (RFC 3161
    §2.3), validity at genTime and the ESS signing-certificate binding (RFC 2634/5035:
    the signed attributes name the signer's certificate by hash) are checked here
    first, so a failure says in one line which check failed, and a token altered after
    signing is reported as that rather than as whatever OpenSSL trips on first.

Not checked: revocation. Offline there is no CRL or OCSP answer from genTime; an archive
that must outlive the TSA's keys re-timestamps its tokens before they weaken.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from rfc3161_client import (
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)
from rfc3161_client.tsp import TimeStampResponse

from .cms import (
    CmsError,
    check_ess_binding,
    check_signature,
    der_children,
    der_element,
    der_sequence,
    read_signer_info,
    sort_certificates,
)
from .errors import ArchiverError

#: Seconds between the TSA's time and ours above which a token is flagged. Ten minutes:
#: far above network delay and whole-second genTime rounding, small enough to catch a
#: wrong local clock (or a wrong TSA clock) before it matters for a capture time.
SKEW_LIMIT_SECONDS = 600.0
#: Chain length we will follow from the TSA certificate to a root.
MAX_CHAIN_DEPTH = 8

_UTC = timezone.utc
_DER = serialization.Encoding.DER
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
#: Message-imprint algorithms a verifier meets in the wild (we request SHA-256 only).
_HASHES = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}


class TimestampVerificationError(ArchiverError):
    """A stored time-stamp token does not prove what it claims."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"time-stamp token does not verify: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class TimestampToken:
    """A token as received, with what we knew when we asked for it."""

    token: bytes  # DER TimeStampToken (CMS ContentInfo), exactly as the TSA sent it
    tsa_url: str
    tsa_time: datetime  # genTime, UTC
    local_time: datetime  # our clock when the request went out, UTC
    skew_seconds: float  # tsa_time - local_time
    skew_flagged: bool  # abs(skew_seconds) > SKEW_LIMIT_SECONDS
    policy: str  # TSA policy OID, dotted
    serial_number: int
    hash_algorithm: str  # of the message imprint: "sha256"
    message_imprint: str  # "sha256:<hex>" of the time-stamped bytes
    chain: tuple[str, ...]  # PEM; TSA certificate first, then towards the root

    def certificates(self) -> list[x509.Certificate]:
        """The stored chain as certificate objects (for :func:`verify_timestamp`)."""
        return load_certificates(self.chain)

    def verify(self, data: bytes, *, trusted_roots: Sequence[x509.Certificate]) -> VerifiedTimestamp:
        """:func:`verify_timestamp` on this token with its stored chain."""
        return verify_timestamp(self.token, data, trusted_roots=trusted_roots,
                                chain=self.certificates())

    def to_document(self) -> dict[str, Any]:
        """JSON-ready form for provenance and checkpoint documents."""
        return {
            "token": base64.b64encode(self.token).decode("ascii"),
            "chain": list(self.chain),
            "tsa_url": self.tsa_url,
            "tsa_time": format_time(self.tsa_time),
            "local_time": format_time(self.local_time),
            "skew_seconds": self.skew_seconds,
            "skew_flagged": self.skew_flagged,
            "policy": self.policy,
            "serial_number": str(self.serial_number),  # up to 160 bits: a string for JSON
            "hash_algorithm": self.hash_algorithm,
            "message_imprint": self.message_imprint,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> TimestampToken:
        """Inverse of :meth:`to_document`; the fields read from the token must agree with it.

        Raises:
            TimestampVerificationError: a field is missing or malformed, or the document
                says something the token does not (its time, policy, serial or imprint).
        """
        try:
            token = base64.b64decode(document["token"], validate=True)
            if not isinstance(document["chain"], list):
                raise TypeError("chain is not a list")
            chain = tuple(document["chain"])
            _checked(load_certificates(chain), "in the document's chain")
            local_time = parse_time(document["local_time"])
            tsa_url = str(document["tsa_url"])
            claimed = {key: document[key] for key in (
                "tsa_time", "policy", "serial_number", "hash_algorithm", "message_imprint",
                "skew_seconds", "skew_flagged")}
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise TimestampVerificationError(f"malformed time-stamp document ({exc!r})") from None
        info = parse_token(token)
        actual = cls(token=token, tsa_url=tsa_url, local_time=local_time, chain=chain,
                     **token_facts(info, local_time))
        facts = actual.to_document()
        for key, value in claimed.items():
            if value != facts[key]:
                raise TimestampVerificationError(
                    f"the document says {key} {value!r} but the token gives {facts[key]!r}")
        return actual


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedTimestamp:
    """What a token that verified proves, and on whose authority."""

    tsa_time: datetime
    policy: str
    serial_number: int
    hash_algorithm: str
    message_imprint: str
    tsa_subject: str  # RFC 4514 subject of the TSA certificate
    root_subject: str  # the trusted root the chain ended at
    root_sha256: str  # "sha256:<hex>" of that root's DER

    def to_document(self) -> dict[str, Any]:
        return {"tsa_time": format_time(self.tsa_time), "policy": self.policy,
                "serial_number": str(self.serial_number),
                "hash_algorithm": self.hash_algorithm, "message_imprint": self.message_imprint,
                "tsa_subject": self.tsa_subject, "root_subject": self.root_subject,
                "root_sha256": self.root_sha256}


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds: ``2026-11-24T02:35:45.123456Z``."""
    return moment.astimezone(_UTC).strftime(_TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """Inverse of :func:`format_time` (that exact form only)."""
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=_UTC)


def load_certificates(blobs: Iterable[str | bytes]) -> list[x509.Certificate]:
    """Certificates from PEM text (one or more per item) or DER bytes."""
    out: list[x509.Certificate] = []
    for blob in blobs:
        if not isinstance(blob, (str, bytes)):  # bytes(n) would make n zero bytes
            raise TypeError(f"a certificate is PEM text or DER bytes, not {type(blob).__name__}")
        raw = blob.encode("ascii") if isinstance(blob, str) else blob
        if b"-----BEGIN" in raw:
            out.extend(x509.load_pem_x509_certificates(raw))
        else:
            out.append(x509.load_der_x509_certificate(raw))
    return out


# --- verifying --------------------------------------------------------------------------


def verify_timestamp(
    token_der: bytes,
    data: bytes,
    *,
    trusted_roots: Sequence[x509.Certificate],
    chain: Sequence[x509.Certificate] = (),
) -> VerifiedTimestamp:
    """Check, offline, that ``token_der`` time-stamps ``data`` under one of ``trusted_roots``.

    Every certificate is judged at the token's genTime, never at "now": a TSA
    certificate that has expired since still verifies, one that was not valid at
    genTime does not. ``chain`` (e.g. the stored one) only helps to find the path; what
    is trusted is ``trusted_roots`` alone.

    Raises:
        TimestampVerificationError: naming the first check that failed.
    """
    if not trusted_roots:
        raise TimestampVerificationError("no trusted root certificates were given")
    info = parse_token(token_der)
    algorithm, imprint = message_imprint(info)
    actual = hashlib.new(algorithm, data).digest()
    if imprint != actual:
        raise TimestampVerificationError(
            f"the data is not what was time-stamped (token covers {algorithm}:{imprint.hex()},"
            f" data is {algorithm}:{actual.hex()})")
    when = info.tst_info.gen_time.astimezone(_UTC)
    roots = _checked(trusted_roots, "among the trusted roots")
    pool = _dedupe(_embedded(info) + _checked(chain, "in the chain given"))
    leaf = _signer_certificate(info, pool)
    try:
        signer = read_signer_info(token_der)
        check_signature(signer, leaf)
        _check_tsa_certificate(leaf, when)
        check_ess_binding(signer, leaf)
    except CmsError as exc:
        raise TimestampVerificationError(str(exc)) from None
    path = _build_path(leaf, pool, roots, when)
    root = path[-1]
    verifier = VerifierBuilder(roots=[root], intermediates=list(path[1:-1]),
                               tsa_certificate=leaf).build()
    try:
        _library(lambda: verifier.verify(info, imprint), "verification")
    except VerificationError as exc:
        raise TimestampVerificationError(f"OpenSSL's CMS check failed: {_short(exc)}") from None
    return VerifiedTimestamp(
        tsa_time=when, policy=info.tst_info.policy.dotted_string,
        serial_number=info.tst_info.serial_number, hash_algorithm=algorithm,
        message_imprint=f"{algorithm}:{imprint.hex()}",
        tsa_subject=leaf.subject.rfc4514_string(), root_subject=root.subject.rfc4514_string(),
        root_sha256="sha256:" + hashlib.sha256(root.public_bytes(_DER)).hexdigest())


def _check_tsa_certificate(cert: x509.Certificate, when: datetime) -> None:
    """RFC 3161 §2.3: the one EKU is id-kp-timeStamping and it is critical; valid at genTime."""
    name = cert.subject.rfc4514_string()
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        raise TimestampVerificationError(
            f"the TSA certificate {name} has no ExtendedKeyUsage extension") from None
    if not eku.critical:
        raise TimestampVerificationError(
            f"the TSA certificate {name} has a non-critical ExtendedKeyUsage (RFC 3161 §2.3)")
    if list(eku.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise TimestampVerificationError(
            f"the TSA certificate {name} is not for time-stamping only (EKU "
            f"{', '.join(oid.dotted_string for oid in eku.value)})")
    _check_validity(cert, when, "the TSA certificate")


def _check_validity(cert: x509.Certificate, when: datetime, role: str) -> None:
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if not start <= when <= end:
        raise TimestampVerificationError(
            f"{role} {cert.subject.rfc4514_string()} was valid from {format_time(start)} to"
            f" {format_time(end)}; the token's time {format_time(when)} is outside that")


def _build_path(leaf: x509.Certificate, pool: list[x509.Certificate],
                roots: list[x509.Certificate], when: datetime) -> list[x509.Certificate]:
    """TSA certificate -> ... -> a trusted root, every link checked at ``when``."""
    trusted = {root.public_bytes(_DER) for root in roots}
    candidates = _dedupe(roots + pool)  # roots first: a trusted copy wins over a carried one
    path = [leaf]
    for _ in range(MAX_CHAIN_DEPTH):
        current = path[-1]
        named = [c for c in candidates if c.subject == current.issuer and c not in path]
        problems = [_issuer_problem(current, issuer, when) for issuer in named]
        chosen = next((c for c, problem in zip(named, problems) if problem is None), None)
        if chosen is None:
            if current.issuer == current.subject:
                detail = "the path ends at this self-signed certificate, not a trusted root"
                if named:
                    detail += " (a trusted root has the same name but another key)"
            elif problems:
                detail = "; ".join(p for p in problems if p)
            else:
                detail = (f"its issuer {current.issuer.rfc4514_string()} is in neither the"
                          " token, the chain given nor the trusted roots")
            raise TimestampVerificationError(
                "the TSA certificate does not chain to a trusted root at the token's time:"
                f" {current.subject.rfc4514_string()}: {detail}")
        path.append(chosen)
        if chosen.public_bytes(_DER) in trusted:
            return path
    raise TimestampVerificationError(f"no trusted root within {MAX_CHAIN_DEPTH} certificates")


def _issuer_problem(child: x509.Certificate, issuer: x509.Certificate,
                    when: datetime) -> str | None:
    name = issuer.subject.rfc4514_string()
    try:
        child.verify_directly_issued_by(issuer)
    except InvalidSignature:
        return f"{name} has the right name but its key did not sign it"
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        return f"{name} cannot be checked as its issuer ({exc})"
    try:
        constraints = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        return f"{name} is not a CA certificate"
    start, end = issuer.not_valid_before_utc, issuer.not_valid_after_utc
    if not start <= when <= end:
        return (f"issuer {name} was valid from {format_time(start)} to {format_time(end)},"
                f" not at {format_time(when)}")
    return None


def _signer_certificate(info: TimeStampResponse, pool: list[x509.Certificate]) -> x509.Certificate:
    signers = list(_library(lambda: info.signed_data.signer_infos, "signer info"))
    if len(signers) != 1:
        raise TimestampVerificationError(f"expected one signer, the token has {len(signers)}")
    signer = signers[0]
    issuer, serial = signer.issuer, signer.serial_number
    for cert in pool:
        if cert.issuer == issuer and cert.serial_number == serial:
            return cert
    raise TimestampVerificationError(
        f"the TSA certificate (issuer {issuer.rfc4514_string()}, serial {serial:#x}) is neither"
        " in the token nor in the chain given")



# --- parsing ----------------------------------------------------------------------------


def _library(call: Callable[[], Any], what: str) -> Any:
    """Call rfc3161-client; its parser raises ValueError, or a pyo3 panic on odd input."""
    try:
        return call()
    except VerificationError:
        raise
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 (pyo3's PanicException is a BaseException)
        raise TimestampVerificationError(f"malformed token ({what}: {_short(exc)})") from None


def parse_token(token: bytes) -> TimeStampResponse:
    """Parse a bare TimeStampToken (as a granted TimeStampResp wrapping it)."""
    try:
        normal = sort_certificates(token)
    except ValueError as exc:
        raise TimestampVerificationError(f"not a DER time-stamp token ({exc})") from None
    response = _library(lambda: decode_timestamp_response(
        der_sequence(bytes.fromhex("3003020100") + normal)), "parse")
    # Touch every field used later once, here, so that odd input fails in one place.
    _library(lambda: (response.tst_info.gen_time, response.tst_info.policy,
                      response.tst_info.serial_number, response.tst_info.nonce,
                      response.tst_info.message_imprint.hash_algorithm,
                      response.tst_info.message_imprint.message), "TSTInfo")
    _library(lambda: [(signer.issuer, signer.serial_number)
                      for signer in response.signed_data.signer_infos], "SignerInfo")
    _library(lambda: response.signed_data.certificates, "certificates")
    if response.tst_info.policy is None:  # required by RFC 3161, None from the library
        raise TimestampVerificationError("malformed token (TSTInfo: no policy)")
    return response


def split_response(body: bytes) -> tuple[tuple[int, list[str]], bytes | None]:
    """(status, status strings) and the raw token bytes (None when absent) of a TimeStampResp."""
    outer = der_element(body, 0)
    if outer[2] != len(body) or body[0] != 0x30:
        raise ValueError("not one DER SEQUENCE")
    parts = der_children(body, outer)
    if not parts or len(parts) > 2:
        raise ValueError("wrong number of fields")
    status_der = body[parts[0][0]:parts[0][2]]
    status = _library(lambda: decode_timestamp_response(der_sequence(status_der)), "status")
    token = body[parts[1][0]:parts[1][2]] if len(parts) == 2 else None
    return (status.status, list(status.status_string)), token


def message_imprint(info: TimeStampResponse) -> tuple[str, bytes]:
    """The hash algorithm ("sha256", ...) and digest that the token time-stamps."""
    imprint = info.tst_info.message_imprint
    oid = imprint.hash_algorithm.dotted_string
    if oid not in _HASHES:
        raise TimestampVerificationError(f"unsupported message-imprint hash {oid}")
    return _HASHES[oid], imprint.message


def token_facts(info: TimeStampResponse, local_time: datetime) -> dict[str, Any]:
    """The ``TimestampToken`` fields read from a parsed token, skew against ``local_time``."""
    tsa_time = info.tst_info.gen_time.astimezone(_UTC)
    skew = (tsa_time - local_time).total_seconds()
    algorithm, imprint = message_imprint(info)
    return {"tsa_time": tsa_time, "skew_seconds": skew,
            "skew_flagged": abs(skew) > SKEW_LIMIT_SECONDS,
            "policy": info.tst_info.policy.dotted_string,
            "serial_number": info.tst_info.serial_number, "hash_algorithm": algorithm,
            "message_imprint": f"{algorithm}:{imprint.hex()}"}


def _embedded(info: TimeStampResponse) -> list[x509.Certificate]:
    raw = _library(lambda: info.signed_data.certificates, "certificates")
    return _checked(sorted(raw))


def _checked(items: Iterable[x509.Certificate | bytes],
             where: str = "in the token") -> list[x509.Certificate]:
    """Certificates (DER bytes are loaded) with every field we use read now, as
    ``cryptography`` parses lazily and a damaged one would otherwise fail anywhere."""
    out = []
    for item in items:
        try:
            cert = x509.load_der_x509_certificate(item) if isinstance(item, bytes) else item
            _ = (cert.issuer, cert.subject, cert.serial_number, cert.not_valid_before_utc,
                 cert.not_valid_after_utc, cert.extensions)
        except Exception as exc:  # noqa: BLE001 (ValueError, InvalidVersion, UnsupportedAlgorithm...)
            raise TimestampVerificationError(
                f"a certificate {where} is malformed ({exc})") from None
        out.append(cert)
    return out


def ordered_chain(info: TimeStampResponse,
                  extra: list[x509.Certificate]) -> list[x509.Certificate]:
    """Embedded + extra certificates, TSA certificate first, then each one's issuer."""
    pool = _dedupe(_embedded(info) + extra)
    try:
        current = _signer_certificate(info, pool)
    except TimestampVerificationError:
        return pool
    ordered = [current]
    while True:
        nxt = next((c for c in pool if c not in ordered and c.subject == current.issuer), None)
        if nxt is None or current.issuer == current.subject:
            break
        ordered.append(nxt)
        current = nxt
    return ordered + [c for c in pool if c not in ordered]


def _dedupe(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    seen: set[bytes] = set()
    out = []
    for cert in certs:
        der = cert.public_bytes(_DER)
        if der not in seen:
            seen.add(der)
            out.append(cert)
    return out


def _short(exc: BaseException) -> str:
    """One line from an rfc3161-client error (OpenSSL error stacks are long)."""
    text = str(exc)
    details = re.findall(r'data: "([^"]+)"', text) or re.findall(r'reason: "([^"]+)"', text)
    if details:
        head = text.split(":", 1)[0] if "ErrorStack" in text else ""
        # OpenSSL stacks run from the root cause up; the last two say enough.
        return (head + ": " if head else "") + "; ".join(list(dict.fromkeys(details))[-2:])
    return text.splitlines()[0][:300] if text else type(exc).__name__
