"""Checking the signature in a WACZ's ``datapackage-digest.json``: who signed, and does it hold.

Both forms of the signing spec (wacz-auth 0.1.0) are read: the anonymous form (a bare
ECDSA public key, as ``archiver.wacz.WaczSigner`` makes) and the domain-certificate form
of authsign (a certificate chain, the domain it names, an RFC 3161 time signature over
the signature), with raw ``r || s`` and DER signatures both accepted and the encoding
reported. ``archiver.waczcheck`` checks that the signed hash is that of
``datapackage.json`` and calls the check for the form it finds; each check adds its
problems and notes to the bundle's findings and returns a ``SignatureInfo``. The values
come from the bundle: the certificates read are capped (``MAX_CERTIFICATES``) and
malformed values are problems, never exceptions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from .wacz import DIGEST_FILE

if TYPE_CHECKING:
    from .waczcheck import Findings


#: Signing-spec property names (wacz-auth 0.1.0 "Signature Data Format").
_ANONYMOUS_FIELDS = {"hash", "created", "software", "version", "signature", "publicKey"}
_DOMAIN_FIELDS = {"hash", "created", "software", "version", "signature", "domain",
                  "domainCert", "timeSignature", "timestampCert", "crossSignedCert"}
#: Certificates read from one PEM field (domainCert, timestampCert); more are refused.
MAX_CERTIFICATES = 10
#: The signing spec: ``created`` within 10 minutes of the RFC 3161 time.
STAMP_TOLERANCE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureInfo:
    """Who signed ``datapackage-digest.json``, and what of it checked out."""

    form: str  # "anonymous" (a bare public key) or "domain-certificate"
    verified: bool  # the signature of the hash verifies with the key
    encoding: str | None  # "p1363" (raw r||s) or "der"
    key_fingerprint: str | None  # sha256:<hex> of the DER SubjectPublicKeyInfo
    created: str | None
    software: str | None
    domain: str | None = None
    certificate_fingerprint: str | None = None  # sha256:<hex> of the leaf certificate
    root_fingerprint: str | None = None  # sha256:<hex> of the chain's last certificate
    chain_valid: bool | None = None  # each certificate signed by the next one
    timestamp: str | None = None  # RFC 3161 time of the signature, when it verified
    trusted: bool | None = None  # root in the caller's trust list; None: not evaluated


def _verify_ecdsa(key: Any, signature_b64: str, message: bytes) -> str | None:
    """The encoding ("p1363" or "der") under which the signature verifies, or None."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return None
    size = (key.curve.key_size + 7) // 8
    candidates = []
    if len(signature) == 2 * size:
        r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        candidates.append(("p1363", encode_dss_signature(r, s)))
    candidates.append(("der", signature))
    for encoding, der in candidates:
        try:
            key.verify(der, message, ec.ECDSA(hashes.SHA256()))
            return encoding
        except (InvalidSignature, ValueError):
            continue
    return None


def check_anonymous_signature(signed: dict[str, Any], found: Findings) -> SignatureInfo:
    """Check ``signedData`` of the anonymous form: the signature against its bare
    ``publicKey``."""
    extra = set(signed) - _ANONYMOUS_FIELDS
    if extra:
        found.note("extra-signature-fields", DIGEST_FILE, "signedData has properties the "
                   f"signing spec does not list: {', '.join(sorted(extra))}")
    key_b64 = signed.get("publicKey")
    key = der = None
    try:
        der = base64.b64decode(key_b64, validate=True) if isinstance(key_b64, str) else None
        key = serialization.load_der_public_key(der) if der else None
    except (binascii.Error, ValueError, UnsupportedAlgorithm):
        key = None
    encoding = _verify_ecdsa(key, signed["signature"], signed["hash"].encode("utf-8")) \
        if key is not None else None
    if key is None:
        found.problem("bad-signature", DIGEST_FILE, "signedData.publicKey is not a base64 "
                      "DER public key")
    elif encoding is None:
        found.problem("bad-signature", DIGEST_FILE, "the signature of the datapackage.json "
                      "hash does not verify with signedData.publicKey")
    elif not isinstance(key.curve, ec.SECP384R1):
        found.note("key-curve", DIGEST_FILE, f"key is on {key.curve.name}; ReplayWeb.page "
                   "expects P-384")
    if encoding == "der":
        found.note("der-signature", DIGEST_FILE, "signature is DER; WebCrypto verifiers "
                   "(ReplayWeb.page) expect raw r||s")
    return SignatureInfo(form="anonymous", verified=encoding is not None, encoding=encoding,
                         key_fingerprint=_fingerprint(der) if key is not None else None,
                         created=_str(signed.get("created")),
                         software=_str(signed.get("software")))


