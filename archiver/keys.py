"""The archive's signing keys: created once, kept private, loaded only if safe.

The Ed25519 key signs the log's checkpoints (see ``archiver.signednote``). Its key
directory (mode 0700) holds two files:

* ``signing.key`` (0600): the private key as a signer key string of
  golang.org/x/mod/sumdb/note, ``PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>``.
* ``verifier.key`` (0644): the public verifier key string
  ``<name>+<key ID>+<base64(0x01 || public key)>``, the one to publish.

Why that format rather than PKCS#8 PEM: the key ID is a hash of the name and of
the public key derived from the seed, so a truncated or bit-flipped file is
caught at load time, where a damaged PEM seed would still load as a valid,
different key and sign checkpoints nobody can verify. It also keeps the key name
in the same file as the key, and Go's note package and the transparency-log tools
built on it (litetlog, tessera) read it as is. OpenSSL does not; export to PEM
if ever needed.

A key is evidence: everything it signed is checked against it. So ``init_key``
never replaces one. The private key is written to a temporary file (O_EXCL,
mode 0600), synced, then hard-linked to its name, which fails if the name exists:
a crash leaves at most an unused temporary file, never a half key under the real
name. ``load_key`` refuses a key others can read or a directory others can write.
Nothing here prints, logs or returns the private key as text; ``SigningKey``'s
repr shows only the name and the public key.

The same directory holds the ECDSA P-384 key that signs WACZ bundles (WACZ Signing
and Verification 0.1.0, anonymous form: ReplayWeb.page imports the public key as
P-384): ``wacz-signing.pem`` (PKCS#8, 0600) and ``wacz-public.pem`` (the DER
SubjectPublicKeyInfo in PEM, 0644). PEM has no check value, so ``load_wacz_key``
insists that the public file matches the key derived from the private one: a
damaged private file is refused instead of signing with a key nobody knows. The
same rules apply: created atomically, never replaced, refused if others can read it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_der_public_key,
    load_pem_private_key,
    load_pem_public_key,
)

from .errors import ArchiverError
from .files import open_regular_file, read_evidence_file, write_new_file
from .signednote import ED25519_TYPE, NoteError, check_key_name, key_id, sign_note, verifier_key

PRIVATE_KEY_FILE = "signing.key"
VERIFIER_KEY_FILE = "verifier.key"
WACZ_PRIVATE_KEY_FILE = "wacz-signing.pem"
WACZ_PUBLIC_KEY_FILE = "wacz-public.pem"

_DIR_MODE = 0o700
_PRIVATE_MODE = 0o600
_PUBLIC_MODE = 0o644
_SIGNER_PREFIX = "PRIVATE+KEY+"
#: A signer key string is about 100 bytes; anything much larger is not one.
_MAX_KEY_FILE = 4096
_HEX_KEY_ID = re.compile(r"[0-9a-f]{8}", re.ASCII)
_TEMPORARY = re.compile(
    r"\.(signing\.key|verifier\.key|wacz-signing\.pem|wacz-public\.pem)\.[0-9a-f]+\.tmp")
#: A PKCS#8 PEM of a P-384 key is about 300 bytes.
_MAX_PEM_FILE = 16384


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A named Ed25519 key pair. The private half never appears in repr or comparisons."""

    name: str
    public_key: bytes
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)

    @classmethod
    def from_private_key(cls, name: str, private_key: Ed25519PrivateKey) -> SigningKey:
        """Wrap ``private_key`` under key name ``name`` (checked)."""
        check_key_name(name)
        public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(name=name, public_key=public, private_key=private_key)

    @property
    def key_id(self) -> int:
        """The 32-bit note key ID (see ``signednote.key_id``)."""
        return key_id(self.name, self.public_key)

    @property
    def verifier_key(self) -> str:
        """The verifier key string to publish: ``<name>+<key ID>+<base64 key>``."""
        return verifier_key(self.name, self.public_key)

    @property
    def fingerprint(self) -> str:
        """``sha256:<hex>`` of the raw public key (see ``fingerprint``)."""
        return fingerprint(self.public_key)

    def sign_note(self, text: str) -> str:
        """``text`` (ending in a newline) as a note signed by this key."""
        return sign_note(text, self.name, self.private_key)


