"""keys init/show, signed checkpoints and RFC 3161 time-stamps, through the command line.

Checkpoints are checked three ways: with archiver.signednote, with an independent
reading of the C2SP signed-note format whose Ed25519 signature OpenSSL verifies, and
with the key of Go's golang.org/x/mod/sumdb/note test vectors (keys.py stores keys in
Go's signer key format, so that key can sign our checkpoints). Time-stamps come from
a real TSA on 127.0.0.1 (``openssl ts -reply``) and are accepted by ``openssl ts -verify``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from archiver import schemas
from archiver.evidence import TsaOptions, make_checkpoint
from archiver.home import ArchiveHome
from archiver.keys import load_wacz_key
from archiver.ledger import load_tree
from archiver.merkle import verify_consistency
from archiver.signednote import verify_checkpoint
from archiver.testing import LoopbackSite
from tests.archives import KEY_NAME, PAGES, capture, copy_archive, sql
from tests.conftest import EXAMPLES
from tests.helpers import json_lines, run_cli
from tests.test_signednote import PETER_SKEY, PETER_VKEY
from tests.tsa import OPENSSL, LocalTSA, local_tsa  # noqa: F401

ALLOW = ("--allow-network", "127.0.0.1/32")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(name="served", scope="module")
def _served():
    """The example site, for the whole module."""
    with LoopbackSite(EXAMPLES / "site") as site:
        yield site


@pytest.fixture(name="archive", scope="module")
def _archive(tmp_path_factory, served):
    """An archive with keys and three captures (copy it before changing it)."""
    folder = tmp_path_factory.mktemp("evidence") / "home"
    home = ArchiveHome(folder)
    assert run_cli(folder, "keys", "init", "--name", KEY_NAME).exit_code == 0
    capture(home, [served.url(p) for p in PAGES[:3]])
    return folder


def openssl_ts_verify(folder: Path, document: dict, data: bytes) -> subprocess.CompletedProcess:
    """``openssl ts -verify`` of a stored token document, with only what it carries."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "token.der").write_bytes(base64.b64decode(document["token"]))
    (folder / "data.bin").write_bytes(data)
    (folder / "root.pem").write_text(document["trusted_root"])
    (folder / "chain.pem").write_text("".join(document["chain"]))
    return subprocess.run(
        [OPENSSL, "ts", "-verify", "-token_in", "-in", str(folder / "token.der"),
         "-data", str(folder / "data.bin"), "-CAfile", str(folder / "root.pem"),
         "-untrusted", str(folder / "chain.pem")],
        capture_output=True, text=True, timeout=30, check=False)


