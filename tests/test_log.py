"""The transparency log in the archive: leaves, rebuild, tampering, and what verify says."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import sqlite3

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver import schemas
from archiver.capture import Capturer
from archiver.catalog import Catalog
from archiver.errors import ArchiverError, CatalogError
from archiver.evidence import capture_evidence, init_keys, make_checkpoint
from archiver.hashing import canonical_json
from archiver.home import ArchiveHome
from archiver.ledger import consistency_document, inclusion_document, load_tree
from archiver.merkle import leaf_hash, verify_consistency, verify_inclusion
from archiver.signednote import verify_checkpoint
from archiver.testing import LoopbackSite
from archiver.warc import RecordSpec, gzip_member, record_bytes
from archiver.warcread import WarcReader
from tests.archives import PAGES, SETTINGS, build_evidence_archive, capture, copy_archive, sql
from tests.conftest import EXAMPLES
from tests.helpers import json_lines, run_cli
from tests.tsa import local_tsa  # noqa: F401


@pytest.fixture(name="served", scope="module")
def _served():
    with LoopbackSite(EXAMPLES / "site") as site:
        yield site


@pytest.fixture(name="built", scope="module")
def _built(tmp_path_factory, served, tsa):
    """Keys, 5 captures, checkpoints 3 and 5 (time-stamped), one capture time-stamped."""
    return build_evidence_archive(tmp_path_factory.mktemp("log") / "home", served, tsa)


@pytest.fixture(name="home")
def _home(tmp_path, built):
    """A private copy of the built archive."""
    return copy_archive(built["home"].path, tmp_path / "home")


def verify(home: ArchiveHome) -> tuple[int, dict]:
    result = run_cli(home.path, "verify", "--json")
    return result.exit_code, json_lines(result.stdout)[0]


def problems(report: dict) -> list[tuple[str, str]]:
    return [(p["kind"], p["message"]) for p in report["problems"]]


def independent_leaves(home: ArchiveHome) -> dict[str, bytes]:
    """Each capture's leaf built from warcio's reading of the WARC files, by the schema's
    description alone."""
    records: dict[str, list[dict]] = {}
    documents: dict[str, dict] = {}
    for path in sorted(home.warc_dir.iterdir()):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, no_record_parse=True):
                head = record.rec_headers
                capture_id = head.get_header("Archiver-Capture-ID")
                if capture_id is None:
                    continue
                entry = {"record_id": head.get_header("WARC-Record-ID"),
                         "type": head.get_header("WARC-Type"),
                         "block_sha256": head.get_header("WARC-Block-Digest"),
                         "block_blake3": head.get_header("Archiver-Block-Digest")}
                for name, field in (("payload_sha256", "WARC-Payload-Digest"),
                                    ("payload_blake3", "Archiver-Payload-Digest")):
                    if head.get_header(field):
                        entry[name] = head.get_header(field)
                records.setdefault(capture_id, []).append(entry)
                block = record.raw_stream.read()
                if entry["type"] == "metadata":
                    documents[capture_id] = json.loads(block)
    leaves = {}
    for capture_id, found in records.items():
        document = documents[capture_id]
        leaf = {"schema_version": "1", "capture_id": capture_id, "url": document["url"],
                "final_url": document["final_url"], "captured_at": document["captured_at"],
                "records": found}
        leaves[capture_id] = json.dumps(leaf, sort_keys=True, separators=(",", ":"),
                                        ensure_ascii=False).encode()
    return leaves


# --- the log as written ----------------------------------------------------------------


def test_each_capture_has_one_leaf_recomputable_from_its_warc_records(built):
    """Leaves 0..4 in capture order; each validates and equals an independent rebuild."""
    home, rows = built["home"], built["rows"]
    expected = independent_leaves(home)
    with home.open_catalog() as catalog:
        entries = list(catalog.log_entries())
        assert [e.index for e in entries] == list(range(5))
        assert [e.capture_id for e in entries] == [row.capture_id for row in rows]
        for entry in entries:
            assert entry.leaf == expected[entry.capture_id]
            assert entry.leaf_hash == hashlib.sha256(b"\x00" + entry.leaf).digest()
            schemas.validate(json.loads(entry.leaf), "leaf")
            assert b".warc.gz" not in entry.leaf and b"offset" not in entry.leaf
        assert catalog.leaf_indexes() == {row.capture_id: i for i, row in enumerate(rows)}


def test_a_failed_leaf_insert_fails_the_whole_capture(tmp_path, served):
    """The leaf and the capture's row commit together: one cannot land without the other."""
    home = ArchiveHome(tmp_path / "home")
    capture(home, [served.url(PAGES[0])])
    for table in ("log", "captures"):
        sql(home, (f"CREATE TRIGGER refuse BEFORE INSERT ON {table} "
                   "BEGIN SELECT RAISE(ABORT, 'refused'); END",))
        with Capturer(home=home, settings=SETTINGS) as capturer, \
                pytest.raises(CatalogError, match="refused"):
            capturer.capture(served.url(PAGES[1]))
        sql(home, ("DROP TRIGGER refuse",))
        assert sql(home, ("SELECT COUNT(*) FROM captures",), ("SELECT COUNT(*) FROM log",)) == \
            [[(1,)], [(1,)]]
    # The refused captures are in the WARC files: a rebuild catalogs and logs them.
    assert run_cli(home.path, "catalog", "rebuild").exit_code == 0
    assert sql(home, ("SELECT COUNT(*) FROM log",)) == [[(3,)]]
    assert run_cli(home.path, "verify").exit_code == 0


