"""warcread: every record of real and damaged files, with offsets, lengths and problems.

The builders at the top (``capture_specs``, ``write_archive``, ``plain_warc``) make
WARC files the way a capture does, with a fixed clock and fixed ids, and are shared
with test_verify.py and test_warcio_interop.py.
"""

from __future__ import annotations

import gzip
import re
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archiver import schemas
from archiver.gzipmembers import PIECE_BYTES
from archiver.hashing import DigestPair, canonical_json
from archiver.httpmsg import parse_head, payload_of
from archiver.ids import capture_id
from archiver.testing import FixedClock, fixed_ids
from archiver.warc import (
    RecordSpec,
    WarcWriter,
    WrittenRecord,
    gzip_member,
    record_bytes,
    warc_date,
)
from archiver.warcread import MAX_HEADER_BYTES, WarcReader
from archiver.warcspans import complete_prefix, split_offsets
from tests.conftest import CORPUS

REAL_WARC = CORPUS / "real-warc"
START = datetime(2026, 11, 24, 2, 35, 45, 123456, tzinfo=timezone.utc)
PLAIN_BODY = (b"<html><head><title>Talks</title></head><body><p>PARIS (AFP) - Talks began.</p>"
              b"</body></html>\n")
CHUNKED_BODY = b"a\r\n<p>PARIS (\r\n17\r\nAFP) - Talks began.</p>\n\r\n0\r\n\r\n"


# --- builders ----------------------------------------------------------------------------


def provenance(*, cid: str, url: str, date: str, request_id: str, response_id: str,
               payload: bytes, chunked: bool) -> dict:
    """A provenance document for one capture that validates against the schema."""
    digests = DigestPair(payload)
    document = {
        "schema_version": "1", "capture_id": cid, "url": url, "final_url": url,
        "redirects": [], "captured_at": date, "completed_at": date,
        "agent": {"tool": "archiver", "version": "0.1.0", "user_agent": "archiver/0.1 (test)",
                  "host": "test-host", "platform": "linux", "options": {}},
        "network": {"peer_ip": "192.0.2.10"},
        "records": [{"type": "request", "record_id": request_id, "target_uri": url},
                    {"type": "response", "record_id": response_id, "target_uri": url}],
        "outlet": {"name": "Example News", "domain": "news.example", "source": "user"},
        "article": {"title": "Talks", "authors": ["A. Writer"], "published_at": None,
                    "modified_at": None, "canonical_url": None, "language": "en",
                    "text_blake3": None, "text_chars": 0, "sources": {}, "extractor": "none"},
        "content": {"status": 200, "content_type": "text/html",
                    "content_encoding": None, "bytes": len(payload),
                    "payload_sha256": digests.sha256, "payload_blake3": digests.blake3,
                    "truncated": None},
        "attribution": [{"source": {"name": "AFP", "kind": "news_agency"},
                         "via": {"name": "Example News", "kind": "outlet"},
                         "relation": "reported", "evidence": "PARIS (AFP)",
                         "method": "dateline"}],
    }
    schemas.validate(document, "provenance")
    return document


def capture_specs(number: int, ids, *, chunked: bool = False,
                  document_edit=None) -> list[RecordSpec]:
    """request, response and metadata records of one capture, as archiver writes them.

    ``document_edit(document)`` may change the provenance document before it is stored.
    """
    moment = START + timedelta(seconds=number)
    date = warc_date(moment)
    cid = capture_id(moment, number.to_bytes(10, "big"))
    url = f"https://news.example/story/{number}"
    request = (f"GET /story/{number} HTTP/1.1\r\nHost: news.example\r\n"
               "User-Agent: archiver/0.1 (test)\r\nAccept-Encoding: gzip\r\n\r\n").encode()
    if chunked:
        response = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n" + CHUNKED_BODY)
    else:
        response = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
                    % len(PLAIN_BODY) + PLAIN_BODY)
    payload = payload_of(response, parse_head(response))
    request_id, response_id, metadata_id = ids(), ids(), ids()
    document = provenance(cid=cid, url=url, date=date, request_id=request_id,
                          response_id=response_id, payload=payload, chunked=chunked)
    if document_edit is not None:
        document_edit(document)
    tag = ("Archiver-Capture-ID", cid)
    target = ("WARC-Target-URI", url)
    return [
        RecordSpec(type="request", record_id=request_id, date=date,
                   content_type="application/http;msgtype=request", block=request, payload=b"",
                   fields=[target, ("WARC-Concurrent-To", response_id), tag]),
        RecordSpec(type="response", record_id=response_id, date=date,
                   content_type="application/http;msgtype=response", block=response,
                   payload=payload,
                   fields=[target, ("WARC-IP-Address", "192.0.2.10"),
                           ("WARC-Concurrent-To", request_id), tag]),
        RecordSpec(type="metadata", record_id=metadata_id, date=date,
                   content_type="application/json", block=canonical_json(document),
                   fields=[target, ("WARC-Refers-To", response_id),
                           ("WARC-Concurrent-To", response_id), tag]),
    ]


