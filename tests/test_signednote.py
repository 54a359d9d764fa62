"""signednote: the C2SP signed-note and tlog-checkpoint formats, against Go's test vectors.

The PeterNeumann and EnochRoot keys, the note text and its signatures come from
the Go reference implementation's tests, golang.org/x/mod ``sumdb/note/note_test.go``
(TestNewVerifier, TestSign, TestOpen), the format C2SP standardised as
https://c2sp.org/signed-note. The example checkpoint body is the one in
https://c2sp.org/tlog-checkpoint.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from archiver.errors import ArchiverError
from archiver.signednote import (
    Checkpoint,
    CheckpointError,
    NoteError,
    check_key_name,
    key_id,
    parse_checkpoint,
    parse_note,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    verifier_key,
    verify_checkpoint,
    verify_note,
)

# --- golang.org/x/mod/sumdb/note note_test.go ----------------------------------------------

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#: Go's signer key string: base64(0x01 || Ed25519 seed) after the key ID.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = ("If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n")
PETER_SIG = ("— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
             "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
ENOCH_SIG = ("— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oO"
             "TGwnWLox33WWd1RvMc+QQ=\n")
SIGNED = TEXT + "\n" + PETER_SIG

# --- c2sp.org/tlog-checkpoint --------------------------------------------------------------

C2SP_CHECKPOINT = ("example.com/behind-the-sofa\n"
                   "20852163\n"
                   "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")


def peter_key() -> Ed25519PrivateKey:
    """The PeterNeumann private key, decoded from Go's signer key string."""
    raw = base64.b64decode(PETER_SKEY.split("+", 4)[4])
    assert raw[0] == 0x01
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


def replace_char(text: str, i: int) -> str:
    """``text`` with character ``i`` replaced by a different character of the same kind."""
    char = text[i]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    if char in alphabet:
        new = alphabet[(alphabet.index(char) + 1) % len(alphabet)]
    else:
        new = "x" if char != "x" else "y"
    return text[:i] + new + text[i + 1:]


# --- keys --------------------------------------------------------------------------------------


def test_go_key_vector():
    """The Go vector's verifier key, key ID and key hash recipe are reproduced exactly."""
    public = peter_key().public_key()
    assert verifier_key("PeterNeumann", public) == PETER_VKEY
    assert key_id("PeterNeumann", public) == 0xC74F20A3
    raw = base64.b64decode(PETER_VKEY.split("+")[2])[1:]
    recipe = hashlib.sha256(b"PeterNeumann\n\x01" + raw).digest()[:4]
    assert int.from_bytes(recipe, "big") == 0xC74F20A3
    parsed = parse_verifier_key(PETER_VKEY)
    assert (parsed.name, parsed.key_id, parsed.public_key) == ("PeterNeumann", 0xC74F20A3, raw)
    assert parse_verifier_key(ENOCH_VKEY).key == "EnochRoot+af0cfe78"


def test_mangled_verifier_keys_are_rejected():
    """Every proper substring and every one-byte increment of the key fails (as in Go)."""
    for i in range(len(PETER_VKEY) + 1):
        for j in range(i + 1, len(PETER_VKEY) + 1):
            if (i, j) != (0, len(PETER_VKEY)):
                with pytest.raises(NoteError):
                    parse_verifier_key(PETER_VKEY[i:j])
    for i in range(len(PETER_VKEY)):
        mangled = PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1:]
        with pytest.raises(NoteError):
            parse_verifier_key(mangled)
    # Wrong key length and unknown algorithm, each with a key ID adjusted to match.
    for bad in ["PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"]:
        with pytest.raises(NoteError):
            parse_verifier_key(bad)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "nbsp\u00a0x", "nl\n", "\x01"])
def test_invalid_key_names(name):
    """Key names are non-empty, without spaces, '+' or control characters."""
    with pytest.raises(NoteError, match="name"):
        check_key_name(name)
    with pytest.raises(NoteError):
        sign_note(TEXT, name, peter_key())


def test_valid_key_names():
    """Schema-less URLs and non-ASCII names are fine."""
    for name in ["archive.example/log", "PeterNeumann", "journaliste-élise"]:
        assert check_key_name(name) == name


# --- notes ---------------------------------------------------------------------------------


def test_sign_reproduces_the_go_vector():
    """Ed25519 is deterministic: signing Go's text with Go's key gives Go's note byte for byte."""
    assert sign_note(TEXT, "PeterNeumann", peter_key()) == SIGNED


