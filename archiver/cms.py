"""The CMS layer of an RFC 3161 time-stamp token, read at the DER level.

A time-stamp token is a CMS ``SignedData`` (RFC 5652) whose content is the TSTInfo.
``archiver.timestamp`` leaves the TSTInfo to rfc3161-client but needs a few things the
library does not give it, and this module does them on the raw DER:

* ``sort_certificates``: the token with its unsigned ``certificates`` SET put in DER
  order, which the library's strict parser demands and ``openssl ts -reply`` does not
  produce;
* ``read_signer_info``: the one SignerInfo's signed attributes, digest and signature,
  as signed;
* ``check_signature`` and ``check_ess_binding``: the CMS signature (messageDigest over
  the TSTInfo, signature over the signed attributes with the TSA key) and the ESS
  signing-certificate binding (RFC 2634/5035), checked with ``cryptography`` before
  OpenSSL's check so that a failure names the check that failed.

Every failure raises ``CmsError`` with a one-line reason; ``archiver.timestamp`` turns
it into a ``TimestampVerificationError``. The DER walking (``der_element``,
``der_children``, ``der_sequence``) finds fields and never interprets certificates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

_DER = serialization.Encoding.DER


class CmsError(ValueError):
    """The token's CMS structure cannot be read, or its signature does not hold."""


# DER of the ESS attribute types (RFC 2634 signingCertificate, RFC 5035 ...V2) and of
# the hash OIDs an ESSCertIDv2 may name; sha256 is its DEFAULT when absent.
_MESSAGE_DIGEST = bytes.fromhex("06092a864886f70d010904")
_RSASSA_PSS = bytes.fromhex("06092a864886f70d01010a")
_HASH_CLASSES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
                 "sha512": hashes.SHA512}
_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")  # id-signedData, DER
_ESS_V1 = bytes.fromhex("060b2a864886f70d010910020c")
_ESS_V2 = bytes.fromhex("060b2a864886f70d010910022f")
_OID_DER_HASHES = {
    bytes.fromhex("0609608648016503040201"): "sha256",
    bytes.fromhex("0609608648016503040202"): "sha384",
    bytes.fromhex("0609608648016503040203"): "sha512",
    bytes.fromhex("06052b0e03021a"): "sha1",
}


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """The parts of the one SignerInfo that the signature checks need, as raw DER."""

    content: bytes  # the eContent (TSTInfo DER) that was signed
    digest: str  # hash named by the SignerInfo's digestAlgorithm
    signed_attributes: bytes  # the signed attributes as signed: re-tagged as a SET
    attributes: dict[bytes, bytes]  # attribute type (OID DER) -> its first value (DER)
    signature_algorithm: bytes  # OID DER
    signature: bytes


def read_signer_info(token: bytes) -> SignerInfo:
    """The one SignerInfo of ``token`` (a DER ContentInfo), its parts as raw DER."""
    try:
        fields = _signed_data_fields(token)
        encapsulated = der_children(token, fields[2])
        (octets,) = der_children(token, encapsulated[1])
        if token[encapsulated[1][0]] != 0xA0 or token[octets[0]] != 0x04:
            raise ValueError("no eContent")
        if token[fields[-1][0]] != 0x31:
            raise ValueError("no signerInfos")
        (signer_info,) = der_children(token, fields[-1])
        parts = der_children(token, signer_info)
        if token[parts[3][0]] != 0xA0:
            raise ValueError("no signed attributes")
        attributes = {}
        for attribute in der_children(token, parts[3]):
            oid, values = der_children(token, attribute)
            first = der_children(token, values)[0]
            attributes.setdefault(token[oid[0]:oid[2]], token[first[0]:first[2]])
        digest_oid = der_children(token, parts[2])[0]
        signature_oid = der_children(token, parts[4])[0]
        if token[parts[5][0]] != 0x04:
            raise ValueError("no signature value")
        return SignerInfo(
            content=token[octets[1]:octets[2]],
            digest=_OID_DER_HASHES.get(token[digest_oid[0]:digest_oid[2]], ""),
            signed_attributes=b"\x31" + token[parts[3][0] + 1:parts[3][2]],
            attributes=attributes,
            signature_algorithm=token[signature_oid[0]:signature_oid[2]],
            signature=token[parts[5][1]:parts[5][2]])
    except (ValueError, IndexError):
        raise CmsError("cannot read the token's signer information") from None


def check_signature(signer: SignerInfo, leaf: x509.Certificate) -> None:
    """CMS signature (RFC 5652 §5.4): messageDigest = H(TSTInfo), signature over the
    signed attributes with the TSA certificate's key. OpenSSL checks it again later;
    doing it first means a token altered after signing is reported as exactly that."""
    name = leaf.subject.rfc4514_string()
    if signer.digest not in _HASH_CLASSES:
        raise CmsError("the signer uses an unsupported digest algorithm")
    algorithm = _HASH_CLASSES[signer.digest]()
    value = signer.attributes.get(_MESSAGE_DIGEST, b"")
    if value[:1] != b"\x04" or _value(value) != hashlib.new(signer.digest, signer.content).digest():
        raise CmsError(
            "the signed message digest does not match the TSTInfo: the time-stamp content"
            " was altered after signing")
    try:
        key = leaf.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CmsError(f"cannot read the key of {name} ({exc})") from None
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if signer.signature_algorithm == _RSASSA_PSS:
                return  # PSS parameters: left to OpenSSL's check
            key.verify(signer.signature, signer.signed_attributes, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signer.signature, signer.signed_attributes, ec.ECDSA(algorithm))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signer.signature, signer.signed_attributes)
        # Other key types: OpenSSL's check alone.
    except InvalidSignature:
        raise CmsError(
            f"the signature does not verify with the key of {name}: the token was altered"
            " or signed by someone else") from None


