"""Regenerate examples/{leaf,keys,checkpoint}.json and examples/proof.jsonl.

The same two example captures as make_examples.py (fixed clock, ids and host), logged,
with keys made from fixed seeds so the output is stable (never use such keys for real):

    python examples/make_evidence_examples.py
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from make_examples import ORIGIN, PAGES, SiteFetcher

from archiver.capture import Capturer, CaptureSettings
from archiver.evidence import CheckpointOutcome, keys_document, make_checkpoint
from archiver.home import ArchiveHome
from archiver.ledger import consistency_document, inclusion_document, load_tree
from archiver.signednote import key_id, verifier_key
from archiver.testing import FixedClock, fixed_capture_ids, fixed_ids

HERE = Path(__file__).resolve().parent
KEY_NAME = "harbour-gazette.example/archive"
ED25519_SEED = bytes(range(32))  # an example, not a secret
P384_SECRET = int.from_bytes(bytes(range(1, 49)), "big")


def write_example_keys(home: ArchiveHome) -> None:
    """The two keys, in the files ``archiver keys init`` writes, from fixed seeds."""
    directory = home.keys_dir
    directory.mkdir(mode=0o700, parents=True)
    os.chmod(directory, 0o700)
    public = Ed25519PrivateKey.from_private_bytes(ED25519_SEED).public_key()
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    signer = base64.b64encode(b"\x01" + ED25519_SEED).decode()
    files = {
        "signing.key": (f"PRIVATE+KEY+{KEY_NAME}+{key_id(KEY_NAME, raw):08x}+{signer}\n"
                        .encode(), 0o600),
        "verifier.key": ((verifier_key(KEY_NAME, raw) + "\n").encode(), 0o644),
    }
    wacz = ec.derive_private_key(P384_SECRET, ec.SECP384R1())
    files["wacz-signing.pem"] = (wacz.private_bytes(Encoding.PEM, PrivateFormat.PKCS8,
                                                    NoEncryption()), 0o600)
    files["wacz-public.pem"] = (wacz.public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo), 0o644)
    for name, (data, mode) in files.items():
        (directory / name).write_bytes(data)
        os.chmod(directory / name, mode)


def capture_examples(home: ArchiveHome, clock: FixedClock) -> tuple[list, CheckpointOutcome]:
    """The two example captures (fixed keys, clock, ids), a checkpoint between them."""
    write_example_keys(home)
    with Capturer(home=home, settings=CaptureSettings(user_agent="archiver-example"),
                  clock=clock, new_capture_id=fixed_capture_ids(),
                  new_record_id=fixed_ids(), host="example-host",
                  platform="example-platform", fetcher=SiteFetcher()) as capturer:
        rows = [capturer.capture(ORIGIN + PAGES[0])]
        first = make_checkpoint(home, clock=clock)
        rows.append(capturer.capture(ORIGIN + PAGES[1]))
    return rows, first


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)  # relative paths only, so no machine path lands in the examples
        home = ArchiveHome(Path("archive"))
        clock = FixedClock()
        _rows, first = capture_examples(home, clock)
        second = make_checkpoint(home, clock=clock)
        with home.open_catalog() as catalog:
            entries = list(catalog.log_entries())
            tree = load_tree(catalog)
        assert first.new and second.new
        (HERE / "leaf.json").write_text(
            json.dumps(json.loads(entries[0].leaf), indent=2, sort_keys=True) + "\n")
        (HERE / "keys.json").write_text(
            json.dumps(keys_document(home), indent=2, sort_keys=True) + "\n")
        (HERE / "checkpoint.json").write_text(
            json.dumps(second.document, indent=2, sort_keys=True) + "\n")
        proofs = [inclusion_document(tree, entries[0], tree.size),
                  consistency_document(tree, 1, tree.size)]
        (HERE / "proof.jsonl").write_text(
            "".join(json.dumps(proof, sort_keys=True) + "\n" for proof in proofs))


if __name__ == "__main__":
    main()