def fingerprint(public_key: bytes | Ed25519PublicKey) -> str:
    """``sha256:<lowercase hex>`` of the raw 32-byte Ed25519 public key."""
    if isinstance(public_key, Ed25519PublicKey):
        public_key = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    if len(public_key) != 32:
        raise ArchiverError(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
    return "sha256:" + hashlib.sha256(public_key).hexdigest()


def generate_key(name: str) -> SigningKey:
    """A new random key pair named ``name``, in memory only."""
    return SigningKey.from_private_key(name, Ed25519PrivateKey.generate())


def init_key(directory: Path, name: str) -> SigningKey:
    """Create a new signing key in ``directory`` and return it.

    Creates ``directory`` with mode 0700. An existing directory open to group or
    others is tightened to 0700 only if it is empty and ours (plainly the key's own
    directory); a shared one (other files in it, another owner, sticky like /tmp) is
    refused rather than changed under its other users. Then writes ``signing.key``
    (0600) and ``verifier.key`` (0644) atomically.

    Raises:
        ArchiverError: a key (or a verifier key) is already there, the name is not a
            valid key name, or the directory cannot be made private.
    """
    check_key_name(name)
    directory = Path(directory)
    key_path = directory / PRIVATE_KEY_FILE
    verifier_path = directory / VERIFIER_KEY_FILE
    _refuse_to_replace(key_path, verifier_path)
    _prepare_directory(directory)
    _remove_stale_temporaries(directory)
    key = generate_key(name)
    # The private key first: if we crash before the verifier key is written,
    # load_key still works and derives the public half from it.
    _write_new_file(key_path, _encode_signer_key(key), _PRIVATE_MODE)
    _write_new_file(verifier_path, (key.verifier_key + "\n").encode("utf-8"), _PUBLIC_MODE)
    return key


def load_key(directory: Path) -> SigningKey:
    """Load the signing key of ``directory``, refusing unsafe permissions or a damaged file.

    ``verifier.key``, if present, must match the private key.

    Raises:
        ArchiverError: no key, group/other access to the key file, a directory others
            can write, a file that is not an intact signer key, or a mismatched
            verifier key. Messages name the file and the fix, never the key.
    """
    directory = Path(directory)
    _check_key_directory(directory)
    key_path = directory / PRIVATE_KEY_FILE
    data = _read_private_file(key_path)
    key = _decode_signer_key(data, key_path)
    verifier_path = directory / VERIFIER_KEY_FILE
    try:
        published = read_evidence_file(verifier_path).decode("utf-8").strip()
    except FileNotFoundError:
        return key
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiverError(f"cannot read {verifier_path}: {exc}") from None
    if published != key.verifier_key:
        raise ArchiverError(
            f"{verifier_path} does not match the signing key in {key_path}; one of them was "
            "replaced or damaged")
    return key


# --- the WACZ signing key (ECDSA P-384) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class WaczKey:
    """An ECDSA P-384 key pair for WACZ signatures. The private half is never shown."""

    public_key_der: bytes  # DER SubjectPublicKeyInfo
    private_key: ec.EllipticCurvePrivateKey = field(repr=False, compare=False)

    @classmethod
    def from_private_key(cls, private_key: ec.EllipticCurvePrivateKey) -> WaczKey:
        if not isinstance(private_key, ec.EllipticCurvePrivateKey) or \
                not isinstance(private_key.curve, ec.SECP384R1):
            raise ArchiverError("a WACZ signing key must be ECDSA P-384 (secp384r1)")
        der = private_key.public_key().public_bytes(Encoding.DER,
                                                    PublicFormat.SubjectPublicKeyInfo)
        return cls(public_key_der=der, private_key=private_key)

    @property
    def fingerprint(self) -> str:
        """``sha256:<hex>`` of the DER SubjectPublicKeyInfo (as WACZ readers name signers)."""
        return wacz_fingerprint(self.public_key_der)

    @property
    def public_key_base64(self) -> str:
        """Base64 DER SubjectPublicKeyInfo, as a WACZ ``signedData.publicKey`` carries it."""
        return base64.b64encode(self.public_key_der).decode("ascii")


def wacz_fingerprint(public_key_der: bytes) -> str:
    """``sha256:<lowercase hex>`` of a DER SubjectPublicKeyInfo."""
    return "sha256:" + hashlib.sha256(public_key_der).hexdigest()


def init_wacz_key(directory: Path) -> WaczKey:
    """Create the WACZ signing key (P-384) in ``directory``, as ``init_key`` does its key.

    Raises:
        ArchiverError: a WACZ key (or its public half) is already there, or the
            directory cannot be made private.
    """
    directory = Path(directory)
    key_path = directory / WACZ_PRIVATE_KEY_FILE
    public_path = directory / WACZ_PUBLIC_KEY_FILE
    _refuse_to_replace(key_path, public_path)
    _prepare_directory(directory)
    _remove_stale_temporaries(directory)
    key = WaczKey.from_private_key(ec.generate_private_key(ec.SECP384R1()))
    pem = key.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    _write_new_file(key_path, pem, _PRIVATE_MODE)
    public_pem = load_der_public_key(key.public_key_der).public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    _write_new_file(public_path, public_pem, _PUBLIC_MODE)
    return key


def load_wacz_key(directory: Path) -> WaczKey:
    """Load the WACZ signing key, refusing unsafe permissions or a damaged file.

    ``wacz-public.pem``, if present, must match the private key.

    Raises:
        ArchiverError: as ``load_key`` does, naming the file and the fix, never the key.
    """
    directory = Path(directory)
    _check_key_directory(directory)
    key_path = directory / WACZ_PRIVATE_KEY_FILE
    data = _read_private_file(key_path, limit=_MAX_PEM_FILE)
    damaged = ArchiverError(f"WACZ signing key {key_path} is damaged or not a P-384 PEM key")
    if len(data) > _MAX_PEM_FILE:
        raise damaged
    try:
        private = load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise damaged from None
    if not isinstance(private, ec.EllipticCurvePrivateKey) or \
            not isinstance(private.curve, ec.SECP384R1):
        raise damaged
    key = WaczKey.from_private_key(private)
    try:
        published = load_wacz_public_key(directory)
    except FileNotFoundError:
        return key
    if published != key.public_key_der:
        raise ArchiverError(
            f"{directory / WACZ_PUBLIC_KEY_FILE} does not match the signing key in {key_path}; "
            "one of them was replaced or damaged")
    return key


def load_wacz_public_key(directory: Path) -> bytes:
    """The DER SubjectPublicKeyInfo in ``wacz-public.pem`` (no private key needed).

    Raises:
        FileNotFoundError: there is no such file.
        ArchiverError: the file is not a P-384 public key.
    """
    path = Path(directory) / WACZ_PUBLIC_KEY_FILE
    try:
        data = read_evidence_file(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ArchiverError(f"cannot read {path}: {exc.strerror}") from None
    try:
        public = load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ArchiverError(f"{path} is damaged or not a PEM public key") from None
    if not isinstance(public, ec.EllipticCurvePublicKey) or \
            not isinstance(public.curve, ec.SECP384R1):
        raise ArchiverError(f"{path} is not a P-384 public key")
    return public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


# --- files ---------------------------------------------------------------------------------


def _check_key_directory(directory: Path) -> None:
    try:
        dir_stat = os.stat(directory)
    except FileNotFoundError:
        raise ArchiverError(f"no signing key: {directory} does not exist; create a key first") \
            from None
    if not stat.S_ISDIR(dir_stat.st_mode):
        raise ArchiverError(f"key directory {directory} is not a directory")
    if dir_stat.st_mode & 0o022:
        raise ArchiverError(
            f"key directory {directory} is writable by group or others (mode "
            f"{_mode(dir_stat)}), so its key could be swapped; run: chmod 700 {directory}")


def _refuse_to_replace(key_path: Path, public_path: Path) -> None:
    """A key is never replaced, nor made beside a public half whose key may be lost."""
    if os.path.lexists(key_path):
        raise ArchiverError(
            f"{key_path} already exists; refusing to replace a signing key (what it "
            "signed is checked against it). Move it away yourself to make a new one")
    if os.path.lexists(public_path):
        raise ArchiverError(
            f"{public_path} exists without {key_path.name}: the key it belongs to may "
            "be lost. Move it away before creating a new key")


def _prepare_directory(directory: Path) -> None:
    try:
        directory.mkdir(mode=_DIR_MODE, parents=True)
        created = True
    except FileExistsError:
        created = False
    except OSError as exc:
        raise ArchiverError(f"cannot create key directory {directory}: {exc.strerror}") from None
    st = os.stat(directory)
    if not stat.S_ISDIR(st.st_mode):
        raise ArchiverError(f"key directory {directory} is not a directory")
    loose = stat.S_IMODE(st.st_mode) & 0o077
    if loose and not created:
        # Tighten only a directory that is plainly the key's own: changing the mode
        # of a shared folder (an archive home, /tmp) would break other users of it.
        others = [p.name for p in directory.iterdir() if not _TEMPORARY.fullmatch(p.name)]
        if st.st_uid != os.geteuid() or st.st_mode & stat.S_ISVTX or others:
            raise ArchiverError(
                f"key directory {directory} is open to others (mode {_mode(st)}) and is not "
                f"empty or not yours; use a new directory, or run: chmod 700 {directory}")
    # mkdir's mode passes through the umask, and an empty directory of ours may be
    # open to others: either way, set it to exactly owner-only.
    if created or loose:
        try:
            os.chmod(directory, _DIR_MODE)
        except OSError as exc:
            raise ArchiverError(
                f"cannot make key directory {directory} private (mode {_mode(st)}): "
                f"{exc.strerror}; run: chmod 700 {directory}") from None


def _write_new_file(path: Path, data: bytes, mode: int) -> None:
    """Write a new key file atomically; an existing file, even an identical one, is refused."""
    if not write_new_file(path, data, mode=mode):
        raise ArchiverError(f"{path} already exists; refusing to replace it")


def _remove_stale_temporaries(directory: Path) -> None:
    # Left by a crash in the middle of a write: unused, possibly a partial secret.
    for entry in directory.iterdir():
        if _TEMPORARY.fullmatch(entry.name):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()


def _read_private_file(path: Path, limit: int = _MAX_KEY_FILE) -> bytes:
    try:
        with open_regular_file(path, follow_symlinks=False) as (handle, st):
            if st.st_mode & 0o077:
                raise ArchiverError(
                    f"signing key {path} is readable or writable by group or others (mode "
                    f"{_mode(st)}); run: chmod 600 {path}")
            return handle.read(limit + 1)
    except FileNotFoundError:
        raise ArchiverError(f"no signing key at {path}; create a key first") from None
    except OSError as exc:
        if os.path.islink(path):
            raise ArchiverError(f"signing key {path} is a symbolic link; it must be a "
                                "regular file") from None
        raise ArchiverError(f"cannot read signing key {path}: {exc.strerror}") from None


def _mode(st: os.stat_result) -> str:
    return f"{stat.S_IMODE(st.st_mode):04o}"


# --- the signer key string -----------------------------------------------------------------


def _encode_signer_key(key: SigningKey) -> bytes:
    seed = key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    encoded = base64.b64encode(bytes([ED25519_TYPE]) + seed)
    return (f"{_SIGNER_PREFIX}{key.name}+{key.key_id:08x}+".encode() + encoded + b"\n")


def _decode_signer_key(data: bytes, path: Path) -> SigningKey:
    # Messages say what is wrong, never what the file holds.
    damaged = ArchiverError(f"signing key {path} is damaged or not a signer key")
    if len(data) > _MAX_KEY_FILE:
        raise damaged
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise damaged from None
    text = text.removesuffix("\n")
    if not text.startswith(_SIGNER_PREFIX):
        raise damaged
    name, _, rest = text[len(_SIGNER_PREFIX):].partition("+")
    hex_id, _, encoded = rest.partition("+")
    try:
        check_key_name(name)
        raw = base64.b64decode(encoded, validate=True)
        expected_id = int(hex_id, 16) if _HEX_KEY_ID.fullmatch(hex_id) else -1
    except (NoteError, binascii.Error, ValueError):
        raise damaged from None
    if len(raw) != 33 or raw[0] != ED25519_TYPE:
        raise damaged
    key = SigningKey.from_private_key(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if key.key_id != expected_id:
        raise damaged
    return key