def write_archive(directory: Path, *, captures: int = 2, chunked: bool = False,
                  document_edit=None) -> tuple[Path, list[WrittenRecord]]:
    """A closed .warc.gz written by WarcWriter; returns it and every record's location
    (the warcinfo record first)."""
    ids = fixed_ids()
    writer = WarcWriter(directory=directory, host="test-host", clock=FixedClock(START),
                        new_record_id=ids)
    written = []
    with writer:
        for number in range(captures):
            written += writer.write_capture(capture_specs(number, ids, chunked=chunked,
                                                          document_edit=document_edit))
    path = directory / writer.closed_files[0]
    first = written[0].offset
    head = gzip.decompress(path.read_bytes()[:first])
    warcinfo_id = re.search(rb"WARC-Record-ID: (\S+)", head).group(1).decode()
    warcinfo = WrittenRecord(record_id=warcinfo_id, type="warcinfo", target_uri=None,
                             file=path.name, offset=0, length=first, block_sha256="",
                             block_blake3="")
    return path, [warcinfo, *written]


def plain_warc(path: Path, *, captures: int = 2,
               chunked: bool = False) -> list[tuple[int, int, str]]:
    """An uncompressed .warc of the same captures; returns (offset, length, record id)."""
    ids = fixed_ids()
    offsets = []
    with path.open("wb") as out:
        for number in range(captures):
            for spec in capture_specs(number, ids, chunked=chunked):
                data, _ = record_bytes(spec)
                offsets.append((out.tell(), len(data), spec.record_id))
                out.write(data)
    return offsets


def read_all(path: Path) -> tuple[list, list]:
    """(records as (offset, length, type, id, block, problems), reader problems)."""
    found = []
    with WarcReader(path) as reader:
        for record in reader:
            block = b"".join(bytes(piece) for piece in record.chunks())
            found.append((record.offset, record.length, record.header.type, record.record_id,
                          block, record.problems))
        return found, reader.problems


def kinds(problems) -> list[str]:
    return [problem.kind for problem in problems]


# --- the corpus --------------------------------------------------------------------------

#: Per file: format, version, compression, records (as warcio index counts them).
CORPUS_FILES = {
    "jwarc__cc.warc.gz": ("warc", "WARC/1.0", "gzip", 1),
    "jwarc__gzip_extra_sl.warc.gz": ("warc", "WARC/1.0", "gzip", 1),
    "pywb__dupes.warc.gz": ("warc", "WARC/1.0", "gzip", 25),
    "pywb__example-url-agnostic-orig.warc.gz": ("warc", "WARC/1.0", "gzip", 2),
    "pywb__example-url-agnostic-revisit.warc.gz": ("warc", "WARC/1.0", "gzip", 2),
    "pywb__example-wpull.warc.gz": ("warc", "WARC/1.0", "gzip", 4),
    "warcio__example-iana.org-chunked.warc": ("warc", "WARC/1.0", "none", 3),
    "warcio__example.arc.gz": ("arc", "ARC/1.0", "gzip", 2),
    "warcio__example.warc.gz": ("warc", "WARC/1.0", "gzip", 6),
    "webarchive-commons__IAH-urls-wget.warc.gz": ("warc", "WARC/1.0", "gzip", 36),
    "webarchive-discovery__BL-20140325122341434-00000-32090~opera~8443.warc.gz":
        ("warc", "WARC/1.0", "gzip", 190),
    "webarchive-discovery__IAH-20080430204825-00000-blackbook-truncated.arc.gz":
        ("arc", "ARC/1.1", "gzip", 9),
    "webarchive-discovery__IAH-20080430204825-00000-blackbook-truncated.warc.gz":
        ("warc", "WARC/0.17", "gzip", 23),
    "webarchive-discovery__transfer_compression_brotli.warc.gz": ("warc", "WARC/1.0", "gzip", 5),
    "webarchive-discovery__transfer_compression_gzip.warc.gz": ("warc", "WARC/1.0", "gzip", 5),
}