def test_go_vector_verifies():
    """The published note verifies with the published verifier key and yields the text."""
    assert verify_note(SIGNED, PETER_VKEY) == TEXT
    assert verify_note(SIGNED.encode("utf-8"), PETER_VKEY) == TEXT


def test_unknown_signatures_are_ignored():
    """A cosignature by a key we do not check does not get in the way (TestOpen)."""
    both = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert verify_note(both, PETER_VKEY) == TEXT
    assert verify_note(both, ENOCH_VKEY) == TEXT
    parsed = parse_note(both)
    assert [s.key for s in parsed.signatures] == ["PeterNeumann+c74f20a3", "EnochRoot+af0cfe78"]


def test_round_trip_with_a_fresh_key():
    """A note signed by a new key verifies with that key's verifier key."""
    private = Ed25519PrivateKey.generate()
    text = "archive.example/log\n3\nline with — dash and ünïcode\n\nblank line above\n"
    note = sign_note(text, "archive.example/log", private)
    assert verify_note(note, verifier_key("archive.example/log", private.public_key())) == text


def test_changed_text_fails():
    """Changing any one character of the text breaks the signature."""
    for i in range(len(TEXT) - 1):  # the last character is the required newline
        tampered = replace_char(TEXT, i) + "\n" + PETER_SIG
        with pytest.raises(NoteError, match=r"invalid signature for key PeterNeumann\+c74f20a3"):
            verify_note(tampered, PETER_VKEY)


def test_changed_signature_fails():
    """Changing any one character of the base64 signature fails (bad signature or encoding)."""
    start = SIGNED.index("x08go")
    end = SIGNED.index("=\n")
    for i in range(start, end):
        with pytest.raises(NoteError):
            verify_note(replace_char(SIGNED, i), PETER_VKEY)


def test_signature_with_extra_bytes_fails():
    """Go's TestOpen: 'ABCD' spliced into the signature is an invalid signature, not ignored."""
    spliced = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match=r"invalid signature for key PeterNeumann\+c74f20a3"):
        verify_note(spliced, PETER_VKEY)


def test_changed_key_name_fails():
    """Changing any one character of the key name in the signature line fails."""
    start = SIGNED.index("PeterNeumann")
    for i in range(start, start + len("PeterNeumann")):
        with pytest.raises(NoteError, match=r"not signed by key PeterNeumann\+c74f20a3"):
            verify_note(replace_char(SIGNED, i), PETER_VKEY)


def test_note_signed_by_another_key_names_both_keys():
    """A note signed only by another key fails, naming the key we wanted and the one found."""
    note = TEXT + "\n" + ENOCH_SIG
    with pytest.raises(NoteError) as info:
        verify_note(note, PETER_VKEY)
    message = str(info.value)
    assert "not signed by key PeterNeumann+c74f20a3" in message
    assert "EnochRoot+af0cfe78" in message
    assert isinstance(info.value, ArchiverError)


def test_same_name_other_key_is_not_accepted():
    """A signature under our name by a different key is ignored, so the note is rejected."""
    impostor = Ed25519PrivateKey.generate()
    note = sign_note(TEXT, "PeterNeumann", impostor)
    with pytest.raises(NoteError, match="not signed by key PeterNeumann"):
        verify_note(note, PETER_VKEY)


@pytest.mark.parametrize("note", [
    TEXT,                                                   # no signatures
    TEXT + "\n",                                            # blank line, no signatures
    TEXT + "\n" + PETER_SIG[:-1],                           # last line lacks its newline
    "\x01" + TEXT + "\n" + PETER_SIG,                       # control character
    TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
    "qfqdngotpRZb6KE6RyyBwJnAM=",                          # name with a space
    TEXT + "\n" + PETER_SIG + "Unexpected line.\n",         # not a signature line
    TEXT + "\n" + PETER_SIG.replace("—", "-"),              # hyphen, not em dash
    TEXT + "\n" + "— PeterNeumann AAAA\n",                  # only a key ID, no signature
    TEXT + "\n" + PETER_SIG * 101,                          # too many signatures
    "no final newline",
    "",
], ids=["text-only", "no-sigs", "no-newline", "control", "bad-name", "extra-line", "hyphen",
        "short-sig", "too-many", "no-blank", "empty"])
def test_malformed_notes(note):
    """Go's malformed messages (TestOpen badMsgs) and a few more are rejected as malformed."""
    with pytest.raises(NoteError, match="malformed note"):
        verify_note(note, PETER_VKEY)


def test_invalid_utf8_is_malformed():
    """Note bytes that are not UTF-8 are malformed, not a crash."""
    with pytest.raises(NoteError, match="malformed note"):
        verify_note(b"\xff" + SIGNED.encode("utf-8"), PETER_VKEY)