def test_verify_passes_and_summarises_the_log(home):
    """A whole archive with checkpoints and tokens verifies, and says what it checked."""
    code, report = verify(home)
    assert code == 0, report["problems"]
    kinds = {note["kind"] for note in report["notes"]}
    assert {"log", "log-key", "timestamp-root"} <= kinds
    (log,) = [n["message"] for n in report["notes"] if n["kind"] == "log"]
    assert log.startswith("log: 5 leaves, root ")


def test_proof_documents_verify_against_the_checkpoints(home):
    """Inclusion and consistency proof documents check out against the signed roots."""
    with home.open_catalog() as catalog:
        tree = load_tree(catalog)
        checkpoints = catalog.checkpoints()
        entry = catalog.log_entry(next(iter(catalog.leaf_indexes())))
    roots = {c.tree_size: c.root_hash for c in checkpoints}
    assert sorted(roots) == [3, 5]
    for size in (3, 5):
        if entry.index >= size:
            continue
        document = inclusion_document(tree, entry, size)
        schemas.validate(document, "proof")
        proof = [base64.b64decode(node) for node in document["proof"]]
        assert verify_inclusion(leaf_hash(document["leaf"].encode()), document["leaf_index"],
                                size, proof, roots[size])
    document = consistency_document(tree, 3, 5)
    schemas.validate(document, "proof")
    assert verify_consistency(3, 5, roots[3], roots[5],
                              [base64.b64decode(node) for node in document["proof"]])


def test_capture_evidence_for_a_bundle(home, built):
    """Proofs against the latest checkpoint, its note and tokens, for the captures asked."""
    ids = [row.capture_id for row in built["rows"]]
    evidence = capture_evidence(home, [ids[0], ids[4]])
    checkpoint = verify_checkpoint(evidence["checkpoint"], evidence["verifier_key"])
    assert checkpoint.size == 5 and evidence["checkpoint_timestamp"] is not None
    for proof in evidence["proofs"]:
        schemas.validate(proof, "proof")
        assert verify_inclusion(leaf_hash(proof["leaf"].encode()), proof["leaf_index"], 5,
                                [base64.b64decode(n) for n in proof["proof"]],
                                checkpoint.root_hash)
    assert list(evidence["capture_timestamps"]) == [ids[4]]
    capture(home, [built["rows"][0].url])
    with pytest.raises(ArchiverError, match="newer than the latest checkpoint"):
        capture_evidence(home, [ids[0], sql(home, ("SELECT capture_id FROM log WHERE "
                                                   "leaf_index = 5",))[0][0][0]])


# --- tampering -------------------------------------------------------------------------


