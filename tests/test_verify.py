"""verify: digests, structure and provenance of real-world and archiver-written files."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import random
import zlib
from dataclasses import replace

import pytest

from archiver import schemas, verify
from archiver.errors import WarcError
from archiver.hashing import DigestPair, canonical_json
from archiver.httpmsg import dechunk, parse_head, payload_of
from archiver.payloads import Dechunker, PayloadTap
from archiver.testing import fixed_ids
from archiver.verify import DAMAGE_KINDS, Problem, verify_paths
from archiver.warc import gzip_member, record_bytes
from archiver.warcread import WarcReader
from archiver.warcspans import split_offsets
from tests.test_warcread import CORPUS_FILES, capture_specs, plain_warc, write_archive

#: Per corpus file: digests checked (all pass), digests present but not checkable
#: (revisit payloads), and chunked-body payload digests (warcio's convention).
CORPUS_DIGESTS = {
    "jwarc__cc.warc.gz": (2, 0, 0),
    "jwarc__gzip_extra_sl.warc.gz": (1, 0, 0),
    "pywb__dupes.warc.gz": (3, 9, 0),
    "pywb__example-url-agnostic-orig.warc.gz": (1, 0, 0),
    "pywb__example-url-agnostic-revisit.warc.gz": (0, 1, 0),
    "pywb__example-wpull.warc.gz": (6, 0, 0),
    "warcio__example-iana.org-chunked.warc": (3, 0, 1),
    "warcio__example.arc.gz": (0, 0, 0),
    "warcio__example.warc.gz": (7, 1, 0),
    "webarchive-commons__IAH-urls-wget.warc.gz": (52, 0, 5),
    "webarchive-discovery__BL-20140325122341434-00000-32090~opera~8443.warc.gz": (7, 55, 0),
    "webarchive-discovery__IAH-20080430204825-00000-blackbook-truncated.arc.gz": (0, 0, 0),
    "webarchive-discovery__IAH-20080430204825-00000-blackbook-truncated.warc.gz": (7, 0, 0),
    "webarchive-discovery__transfer_compression_brotli.warc.gz": (6, 0, 0),
    "webarchive-discovery__transfer_compression_gzip.warc.gz": (6, 0, 0),
}


def only(report, kind=None):
    """The report's problems, as (kind, offset, record id)."""
    return [(p.kind, p.offset, p.record_id) for p in report.problems
            if kind is None or p.kind == kind]


# --- the corpus --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CORPUS_DIGESTS))
def test_corpus_file_verifies(corpus, name):
    """Every real-world file verifies, with the digest counts its records call for."""
    report = verify_paths([corpus / "real-warc" / name])
    assert report.ok, report.problems
    [summary] = report.files
    checked, not_checked, chunked = CORPUS_DIGESTS[name]
    assert (summary.format, summary.version, summary.compression, summary.records) == \
        CORPUS_FILES[name]
    assert (summary.digests_checked, summary.digests_passed, summary.digests_not_checked) == \
        (checked, checked, not_checked)
    assert [n.kind for n in report.notes] == ["payload-digest-convention"] * chunked
    assert all("as warcio/wget write it" in n.message for n in report.notes)
    schemas.validate(report.to_document(), "verification")


def test_corpus_directory_verifies(corpus):
    """The whole real-warc folder verifies in one call; ARC files say they have no digests."""
    report = verify_paths([corpus / "real-warc"])
    assert report.ok and len(report.files) == len(CORPUS_DIGESTS)
    arcs = [w for w in report.warnings if w.kind == "no-digests"]
    assert sorted(w.message for w in arcs) == [
        "2 records parsed, no digests to check (ARC)",
        "9 records parsed, no digests to check (ARC)"]
    document = report.to_document()
    assert document["ok"] is True
    assert document["summary"]["records"] == sum(v[3] for v in CORPUS_FILES.values())


def checkable_record(path):
    """(offset of the block in the decompressed record, record, raw record bytes) for the
    first record with a digest verify checks, flipping where that digest covers."""
    with WarcReader(path) as reader:
        for record in reader:
            block = b"".join(bytes(p) for p in record.chunks())
            header = record.header
            if header.type == "revisit" or not block:
                continue
            if "WARC-Block-Digest" in header:
                return record, len(block) // 2
            if "WARC-Payload-Digest" in header:
                head = parse_head(block)
                return record, head.body_offset + (len(block) - head.body_offset) // 2
    return None