@pytest.mark.parametrize("name", sorted(CORPUS_FILES))
def test_corpus_file_reads_whole(corpus, name):
    """Every real-world file parses into the expected records, which tile the file exactly."""
    path = corpus / "real-warc" / name
    expected_format, version, compression, count = CORPUS_FILES[name]
    with WarcReader(path) as reader:
        records = []
        for record in reader:
            size = sum(len(piece) for piece in record.chunks())
            assert size == record.content_length
            records.append(record)
        assert (reader.format, reader.version, reader.compression) == \
            (expected_format, version, compression)
        assert reader.problems == []
    assert len(records) == count
    assert all(record.complete for record in records)
    assert all(not problem.warning for r in records for problem in r.problems) is \
        ("url-agnostic" not in name)
    offsets = [record.offset for record in records]
    assert offsets[0] == 0
    assert sum(record.length for record in records) == path.stat().st_size
    assert offsets == sorted(offsets)


def test_corpus_listed_completely(corpus):
    """The table above covers every file in real-warc, so a new file gets counted too."""
    assert {p.name for p in (corpus / "real-warc").iterdir()} == set(CORPUS_FILES)


def test_arc_records_have_url_record_fields(corpus):
    """ARC records carry their URL-record line as fields, and the filedesc its version."""
    with WarcReader(corpus / "real-warc" / "warcio__example.arc.gz") as reader:
        records = [(record.header, record.content_length) for record in reader]
    (filedesc, length0), (page, length1) = records
    assert filedesc.type == "filedesc" and filedesc.version == "ARC/1.0"
    assert filedesc.get("url").startswith("filedesc://live-web-example.arc.gz")
    assert page.type == "response" and page.record_id is None
    assert (page.get("URL"), page.get("IP-address"), page.get("Archive-date"),
            page.get("Content-type"), page.get("Archive-length")) == \
        ("http://example.com/", "93.184.216.119", "20140216050221", "text/html", "1591")
    assert (length0, length1) == (75, 1591)


def test_ia_web_commons_terminator_quirk_is_a_warning(corpus):
    """A Content-Length that counts the CRLF CRLF terminator is reported as a warning only."""
    found, problems = read_all(corpus / "real-warc" / "pywb__example-url-agnostic-orig.warc.gz")
    assert problems == []
    quirk = found[0][5]
    assert kinds(quirk) == ["terminator-in-block"] and quirk[0].warning
    assert found[1][5] == []


# --- our files ---------------------------------------------------------------------------


def test_offsets_and_lengths_match_the_writer(tmp_path):
    """Each record's offset and length are those WarcWriter reported, one member each."""
    path, written = write_archive(tmp_path)
    found, problems = read_all(path)
    assert problems == []
    assert [(offset, length, record_id) for offset, length, _, record_id, _, _ in found] == \
        [(w.offset, w.length, w.record_id) for w in written]
    assert [kind for _, _, kind, _, _, _ in found] == \
        ["warcinfo", "request", "response", "metadata", "request", "response", "metadata"]
    assert all(not record_problems for *_, record_problems in found)


def test_plain_file_offsets(tmp_path):
    """In an uncompressed file, offset and length are the record's own bytes."""
    path = tmp_path / "plain.warc"
    layout = plain_warc(path)
    found, problems = read_all(path)
    assert problems == []
    assert [(offset, length, record_id) for offset, length, _, record_id, _, _ in found] == layout


def test_header_lookup_is_case_insensitive_and_keeps_duplicates(tmp_path):
    """Fields keep their order and repeats (WARC-Concurrent-To), looked up in any case."""
    spec = RecordSpec(type="metadata", record_id="<urn:uuid:1>",
                      date="2026-11-24T02:35:45.000000Z", content_type="text/plain", block=b"x",
                      fields=[("WARC-Concurrent-To", "<urn:uuid:a>"),
                              ("WARC-Concurrent-To", "<urn:uuid:b>")])
    path = tmp_path / "dup.warc"
    path.write_bytes(record_bytes(spec)[0])
    with WarcReader(path) as reader:
        header = next(iter(reader)).header
    assert header.get_all("warc-concurrent-to") == ["<urn:uuid:a>", "<urn:uuid:b>"]
    assert header.get("WARC-CONCURRENT-TO") == "<urn:uuid:a>"
    assert "content-length" in header and "X-Absent" not in header
    assert header.version == "WARC/1.1" and header.record_id == "<urn:uuid:1>"
    assert [name for name, _ in header.fields][:4] == \
        ["WARC-Type", "WARC-Record-ID", "WARC-Date", "WARC-Concurrent-To"]


