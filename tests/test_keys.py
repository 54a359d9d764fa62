"""keys: the signing key's files, their permissions, atomic creation and safe loading."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from archiver import keys
from archiver.errors import ArchiverError
from archiver.keys import (
    PRIVATE_KEY_FILE,
    VERIFIER_KEY_FILE,
    SigningKey,
    fingerprint,
    generate_key,
    init_key,
    load_key,
)
from archiver.signednote import NoteError, verify_note

NAME = "archive.example/log"


def mode(path: Path) -> int:
    """Permission bits of ``path``."""
    return stat.S_IMODE(os.stat(path).st_mode)


def secret_forms(key: SigningKey) -> list[str]:
    """Every textual form of the private seed a leak could take."""
    seed = key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return [seed.hex(), repr(seed)[2:-1], base64.b64encode(seed).decode(),
            base64.b64encode(b"\x01" + seed).decode()]


@pytest.fixture(name="keydir")
def _keydir(tmp_path):
    """A path for a key directory that does not exist yet."""
    return tmp_path / "archive" / "keys"


@pytest.fixture(name="umask")
def _umask():
    """Set a umask for the test and restore the old one afterwards."""
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


class TestInit:
    """init_key: directory and file modes, refusing to overwrite."""

    @pytest.mark.parametrize("mask", [0o000, 0o022, 0o077, 0o277])
    def test_modes_whatever_the_umask(self, keydir, umask, mask):
        """The directory is 0700, the key 0600, the verifier key 0644, under any umask."""
        umask(mask)
        key = init_key(keydir, NAME)
        assert mode(keydir) == 0o700
        assert mode(keydir / PRIVATE_KEY_FILE) == 0o600
        assert mode(keydir / VERIFIER_KEY_FILE) == 0o644
        assert sorted(p.name for p in keydir.iterdir()) == [PRIVATE_KEY_FILE, VERIFIER_KEY_FILE]
        assert (keydir / VERIFIER_KEY_FILE).read_text() == key.verifier_key + "\n"

    def test_loose_existing_directory_is_tightened(self, keydir):
        """An existing 0755 directory becomes 0700 before the key is written."""
        keydir.mkdir(parents=True)
        os.chmod(keydir, 0o755)
        init_key(keydir, NAME)
        assert mode(keydir) == 0o700

    def test_loose_shared_directory_is_refused_not_changed(self, tmp_path):
        """A 0755 directory holding other files (an archive home, say) is left alone."""
        shared = tmp_path / "home"
        shared.mkdir()
        (shared / "catalog.sqlite3").write_text("")
        os.chmod(shared, 0o755)
        with pytest.raises(ArchiverError, match=r"open to others.*chmod 700"):
            init_key(shared, NAME)
        assert mode(shared) == 0o755
        assert not (shared / PRIVATE_KEY_FILE).exists()

    def test_sticky_directory_is_refused(self, tmp_path):
        """A /tmp-like sticky, world-writable directory is never chmodded."""
        sticky = tmp_path / "tmp"
        sticky.mkdir()
        os.chmod(sticky, 0o1777)
        with pytest.raises(ArchiverError, match="open to others"):
            init_key(sticky, NAME)
        assert stat.S_IMODE(os.stat(sticky).st_mode) == 0o1777

    def test_private_shared_directory_is_used(self, tmp_path):
        """A 0700 directory with other files in it is fine and keeps its files."""
        home = tmp_path / "home"
        home.mkdir(mode=0o700)
        (home / "notes.txt").write_text("x")
        created = init_key(home, NAME)
        assert load_key(home) == created
        assert (home / "notes.txt").read_text() == "x"

    def test_refuses_to_overwrite(self, keydir):
        """A second init fails clearly and leaves the first key untouched."""
        first = init_key(keydir, NAME)
        before = (keydir / PRIVATE_KEY_FILE).read_bytes()
        with pytest.raises(ArchiverError, match="already exists; refusing to replace"):
            init_key(keydir, NAME)
        assert (keydir / PRIVATE_KEY_FILE).read_bytes() == before
        assert load_key(keydir) == first

    def test_refuses_an_orphaned_verifier_key(self, keydir):
        """A verifier key whose private key is gone is not silently replaced."""
        init_key(keydir, NAME)
        (keydir / PRIVATE_KEY_FILE).unlink()
        with pytest.raises(ArchiverError, match="may be lost"):
            init_key(keydir, NAME)

    def test_refuses_a_file_as_directory(self, tmp_path):
        """A path that is a file is not a key directory."""
        path = tmp_path / "file"
        path.write_text("x")
        with pytest.raises(ArchiverError, match="not a directory"):
            init_key(path, NAME)

    @pytest.mark.parametrize("name", ["", "has space", "a+b"])
    def test_refuses_bad_names(self, keydir, name):
        """Names that cannot appear in a signed note are refused before anything is written."""
        with pytest.raises(NoteError):
            init_key(keydir, name)
        assert not keydir.exists()

    def test_key_file_is_go_signer_format(self, keydir):
        """signing.key is PRIVATE+KEY+<name>+<id>+<base64(0x01||seed)>, as Go's note reads it."""
        key = init_key(keydir, NAME)
        line = (keydir / PRIVATE_KEY_FILE).read_text()
        prefix, rest = line[:12], line[12:]
        assert prefix == "PRIVATE+KEY+"
        name, hex_id, encoded = rest.rstrip("\n").split("+", 2)
        assert (name, int(hex_id, 16)) == (NAME, key.key_id)
        assert base64.b64decode(encoded)[0] == 0x01