def check_ess_binding(signer: SignerInfo, leaf: x509.Certificate) -> None:
    """The signed ESS signing-certificate attribute must hash to the TSA certificate."""
    if _ESS_V2 in signer.attributes:
        kind, value = _ESS_V2, signer.attributes[_ESS_V2]
    elif _ESS_V1 in signer.attributes:
        kind, value = _ESS_V1, signer.attributes[_ESS_V1]
    else:
        raise CmsError(
            "the token has no ESS signing-certificate attribute (RFC 3161 §2.4.2)")
    try:
        # SEQUENCE OF ESSCertID
        certs = der_children(value, der_children(value, der_element(value, 0))[0])
        first = der_children(value, certs[0])
        algorithm = "sha1"
        if kind == _ESS_V2:
            algorithm = "sha256"
            if value[first[0][0]] == 0x30:  # hashAlgorithm present (it is DEFAULT sha256)
                oid = der_children(value, first[0])[0]
                algorithm = _OID_DER_HASHES.get(value[oid[0]:oid[2]], "")
                first = first[1:]
        cert_hash = value[first[0][1]:first[0][2]]
    except (ValueError, IndexError):
        raise CmsError(
            "cannot read the ESS signing-certificate attribute") from None
    if not algorithm:
        raise CmsError("the ESS signing-certificate uses an unknown hash")
    if hashlib.new(algorithm, leaf.public_bytes(_DER)).digest() != cert_hash:
        raise CmsError(
            f"the signed attributes name another certificate than {leaf.subject.rfc4514_string()}")


def _value(element: bytes) -> bytes:
    """Content octets of one DER element."""
    _start, head, end = der_element(element, 0)
    return element[head:end]


# A few lines of DER walking: enough to find fields, never to interpret certificates.
# An element is (start, content_start, end) within the buffer.

Element = tuple[int, int, int]


def der_element(buf: bytes, pos: int, limit: int | None = None) -> Element:
    """The element at ``pos`` (ending by ``limit``); ValueError when it is not DER."""
    limit = len(buf) if limit is None else limit
    if pos + 2 > limit:
        raise ValueError("truncated")
    if buf[pos] & 0x1F == 0x1F:
        raise ValueError("multi-byte tags are not used in time-stamp tokens")
    first = buf[pos + 1]
    head = pos + 2
    if first == 0x80:
        raise ValueError("indefinite length (BER) is not DER")
    if first > 0x80:
        count = first & 0x7F
        if count > 4 or head + count > limit:
            raise ValueError("bad length")
        length = int.from_bytes(buf[head:head + count], "big")
        head += count
    else:
        length = first
    if head + length > limit:
        raise ValueError("truncated")
    return pos, head, head + length


def der_children(buf: bytes, parent: Element) -> list[Element]:
    """The elements inside ``parent``, in order."""
    out = []
    pos = parent[1]
    while pos < parent[2]:
        child = der_element(buf, pos, parent[2])
        out.append(child)
        pos = child[2]
    return out


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def der_sequence(content: bytes, tag: int = 0x30) -> bytes:
    """``content`` as one DER element tagged ``tag`` (a SEQUENCE unless told)."""
    return bytes([tag]) + _length(len(content)) + content


def _signed_data_fields(token: bytes) -> list[Element]:
    """The fields of the SignedData in a ContentInfo, every enclosing tag checked."""
    outer = der_element(token, 0)
    if outer[2] != len(token) or token[0] != 0x30:
        raise ValueError("not one DER SEQUENCE")
    content_info = der_children(token, outer)
    if (len(content_info) != 2 or token[content_info[0][0]:content_info[0][2]] != _SIGNED_DATA
            or token[content_info[1][0]] != 0xA0):
        raise ValueError("not a CMS SignedData ContentInfo")
    (signed_data,) = der_children(token, content_info[1])
    if token[signed_data[0]] != 0x30:
        raise ValueError("SignedData is not a SEQUENCE")
    return der_children(token, signed_data)


def sort_certificates(token: bytes) -> bytes:
    """The token with SignedData.certificates in DER SET order (that field is unsigned).

    Only that field changes; a token already in DER order comes back as it is.
    """
    fields = _signed_data_fields(token)
    certificates = next((f for f in fields if token[f[0]] == 0xA0), None)
    if certificates is None:
        return token
    members = [token[a:c] for a, _b, c in der_children(token, certificates)]
    if members == sorted(members):
        return token
    parts = [der_sequence(b"".join(sorted(members)), 0xA0) if f is certificates
             else token[f[0]:f[2]] for f in fields]
    signed_data = der_sequence(der_sequence(b"".join(parts)), 0xA0)
    return der_sequence(_SIGNED_DATA + signed_data)
