"""verify BUNDLE.wacz: tampered bundles fail and say what failed; foreign WACZ files.

Most tampering is followed by re-signing the bundle with the archive's own WACZ key
(``resign``: new hashes in datapackage.json, a new digest and signature), as someone
holding that key could: the failure is then the evidence check itself, not just the
signature. The bundle comes from tests/test_export.py's module fixtures.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from archiver import bundlecheck, bundleevidence
from archiver.keys import load_wacz_key
from archiver.wacz import WaczSigner
from tests.helpers import json_lines, run_cli
from tests.test_export import _built, _exported, _served, entries, verify_json  # noqa: F401
from tests.test_wacz import break_deflate
from tests.tsa import local_tsa  # noqa: F401

Change = Callable[[bytes], bytes]


def resign(bundle: Path, out: Path, *, changes: dict[str, Change] | None = None,
           remove: tuple[str, ...] = (), signer: WaczSigner | None = None) -> Path:
    """A copy of ``bundle`` with entries changed or removed, its datapackage.json brought
    up to date and signed by ``signer`` (unsigned when None)."""
    changes = changes or {}
    with zipfile.ZipFile(bundle) as source:
        infos = [info for info in source.infolist() if info.filename not in remove]
        data = {info.filename: changes.get(info.filename, lambda d: d)(source.read(info))
                for info in infos}
    package = json.loads(data["datapackage.json"])
    package["resources"] = [
        {**resource, "hash": "sha256:" + hashlib.sha256(data[resource["path"]]).hexdigest(),
         "bytes": len(data[resource["path"]])}
        for resource in package["resources"] if resource["path"] in data]
    data["datapackage.json"] = json.dumps(package, indent=2).encode()
    digest = {"path": "datapackage.json",
              "hash": "sha256:" + hashlib.sha256(data["datapackage.json"]).hexdigest()}
    if signer is not None:
        digest["signedData"] = signer.signed_data(digest["hash"], created=package["created"],
                                                  software=package["software"])
    data["datapackage-digest.json"] = json.dumps(digest, indent=2).encode()
    with zipfile.ZipFile(out, "w") as target:
        for info in infos:
            target.writestr(info, data[info.filename])
    return out


@pytest.fixture(name="bundle")
def _bundle(exported):
    return exported["path"]


@pytest.fixture(name="signer")
def _signer(exported):
    """The archive's own WACZ key, as a tamperer holding it would use it."""
    return WaczSigner(load_wacz_key(exported["home"].keys_dir).private_key)


def failures(bundle: Path) -> list[tuple[str, str]]:
    """(kind, file) of each problem; verify must exit 1."""
    code, report = verify_json(bundle)
    assert code == 1 and not report["ok"]
    return [(problem["kind"], problem["file"].rpartition("!/")[2])
            for problem in report["problems"]]


def names(bundle: Path, prefix: str) -> list[str]:
    return sorted(name for name in entries(bundle) if name.startswith(prefix))


def test_untouched_bundle_verifies(bundle):
    assert verify_json(bundle)[0] == 0


# --- one byte ------------------------------------------------------------------------------


def test_one_byte_in_a_warc(tmp_path, bundle):
    """A flipped byte in a WARC: the entry's CRC-32 and the damaged gzip member are named."""
    warc = names(bundle, "archive/")[0]
    with zipfile.ZipFile(bundle) as source:
        info = source.getinfo(warc)
    raw = bytearray(bundle.read_bytes())
    name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:
                                                         info.header_offset + 30])
    raw[info.header_offset + 30 + name_length + extra_length + 400] ^= 0x01
    (tmp_path / "t.wacz").write_bytes(bytes(raw))
    found = failures(tmp_path / "t.wacz")
    assert ("corrupt-entry", warc) in found  # the ZIP's CRC-32
    assert any(kind in ("corrupt-gzip-member", "bad-gzip-trailer") and entry == warc
               for kind, entry in found)  # and which record, read in place


def test_one_byte_in_a_record_resigned(tmp_path, bundle, signer):
    """A changed byte in a response body, its gzip member rebuilt and the bundle re-signed:
    the record's digests fail, naming the entry and the record."""
    warc = names(bundle, "archive/")[0]

    def change(data: bytes) -> bytes:
        members, out = _members(data), []
        for member in members:
            text = gzip.decompress(member)
            if b"WARC-Type: response" in text and b"</html>" in text:
                text = text.replace(b"</html>", b"</htmL>", 1)
                member = gzip.compress(text, mtime=0)
            out.append(member)
        return b"".join(out)

    code, report = verify_json(resign(bundle, tmp_path / "t.wacz", changes={warc: change},
                                      signer=signer))
    assert code == 1
    kinds = {(p["kind"], p["file"].rpartition("!/")[2]) for p in report["problems"]}
    assert ("block-digest-mismatch", warc) in kinds
    assert ("payload-digest-mismatch", warc) in kinds
    assert all(p["record_id"] for p in report["problems"] if p["kind"] == "block-digest-mismatch")