def test_an_edited_leaf_is_named(home):
    """A digest changed in a leaf row (hash recomputed): leaf mismatch and both checkpoints."""
    ((leaf, capture_id),) = sql(home, ("SELECT leaf, capture_id FROM log WHERE leaf_index = 1",))[0]
    document = json.loads(leaf)
    document["records"][1]["block_sha256"] = "sha256:" + "0" * 64
    forged = canonical_json(document)
    sql(home, ("UPDATE log SET leaf = ?, leaf_hash = ? WHERE leaf_index = 1",
               (forged, leaf_hash(forged))))
    code, report = verify(home)
    assert code == 1
    found = problems(report)
    assert ("log-leaf-mismatch", f"leaf 1 (capture {capture_id}) is not what the capture's WARC "
            f"records say: records[1].block_sha256 is 'sha256:{'0' * 64}' in the leaf but "
            f"{json.loads(leaf)['records'][1]['block_sha256']!r} in the WARC") in found
    inconsistent = [m for k, m in found if k == "checkpoint-inconsistent"]
    assert len(inconsistent) == 2  # one per checkpoint (its row and file are the same note)
    assert inconsistent[0].startswith("checkpoint 3 in the catalog does not match the log: its "
                                      "first 3 leaves were changed")


def test_a_deleted_leaf_is_named(home):
    """Leaf 2 deleted: its index and its capture are named, and the checkpoints fail."""
    ((capture_id,),) = sql(home, ("SELECT capture_id FROM log WHERE leaf_index = 2",))[0]
    sql(home, ("DELETE FROM log WHERE leaf_index = 2",))
    code, report = verify(home)
    assert code == 1
    found = problems(report)
    assert ("log-leaf-missing", "leaf 2 is missing from the log (deleted): the stored leaves "
            "jump from 1 to 3") in found
    assert ("log-leaf-missing", f"capture {capture_id} has no leaf in the log") in found
    assert {"checkpoint-inconsistent"} <= {kind for kind, _ in found}


def test_swapped_leaves_are_named(home):
    """Leaves 0 and 1 swapped: each capture and index is named; the checkpoints fail."""
    (rows,) = sql(home, ("SELECT leaf_index, capture_id FROM log WHERE leaf_index < 2 "
                         "ORDER BY leaf_index",))
    sql(home, ("UPDATE log SET leaf_index = -1 WHERE leaf_index = 0",),
        ("UPDATE log SET leaf_index = 0 WHERE leaf_index = 1",),
        ("UPDATE log SET leaf_index = 1 WHERE leaf_index = -1",))
    code, report = verify(home)
    assert code == 1
    found = problems(report)
    assert ("log-leaf-moved", f"leaf 0 holds capture {rows[1][1]}, which the catalog recorded "
            "at leaf 1: leaves were reordered") in found
    assert ("log-leaf-moved", f"leaf 1 holds capture {rows[0][1]}, which the catalog recorded "
            "at leaf 0: leaves were reordered") in found
    assert sum(kind == "checkpoint-inconsistent" for kind, _ in found) == 2


def test_a_fully_consistent_reorder_is_caught_by_the_checkpoints(home):
    """Swapped leaves with the catalog's leaf indexes swapped too: only checkpoints see it."""
    (rows,) = sql(home, ("SELECT leaf_index, capture_id FROM log WHERE leaf_index < 2",))
    sql(home, ("UPDATE log SET leaf_index = -1 WHERE leaf_index = 0",),
        ("UPDATE log SET leaf_index = 0 WHERE leaf_index = 1",),
        ("UPDATE log SET leaf_index = 1 WHERE leaf_index = -1",),
        ("UPDATE captures SET leaf_index = 1 - leaf_index WHERE leaf_index < 2",))
    code, report = verify(home)
    assert code == 1
    assert {kind for kind, _ in problems(report)} == {"checkpoint-inconsistent"}
    assert run_cli(home.path, "checkpoint").exit_code == 1


def test_a_log_rolled_back_below_a_checkpoint(home):
    """The last two leaves removed: checkpoint 5 commits to more leaves than the log has."""
    sql(home, ("DELETE FROM log WHERE leaf_index >= 3",))
    code, report = verify(home)
    assert code == 1
    rollback = [m for k, m in problems(report) if k == "checkpoint-rollback"]
    assert rollback == ["the log has 3 leaves but checkpoint 5 in the catalog commits to 5: "
                        "leaves were removed after it was signed"]
    assert not [k for k, _ in problems(report) if k == "checkpoint-inconsistent"]


