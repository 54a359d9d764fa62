"""Signed notes and transparency-log checkpoints (C2SP signed-note, tlog-checkpoint).

A signed note is UTF-8 text ending in a newline, a blank line, then one line per
signature::

    <text>\\n
    \\n
    — <key name> <base64(4-byte key ID || signature)>\\n

The dash is U+2014 EM DASH. The format is that of golang.org/x/mod/sumdb/note,
specified at https://c2sp.org/signed-note; using it means anyone can check our
checkpoints with the Go tooling of Certificate Transparency and sigsum, not only
with archiver. Only Ed25519 (signature type 0x01) is supported: its key ID is the
first 4 bytes of ``SHA-256(name || 0x0A || 0x01 || public key)``, and its public
key travels as a *verifier key* string ``<name>+<key ID hex>+<base64(0x01 || key)>``.

Verification follows the spec: signatures by keys other than the expected one are
ignored (witnesses may cosign), a signature by the expected key that does not
verify rejects the note, and a note without a valid signature by that key is
rejected.

A checkpoint (https://c2sp.org/tlog-checkpoint) is the text of such a note:
origin line, tree size in decimal, base64 root hash, optional extension lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .errors import ArchiverError

#: Signature type byte of Ed25519 in the signed-note spec.
ED25519_TYPE = 0x01

#: Signature lines a note may carry. The spec asks verifiers to accept at least 16;
#: the Go reference implementation stops at 100, and so do we.
MAX_SIGNATURES = 100

#: Bytes of a checkpoint's root hash (SHA-256, as in archiver.merkle).
ROOT_HASH_SIZE = 32

_DASH = "\N{EM DASH} "
_KEY_ID_SIZE = 4
_ED25519_KEY_SIZE = 32
_ED25519_SIGNATURE_SIZE = 64
_DECIMAL = re.compile(r"0|[1-9][0-9]*", re.ASCII)
_HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{8}", re.ASCII)


class NoteError(ArchiverError):
    """A signed note is malformed or does not carry a valid signature by the expected key."""


class CheckpointError(NoteError):
    """A checkpoint's text does not follow the tlog-checkpoint format."""


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line of a note, undecoded beyond its key name and ID."""

    name: str
    key_id: int
    signature: bytes

    @property
    def key(self) -> str:
        """``name+<key ID hex>``, how keys are named in messages."""
        return f"{self.name}+{self.key_id:08x}"


@dataclass(frozen=True, slots=True)
class Note:
    """A parsed, not yet verified, signed note."""

    text: str
    signatures: tuple[Signature, ...]


@dataclass(frozen=True, slots=True)
class Verifier:
    """A parsed verifier key: who signs, and the Ed25519 public key to check it with."""

    name: str
    key_id: int
    public_key: bytes

    @property
    def key(self) -> str:
        """``name+<key ID hex>``, how keys are named in messages."""
        return f"{self.name}+{self.key_id:08x}"


# --- keys ----------------------------------------------------------------------------------


def check_key_name(name: str) -> str:
    """Return ``name`` if it is a valid key name, else raise NoteError.

    Key names are non-empty and contain no Unicode space, no '+' (the verifier key
    separator) and no control character.
    """
    if not isinstance(name, str) or not name:
        raise NoteError("a key name must be a non-empty string")
    for char in name:
        if char.isspace() or char == "+" or ord(char) < 0x20:
            raise NoteError(f"invalid key name {name!r}: no spaces, '+' or control characters")
    if not _is_utf8(name):
        raise NoteError(f"invalid key name {name!r}: not valid Unicode")
    return name


def key_id(name: str, public_key: bytes | Ed25519PublicKey) -> int:
    """The 32-bit ID of an Ed25519 key: the first 4 bytes of SHA-256(name, 0x0A, 0x01, key)."""
    raw = _raw_public_key(public_key)
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519_TYPE]) + raw).digest()
    return int.from_bytes(digest[:_KEY_ID_SIZE], "big")


def verifier_key(name: str, public_key: bytes | Ed25519PublicKey) -> str:
    """The verifier key string ``<name>+<key ID hex>+<base64(0x01 || public key)>``."""
    check_key_name(name)
    raw = _raw_public_key(public_key)
    encoded = base64.b64encode(bytes([ED25519_TYPE]) + raw).decode("ascii")
    return f"{name}+{key_id(name, raw):08x}+{encoded}"


def parse_verifier_key(vkey: str) -> Verifier:
    """Parse and check a verifier key string.

    Raises:
        NoteError: the string is malformed, names another algorithm than Ed25519, or
            its key ID does not match its name and key.
    """
    if not isinstance(vkey, str):
        raise NoteError("a verifier key must be a string")
    name, sep1, rest = vkey.partition("+")
    hex_id, sep2, encoded = rest.partition("+")
    try:
        check_key_name(name)
    except NoteError:
        raise NoteError(f"malformed verifier key {vkey!r}") from None
    key = _b64decode(encoded)
    if not (sep1 and sep2 and _HEX_KEY_ID.fullmatch(hex_id) and key):
        raise NoteError(f"malformed verifier key {vkey!r}")
    if key[0] != ED25519_TYPE or len(key) != 1 + _ED25519_KEY_SIZE:
        raise NoteError(f"verifier key {vkey!r} is not an Ed25519 key")
    if key_id(name, key[1:]) != int(hex_id, 16):
        raise NoteError(f"verifier key {vkey!r}: key ID does not match the name and key")
    return Verifier(name=name, key_id=int(hex_id, 16), public_key=key[1:])


# --- notes ---------------------------------------------------------------------------------


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Sign ``text`` (which must end in a newline) as key ``name``; return the signed note.

    Ed25519 signatures are deterministic: the same text, name and key always give
    the same note.

    Raises:
        NoteError: the text or name is not allowed in a note.
    """
    _check_text(text)
    check_key_name(name)
    public = private_key.public_key()
    signature = private_key.sign(text.encode("utf-8"))
    blob = key_id(name, public).to_bytes(_KEY_ID_SIZE, "big") + signature
    return f"{text}\n{_DASH}{name} {base64.b64encode(blob).decode('ascii')}\n"