def flip_in_block(source, target, record, at):
    """Copy ``source`` to ``target`` with one byte of ``record``'s block flipped; in a gzip
    file the member is re-compressed, so only the digest can notice."""
    data = source.read_bytes()
    if source.suffix != ".gz":
        raw = bytearray(data)
        start = record.offset + data[record.offset:].index(b"\r\n\r\n") + 4
        raw[start + at] ^= 0x20
        target.write_bytes(bytes(raw))
        return
    inflater = zlib.decompressobj(wbits=31)
    raw = bytearray(inflater.decompress(data[record.offset:]))
    end = len(data) - len(inflater.unused_data)
    raw[raw.index(b"\r\n\r\n") + 4 + at] ^= 0x20
    target.write_bytes(data[:record.offset] + gzip_member(bytes(raw)) + data[end:])


WITH_DIGESTS = sorted(name for name, (checked, _, _) in CORPUS_DIGESTS.items() if checked)


@pytest.mark.parametrize("name", WITH_DIGESTS)
def test_tampered_corpus_block_fails(corpus, tmp_path, name):
    """Flipping a byte covered by a digest (the gzip layer kept valid) fails verification,
    naming the file, the record's offset and its id."""
    source = corpus / "real-warc" / name
    record, at = checkable_record(source)
    target = tmp_path / name
    flip_in_block(source, target, record, at)
    report = verify_paths([target])
    assert not report.ok
    assert {p.kind for p in report.problems} <= {"block-digest-mismatch",
                                                 "payload-digest-mismatch"}
    assert {(p.file, p.offset, p.record_id) for p in report.problems} == \
        {(str(target), record.offset, record.record_id)}


@pytest.mark.parametrize("name", sorted(set(CORPUS_DIGESTS) - set(WITH_DIGESTS)))
def test_files_without_digests_cannot_notice_a_recompressed_flip(corpus, tmp_path, name):
    """ARC files and a lone revisit carry no digest of their bytes: a flip behind a
    valid gzip layer goes unnoticed, so only the gzip CRC protects them (next tests)."""
    source = corpus / "real-warc" / name
    data = source.read_bytes()
    inflater = zlib.decompressobj(wbits=31)
    raw = bytearray(inflater.decompress(data))
    raw[-10] ^= 0x20  # inside the first record's block
    target = tmp_path / name
    target.write_bytes(gzip_member(bytes(raw)) + inflater.unused_data)
    report = verify_paths([target])
    assert report.ok and report.files[0].digests_checked == 0


def largest_member(path):
    """(offset, length, record id) of the largest gzip member of a corpus file."""
    records = []
    with WarcReader(path) as reader:
        for record in reader:
            record.read_to_end()
            records.append((record.offset, record.length, record.record_id))
    return max(records, key=lambda r: r[1])


GZIP_CORPUS = sorted(n for n in CORPUS_DIGESTS if n.endswith(".gz"))


@pytest.mark.parametrize("name", GZIP_CORPUS)
def test_tampered_corpus_gzip_trailer_fails(corpus, tmp_path, name):
    """A flipped bit in a member's stored CRC-32 is a bad gzip trailer, in every gzip file
    (ARC too, which has no digests), naming the file, the member and its record."""
    source = corpus / "real-warc" / name
    offset, length, record_id = largest_member(source)
    data = bytearray(source.read_bytes())
    data[offset + length - 8] ^= 0x01
    target = tmp_path / name
    target.write_bytes(bytes(data))
    report = verify_paths([target])
    assert only(report) == [("bad-gzip-trailer", offset, record_id)]
    assert report.problems[0].file == str(target)
    assert "CRC-32" in report.problems[0].message