def test_a_flipped_byte_in_a_checkpoint_file(home):
    """The note file no longer verifies and differs from the catalog's copy."""
    path = home.checkpoints_dir / "3.note"
    data = bytearray(path.read_bytes())
    data[data.index(b"\n") + 1] ^= 0x01  # the tree size line: "3" -> "2"
    path.write_bytes(bytes(data))
    code, report = verify(home)
    assert code == 1
    found = [(p["kind"], p["file"], p["message"]) for p in report["problems"]]
    assert ("checkpoint-invalid", str(path), f"{path} differs from the catalog's copy of "
            "checkpoint 3") in found
    assert any(k == "checkpoint-invalid" and f == str(path) and "does not verify" in m
               for k, f, m in found)


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_checkpoint_file_that_is_no_file_is_reported_without_waiting(home, kind):
    """An archive folder handed over may hold a FIFO where a note should be: reading it
    would wait for a writer forever. verify reports the file as unreadable instead, and
    so does rebuild; the verifier key gets the same treatment."""
    path = home.checkpoints_dir / "3.note"
    path.unlink()
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    code, report = verify(home)
    assert code == 1
    assert any(p["file"] == str(path) for p in report["problems"]), report["problems"]
    assert run_cli(home.path, "catalog", "rebuild").exit_code == 0
    key = home.keys_dir / "verifier.key"
    key.unlink()
    os.mkfifo(key) if kind == "fifo" else key.mkdir()
    result = run_cli(home.path, "verify")
    assert result.exit_code in (1, 2) and "Traceback" not in result.output


def test_a_warc_file_replaced_by_a_fifo_is_missing_not_waited_for(home):
    """verify, capture's crash recovery and rebuild list only regular WARC files."""
    warc = home.warc_files()[0]
    warc.unlink()
    os.mkfifo(warc)
    code, report = verify(home)
    assert code == 1 and any("which is not in" in p["message"] for p in report["problems"])
    assert run_cli(home.path, "catalog", "rebuild").exit_code == 0


def test_a_flipped_byte_in_a_checkpoint_row(home):
    """The catalog's note no longer verifies; the file still does."""
    ((note,),) = sql(home, ("SELECT note FROM checkpoints WHERE tree_size = 5",))[0]
    sql(home, ("UPDATE checkpoints SET note = ? WHERE tree_size = 5",
               (note.replace("\n\n", "\n\n", 1)[:-5] + "AAAA\n",)))
    code, report = verify(home)
    assert code == 1
    messages = [m for k, m in problems(report) if k == "checkpoint-invalid"]
    assert any(m.startswith("checkpoint 5 in the catalog does not verify") for m in messages)
    assert any("5.note differs from the catalog's copy" in m for m in messages)


def test_a_deleted_checkpoint_row_is_noticed(home):
    """Hiding a checkpoint from the catalog leaves its file, which verify still checks."""
    sql(home, ("DELETE FROM checkpoints WHERE tree_size = 5",))
    code, report = verify(home)
    assert code == 1
    assert any(k == "checkpoint-invalid" and "5.note is not in the catalog" in m
               for k, m in problems(report))


def test_a_changed_time_stamp_is_named(home):
    """One byte of a stored token changed: it no longer verifies, and the copies differ."""
    (path,) = home.timestamps_dir.iterdir()
    document = json.loads(path.read_text())
    token = bytearray(base64.b64decode(document["token"]))
    token[-1] ^= 0x01  # in the signature (the embedded certificates are not signed)
    document["token"] = base64.b64encode(bytes(token)).decode()
    path.write_text(json.dumps(document))
    code, report = verify(home)
    assert code == 1
    kinds = [(p["kind"], p["file"]) for p in report["problems"]]
    assert kinds.count(("timestamp-invalid", str(path))) == 2  # differs, does not verify