def test_sign_rejects_text_without_final_newline():
    """Go's TestSign: text must end in a newline."""
    with pytest.raises(NoteError, match="newline"):
        sign_note("abc", "PeterNeumann", peter_key())
    with pytest.raises(NoteError, match="control"):
        sign_note("a\tb\n", "PeterNeumann", peter_key())


# --- checkpoints ---------------------------------------------------------------------------


def test_c2sp_example_checkpoint_parses():
    """The checkpoint body of c2sp.org/tlog-checkpoint parses and re-serialises unchanged."""
    checkpoint = parse_checkpoint(C2SP_CHECKPOINT)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root_hash == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint.extensions == ()
    assert checkpoint.to_text() == C2SP_CHECKPOINT


def test_checkpoint_round_trip_with_extensions():
    """A checkpoint with extension lines survives to_text / parse_checkpoint."""
    checkpoint = Checkpoint(origin="archive.example/log", size=0,
                            root_hash=hashlib.sha256(b"").digest(),
                            extensions=("ext one", "— ext two"))
    text = checkpoint.to_text()
    assert text.endswith("— ext two\n")
    assert text.splitlines()[1] == "0"
    assert parse_checkpoint(text) == checkpoint


def test_signed_checkpoint_round_trip():
    """sign_checkpoint / verify_checkpoint give back the same checkpoint."""
    private = Ed25519PrivateKey.generate()
    checkpoint = Checkpoint(origin="archive.example/log", size=42, root_hash=bytes(range(32)))
    note = sign_checkpoint(checkpoint, "archive.example/log", private)
    vkey = verifier_key("archive.example/log", private.public_key())
    assert verify_checkpoint(note, vkey) == checkpoint
    tampered = note.replace("\n42\n", "\n43\n")
    with pytest.raises(NoteError, match="invalid signature"):
        verify_checkpoint(tampered, vkey)


GOOD_HASH = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="


@pytest.mark.parametrize("text", [
    f"origin\n020852163\n{GOOD_HASH}\n",                 # leading zero
    f"origin\n00\n{GOOD_HASH}\n",                        # zero with a leading zero
    f"origin\n-1\n{GOOD_HASH}\n",                        # sign
    f"origin\n+1\n{GOOD_HASH}\n",                        # sign
    f"origin\n 1\n{GOOD_HASH}\n",                        # space
    f"origin\n1.0\n{GOOD_HASH}\n",                       # not an integer
    f"origin\n0x10\n{GOOD_HASH}\n",                      # hex
    f"origin\n\u0661\u0662\n{GOOD_HASH}\n",              # Arabic-Indic digits
    f"origin\n\n{GOOD_HASH}\n",                          # empty size
    f"origin\n18446744073709551616\n{GOOD_HASH}\n",      # 2^64
    f"origin\n{'9' * 5000}\n{GOOD_HASH}\n",             # past int()'s 4300-digit limit
    "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxqw==\n",   # 31 bytes
    "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n",   # 33 bytes
    "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",   # non-canonical last char
    "origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",    # missing padding
    "origin\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n",   # URL-safe alphabet
    "origin\n1\n\n",                                     # empty hash
    "origin\n1\n",                                       # missing hash line
    "origin\n",                                          # missing size and hash
    "",                                                  # nothing
    f"origin\n1\n{GOOD_HASH}",                           # no final newline
    f"\n1\n{GOOD_HASH}\n",                               # empty origin
    f"origin\n1\n{GOOD_HASH}\n\n",                       # empty extension line
    f"origin\n1\n{GOOD_HASH}\next\n\nmore\n",            # empty extension line in the middle
    f"origin\x01\n1\n{GOOD_HASH}\n",                     # control character
], ids=lambda text: repr(text)[:40])
def test_malformed_checkpoints(text):
    """Strict parsing rejects every deviation from the tlog-checkpoint format."""
    with pytest.raises(CheckpointError):
        parse_checkpoint(text)


def test_checkpoint_constructor_validates():
    """A Checkpoint that could not be serialised and parsed back cannot be built."""
    good = {"origin": "o", "size": 1, "root_hash": bytes(32)}
    for change in [{"origin": ""}, {"origin": "a\nb"}, {"size": -1}, {"size": 2**64},
                   {"size": True}, {"root_hash": bytes(31)}, {"extensions": ("",)},
                   {"extensions": ("a\nb",)}, {"extensions": ["x"]}]:
        with pytest.raises(CheckpointError):
            Checkpoint(**{**good, **change})