def independent_note_check(note: str, vkey: str, folder: Path) -> tuple[str, int]:
    """Check a signed note by the C2SP text alone, the signature by OpenSSL; returns the
    signed text and the key ID in the signature line."""
    name, key_hex, encoded = vkey.split("+", 2)
    raw = base64.b64decode(encoded)
    assert raw[0] == 1 and len(raw) == 33  # Ed25519
    assert hashlib.sha256(name.encode() + b"\n\x01" + raw[1:]).digest()[:4].hex() == key_hex
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    (line,) = [s for s in signatures.splitlines() if s.startswith(f"\u2014 {name} ")]
    blob = base64.b64decode(line.split(" ")[2])
    assert blob[:4].hex() == key_hex
    public = Ed25519PublicKey.from_public_bytes(raw[1:])
    (folder / "pub.pem").write_bytes(public.public_bytes(Encoding.PEM,
                                                         PublicFormat.SubjectPublicKeyInfo))
    (folder / "text").write_bytes(text.encode("utf-8"))
    (folder / "sig").write_bytes(blob[4:])
    checked = subprocess.run(
        [OPENSSL, "pkeyutl", "-verify", "-pubin", "-inkey", str(folder / "pub.pem"), "-rawin",
         "-in", str(folder / "text"), "-sigfile", str(folder / "sig")],
        capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return text, int.from_bytes(blob[:4], "big")


# --- keys ------------------------------------------------------------------------------


def test_keys_init_modes_output_and_refusal(tmp_path):
    """0700 directory, 0600 private keys, public files; no private key printed; no overwrite."""
    home = tmp_path / "home"
    created = run_cli(home, "keys", "init", "--json")
    assert created.exit_code == 0, created.stderr
    (document,) = json_lines(created.stdout)
    keys = home / "keys"
    assert mode(keys) == 0o700
    assert mode(keys / "signing.key") == mode(keys / "wacz-signing.pem") == 0o600
    assert mode(keys / "verifier.key") == mode(keys / "wacz-public.pem") == 0o644
    assert document["log_key"]["name"].startswith("archiver.invalid/")
    assert document["log_key"]["verifier_key"] == (keys / "verifier.key").read_text().strip()
    assert json.loads((keys / "public.json").read_text()) == document
    # PRIVATE+KEY+<name>+<key id>+<base64 key>: base64 has "+" of its own, so split from the left
    secret = (keys / "signing.key").read_text().strip().split("+", 4)[4]
    assert len(secret) == 44
    pem = (keys / "wacz-signing.pem").read_text()
    body = "".join(pem.splitlines()[1:-1])
    for stream in (created.stdout, created.stderr):
        assert secret not in stream and body[20:60] not in stream and "PRIVATE" not in stream
    assert load_wacz_key(keys).fingerprint == document["wacz_key"]["fingerprint"]

    shown = run_cli(home, "keys", "show", "--json")
    assert json_lines(shown.stdout) == [document]
    text = run_cli(home, "keys", "show").stdout
    assert document["log_key"]["fingerprint"] in text
    assert document["wacz_key"]["fingerprint"] in text

    before = {p.name: p.read_bytes() for p in keys.iterdir()}
    again = run_cli(home, "keys", "init")
    assert again.exit_code == 2 and "refusing to replace" in again.stderr
    assert {p.name: p.read_bytes() for p in keys.iterdir()} == before


def test_keys_init_completes_a_missing_wacz_key(tmp_path):
    """An archive with only the log key gets the WACZ key; the log key is kept."""
    home = tmp_path / "home"
    assert run_cli(home, "keys", "init", "--name", KEY_NAME).exit_code == 0
    log_key = (home / "keys" / "signing.key").read_bytes()
    for name in ("wacz-signing.pem", "wacz-public.pem"):
        (home / "keys" / name).unlink()
    again = run_cli(home, "keys", "init")
    assert again.exit_code == 0 and "created: wacz" in again.stderr
    assert (home / "keys" / "signing.key").read_bytes() == log_key
    other = run_cli(home, "keys", "init", "--name", "other.example/log")
    assert other.exit_code == 2


@pytest.mark.parametrize("name", ["signing.key", "wacz-signing.pem"])
def test_a_key_others_can_read_is_refused(tmp_path, name):
    """Loading a private key readable by group or others fails with the chmod fix."""
    home = tmp_path / "home"
    run_cli(home, "keys", "init", "--name", KEY_NAME)
    key = home / "keys" / name
    os.chmod(key, 0o640)
    if name == "signing.key":
        result = run_cli(home, "checkpoint")
        assert result.exit_code == 2
        message = result.stderr
    else:
        with pytest.raises(Exception) as caught:
            load_wacz_key(home / "keys")
        message = str(caught.value)
    assert f"chmod 600 {key}" in message and len(message.strip().splitlines()) == 1


def test_keys_show_without_keys_says_what_to_do(tmp_path):
    """No keys: exit 2 and the command that makes them."""
    result = run_cli(tmp_path, "keys", "show")
    assert result.exit_code == 2 and "archiver keys init" in result.stderr
    result = run_cli(tmp_path, "checkpoint")
    assert result.exit_code == 2 and "archiver keys init" in result.stderr


def test_damaged_wacz_public_key_is_refused(tmp_path):
    """A public half that does not match the private key is refused at load."""
    home = tmp_path / "home"
    run_cli(home, "keys", "init")
    other = tmp_path / "other"
    run_cli(other, "keys", "init")
    (home / "keys" / "wacz-public.pem").write_bytes(
        (other / "keys" / "wacz-public.pem").read_bytes())
    with pytest.raises(Exception, match="does not match"):
        load_wacz_key(home / "keys")


# --- checkpoints -----------------------------------------------------------------------


def test_checkpoint_is_a_c2sp_note_stored_twice_and_verifiable(tmp_path, archive):
    """The note verifies with signednote and independently; catalog row and file agree."""
    home = copy_archive(archive, tmp_path / "home")
    result = run_cli(home.path, "checkpoint", "--json")
    assert result.exit_code == 0, result.stderr
    (document,) = json_lines(result.stdout)
    schemas.validate(document, "checkpoint")
    note = (home.checkpoints_dir / "3.note").read_text()
    assert note == document["note"]
    assert sql(home, ("SELECT note FROM checkpoints",))[0] == [(note,)]
    vkey = (home.keys_dir / "verifier.key").read_text().strip()
    checkpoint = verify_checkpoint(note, vkey)
    with home.open_catalog() as catalog:
        tree = load_tree(catalog)
    assert (checkpoint.origin, checkpoint.size, checkpoint.root_hash) == \
        (KEY_NAME, 3, tree.root())
    text, key_id = independent_note_check(note, vkey, tmp_path)
    assert text == f"{KEY_NAME}\n3\n{base64.b64encode(tree.root()).decode()}\n"
    assert f"{key_id:08x}" == document["key"]["key_id"]
    assert document["key"]["fingerprint"] == json_lines(
        run_cli(home.path, "keys", "show", "--json").stdout)[0]["log_key"]["fingerprint"]
    assert document["previous"] is None and document["timestamp"] is None


def test_checkpoint_with_the_go_vector_key(tmp_path, archive):
    """A key in Go's signer format (the sumdb/note test key) signs a note Go's vkey checks."""
    home = copy_archive(archive, tmp_path / "home")
    (home.keys_dir / "signing.key").write_text(PETER_SKEY + "\n")
    (home.keys_dir / "verifier.key").write_text(PETER_VKEY + "\n")
    result = run_cli(home.path, "checkpoint")
    assert result.exit_code == 0, result.stderr
    note = (home.checkpoints_dir / "3.note").read_text()
    assert note.startswith("PeterNeumann\n3\n")
    assert verify_checkpoint(note, PETER_VKEY).size == 3
    _, key_id = independent_note_check(note, PETER_VKEY, tmp_path)
    assert key_id == 0xC74F20A3  # the Go vector's key ID


def test_checkpoints_extend_each_other(tmp_path, archive, served):
    """A later checkpoint carries a consistency proof from the earlier one; an unchanged
    log keeps the latest checkpoint."""
    home = copy_archive(archive, tmp_path / "home")
    first = json_lines(run_cli(home.path, "checkpoint", "--json").stdout)[0]
    same = run_cli(home.path, "checkpoint", "--json")
    assert json_lines(same.stdout)[0]["new"] is False and "has not grown" in same.stderr
    capture(home, [served.url(PAGES[3])])
    second = json_lines(run_cli(home.path, "checkpoint", "--json").stdout)[0]
    assert second["previous"]["tree_size"] == 3 and second["tree_size"] == 4
    proof = [base64.b64decode(h) for h in second["previous"]["consistency_proof"]]
    assert verify_consistency(3, 4, base64.b64decode(first["root_hash"]),
                              base64.b64decode(second["root_hash"]), proof)
    assert sorted(p.name for p in home.checkpoints_dir.iterdir()) == ["3.note", "4.note"]


def test_checkpoint_refuses_a_rewritten_log(tmp_path, archive):
    """A leaf changed after a checkpoint: the next checkpoint is refused, exit 1, one line."""
    home = copy_archive(archive, tmp_path / "home")
    run_cli(home.path, "checkpoint")
    ((index, leaf),) = sql(home, ("SELECT leaf_index, leaf FROM log WHERE leaf_index = 1",))[0]
    forged = leaf.replace(b'"type":"response"', b'"type":"resource"')
    assert forged != leaf
    sql(home, ("UPDATE log SET leaf = ?, leaf_hash = ? WHERE leaf_index = 1",
               (forged, hashlib.sha256(b"\x00" + forged).digest())))
    result = run_cli(home.path, "checkpoint")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "first 3 leaves are not those" in result.stderr
    assert [p.name for p in home.checkpoints_dir.iterdir()] == ["3.note"]


def test_checkpoint_refuses_a_rolled_back_log(tmp_path, archive):
    """Leaves removed below the latest checkpoint: refused, exit 1."""
    home = copy_archive(archive, tmp_path / "home")
    run_cli(home.path, "checkpoint")
    sql(home, ("DELETE FROM log WHERE leaf_index = 2",))
    result = run_cli(home.path, "checkpoint")
    assert result.exit_code == 1 and "rolled back" in result.stderr


def test_checkpoint_refuses_a_log_with_a_gap(tmp_path, archive):
    """A missing leaf in the middle: nothing is signed."""
    home = copy_archive(archive, tmp_path / "home")
    sql(home, ("DELETE FROM log WHERE leaf_index = 1",))
    result = run_cli(home.path, "checkpoint")
    assert result.exit_code == 1 and "no leaf 1" in result.stderr
    assert not home.checkpoints_dir.exists() or not list(home.checkpoints_dir.iterdir())


# --- time-stamps ---------------------------------------------------------------------------


def test_checkpoint_tsa_token_is_stored_and_openssl_accepts_it(tmp_path, archive, tsa):
    """checkpoint --tsa stores the token document beside the note; openssl ts -verify agrees."""
    home = copy_archive(archive, tmp_path / "home")
    result = run_cli(home.path, "checkpoint", "--tsa", tsa.url, "--tsa-ca", str(tsa.root_pem),
                     "--json")
    assert result.exit_code == 0, result.stderr
    (document,) = json_lines(result.stdout)
    stamp = document["timestamp"]
    assert stamp["root_source"] == "tsa-ca" and stamp["skew_flagged"] is False
    stored = json.loads(Path(stamp["file"]).read_text())
    schemas.validate(stored, "timestamp")
    assert stored["subject"] == {"kind": "checkpoint", "tree_size": 3}
    assert json.loads(sql(home, ("SELECT timestamp FROM checkpoints",))[0][0][0]) == stored
    note = (home.checkpoints_dir / "3.note").read_bytes()
    checked = openssl_ts_verify(tmp_path / "openssl", stored, note)
    assert checked.returncode == 0 and "Verification: OK" in checked.stdout, checked.stderr
    assert openssl_ts_verify(tmp_path / "other", stored, note + b" ").returncode != 0
    assert run_cli(home.path, "verify").exit_code == 0


def test_capture_tsa_stamps_each_leaf(tmp_path, served, tsa):
    """capture --tsa: a token over each capture's leaf, in the catalog and a file."""
    home = ArchiveHome(tmp_path / "home")
    result = run_cli(home.path, "capture", *ALLOW, "--json", "--tsa", tsa.url,
                     served.url(PAGES[1]), served.url(PAGES[2]))
    assert result.exit_code == 0, result.stderr
    ids = [line["capture_id"] for line in json_lines(result.stdout)]
    with home.open_catalog() as catalog:
        stored = dict(catalog.capture_timestamps())
        for capture_id in ids:
            document = json.loads(stored[capture_id])
            assert document == json.loads((home.timestamps_dir / f"{capture_id}.json").read_text())
            entry = catalog.log_entry(capture_id)
            assert document["subject"] == {"kind": "capture", "capture_id": capture_id,
                                           "leaf_index": entry.index}
            assert document["root_source"] == "tsa-chain"  # no --tsa-ca: the TSA's own root
            checked = openssl_ts_verify(tmp_path / capture_id, document, entry.leaf)
            assert checked.returncode == 0, checked.stdout + checked.stderr
    verified = run_cli(home.path, "verify", "--json")
    assert verified.exit_code == 0, verified.stdout
    notes = json_lines(verified.stdout)[0]["notes"]
    assert any(n["kind"] == "timestamp-root" and "as sent by the TSA" in n["message"]
               for n in notes)


@pytest.mark.parametrize("down", ["http-error", "closed-port"])
def test_a_tsa_that_is_down_keeps_the_capture(tmp_path, served, down):
    """The capture is kept and listed; the failure is reported per capture, exit 1."""
    home = tmp_path / "home"
    if down == "http-error":
        with LocalTSA(tmp_path, mode="http-error") as broken:
            result = run_cli(home, "capture", *ALLOW, "--json", "--tsa", broken.url,
                             served.url(PAGES[1]))
    else:
        result = run_cli(home, "capture", *ALLOW, "--json", "--tsa", "http://127.0.0.1:9/tsa",
                         served.url(PAGES[1]))
    assert result.exit_code == 1
    (line,) = json_lines(result.stdout)
    assert f"capture {line['capture_id']}" in result.stderr
    assert "is kept, but its time-stamp failed" in result.stderr
    listed = json_lines(run_cli(home, "list", "--json").stdout)
    assert [row["capture_id"] for row in listed] == [line["capture_id"]]
    assert run_cli(home, "verify").exit_code == 0


def test_skew_over_ten_minutes_is_flagged(tmp_path, archive, tsa):
    """A local clock 20 minutes slow: the token is kept, flagged, and verify warns."""
    home = copy_archive(archive, tmp_path / "home")
    slow = lambda: datetime.now(timezone.utc) - timedelta(minutes=20)  # noqa: E731
    outcome = make_checkpoint(home, tsa=TsaOptions.from_arguments(tsa.url, tsa.root_pem),
                              clock=slow)
    assert outcome.document["timestamp"]["skew_flagged"] is True
    assert outcome.document["timestamp"]["skew_seconds"] > 1100
    report = json_lines(run_cli(home.path, "verify", "--json").stdout)[0]
    assert report["ok"] is True
    assert [w["kind"] for w in report["warnings"]] == ["timestamp-skew"]


def test_tsa_ca_needs_tsa(tmp_path, tsa):
    """--tsa-ca alone is a usage error."""
    result = run_cli(tmp_path, "checkpoint", "--tsa-ca", str(tsa.root_pem))
    assert result.exit_code == 2 and "--tsa-ca needs --tsa" in result.stderr


def test_a_checkpoint_hidden_from_the_catalog_still_binds(tmp_path, archive):
    """Its row deleted and the log rewritten: the file still makes the checkpoint refuse."""
    home = copy_archive(archive, tmp_path / "home")
    run_cli(home.path, "checkpoint")
    sql(home, ("DELETE FROM checkpoints",), ("DELETE FROM log WHERE leaf_index = 2",))
    result = run_cli(home.path, "checkpoint")
    assert result.exit_code == 1 and "3.note commits to 3" in result.stderr


def test_a_hanging_or_dead_tsa_is_not_asked_forever(tmp_path, served):
    """After three failures in a row the rest of the batch is not time-stamped, at once."""
    home = tmp_path / "home"
    urls = [served.url(page) for page in PAGES]
    result = run_cli(home, "capture", *ALLOW, "--workers", "1", "--tsa",
                     "http://127.0.0.1:9/tsa", *urls)
    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if "time-stamp failed" in line]
    assert len(failed) == len(urls)
    assert sum("not asked: the TSA failed 3 times in a row" in line for line in failed) == 2
    assert len(json_lines(run_cli(home, "list", "--json").stdout)) == len(urls)