class TestLoad:
    """load_key: the key round-trips, unsafe or damaged files are refused."""

    def test_round_trip_and_sign(self, keydir):
        """The loaded key equals the created one and its notes verify with the verifier key."""
        created = init_key(keydir, NAME)
        loaded = load_key(keydir)
        assert loaded == created
        note = loaded.sign_note("hello\n")
        published = (keydir / VERIFIER_KEY_FILE).read_text().strip()
        assert verify_note(note, published) == "hello\n"

    def test_non_ascii_name(self, keydir):
        """Key names may be any Unicode without spaces or '+'."""
        created = init_key(keydir, "journaliste-élise.example")
        assert load_key(keydir) == created

    def test_refuses_a_readable_key(self, keydir):
        """A 0644 key file is refused with its name and the chmod 600 fix."""
        init_key(keydir, NAME)
        key_path = keydir / PRIVATE_KEY_FILE
        os.chmod(key_path, 0o644)
        with pytest.raises(ArchiverError) as info:
            load_key(keydir)
        message = str(info.value)
        assert str(key_path) in message
        assert f"chmod 600 {key_path}" in message
        assert "0644" in message
        assert "\n" not in message

    @pytest.mark.parametrize("bits", [0o640, 0o604, 0o620, 0o602, 0o610])
    def test_refuses_any_group_or_other_access(self, keydir, bits):
        """Any group or other permission bit on the key file is refused."""
        init_key(keydir, NAME)
        os.chmod(keydir / PRIVATE_KEY_FILE, bits)
        with pytest.raises(ArchiverError, match="chmod 600"):
            load_key(keydir)

    def test_refuses_a_world_writable_directory(self, keydir):
        """A 0777 key directory is refused with the chmod 700 fix."""
        init_key(keydir, NAME)
        os.chmod(keydir, 0o777)
        expected = r"writable by group or others.*chmod 700 " + re.escape(str(keydir))
        with pytest.raises(ArchiverError, match=expected):
            load_key(keydir)
        os.chmod(keydir, 0o770)
        with pytest.raises(ArchiverError, match="chmod 700"):
            load_key(keydir)

    def test_readable_directory_is_accepted(self, keydir):
        """A 0755 directory is not a risk to the key (the key file itself is 0600)."""
        created = init_key(keydir, NAME)
        os.chmod(keydir, 0o755)
        assert load_key(keydir) == created

    def test_missing_key(self, tmp_path):
        """No directory, or no key in it, says so."""
        with pytest.raises(ArchiverError, match="does not exist"):
            load_key(tmp_path / "nowhere")
        with pytest.raises(ArchiverError, match="no signing key at"):
            load_key(tmp_path)

    def test_refuses_a_symlinked_key(self, keydir, tmp_path):
        """The key file must be the file itself, not a symlink to one."""
        init_key(keydir, NAME)
        real = tmp_path / "elsewhere.key"
        os.rename(keydir / PRIVATE_KEY_FILE, real)
        os.symlink(real, keydir / PRIVATE_KEY_FILE)
        with pytest.raises(ArchiverError, match="symbolic link"):
            load_key(keydir)

    def test_damaged_key_is_refused_without_echoing_it(self, keydir):
        """A flipped bit in the seed is caught by the key ID, and the message shows no secret."""
        key = init_key(keydir, NAME)
        key_path = keydir / PRIVATE_KEY_FILE
        line = key_path.read_text()
        # Change one base64 character of the seed (not the type byte); base64 may hold '+'.
        i = len("+".join(line.split("+", 4)[:4])) + 1 + 10
        damaged = line[:i] + ("A" if line[i] != "A" else "B") + line[i + 1:]
        key_path.write_text(damaged)
        with pytest.raises(ArchiverError, match="damaged") as info:
            load_key(keydir)
        for secret in [*secret_forms(key), damaged.strip()]:
            assert secret not in str(info.value)

    @pytest.mark.parametrize("content", [b"", b"PRIVATE+KEY+\n", b"\xff\xfe", b"x" * 10000,
                                         b"-----BEGIN PRIVATE KEY-----\n"])
    def test_garbage_key_file_is_refused(self, keydir, content):
        """Files that are not signer keys are refused as damaged."""
        init_key(keydir, NAME)
        (keydir / PRIVATE_KEY_FILE).write_bytes(content)
        with pytest.raises(ArchiverError, match="damaged"):
            load_key(keydir)

    def test_mismatched_verifier_key_is_refused(self, keydir):
        """A verifier key that belongs to another key is refused."""
        init_key(keydir, NAME)
        (keydir / VERIFIER_KEY_FILE).write_text(generate_key(NAME).verifier_key + "\n")
        with pytest.raises(ArchiverError, match="does not match"):
            load_key(keydir)

    @pytest.mark.parametrize("make", [os.mkdir, os.mkfifo], ids=["directory", "fifo"])
    @pytest.mark.parametrize(("create", "load", "name"), [
        (lambda d: init_key(d, NAME), load_key, PRIVATE_KEY_FILE),
        (keys.init_wacz_key, keys.load_wacz_key, keys.WACZ_PRIVATE_KEY_FILE),
    ], ids=["signer", "wacz"])
    def test_key_file_that_is_not_a_file(self, keydir, create, load, name, make):
        """A directory (once a traceback) or a FIFO (once a hang) where the key belongs."""
        create(keydir)
        (keydir / name).unlink()
        make(keydir / name, 0o600)
        with pytest.raises(ArchiverError, match="not a regular file"):
            load(keydir)

    def test_unreadable_wacz_public_key(self, keydir):
        """A wacz-public.pem that cannot be read is an ArchiverError naming it."""
        keys.init_wacz_key(keydir)
        public = keydir / keys.WACZ_PUBLIC_KEY_FILE
        public.unlink()
        public.mkdir()
        with pytest.raises(ArchiverError, match=f"cannot read {re.escape(str(public))}"):
            keys.load_wacz_key(keydir)

    def test_missing_verifier_key_is_fine(self, keydir):
        """The public half is derived from the private key if verifier.key is missing."""
        created = init_key(keydir, NAME)
        (keydir / VERIFIER_KEY_FILE).unlink()
        assert load_key(keydir) == created