def test_one_byte_in_datapackage(tmp_path, bundle):
    files = entries(bundle)
    _write(tmp_path / "t.wacz", bundle,
           {"datapackage.json": files["datapackage.json"].replace(b'"bytes": ', b'"bytes":  ', 1)})
    assert failures(tmp_path / "t.wacz") == [("hash-mismatch", "datapackage.json")]


def test_one_byte_in_a_proof(tmp_path, bundle, signer):
    """A changed audit-path node: the proof no longer leads to the checkpoint's root."""
    proof = names(bundle, "evidence/proof-")[0]

    def change(data: bytes) -> bytes:
        document = json.loads(data)
        node = bytearray(base64.b64decode(document["proof"][0]))
        node[0] ^= 0x01
        document["proof"][0] = base64.b64encode(node).decode()
        return json.dumps(document).encode()

    found = failures(resign(bundle, tmp_path / "t.wacz", changes={proof: change}, signer=signer))
    assert found == [("proof-invalid", proof)]


def test_one_byte_in_a_checkpoint(tmp_path, bundle, signer):
    """A changed root in the latest note: its signature fails, so nothing is proved."""
    note = "evidence/checkpoint-7.note"

    def change(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[2] = bytes([lines[2][0] ^ 0x01]) + lines[2][1:]
        return b"\n".join(lines)

    code, report = verify_json(resign(bundle, tmp_path / "t.wacz", changes={note: change},
                                      signer=signer))
    assert code == 1
    found = [(p["kind"], p["file"].rpartition("!/")[2]) for p in report["problems"]]
    assert ("checkpoint-invalid", note) in found
    assert not any(c["proved"] for c in report["bundle"]["evidence"]["captures"])


# --- the log -------------------------------------------------------------------------------


def test_rolled_back_to_an_older_checkpoint(tmp_path, bundle, signer):
    """The latest checkpoint removed: every proof is for a tree the bundle no longer signs,
    and the earlier checkpoints' consistency proofs lead nowhere."""
    removed = ("evidence/checkpoint-7.note", "evidence/checkpoint-7.timestamp.json")
    found = failures(resign(bundle, tmp_path / "t.wacz", remove=removed, signer=signer))
    proofs = names(bundle, "evidence/proof-")
    assert sorted(entry for kind, entry in found if kind == "proof-checkpoint-mismatch") == proofs
    assert ("checkpoint-inconsistent", "evidence/consistency-3.json") in found


def test_leaf_deleted(tmp_path, bundle, signer):
    """A capture's proof removed: its records are in the bundle, unproved."""
    proof = names(bundle, "evidence/proof-")[2]
    capture_id = proof.removeprefix("evidence/proof-").removesuffix(".json")
    code, report = verify_json(resign(bundle, tmp_path / "t.wacz", remove=(proof,),
                                      signer=signer))
    assert code == 1
    assert [(p["kind"], p["file"].rpartition("!/")[2]) for p in report["problems"]] == [
        ("evidence-missing", proof)]
    (unproved,) = [c for c in report["bundle"]["evidence"]["captures"] if not c["proved"]]
    assert unproved["capture_id"] == capture_id and unproved["records"] > 0


def test_leaves_reordered(tmp_path, bundle, signer):
    """Two captures' leaf indexes (and audit paths) swapped: neither proof holds."""
    first, second = names(bundle, "evidence/proof-")[:2]
    files = entries(bundle)
    one, two = json.loads(files[first]), json.loads(files[second])

    def swapped(document: dict, other: dict) -> Change:
        moved = {**document, "leaf_index": other["leaf_index"], "proof": other["proof"]}
        return lambda data: json.dumps(moved).encode()

    found = failures(resign(bundle, tmp_path / "t.wacz", signer=signer,
                            changes={first: swapped(one, two), second: swapped(two, one)}))
    assert sorted(found) == [("proof-invalid", first), ("proof-invalid", second)]


def test_leaf_rewritten_with_its_hash(tmp_path, bundle, signer):
    """A leaf saying another URL, its leaf_hash recomputed: the path leads elsewhere, and
    the records do not say that leaf."""
    proof = names(bundle, "evidence/proof-")[0]

    def change(data: bytes) -> bytes:
        document = json.loads(data)
        document["leaf"] = document["leaf"].replace("http://", "https://")
        digest = hashlib.sha256(b"\x00" + document["leaf"].encode()).digest()
        document["leaf_hash"] = base64.b64encode(digest).decode()
        return json.dumps(document).encode()

    found = failures(resign(bundle, tmp_path / "t.wacz", changes={proof: change}, signer=signer))
    assert sorted(found) == [("log-leaf-mismatch", proof), ("proof-invalid", proof)]


def test_provenance_rewritten(tmp_path, bundle, signer):
    entry = names(bundle, "evidence/provenance-")[0]
    found = failures(resign(bundle, tmp_path / "t.wacz", signer=signer,
                            changes={entry: lambda data: data.replace(b"127.0.0.1", b"10.0.0.1")}))
    assert found == [("provenance-mismatch", entry)]


def test_lone_surrogate_in_provenance_is_printed_escaped(tmp_path, bundle, signer):
    """A JSON escape of half a UTF-16 pair is no UTF-8 character: both reports show it as
    its escape instead of failing to print."""
    entry = names(bundle, "evidence/provenance-")[0]

    def change(data: bytes) -> bytes:
        return json.dumps({**json.loads(data), "url": "\ud800"}).encode()

    out = resign(bundle, tmp_path / "t.wacz", signer=signer, changes={entry: change})
    code, report = verify_json(out)
    assert code == 1
    assert "\ud800" in [c["url"] for c in report["bundle"]["evidence"]["captures"]]
    text = run_cli(tmp_path / "no-home", "verify", str(out))
    assert text.exit_code == 1 and "  \\ud800" in text.stdout


def test_capture_token_swapped_for_another(tmp_path, bundle, signer):
    """The checkpoint's token put in place of a capture's: it time-stamps other bytes."""
    (stamp,) = names(bundle, "evidence/timestamp-")
    other = entries(bundle)["evidence/checkpoint-7.timestamp.json"]
    found = failures(resign(bundle, tmp_path / "t.wacz", signer=signer,
                            changes={stamp: lambda data: other}))
    assert found == [("timestamp-invalid", stamp)]


# --- the signature -------------------------------------------------------------------------


def test_signed_by_another_key(tmp_path, bundle):
    stranger = WaczSigner(ec.generate_private_key(ec.SECP384R1()))
    assert failures(resign(bundle, tmp_path / "t.wacz", signer=stranger)) == [
        ("signer-mismatch", str(tmp_path / "t.wacz"))]


def test_signature_stripped(tmp_path, bundle):
    assert failures(resign(bundle, tmp_path / "t.wacz")) == [
        ("bundle-unsigned", str(tmp_path / "t.wacz"))]


def test_text_report_names_what_failed(tmp_path, bundle, signer):
    proof = names(bundle, "evidence/proof-")[0]
    out = resign(bundle, tmp_path / "t.wacz", remove=(proof,), signer=signer)
    result = run_cli(tmp_path / "no-home", "verify", str(out))
    assert result.exit_code == 1
    assert f"problem: {out}!/{proof}: {proof} is missing from the bundle" in result.stdout
    assert "NOT proved" in result.stdout and "NOT verified" in result.stdout


# --- hostile ZIPs go through check_wacz first ------------------------------------------------


@pytest.mark.parametrize("hostile", ["traversal", "duplicate", "bomb"])
def test_hostile_zip_is_refused_unread(tmp_path, bundle, hostile):
    out = tmp_path / "t.wacz"
    if hostile == "bomb":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target, \
                target.open("archive/data.warc", "w") as stream:
            for _ in range(100):
                stream.write(bytes(1 << 20))
        expected = ("zip-bomb", str(out))
    else:
        name = "../evil.json" if hostile == "traversal" else "datapackage.json"
        with pytest.warns(UserWarning) if hostile == "duplicate" else nullcontext():
            _write(out, bundle, {}, add={name: b"{}"})
        expected = ("unsafe-path" if hostile == "traversal" else "duplicate-entry", name)
    code, report = verify_json(out)
    assert code == 1
    assert [(p["kind"], p["file"].rpartition("!/")[2]) for p in report["problems"]] == \
        [expected]
    assert report["files"] == [] and report["bundle"]["evidence"] is None


def test_broken_deflate_in_evidence_is_a_corrupt_entry(tmp_path, bundle):
    """An evidence entry zlib cannot inflate is named by both checks, not a traceback."""
    out = _write(tmp_path / "t.wacz", bundle, {})
    break_deflate(out, "evidence/verifier.key")
    assert failures(out).count(("corrupt-entry", "evidence/verifier.key")) == 2


def deflated(bundle: Path, out: Path, change: Change = lambda data: data) -> Path:
    """A copy of ``bundle`` whose WARC entries are deflated (WACZ stores them), their
    bytes passed through ``change``; the rest, signature included, as it was."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("archive/"):
                info.compress_type, data = zipfile.ZIP_DEFLATED, change(data)
            target.writestr(info, data)
    return out


def test_a_deflated_warc_is_inflated_and_checked(tmp_path, bundle):
    """Not the WACZ layout, so a warning; but every record is still checked, and the
    bundle verifies when nothing else is wrong."""
    code, report = verify_json(deflated(bundle, tmp_path / "t.wacz"))
    assert code == 0, report["problems"]
    assert {w["kind"] for w in report["warnings"]} >= {"warc-deflated"}
    assert report["files"] and all(f["digests"]["checked"] > 0 for f in report["files"])
    assert sum(f["records"] for f in report["files"]) == \
        sum(f["records"] for f in verify_json(bundle)[1]["files"])


def test_a_changed_record_in_a_deflated_warc_is_named(tmp_path, bundle):
    """A byte flipped inside a deflated WARC: its gzip member is named, at its offset
    within the entry's inflated bytes."""
    warc = names(bundle, "archive/")[0]
    flip = lambda data: data[:400] + bytes([data[400] ^ 1]) + data[401:]  # noqa: E731
    found = failures(deflated(bundle, tmp_path / "t.wacz", flip))
    assert ("hash-mismatch", warc) in found  # datapackage.json's hash of the entry
    assert any(kind in ("corrupt-gzip-member", "bad-gzip-trailer") and entry == warc
               for kind, entry in found)


@pytest.mark.parametrize(("data", "kind"), [(b"", "empty-file"), (b"not a WARC", "not-a-warc")])
def test_entry_in_archive_that_is_no_warc(tmp_path, bundle, data, kind):
    """A problem of a whole WARC entry is at its offset 0, and the report validates."""
    out = _write(tmp_path / "t.wacz", bundle, {}, add={"archive/notes.warc": data})
    code, report = verify_json(out)
    assert code == 1
    assert [(p["kind"], p["offset"]) for p in report["problems"]
            if p["file"].endswith("!/archive/notes.warc") and p["offset"] is not None] == \
        [(kind, 0)]


# --- foreign WACZ files --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["valid_signed_example_1", "invalid_signed_example_1"])
def test_browsertrix_signed_wacz_is_read(corpus, name):
    """authsign's domain signature is reported; the records are checked; no evidence."""
    path = corpus / "real-wacz" / f"py-wacz__{name}.wacz"
    result = run_cli(path.parent / "no-home", "verify", "--json", str(path))
    assert result.exit_code == 0, result.output
    (report,) = json_lines(result.stdout)
    signature = report["bundle"]["signature"]
    assert (signature["form"], signature["verified"], signature["domain"],
            signature["chain_valid"], signature["trusted"]) == (
        "domain-certificate", True, "btrix-sign-test.webrecorder.net", True, None)
    assert signature["timestamp"].startswith("2022-01-18T")
    assert report["bundle"]["evidence"] is None
    assert {"no-evidence", "trust-not-evaluated"} <= {n["kind"] for n in report["notes"]}
    assert report["summary"]["records"] > 0 and report["summary"]["digests_passed"] > 0
    text = run_cli(path.parent / "no-home", "verify", str(path)).stdout
    assert "signed by domain btrix-sign-test.webrecorder.net" in text
    assert "no archiver evidence" in text


def test_unsigned_foreign_wacz(corpus):
    """py-wacz's WACZ 1.0.0 example: a gzip WARC named .warc, read in place; no signature."""
    path = corpus / "real-wacz" / "py-wacz__valid_example_1.wacz"
    code, report = verify_json(path)
    assert code == 0, report["problems"]
    (warc,) = report["files"]
    assert (warc["compression"], warc["version"], warc["ok"]) == ("gzip", "WARC/1.0", True)
    assert warc["records"] > 0 and report["bundle"]["signature"] is None


# --- helpers -------------------------------------------------------------------------------


def _members(data: bytes) -> list[bytes]:
    """The gzip members of a WARC (each record is one)."""
    members = []
    while data:
        inflater = zlib.decompressobj(31)
        inflater.decompress(data)
        used = len(data) - len(inflater.unused_data)
        members.append(data[:used])
        data = data[used:]
    return members


def _write(out: Path, bundle: Path, changes: dict[str, bytes],
           add: dict[str, bytes] | None = None) -> Path:
    """A copy of ``bundle`` with entries replaced or added, not re-signed."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, changes.get(info.filename, source.read(info)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out


def test_oversized_evidence_is_not_read(bundle, monkeypatch):
    """An evidence file over the limit is refused by its size, before it is read."""
    monkeypatch.setattr(bundleevidence, "MAX_EVIDENCE_BYTES", 1000)
    report = bundlecheck.verify_bundle(bundle)
    oversized = {p.file.rpartition("!/")[2] for p in report.records.problems
                 if p.kind == "evidence-invalid"}
    assert oversized and all(name.startswith("evidence/") for name in oversized)
    assert "evidence/verifier.key" not in oversized  # a few bytes