def check_domain_signature(signed: dict[str, Any], found: Findings,
                           roots: set[str]) -> SignatureInfo:
    """Check ``signedData`` of the domain-certificate form: the signature against the
    certificate's key, the chain, the domain, the validity at ``created``, the time
    signature, and trust when ``roots`` (SHA-256 fingerprints) are given."""
    extra = set(signed) - _DOMAIN_FIELDS
    if extra:
        found.note("extra-signature-fields", DIGEST_FILE, "signedData has properties the "
                   f"signing spec does not list: {', '.join(sorted(extra))}")
    chain = _certificates(signed.get("domainCert"))
    if not chain:
        found.problem("bad-certificate", DIGEST_FILE, "domainCert holds no readable "
                      f"certificate (at most {MAX_CERTIFICATES})")
        return SignatureInfo(form="domain-certificate", verified=False, encoding=None,
                             key_fingerprint=None, created=_str(signed.get("created")),
                             software=_str(signed.get("software")))
    leaf = chain[0]
    key = leaf.public_key()
    encoding = _verify_ecdsa(key, signed["signature"], signed["hash"].encode("utf-8"))
    if encoding is None:
        found.problem("bad-signature", DIGEST_FILE, "the signature of the datapackage.json "
                      "hash does not verify with the domain certificate's key")
    chain_valid = _chain_links(chain)
    if not chain_valid:
        found.problem("bad-certificate", DIGEST_FILE, "domainCert: a certificate is not "
                      "signed by the next one in the chain")
    domain = _str(signed.get("domain"))
    names = _subject_names(leaf)
    if domain not in names:
        found.problem("domain-mismatch", DIGEST_FILE, f"domain {domain!r} is not the "
                      f"certificate's subject ({', '.join(names) or 'none'})")
    created = _parse_time(signed.get("created"))
    if created is None or not leaf.not_valid_before_utc <= created <= leaf.not_valid_after_utc:
        found.problem("certificate-not-valid", DIGEST_FILE, f"created {signed.get('created')!r}"
                      " is not within the domain certificate's validity period")
    timestamp = _check_time_signature(signed, created, found, roots)
    root = _fingerprint(chain[-1].public_bytes(serialization.Encoding.DER))
    trusted = None
    if roots:
        trusted = root.removeprefix("sha256:") in roots
        if not trusted:
            found.problem("untrusted-certificate", DIGEST_FILE, "the domain certificate "
                          f"chain ends at {chain[-1].subject.rfc4514_string()} ({root}), "
                          "which is not a trusted root")
    else:
        found.note("trust-not-evaluated", DIGEST_FILE, "no trusted roots given: the "
                   f"certificate chain (root {root}) was checked for consistency only")
    if signed.get("crossSignedCert"):
        found.note("cross-signed-not-checked", DIGEST_FILE, "crossSignedCert is not checked")
    return SignatureInfo(
        form="domain-certificate", verified=encoding is not None, encoding=encoding,
        key_fingerprint=_fingerprint(key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)),
        created=_str(signed.get("created")), software=_str(signed.get("software")),
        domain=domain, certificate_fingerprint=_fingerprint(
            leaf.public_bytes(serialization.Encoding.DER)),
        root_fingerprint=root, chain_valid=chain_valid, timestamp=timestamp, trusted=trusted)


def _check_time_signature(signed: dict[str, Any], created: datetime | None,
                          found: Findings, roots: set[str]) -> str | None:
    """Verify the RFC 3161 token over the signature string with timestampCert."""
    from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

    chain = _certificates(signed.get("timestampCert"))
    token = signed.get("timeSignature")
    if not chain or not isinstance(token, str):
        found.problem("bad-timestamp", DIGEST_FILE, "timeSignature or timestampCert missing")
        return None
    try:
        response = decode_timestamp_response(base64.b64decode(token, validate=True))
        verifier = VerifierBuilder(tsa_certificate=chain[0], intermediates=chain[1:-1],
                                   roots=[chain[-1]]).build()
        verifier.verify_message(response, signed["signature"].encode("ascii"))
        when = response.tst_info.gen_time.astimezone(UTC)
    except (ValueError, TypeError, VerificationError) as exc:
        found.problem("bad-timestamp", DIGEST_FILE, "timeSignature does not verify as an "
                      f"RFC 3161 token over the signature with timestampCert: {exc}")
        return None
    if created is None or abs(when - created) > STAMP_TOLERANCE:
        found.problem("bad-timestamp", DIGEST_FILE, f"timestamp {when.isoformat()} is more "
                      f"than {STAMP_TOLERANCE} from created")
    root = _fingerprint(chain[-1].public_bytes(serialization.Encoding.DER))
    if roots and root.removeprefix("sha256:") not in roots:
        found.problem("untrusted-certificate", DIGEST_FILE, "the timestamp certificate "
                      f"chain ends at {root}, which is not a trusted root")
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _certificates(pem: Any) -> list[x509.Certificate]:
    if not isinstance(pem, str) or pem.count("-----BEGIN") > MAX_CERTIFICATES:
        return []
    try:
        return x509.load_pem_x509_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return []


def _chain_links(chain: list[x509.Certificate]) -> bool:
    for child, issuer in itertools.pairwise(chain):
        try:
            child.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            return False
    return True


def _subject_names(cert: x509.Certificate) -> list[str]:
    names = [str(a.value) for a in cert.subject.get_attributes_for_oid(
        x509.NameOID.COMMON_NAME)]
    try:
        names += cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        pass
    return names


def _fingerprint(der: bytes | None) -> str | None:
    return "sha256:" + hashlib.sha256(der).hexdigest() if der else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None