class TestCrash:
    """A crash while writing never leaves a loadable half key."""

    def test_leftover_temporary_file_is_not_a_key(self, keydir):
        """A half-written temporary file is ignored by load_key and removed by init_key."""
        keydir.mkdir(parents=True, mode=0o700)
        key = generate_key(NAME)
        half = keys._encode_signer_key(key)[:40]
        stale = keydir / f".{PRIVATE_KEY_FILE}.0123456789abcdef.tmp"
        fd = os.open(stale, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, half)
        os.close(fd)
        with pytest.raises(ArchiverError, match="no signing key at"):
            load_key(keydir)
        created = init_key(keydir, NAME)
        assert not stale.exists()
        assert load_key(keydir) == created

    def test_failure_before_link_leaves_nothing(self, keydir, monkeypatch):
        """If linking fails (disk error, crash), no key name exists and init can be retried."""
        def broken_link(src, dst):
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(keys.os, "link", broken_link)
        with pytest.raises(ArchiverError, match="cannot write"):
            init_key(keydir, NAME)
        monkeypatch.undo()
        assert list(keydir.iterdir()) == []
        with pytest.raises(ArchiverError, match="no signing key at"):
            load_key(keydir)
        created = init_key(keydir, NAME)
        assert load_key(keydir) == created

    def test_killed_in_the_middle_of_the_write(self, keydir):
        """A process killed after writing half the key leaves no loadable key behind."""
        script = textwrap.dedent(f"""
            import os, sys
            from pathlib import Path
            from archiver import keys
            real_write = os.write
            def half_then_die(fd, data):
                real_write(fd, bytes(data)[: len(data) // 2])
                os._exit(9)
            keys.os.write = half_then_die
            keys.init_key(Path({str(keydir)!r}), {NAME!r})
        """)
        repo = Path(__file__).resolve().parent.parent
        result = subprocess.run([sys.executable, "-c", script], cwd=repo, check=False,
                                capture_output=True)
        assert result.returncode == 9, result.stderr
        leftovers = [p.name for p in keydir.iterdir()]
        assert len(leftovers) == 1
        assert leftovers[0].startswith(f".{PRIVATE_KEY_FILE}.")
        assert leftovers[0].endswith(".tmp")
        with pytest.raises(ArchiverError, match="no signing key at"):
            load_key(keydir)
        created = init_key(keydir, NAME)
        assert load_key(keydir) == created


class TestNoLeak:
    """The private key never shows up as text."""

    def test_repr_and_str_hide_the_private_key(self, keydir):
        """repr/str show the name and public key, never the seed in any encoding."""
        key = init_key(keydir, NAME)
        for text in (repr(key), str(key), repr(load_key(keydir))):
            assert NAME in text
            assert "private" not in text.lower()
            for secret in secret_forms(key):
                assert secret not in text

    def test_private_key_is_not_compared(self):
        """Equality and hashing use the name and public key only."""
        key = generate_key(NAME)
        twin = SigningKey.from_private_key(NAME, key.private_key)
        assert key == twin
        assert hash(key) == hash(twin)


def test_fingerprint():
    """The fingerprint is sha256:<hex> of the raw 32-byte public key."""
    key = generate_key(NAME)
    expected = "sha256:" + hashlib.sha256(key.public_key).hexdigest()
    assert fingerprint(key.public_key) == expected == key.fingerprint
    assert fingerprint(key.private_key.public_key()) == expected
    with pytest.raises(ArchiverError):
        fingerprint(b"short")