def test_single_gzip_stream_records_share_the_member(tmp_path):
    """A whole file in one gzip stream reads record by record, each marked as sharing it."""
    plain = tmp_path / "plain.warc"
    layout = plain_warc(plain)
    path = tmp_path / "one-stream.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    found, problems = read_all(path)
    assert problems == []
    assert [record_id for *_, record_id, _, _ in found] == [rid for _, _, rid in layout]
    assert all(offset == 0 and length is None for offset, length, *_ in found)
    with WarcReader(path) as reader:
        shared = []
        for record in reader:
            record_problems = [len(piece) for piece in record.chunks()]
            shared.append(record.shared_member)
    assert all(shared) and record_problems


def test_large_block_streams_in_bounded_pieces(tmp_path):
    """A 5 MiB block arrives in pieces of at most PIECE_BYTES and memory stays bounded."""
    block = bytes(range(256)) * (5 * 4096)
    spec = RecordSpec(type="resource", record_id="<urn:uuid:big>",
                      date="2026-11-24T02:35:45.000000Z",
                      content_type="application/octet-stream", block=block)
    path = tmp_path / "big.warc.gz"
    path.write_bytes(gzip_member(record_bytes(spec)[0]))
    tracemalloc.start()
    with WarcReader(path) as reader:
        for record in reader:
            sizes = [len(piece) for piece in record.chunks()]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert sum(sizes) == len(block) and max(sizes) <= PIECE_BYTES and len(sizes) >= 5
    assert peak < 4 * PIECE_BYTES


# --- damage ------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    """An empty file is one clear problem."""
    path = tmp_path / "empty.warc.gz"
    path.write_bytes(b"")
    found, problems = read_all(path)
    assert found == [] and kinds(problems) == ["empty-file"]


@pytest.mark.parametrize("data", [b"hello, world\n" * 100,
                                  gzip.compress(b"<html>not a warc</html>"), b"\x00" * 5000])
def test_not_a_warc(tmp_path, data):
    """Files that are not WARC/ARC (plain or gzip) are said to be so, once."""
    path = tmp_path / "x.warc.gz"
    path.write_bytes(data)
    found, problems = read_all(path)
    assert found == [] and kinds(problems) == ["not-a-warc"]


def test_huge_content_length_with_little_data(tmp_path):
    """A Content-Length of 10^15 over a few bytes is an incomplete record, read in no time
    and without allocating for it."""
    path = tmp_path / "liar.warc"
    path.write_bytes(b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:liar>\r\n"
                     b"Content-Length: 1000000000000000\r\n\r\nonly this")
    tracemalloc.start()
    found, problems = read_all(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert problems == [] and peak < 2 * PIECE_BYTES
    [(offset, _, _, record_id, block, record_problems)] = found
    assert (offset, record_id, block) == (0, "<urn:uuid:liar>", b"only this")
    [problem] = record_problems
    assert problem.kind == "incomplete-record" and problem.at_end
    assert (problem.expected, problem.actual) == ("1000000000000000", "9")


def test_garbage_between_records(tmp_path):
    """Bytes between records are reported with their offset; the next record still reads."""
    path = tmp_path / "plain.warc"
    layout = plain_warc(path)
    data = path.read_bytes()
    cut = layout[3][0]
    path.write_bytes(data[:cut] + b"this is not a record\r\n" + data[cut:])
    found, problems = read_all(path)
    assert kinds(problems) == ["garbage"] and problems[0].offset == cut
    assert len(found) == len(layout)


def test_garbage_between_gzip_members(tmp_path):
    """Bytes between gzip members are reported; reading resumes at the next member."""
    path, written = write_archive(tmp_path)
    data = path.read_bytes()
    cut = written[3].offset
    path.write_bytes(data[:cut] + b"JUNKJUNK" + data[cut:])
    found, problems = read_all(path)
    assert kinds(problems) == ["garbage"] and problems[0].offset == cut
    assert [record_id for *_, record_id, _, _ in found] == [w.record_id for w in written]


def test_content_length_longer_than_its_member(tmp_path):
    """A Content-Length past the end of its gzip member is reported on that record, and the
    next member's record is read as the next record."""
    path, written = write_archive(tmp_path)
    target = written[2]  # the first response
    data = path.read_bytes()
    raw = gzip.decompress(data[target.offset:target.offset + target.length])
    head, _, rest = raw.partition(b"\r\n\r\n")
    length = int(head.rsplit(b"Content-Length: ", 1)[1])
    head = head.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length + 40))
    member = gzip_member(head + b"\r\n\r\n" + rest)
    path.write_bytes(data[:target.offset] + member + data[target.offset + target.length:])
    found, problems = read_all(path)
    assert problems == []
    by_id = {record_id: record_problems for *_, record_id, _, record_problems in found}
    assert kinds(by_id[target.record_id]) == ["incomplete-record"]
    assert not by_id[target.record_id][0].at_end
    assert len(found) == len(written)
    assert all(not p for rid, p in by_id.items() if rid != target.record_id)