@pytest.mark.parametrize("name", GZIP_CORPUS)
def test_tampered_corpus_deflate_byte_fails(corpus, tmp_path, name):
    """A flipped byte in the middle of a member's deflate data is caught by the gzip layer
    and named as that member, and as its record unless the flip garbled the record's
    header itself."""
    source = corpus / "real-warc" / name
    offset, length, record_id = largest_member(source)
    data = bytearray(source.read_bytes())
    data[offset + length // 2] ^= 0xFF
    target = tmp_path / name
    target.write_bytes(bytes(data))
    report = verify_paths([target])
    assert not report.ok
    assert {p.offset for p in report.problems} == {offset}
    assert {p.record_id for p in report.problems} <= {record_id, None}
    assert {p.kind for p in report.problems} & DAMAGE_KINDS


# --- our own files -----------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True])
def test_our_file_verifies(tmp_path, chunked):
    """A file written by WarcWriter verifies: every digest, and every provenance document."""
    path, _ = write_archive(tmp_path, captures=3, chunked=chunked)
    report = verify_paths([tmp_path])
    assert report.ok, report.problems
    [summary] = report.files
    # warcinfo: 2 block digests; request/response: 4 each; metadata: 2.
    assert (summary.records, summary.digests_checked, summary.digests_passed) == \
        (10, 2 + 3 * 10, 2 + 3 * 10)
    assert report.notes == () and report.warnings == ()
    document = report.to_document()
    schemas.validate(document, "verification")
    assert document["files"][0]["path"] == str(path)


def test_our_plain_file_verifies(tmp_path):
    """An uncompressed file of the same records verifies too."""
    plain_warc(tmp_path / "x.warc", captures=2, chunked=True)
    report = verify_paths([tmp_path / "x.warc"])
    assert report.ok and report.files[0].compression == "none"


def test_every_record_flip_names_that_record(tmp_path):
    """Flipping one block byte of each record in turn names exactly that record and offset."""
    source, written = write_archive(tmp_path / "src", captures=2, chunked=True)
    with WarcReader(source) as reader:
        records = list(reader)
        for record in records:
            record.read_to_end()
    for number, record in enumerate(records):
        target = tmp_path / f"flip-{number}.warc.gz"
        flip_in_block(source, target, record, record.content_length // 2)
        report = verify_paths([target])
        assert not report.ok
        assert {(p.offset, p.record_id) for p in report.problems} == \
            {(written[number].offset, written[number].record_id)}, report.problems


def test_truncation_anywhere_in_the_last_record_gzip(tmp_path):
    """Cutting the file at every byte inside its last gzip member is reported every time."""
    source, written = write_archive(tmp_path / "src", captures=1)
    data = source.read_bytes()
    last = written[-1]
    target = tmp_path / "cut.warc.gz"
    for size in range(last.offset + 1, last.offset + last.length):
        target.write_bytes(data[:size])
        report = verify_paths([target])
        assert only(report) == [("truncated-gzip-member", last.offset, None)] or \
            only(report) == [("truncated-gzip-member", last.offset, last.record_id)], size


def test_truncation_anywhere_in_the_last_record_plain(tmp_path):
    """Cutting an uncompressed file at every byte inside its last record is reported."""
    source = tmp_path / "src.warc"
    layout = plain_warc(source, captures=1)
    data = source.read_bytes()
    offset, length, record_id = layout[-1]
    id_line_end = data.index(b"\r\n", data.index(b"WARC-Record-ID:", offset)) + 2
    target = tmp_path / "cut.warc"
    for size in range(offset + 1, offset + length):
        target.write_bytes(data[:size])
        report = verify_paths([target])
        problems = only(report)
        assert len(problems) == 1, (size, problems)
        kind, where, named = problems[0]
        assert kind in ("incomplete-record", "missing-terminator") and where == offset
        assert named in (record_id, None)
        if size >= id_line_end:
            assert named == record_id


def test_verification_document_matches_schema_with_problems(tmp_path):
    """A failing report's document validates too, problem fields and all."""
    path, written = write_archive(tmp_path)
    data = bytearray(path.read_bytes())
    data[-9] ^= 1
    path.write_bytes(bytes(data))
    document = verify_paths([path]).to_document()
    schemas.validate(document, "verification")
    assert document["ok"] is False and document["files"][0]["problems"] == 1
    assert document["problems"][0]["record_id"] == written[-1].record_id


# --- provenance --------------------------------------------------------------------------


def rewrite_metadata(tmp_path, edit):
    """Our archive with the first capture's provenance document changed by ``edit`` after
    the digests were taken (so only the provenance checks can notice)."""
    path, written = write_archive(tmp_path)
    target = written[3]
    data = path.read_bytes()
    raw = gzip.decompress(data[target.offset:target.offset + target.length])
    head, _, rest = raw.partition(b"\r\n\r\n")
    document = json.loads(rest[:-4])
    edit(document)
    block = canonical_json(document)
    head = head.replace(b"Content-Length: %d" % (len(rest) - 4), b"Content-Length: %d" % len(block))
    old, new = DigestPair(rest[:-4]), DigestPair(block)
    head = head.replace(old.sha256.encode(), new.sha256.encode())
    head = head.replace(old.blake3.encode(), new.blake3.encode())
    member = gzip_member(head + b"\r\n\r\n" + block + b"\r\n\r\n")
    path.write_bytes(data[:target.offset] + member + data[target.offset + target.length:])
    return path, target


def test_provenance_schema_violation(tmp_path):
    """A provenance document that breaks the schema is provenance-invalid, on its record."""
    path, target = rewrite_metadata(tmp_path, lambda d: d.pop("outlet"))
    report = verify_paths([path])
    assert only(report) == [("provenance-invalid", target.offset, target.record_id)]
    assert "outlet" in report.problems[0].message


def test_provenance_payload_digest_mismatch(tmp_path):
    """content.payload_sha256 that differs from the response record's digest is reported."""
    def edit(document):
        document["content"]["payload_sha256"] = "sha256:" + "0" * 64
    path, target = rewrite_metadata(tmp_path, edit)
    report = verify_paths([path])
    assert only(report) == [("provenance-mismatch", target.offset, target.record_id)]
    assert report.problems[0].actual == "sha256:" + "0" * 64
    assert "content.payload_sha256" in report.problems[0].message


@pytest.mark.parametrize(("field", "value", "said"), [
    ("capture_id", "01aaaaaaaaaaaaaaaaaaaaaaaa", "Archiver-Capture-ID"),
    ("captured_at", "2020-01-01T00:00:00.000000Z", "WARC-Date"),
])
def test_provenance_header_mismatch(tmp_path, field, value, said):
    """A capture id or capture time that disagrees with the record's header is reported."""
    path, target = rewrite_metadata(tmp_path, lambda d: d.update({field: value}))
    report = verify_paths([path])
    assert (target.offset, target.record_id) in {(p.offset, p.record_id) for p in report.problems}
    assert any(said in p.message and p.kind == "provenance-mismatch" for p in report.problems)


def test_provenance_lists_a_record_not_in_the_file(tmp_path):
    """A listed record id that the file does not hold is reported."""
    missing = "<urn:uuid:99999999-0000-4000-8000-000000000000>"

    def edit(document):
        document["records"][0]["record_id"] = missing
    path, target = rewrite_metadata(tmp_path, edit)
    report = verify_paths([path])
    assert only(report) == [("provenance-mismatch", target.offset, target.record_id)]
    assert report.problems[0].expected == missing


def test_provenance_not_json(tmp_path):
    """A metadata record of ours whose block is not JSON is provenance-invalid."""
    specs = capture_specs(7, fixed_ids())
    bad = replace(specs[2], block=b"{not json")
    target = tmp_path / "bad.warc.gz"
    target.write_bytes(b"".join(gzip_member(record_bytes(s)[0]) for s in [*specs[:2], bad]))
    report = verify_paths([target])
    assert [p.kind for p in report.problems] == ["provenance-invalid"]


# --- conventions, warnings, odd files ----------------------------------------------------


def test_our_chunked_record_must_use_the_warc_definition(tmp_path):
    """Our record whose payload digest covers the chunked body (warcio's way) fails: our
    records follow WARC 1.1 strictly. The same record without Archiver fields passes with
    a note."""
    response = capture_specs(0, fixed_ids(), chunked=True)[1]
    body = response.block[parse_head(response.block).body_offset:]
    warcio_way = replace(response, payload=body)
    ours = tmp_path / "ours.warc"
    ours.write_bytes(record_bytes(warcio_way)[0])
    report = verify_paths([ours])
    kinds = sorted(p.kind for p in report.problems)
    assert kinds == ["payload-digest-mismatch", "payload-digest-mismatch"]
    assert "de-chunked" in report.problems[0].message
    theirs = tmp_path / "theirs.warc"
    raw = record_bytes(warcio_way)[0]
    head, _, block = raw.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.startswith(b"Archiver-")]
    theirs.write_bytes(b"\r\n".join(lines) + b"\r\n\r\n" + block)
    report = verify_paths([theirs])
    assert report.ok and [n.kind for n in report.notes] == ["payload-digest-convention"]


def test_unknown_digest_algorithm_is_a_warning(tmp_path):
    """A digest in an algorithm we cannot compute is a warning, not a failure."""
    path = tmp_path / "x.warc"
    path.write_bytes(b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:w>\r\n"
                     b"WARC-Block-Digest: whirlpool:ABCDEF\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n")
    report = verify_paths([path])
    assert report.ok
    assert [w.kind for w in report.warnings] == ["unknown-digest-algorithm"]
    assert report.files[0].digests_not_checked == 1


def test_a_digest_of_non_ascii_characters_is_malformed(tmp_path):
    """A value of the right length in other characters is a malformed digest, not a crash."""
    path = tmp_path / "x.warc"
    path.write_bytes(b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:w>\r\n"
                     b"WARC-Block-Digest: sha256:" + "\u00e9".encode() * 64
                     + b"\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n")
    report = verify_paths([path])
    assert [p.kind for p in report.problems] == ["malformed-digest"]


def test_base32_and_other_algorithms(tmp_path):
    """sha1 Base32, sha512 hex and md5 digests are checked like sha256 and blake3."""
    block = b"hello"
    labels = [f"sha1:{base64.b32encode(hashlib.sha1(block).digest()).decode()}",
              f"sha512:{hashlib.sha512(block).hexdigest()}",
              f"md5:{hashlib.md5(block).hexdigest()}"]
    lines = [b"WARC-Block-Digest: " + label.encode() for label in labels]
    path = tmp_path / "x.warc"
    path.write_bytes(b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:b>\r\n"
                     + b"\r\n".join(lines) + b"\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n")
    report = verify_paths([path])
    assert report.ok and report.files[0].digests_passed == 3
    path.write_bytes(path.read_bytes().replace(b"\r\n\r\nhello", b"\r\n\r\nhellO"))
    report = verify_paths([path])
    assert [p.kind for p in report.problems] == ["block-digest-mismatch"] * 3
    assert report.problems[0].message.startswith(f"WARC-Block-Digest {labels[0]} but the block "
                                                 "hashes to sha1:")


def test_open_file_with_unfinished_tail_is_a_warning(tmp_path):
    """An .open file cut inside its last record verifies, with warnings saying so."""
    path, _ = write_archive(tmp_path)
    data = path.read_bytes()
    path.unlink()
    open_file = tmp_path / (path.name + ".open")
    open_file.write_bytes(data[:-25])
    report = verify_paths([tmp_path])
    assert report.ok
    assert {w.kind for w in report.warnings} == {"open-file", "truncated-gzip-member"}
    assert report.files[0].open


def test_open_file_damaged_inside_fails(tmp_path):
    """Damage before the tail of an .open file is still a problem."""
    path, written = write_archive(tmp_path)
    data = bytearray(path.read_bytes())
    data[written[2].offset + written[2].length - 8] ^= 0xFF
    path.unlink()
    (tmp_path / (path.name + ".open")).write_bytes(bytes(data))
    report = verify_paths([tmp_path])
    assert only(report) == [("bad-gzip-trailer", written[2].offset, written[2].record_id)]


@pytest.mark.parametrize(("data", "kind"), [
    (b"", "empty-file"),
    (b"<html>hello</html>", "not-a-warc"),
    (b"WARC/1.1\r\nWARC-Record-ID: <urn:uuid:h>\r\nContent-Length: 99999999999999\r\n\r\nab",
     "incomplete-record"),
])
def test_odd_files_are_problems_not_crashes(tmp_path, data, kind):
    """Empty files, non-WARC files and absurd lengths give one clear problem each."""
    path = tmp_path / "odd.warc"
    path.write_bytes(data)
    report = verify_paths([path])
    assert [p.kind for p in report.problems] == [kind]
    schemas.validate(report.to_document(), "verification")


def test_directory_search_and_missing_path(tmp_path):
    """Folders are searched for WARC/ARC/.open files only; a missing path cannot run."""
    write_archive(tmp_path / "a" / "b")
    (tmp_path / "a" / "notes.txt").write_text("not a warc")
    report = verify_paths([tmp_path])
    assert len(report.files) == 1 and report.ok
    empty = tmp_path / "empty"
    empty.mkdir()
    assert [w.kind for w in verify_paths([empty]).warnings] == ["no-files"]
    with pytest.raises(WarcError):
        verify_paths([tmp_path / "absent.warc.gz"])


def test_progress_reaches_the_total(tmp_path, monkeypatch):
    """progress(done, total) only grows and ends at the total size of the files."""
    monkeypatch.setattr("archiver.verify.PROGRESS_STEP", 1)
    write_archive(tmp_path / "one")
    write_archive(tmp_path / "two", captures=3)
    calls = []
    verify_paths([tmp_path], progress=lambda done, total: calls.append((done, total)))
    total = sum(p.stat().st_size for p in tmp_path.rglob("*.warc.gz"))
    assert calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert len(calls) > 2


def test_report_takes_extra_problems(tmp_path):
    """The lead's catalog check can append problems of the same type."""
    write_archive(tmp_path)
    report = verify_paths([tmp_path])
    extra = Problem(file="catalog.sqlite", offset=None, record_id="<urn:uuid:x>",
                    kind="catalog-mismatch", message="catalog says offset 10, file says 12",
                    expected="10", actual="12")
    failed = report.with_problems([extra])
    assert report.ok and not failed.ok and failed.problems[-1] == extra
    schemas.validate(failed.to_document(), "verification")


def test_spans_in_parallel_processes_give_the_same_report(corpus, tmp_path, monkeypatch):
    """Cutting files into spans checked in worker processes changes nothing in the report,
    even when a capture's records fall into different spans, or a provenance document
    names records of another span or none at all."""
    path, written = write_archive(tmp_path / "ours", captures=4, chunked=True)
    damaged = tmp_path / "damaged.warc.gz"
    data = bytearray(path.read_bytes())
    data[written[4].offset + 30] ^= 0xFF
    damaged.write_bytes(bytes(data[:-10]))
    _, others = write_archive(tmp_path / "ids")

    def name_another_capture(document):
        document["records"][1]["record_id"] = others[6].record_id  # capture 2's response

    def name_nothing_here(document):
        document["records"][0]["record_id"] = "<urn:uuid:99999999-0000-4000-8000-000000000000>"

    linked = [rewrite_metadata(tmp_path / name, edit)[0] for name, edit in
              (("across", name_another_capture), ("missing", name_nothing_here))]
    paths = [corpus / "real-warc", path, damaged, *linked]
    before = verify_paths(paths)
    assert {p.kind for p in before.problems_in(str(linked[0]))} == {"provenance-mismatch"}
    monkeypatch.setattr(verify, "SPAN_BYTES", 1500)
    monkeypatch.setattr(verify, "PARALLEL_MIN_BYTES", 0)
    assert len(verify._spans(path)) > 3
    calls = []
    after = verify_paths(paths, progress=lambda done, total: calls.append((done, total)))
    assert after == before and not after.ok
    assert calls[-1][0] == calls[-1][1] == sum(s.bytes for s in after.files)


def test_split_offsets_fall_on_records(tmp_path):
    """A gzip file is cut only where a member starts a record; a plain file is not cut."""
    path, written = write_archive(tmp_path, captures=5)
    offsets = split_offsets(path, 4)
    assert offsets[0] == 0 and len(offsets) == 4
    assert set(offsets) <= {w.offset for w in written}
    plain = tmp_path / "plain.warc"
    plain_warc(plain)
    assert split_offsets(plain, 4) == [0]


# --- payloads ----------------------------------------------------------------------------


def chunked_bodies():
    """Well-formed and broken chunked bodies, as servers and truncations produce them."""
    rng = random.Random(7)
    bodies = [b"", b"0\r\n\r\n", b"5\r\nhello\r\n0\r\n\r\n", b"5;ext=1\r\nhello\n0\n\n",
              b"5\r\nhel", b"5\r\nhelloXX0\r\n\r\n", b"zz\r\nhello\r\n", b"5\r\nhello\r",
              b"-5\r\nhello\r\n", b"0x5\r\nhello\r\n0\r\n\r\n", b" 5 \r\nhello\r\n0\r\n",
              b"5" * 2000 + b"\r\n", b"3\r\nabc\r\n0\r\nTrailer: x\r\n\r\n"]
    for _ in range(200):
        parts = []
        for _ in range(rng.randrange(0, 6)):
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
            parts.append(b"%x\r\n%s\r\n" % (len(data), data))
        body = b"".join(parts) + b"0\r\n\r\n"
        if rng.random() < 0.3:
            body = body[:rng.randrange(len(body) + 1)]
        bodies.append(body)
    return bodies


@pytest.mark.parametrize("size", [b"+5", b"0x5", b"0_5", "\u0665".encode()])
def test_chunk_size_is_hex_digits_only(size):
    """What int(x, 16) takes beyond 1*HEXDIG is malformed framing, as h11 says when
    capturing: no payload is made up from it."""
    assert dechunk(size + b"\r\nhello\r\n0\r\n\r\n") == (b"", False)
    assert dechunk(b"5 ;ext\r\nhello\r\n0\r\n\r\n") == (b"hello", True)


def test_status_of_other_digits_is_no_status():
    """"\u00b200" passes str.isdigit but is no status code (nor a crash)."""
    assert parse_head(b"HTTP/1.1 \xb200 OK\r\nA: b\r\n\r\n").status is None
    assert parse_head(b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n").status == 200


def test_streaming_dechunker_matches_httpmsg():
    """The streaming de-chunker agrees with httpmsg.dechunk however the body is split."""
    rng = random.Random(11)
    for body in chunked_bodies():
        expected = dechunk(body)
        for _ in range(5):
            cuts = sorted(rng.randrange(len(body) + 1) for _ in range(rng.randrange(0, 5)))
            pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
            dechunker = Dechunker()
            out = b"".join(bytes(part) for piece in pieces
                           for part in dechunker.feed(memoryview(piece)))
            assert (out, dechunker.complete) == expected, body


def test_deeply_nested_provenance_is_invalid_not_a_crash(tmp_path):
    """A provenance document nested a million levels deep is reported, not a crash."""
    specs = capture_specs(3, fixed_ids())
    bomb = replace(specs[2], block=b"[" * 1_000_000 + b"]" * 1_000_000)
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(b"".join(gzip_member(record_bytes(s)[0]) for s in [*specs[:2], bomb]))
    report = verify_paths([path])
    assert [p.kind for p in report.problems] == ["provenance-invalid"]


def test_payload_tap_matches_payload_of_however_split():
    """Streaming the block in pieces hashes exactly httpmsg.payload_of's payload, for
    CRLF and bare-LF heads, plain and chunked bodies, heads split across pieces."""
    rng = random.Random(5)
    body = bytes(rng.randrange(256) for _ in range(5000))
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 700]), body[i:i + 700])
                       for i in range(0, len(body), 700)) + b"0\r\n\r\n"
    blocks = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + body,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
        b"HTTP/1.0 200 OK\nServer: old\n\n" + body,
        b"HTTP/1.1 200 OK\r\nX-Pad: " + b"p" * 9000 + b"\r\n\r\n" + body,
        b"HTTP/1.1 204 No Content\r\n\r\n",
    ]
    for block in blocks:
        expected = hashlib.sha256(payload_of(block, parse_head(block))).digest()
        for _ in range(10):
            cuts = sorted(rng.randrange(len(block) + 1) for _ in range(rng.randrange(0, 6)))
            tap = PayloadTap(["sha256"], keep_chunked_body=False)
            for a, b in zip([0, *cuts], [*cuts, len(block)], strict=True):
                tap.feed(memoryview(block[a:b]))
            tap.finish()
            assert tap.head_found and tap.payload["sha256"].digest() == expected