def parse_note(note: str | bytes) -> Note:
    """Split a signed note into its text and signature lines, without verifying them.

    Raises:
        NoteError: the note is not a well-formed signed note.
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("malformed note: not valid UTF-8") from None
    if not isinstance(note, str):
        raise NoteError("malformed note: not text")
    if not _is_utf8(note) or any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("malformed note: control characters or invalid Unicode")
    # The text ends at the last blank line; signature lines never contain one.
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("malformed note: no signature lines, or the last one lacks a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    return Note(text=text, signatures=tuple(_parse_signature_line(line) for line in lines))


def verify_note(note: str | bytes, verifier_key_string: str) -> str:
    """Check that ``note`` is signed by the verifier key and return its text.

    Signatures by other keys are ignored, as the spec requires (they may be
    witnesses' cosignatures).

    Raises:
        NoteError: the note or key is malformed, a signature by the key does not
            verify, or the note has no signature by the key.
    """
    verifier = parse_verifier_key(verifier_key_string)
    parsed = parse_note(note)
    public = Ed25519PublicKey.from_public_bytes(verifier.public_key)
    message = parsed.text.encode("utf-8")
    verified = False
    for sig in parsed.signatures:
        if sig.name != verifier.name or sig.key_id != verifier.key_id:
            continue
        try:
            if len(sig.signature) != _ED25519_SIGNATURE_SIZE:
                raise InvalidSignature
            public.verify(sig.signature, message)
        except InvalidSignature:
            raise NoteError(f"invalid signature for key {verifier.key}") from None
        verified = True
    if not verified:
        found = ", ".join(sorted({sig.key for sig in parsed.signatures}))
        raise NoteError(f"note is not signed by key {verifier.key} (signed by: {found})")
    return parsed.text


# --- checkpoints ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """A log's tree head as the text of a signed note (c2sp.org/tlog-checkpoint)."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if isinstance(self.size, bool) or not isinstance(self.size, int) \
                or not 0 <= self.size < 2**64:
            raise CheckpointError(f"checkpoint tree size must be in 0..2^64-1, not {self.size!r}")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != ROOT_HASH_SIZE:
            raise CheckpointError(f"checkpoint root hash must be {ROOT_HASH_SIZE} bytes")
        if not isinstance(self.extensions, tuple):
            raise CheckpointError("checkpoint extensions must be a tuple of lines")
        for line in self.extensions:
            _check_line(line, "extension line")

    def to_text(self) -> str:
        """The note text: origin, size, base64 root hash, extension lines, each ending in \\n."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode("ascii"),
                 *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint's note text strictly.

    Rejects a missing line or final newline, a size with a sign, leading zeros or
    non-ASCII digits, a root hash that is not canonical base64 of 32 bytes, and
    empty extension lines.

    Raises:
        CheckpointError: the text is not a checkpoint.
    """
    if not isinstance(text, str) or not text.endswith("\n"):
        raise CheckpointError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("checkpoint needs origin, tree size and root hash lines")
    origin, size_line, hash_line, *extensions = lines
    if not _DECIMAL.fullmatch(size_line):
        raise CheckpointError(f"checkpoint tree size {size_line[:80]!r} is not a decimal number "
                              "without leading zeros")
    if len(size_line) > len(str(2**64 - 1)):  # before int(), which refuses >4300 digits
        raise CheckpointError(f"checkpoint tree size {size_line[:30]}... is not in 0..2^64-1")
    root_hash = _b64decode(hash_line)
    if root_hash is None or len(root_hash) != ROOT_HASH_SIZE:
        raise CheckpointError(f"checkpoint root hash {hash_line!r} is not base64 of "
                              f"{ROOT_HASH_SIZE} bytes")
    return Checkpoint(origin=origin, size=int(size_line), root_hash=root_hash,
                      extensions=tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, name: str, private_key: Ed25519PrivateKey) -> str:
    """The checkpoint as a note signed by ``name`` (which should equal the origin)."""
    return sign_note(checkpoint.to_text(), name, private_key)


@dataclass(frozen=True, slots=True)
class GivenCheckpoint:
    """A signed checkpoint someone kept from elsewhere (a copy the archive published, a
    witness's), to check an archive or a bundle against; ``label`` says where it is."""

    label: str
    note: bytes


def verify_checkpoint(note: str | bytes, verifier_key_string: str) -> Checkpoint:
    """Verify a signed checkpoint with the log's verifier key and parse it.

    Raises:
        NoteError: the signature does not verify (see ``verify_note``).
        CheckpointError: the signed text is not a checkpoint.
    """
    return parse_checkpoint(verify_note(note, verifier_key_string))


# --- helpers -------------------------------------------------------------------------------


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(_DASH):
        raise NoteError("malformed note: a signature line must start with an em dash and space")
    name, space, encoded = line[len(_DASH) :].partition(" ")
    blob = _b64decode(encoded)
    if not space or blob is None or len(blob) <= _KEY_ID_SIZE:
        raise NoteError(f"malformed note: bad signature line {line[:80]!r}")
    try:
        check_key_name(name)
    except NoteError:
        raise NoteError(f"malformed note: bad key name in signature line {line[:80]!r}") from None
    return Signature(name=name, key_id=int.from_bytes(blob[:_KEY_ID_SIZE], "big"),
                     signature=blob[_KEY_ID_SIZE:])


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.endswith("\n"):
        raise NoteError("malformed note: the text must end in a newline")
    if not _is_utf8(text) or any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("malformed note: control characters or invalid Unicode in the text")


def _check_line(line: object, what: str) -> None:
    if not isinstance(line, str) or not line:
        raise CheckpointError(f"checkpoint {what} must be non-empty text")
    if any(ord(c) < 0x20 for c in line) or not _is_utf8(line):
        raise CheckpointError(f"checkpoint {what} {line!r} contains a control character")


def _b64decode(encoded: str) -> bytes | None:
    """Strict standard base64: only the canonical encoding of a value is accepted.

    Python (like Go) ignores the unused low bits of the last character; were they
    accepted, one signature or hash would have several spellings.
    """
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode("ascii") == encoded else None


def _is_utf8(text: str) -> bool:
    # A str may hold lone surrogates, which have no UTF-8 form.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _raw_public_key(public_key: bytes | Ed25519PublicKey) -> bytes:
    if isinstance(public_key, Ed25519PublicKey):
        return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    raw = bytes(public_key)
    if len(raw) != _ED25519_KEY_SIZE:
        raise NoteError(f"an Ed25519 public key is {_ED25519_KEY_SIZE} bytes, not {len(raw)}")
    return raw