def test_a_record_rewritten_in_the_warc_and_catalog_is_caught_by_the_log(home):
    """The last capture's provenance URL forged, with digests and catalog to match: the
    WARC and catalog checks pass, the stored leaf does not."""
    warc = sorted(home.warc_dir.iterdir())[-1]
    with WarcReader(warc) as reader:
        last = None
        for record in reader:
            block = b"".join(bytes(piece) for piece in record.chunks())
            last = (record.offset, record.header, block)
    offset, header, block = last
    assert header.type == "metadata"
    document = json.loads(block)
    real = document["url"]
    document["url"] = "https://forged.example/"
    skip = {"WARC-Type", "WARC-Record-ID", "WARC-Date", "WARC-Warcinfo-ID", "Content-Type",
            "WARC-Block-Digest", "Archiver-Block-Digest", "Content-Length"}
    spec = RecordSpec(type="metadata", record_id=header.record_id, date=header.get("WARC-Date"),
                      content_type="application/json", block=canonical_json(document),
                      fields=[(n, v) for n, v in header.fields if n not in skip])
    raw, digests = record_bytes(spec, warcinfo_id=header.get("WARC-Warcinfo-ID"))
    member = gzip_member(raw)
    with warc.open("r+b") as stream:
        stream.truncate(offset)
        stream.seek(offset)
        stream.write(member)
    assert gzip.decompress(member) == raw
    sql(home, ("UPDATE records SET block_sha256 = ?, block_blake3 = ?, length = ? "
               "WHERE record_id = ?", (digests["block_sha256"], digests["block_blake3"],
                                       len(member), header.record_id)),
        ("UPDATE captures SET url = ?, provenance = ? WHERE capture_id = ?",
         (document["url"], canonical_json(document).decode(), document["capture_id"])))
    code, report = verify(home)
    assert code == 1
    assert problems(report) == [(
        "log-leaf-mismatch", f"leaf 4 (capture {document['capture_id']}) is not what the "
        f"capture's WARC records say: url is {real!r} in the leaf but "
        "'https://forged.example/' in the WARC")]


# --- rebuild and recovery ----------------------------------------------------------------


def test_rebuild_copies_the_log_from_a_readable_catalog(home):
    """Leaves, checkpoints and tokens are copied as they were; verify still passes."""
    tables = ("SELECT * FROM log ORDER BY leaf_index", "SELECT * FROM checkpoints",
              "SELECT * FROM capture_timestamps")
    before = sql(home, *[(q,) for q in tables])
    result = run_cli(home.path, "catalog", "rebuild")
    assert result.exit_code == 0, result.stderr
    assert "5 leaves copied from the old catalog, 0 appended" in result.stderr
    assert "may no longer match" not in result.stderr
    assert sql(home, *[(q,) for q in tables]) == before
    assert verify(home)[0] == 0


def test_rebuild_of_an_unreadable_catalog_rederives_the_log(home):
    """Garbage for a catalog: leaves re-derived in WARC order, checkpoints and tokens read
    back from their files, and the user is told checkpoints may not match."""
    home.catalog_path.write_bytes(b"not a database " * 500)
    result = run_cli(home.path, "catalog", "rebuild")
    assert result.exit_code == 0, result.stderr
    assert "could not be read" in result.stderr
    assert "re-derived from the WARC files in WARC order" in result.stderr
    assert "may no longer match" in result.stderr
    assert "2 checkpoint(s) read back" in result.stderr
    assert sql(home, ("SELECT COUNT(*) FROM capture_timestamps",)) == [[(1,)]]
    assert verify(home)[0] == 0  # captured one after another: WARC order is log order


def test_rederived_log_in_another_order_is_reported(tmp_path, served):
    """When commit order and WARC order differ, a re-derived log contradicts the old
    checkpoint: rebuild warns, verify fails, a new checkpoint is refused."""
    home = ArchiveHome(tmp_path / "home")
    init_keys(home, name="archive.example/log")
    first = Capturer(home=home, settings=SETTINGS)
    second = Capturer(home=home, settings=SETTINGS)
    try:
        first.capture(served.url(PAGES[0]))  # file A, leaf 0
        second.capture(served.url(PAGES[1]))  # file B, leaf 1
        first.capture(served.url(PAGES[2]))  # file A, leaf 2: WARC order is 0, 2, 1
    finally:
        first.close()
        second.close()
    make_checkpoint(home)
    assert verify(home)[0] == 0
    home.catalog_path.write_bytes(b"garbage" * 100)
    result = run_cli(home.path, "catalog", "rebuild")
    assert "warning: checkpoint(s) of size 3 do not match the rebuilt log" in result.stderr
    code, report = verify(home)
    assert code == 1
    assert {kind for kind, _ in problems(report)} == {"checkpoint-inconsistent"}
    refused = run_cli(home.path, "checkpoint")
    assert refused.exit_code == 1 and "refusing to sign" in refused.stderr