def test_missing_terminator(tmp_path):
    """A block not followed by CRLF CRLF is reported on that record."""
    path = tmp_path / "plain.warc"
    layout = plain_warc(path)
    data = bytearray(path.read_bytes())
    offset, length, record_id = layout[1]
    data[offset + length - 4:offset + length] = b"XXXX"
    path.write_bytes(bytes(data))
    found, problems = read_all(path)
    by_id = {rid: p for *_, rid, _, p in found}
    assert kinds(by_id[record_id]) == ["missing-terminator"]
    assert len(found) == len(layout) and problems == []


def test_header_too_long(tmp_path):
    """A WARC header that does not end within MAX_HEADER_BYTES is unparseable, not buffered."""
    path = tmp_path / "long.warc"
    path.write_bytes(b"WARC/1.1\r\nWARC-Record-ID: <urn:uuid:long>\r\nX: "
                     + b"a" * (2 * MAX_HEADER_BYTES) + b"\r\n\r\n")
    found, problems = read_all(path)
    assert found == []
    assert kinds(problems)[0] == "unparseable-record" and problems[0].record_id == "<urn:uuid:long>"


def test_missing_content_length(tmp_path):
    """A header without Content-Length cannot be framed: unparseable, with its record id."""
    path = tmp_path / "nolength.warc"
    path.write_bytes(b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:n>\r\n\r\nabc")
    _, problems = read_all(path)
    assert kinds(problems)[0] == "unparseable-record" and problems[0].record_id == "<urn:uuid:n>"


@pytest.mark.parametrize("length", ["\u00b2", "\u0663", "+3", "0x3"])
def test_content_length_is_ascii_digits(tmp_path, length):
    """A Content-Length of other digits ("\u00b2" passes str.isdigit but not int) is
    unparseable, not a crash and not a length."""
    path = tmp_path / "digits.warc"
    path.write_bytes(b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:d>\r\n"
                     b"Content-Length: " + length.encode() + b"\r\n\r\nabc\r\n\r\n")
    found, problems = read_all(path)
    assert found == []
    assert kinds(problems)[0] == "unparseable-record" and problems[0].record_id == "<urn:uuid:d>"


def test_arc_length_is_ascii_digits(tmp_path):
    """An ARC URL-record line whose length is another digit is not a record."""
    path = tmp_path / "digits.arc"
    path.write_bytes("http://example.com/ 1.2.3.4 20200101000000 text/html \u00b2\nabc\n"
                     .encode())
    found, problems = read_all(path)
    assert found == [] and kinds(problems)[0] == "unparseable-record"


def test_bad_gzip_trailer_names_the_record(tmp_path):
    """A wrong CRC-32 in a member's trailer is reported on the record inside it; the
    records after it still read."""
    path, written = write_archive(tmp_path)
    target = written[2]
    data = bytearray(path.read_bytes())
    data[target.offset + target.length - 8] ^= 0x01  # first byte of the CRC-32
    path.write_bytes(bytes(data))
    found, problems = read_all(path)
    assert problems == []
    by_id = {rid: p for *_, rid, _, p in found}
    assert kinds(by_id[target.record_id]) == ["bad-gzip-trailer"]
    assert by_id[target.record_id][0].offset == target.offset
    assert [rid for *_, rid, _, _ in found] == [w.record_id for w in written]


def test_corrupt_member_then_reading_resumes(tmp_path):
    """A member whose deflate data is damaged is reported; the following members still read."""
    path, written = write_archive(tmp_path)
    target = written[2]
    data = bytearray(path.read_bytes())
    for index in range(target.offset + 12, target.offset + target.length - 8):
        data[index] ^= 0x55
    path.write_bytes(bytes(data))
    found, problems = read_all(path)
    ids = [rid for *_, rid, _, _ in found]
    assert ids[-4:] == [w.record_id for w in written[-4:]]
    reported = [p for *_, p in found for p in p] + problems
    assert {p.kind for p in reported} & {"corrupt-gzip-member", "bad-gzip-trailer"}
    assert all(p.offset == target.offset for p in reported)


def test_truncated_member_is_at_end(tmp_path):
    """A file cut inside its last member reports a truncated member, marked as at the end."""
    path, written = write_archive(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:-30])
    found, _ = read_all(path)
    last = found[-1]
    assert last[3] == written[-1].record_id
    [problem] = last[5]
    assert problem.kind == "truncated-gzip-member" and problem.at_end
    assert problem.offset == written[-1].offset