def test_a_catalog_from_before_the_log_is_upgraded(tmp_path, served):
    """Opening a catalog without a log table logs its captures in WARC order."""
    home = ArchiveHome(tmp_path / "home")
    rows = capture(home, [served.url(p) for p in PAGES[:3]])
    sql(home, ("DROP TABLE log",), ("UPDATE captures SET leaf_index = NULL",))
    with Catalog(home.catalog_path) as catalog:
        assert [e.capture_id for e in catalog.log_entries()] == [r.capture_id for r in rows]
    assert verify(home)[0] == 0


def test_captures_only_in_the_warcs_are_logged_by_recovery(tmp_path, served):
    """A capture whose row was lost is appended to the log when recovery finds it."""
    home = ArchiveHome(tmp_path / "home")
    rows = capture(home, [served.url(p) for p in PAGES[:2]])
    lost = rows[1].capture_id
    sql(home, ("DELETE FROM records WHERE capture_id = ?", (lost,)),
        ("DELETE FROM captures WHERE capture_id = ?", (lost,)),
        ("DELETE FROM log WHERE capture_id = ?", (lost,)))
    assert verify(home)[0] == 1
    result = run_cli(home.path, "catalog", "rebuild")
    assert "1 leaves copied from the old catalog, 1 appended" in result.stderr
    with home.open_catalog() as catalog:
        assert catalog.log_entry(lost).index == 1
    assert verify(home)[0] == 0


def test_rebuild_keeps_a_leaf_for_a_capture_the_warcs_no_longer_have(home):
    """The log is append-only: a capture gone from the WARCs keeps its leaf, and verify
    names it."""
    warc = sorted(home.warc_dir.iterdir())[-1]
    with WarcReader(warc) as reader:
        starts = [(r.offset, r.header.get("Archiver-Capture-ID")) for r in reader]
    victim = starts[-1][1]
    cut = min(offset for offset, capture_id in starts if capture_id == victim)
    with warc.open("r+b") as stream:
        stream.truncate(cut)
    assert run_cli(home.path, "catalog", "rebuild").exit_code == 0
    code, report = verify(home)
    assert code == 1
    assert ("log-leaf-orphan", f"leaf 4 names capture {victim}, which is not in the catalog "
            "(a capture was removed)") in problems(report)


def test_sqlite_garbage_is_not_a_readable_catalog(tmp_path):
    """copy_evidence raises (and copies nothing) for a file that is not a database."""
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"x" * 4096)
    with Catalog(tmp_path / "new.sqlite3") as catalog:
        with pytest.raises(sqlite3.DatabaseError):
            catalog.copy_evidence(bad)
        assert catalog.log_size() == 0


def test_leaf_schema_rejects_a_forged_record(tmp_path):
    """A record without digests makes no valid leaf: the catalog refuses it."""
    from dataclasses import replace

    from archiver.errors import SchemaError
    from archiver.warc import WrittenRecord

    record = WrittenRecord(record_id="<urn:uuid:x>", type="response", target_uri=None,
                           file="f", offset=0, length=1, block_sha256="",
                           block_blake3="blake3:" + "0" * 64)
    document = json.loads((EXAMPLES.parent / "examples" / "provenance.json").read_text())
    with Catalog(tmp_path / "c.sqlite3") as catalog, pytest.raises(SchemaError):
        catalog.add(document, [replace(record)])


def test_leaf_example_validates():
    """examples/leaf.json is a leaf (kept in step with the schema by test_project too)."""
    path = EXAMPLES / "leaf.json"
    schemas.validate(json.loads(path.read_text()), "leaf")