# --- crash recovery ----------------------------------------------------------------------


def test_complete_prefix_of_a_clean_file(tmp_path):
    """A whole file is its own complete prefix, ending after its last capture."""
    path, written = write_archive(tmp_path, captures=3)
    prefix = complete_prefix(path)
    size = path.stat().st_size
    assert (prefix.size, prefix.end, prefix.capture_end) == (size, size, size)
    assert prefix.only_tail_damage and prefix.problems == ()
    assert [(r.offset, r.length, r.record_id) for r in prefix.records] == \
        [(w.offset, w.length, w.record_id) for w in written]
    assert [r.capture_id is not None for r in prefix.records] == [False] + [True] * 9


def test_complete_prefix_cuts_an_unfinished_capture(tmp_path):
    """An unfinished last capture (its metadata record cut) is left out of capture_end."""
    path, written = write_archive(tmp_path, captures=2)
    data = path.read_bytes()
    path.write_bytes(data[:written[-1].offset + 20])
    prefix = complete_prefix(path)
    assert prefix.capture_end == written[3].offset + written[3].length
    assert prefix.end == written[-2].offset + written[-2].length
    assert prefix.only_tail_damage
    assert kinds(prefix.problems) == ["truncated-gzip-member"]


def test_complete_prefix_with_only_a_warcinfo(tmp_path):
    """With no complete capture, capture_end is the end of the warcinfo record."""
    path, written = write_archive(tmp_path, captures=1)
    path.write_bytes(path.read_bytes()[:written[1].offset + 5])
    prefix = complete_prefix(path)
    assert prefix.capture_end == written[1].offset and prefix.only_tail_damage


def test_complete_prefix_damage_inside_is_not_tail(tmp_path):
    """Damage before the end is not an unfinished write: recovery must not cut there."""
    path, written = write_archive(tmp_path, captures=2)
    data = bytearray(path.read_bytes())
    data[written[2].offset + written[2].length - 8] ^= 0xFF
    path.write_bytes(bytes(data))
    prefix = complete_prefix(path)
    assert not prefix.only_tail_damage
    assert prefix.capture_end == written[0].length


def test_spans_read_the_same_records(tmp_path):
    """Reading a file span by span, from split_offsets, gives the records of a whole read."""
    path, written = write_archive(tmp_path, captures=4)
    offsets = split_offsets(path, 3)
    assert len(offsets) == 3
    records = []
    for start, end in zip(offsets, [*offsets[1:], None], strict=True):
        with WarcReader(path, start=start, end=end) as reader:
            for record in reader:
                record.read_to_end()
                records.append((record.offset, record.length, record.record_id,
                                record.problems))
            assert reader.problems == []
    assert records == [(w.offset, w.length, w.record_id, []) for w in written]


@pytest.mark.parametrize(("tail", "kind"), [(b"", "empty-file"), (b"no record here", "not-a-warc")])
def test_a_span_is_judged_at_its_own_offset(tmp_path, tail, kind):
    """A span that holds no record says so at the span's start, not at the file's."""
    path = tmp_path / "x.warc"
    head = b"WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 1\r\n\r\nx\r\n\r\n"
    path.write_bytes(head + tail)
    with WarcReader(path, start=len(head)) as reader:
        assert list(reader) == []
    assert [(p.kind, p.offset) for p in reader.problems] == [(kind, len(head))]


def test_folded_header_lines_join_their_field(tmp_path):
    """An obsolete continuation line (leading space) belongs to the field before it."""
    path = tmp_path / "folded.warc"
    path.write_bytes(b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:f>\r\n"
                     b"X-Long: first\r\n  second\r\nContent-Length: 1\r\n\r\nx\r\n\r\n")
    found, problems = read_all(path)
    assert problems == [] and found[0][5] == []
    with WarcReader(path) as reader:
        header = next(iter(reader)).header
    assert header.get("x-long") == "first second"
    assert ("X-Long", "first second") in header.fields
