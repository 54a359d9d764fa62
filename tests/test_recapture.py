"""Recapturing a URL: identical payloads and 304s become revisit records; the article
text is kept in a conversion record; verify and catalog rebuild handle both."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib
from pathlib import Path

import blake3
import pytest

from archiver.fingerprint import METHOD, NUM_PERM, fingerprint
from archiver.home import ArchiveHome
from archiver.rebuild import rebuild_catalog
from tests.helpers import json_lines, run_cli, warc_records

ALLOW = ("--allow-network", "127.0.0.1/32")
ARTICLE = "/world/2026/11/storm-lisbon.html"
IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


def capture(home: Path, url: str, *options: str) -> dict:
    result = run_cli(home, "capture", *ALLOW, "--json", *options, url)
    assert result.exit_code == 0, result.stderr
    (line,) = json_lines(result.stdout)
    return line


def show(home: Path, capture_id: str) -> dict:
    return json_lines(run_cli(home, "show", capture_id, "--json").stdout)[0]


def by_type(home: Path, kind: str) -> list[tuple[dict, bytes]]:
    return [(h, b) for h, b in warc_records(home) if h["WARC-Type"] == kind]


def test_article_text_is_a_conversion_record_hashed_by_the_provenance(tmp_path, site):
    first = capture(tmp_path, site.url(ARTICLE))
    ((conversion, text),) = by_type(tmp_path, "conversion")
    ((response, _),) = by_type(tmp_path, "response")
    assert conversion["Content-Type"] == "text/plain; charset=utf-8"
    assert conversion["WARC-Refers-To"] == response["WARC-Record-ID"]
    assert conversion["Archiver-Payload-Digest"] == first["text_blake3"] == \
        "blake3:" + blake3.blake3(text).hexdigest()
    assert "Lisbon" in text.decode("utf-8")
    listed = show(tmp_path, first["capture_id"])["records"]
    assert [r["type"] for r in listed] == ["request", "response", "conversion"]
    with ArchiveHome(tmp_path).open_catalog() as catalog:
        assert catalog.article_text(first["capture_id"]) == text.decode("utf-8")
        # fingerprinted at capture time, in the same commit (archiver trace reads it)
        stored = catalog.fingerprints(METHOD, signature_bytes=NUM_PERM * 4)[first["capture_id"]]
        assert stored[0] == first["text_blake3"]
        assert stored[2] == fingerprint(text.decode("utf-8")).signature


def test_unchanged_page_is_a_revisit_of_the_first_response(tmp_path, site):
    first = capture(tmp_path, site.url(ARTICLE))
    second = capture(tmp_path, site.url(ARTICLE))
    assert second["capture_id"] != first["capture_id"]
    assert second["payload_sha256"] == first["payload_sha256"]
    ((original, body),) = by_type(tmp_path, "response")
    ((revisit, head),) = by_type(tmp_path, "revisit")
    assert revisit["WARC-Profile"] == IDENTICAL
    assert revisit["WARC-Refers-To"] == original["WARC-Record-ID"]
    assert revisit["WARC-Refers-To-Target-URI"] == original["WARC-Target-URI"]
    assert revisit["WARC-Refers-To-Date"] == original["WARC-Date"]
    assert revisit["WARC-Payload-Digest"] == original["WARC-Payload-Digest"]
    # The body is not stored again: the block is the head as received (its Date differs).
    assert head.startswith(b"HTTP/1.1 200") and head.endswith(b"\r\n\r\n")
    assert head.count(b"\r\n\r\n") == 1 and len(head) < body.index(b"\r\n\r\n") + 8
    assert len(by_type(tmp_path, "conversion")) == 1  # nor is the text
    document = show(tmp_path, second["capture_id"])
    assert document["content"]["revisit"] == {
        "profile": "identical-payload-digest", "refers_to_capture": first["capture_id"],
        "refers_to_record": original["WARC-Record-ID"],
        "refers_to_target_uri": original["WARC-Target-URI"],
        "refers_to_date": original["WARC-Date"]}
    assert document["article"]["text_blake3"] == first["text_blake3"]
    with ArchiveHome(tmp_path).open_catalog() as catalog:
        assert catalog.article_text(second["capture_id"]) == \
            catalog.article_text(first["capture_id"])
    assert run_cli(tmp_path, "verify").exit_code == 0


def test_changed_page_is_stored_whole(tmp_path, site):
    versions = iter([b"<html><body><p>First version of the story.</p></body></html>",
                     b"<html><body><p>Second version of the story.</p></body></html>"])

    def page(handler):
        body = next(versions)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    site.routes["/story"] = page
    capture(tmp_path, site.url("/story"))
    capture(tmp_path, site.url("/story"))
    assert len(by_type(tmp_path, "response")) == 2
    assert by_type(tmp_path, "revisit") == []


def conditional_page(site, body: bytes):
    """A page with an ETag that answers 304 to a matching If-None-Match."""
    seen = []

    def page(handler):
        seen.append(handler.headers.get("If-None-Match"))
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("ETag", '"v1"')
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("ETag", '"v1"')
        handler.send_header("Last-Modified", "Tue, 24 Nov 2026 06:00:00 GMT")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    site.routes["/cached"] = page
    return seen


def test_not_modified_is_a_server_not_modified_revisit(tmp_path, site):
    body = (Path(__file__).parent.parent / "examples/site" / ARTICLE.lstrip("/")).read_bytes()
    seen = conditional_page(site, body)
    first = capture(tmp_path, site.url("/cached"))
    plain = capture(tmp_path, site.url("/cached"))  # without --revalidate: no validators
    second = capture(tmp_path, site.url("/cached"), "--revalidate")
    assert seen == [None, None, '"v1"']
    assert plain["status"] == 200 and second["status"] == 304
    ((original, _),) = by_type(tmp_path, "response")
    revisits = by_type(tmp_path, "revisit")
    assert [h["WARC-Profile"] for h, _ in revisits] == [IDENTICAL, NOT_MODIFIED]
    header, block = revisits[1]
    assert block.startswith(b"HTTP/1.0 304") or block.startswith(b"HTTP/1.1 304")
    assert "WARC-Payload-Digest" not in header
    assert header["WARC-Refers-To"] == original["WARC-Record-ID"]
    request = by_type(tmp_path, "request")[2][1]
    assert b'\r\nIf-None-Match: "v1"\r\n' in request
    assert b"\r\nIf-Modified-Since: Tue, 24 Nov 2026 06:00:00 GMT\r\n" in request
    document = show(tmp_path, second["capture_id"])
    assert document["content"]["revisit"]["profile"] == "server-not-modified"
    assert document["content"]["revisit"]["refers_to_capture"] == first["capture_id"]
    assert document["article"] == show(tmp_path, first["capture_id"])["article"]
    assert run_cli(tmp_path, "verify").exit_code == 0


def test_a_validator_that_cannot_be_sent_is_left_out(tmp_path, site):
    """An ETag of non-ASCII bytes is recorded, but is no header value we can send back."""
    site.raw("/odd-etag", b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: "\xe9t\xe9"\r\n'
             b"Last-Modified: Tue, 24 Nov 2026 06:00:00 GMT\r\nContent-Length: 2\r\n\r\nhi")
    first = capture(tmp_path, site.url("/odd-etag"))
    assert show(tmp_path, first["capture_id"])["content"]["etag"] == '"\xe9t\xe9"'
    capture(tmp_path, site.url("/odd-etag"), "--revalidate")
    request = by_type(tmp_path, "request")[1][1]
    assert b"If-None-Match" not in request and b"If-Modified-Since" not in request


def test_rebuild_restores_revisits_and_texts(tmp_path, site):
    first = capture(tmp_path, site.url(ARTICLE))
    second = capture(tmp_path, site.url(ARTICLE))
    home = ArchiveHome(tmp_path)
    home.catalog_path.unlink()
    rebuild_catalog(home)
    with home.open_catalog() as catalog:
        text = catalog.article_text(first["capture_id"])
        assert text and catalog.article_text(second["capture_id"]) == text
        assert catalog.get(second["capture_id"]).response.type == "revisit"
    assert run_cli(tmp_path, "verify").exit_code == 0


def test_warcio_checks_revisit_and_conversion_records(tmp_path, site):
    capture(tmp_path, site.url(ARTICLE))
    capture(tmp_path, site.url(ARTICLE))
    warcs = sorted(str(path) for path in (tmp_path / "warcs").iterdir())
    checked = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", *warcs],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "revisit" in checked.stdout and "conversion" in checked.stdout


def rewrite_member(path: Path, record_type: str, old: bytes, new: bytes) -> None:
    """Replace bytes inside the first record of ``record_type``, keeping its digests."""
    data = path.read_bytes()
    members, at = [], 0
    while at < len(data):
        inflater = zlib.decompressobj(31)
        raw = inflater.decompress(data[at:])
        used = len(data) - at - len(inflater.unused_data)
        members.append(raw)
        at += used
    done = False
    for index, raw in enumerate(members):
        if not done and f"WARC-Type: {record_type}\r\n".encode() in raw and old in raw:
            assert len(old) == len(new)
            members[index] = raw.replace(old, new, 1)
            done = True
    assert done
    path.write_bytes(b"".join(gzip.compress(m) for m in members))


@pytest.mark.parametrize(("record_type", "field"), [
    ("conversion", b"Lisbon"),
    ("revisit", None),
])
def test_tampered_records_fail_verify_naming_them(tmp_path, site, record_type, field):
    capture(tmp_path, site.url(ARTICLE))
    capture(tmp_path, site.url(ARTICLE))
    ((header, _),) = by_type(tmp_path, record_type)
    warc = next(path for path in (tmp_path / "warcs").iterdir()
                if header["WARC-Record-ID"].encode() in gzip.decompress(path.read_bytes()))
    if field is None:  # point the revisit at a record that does not exist
        old = header["WARC-Refers-To"].encode()
        rewrite_member(warc, record_type, b"WARC-Refers-To: " + old,
                       b"WARC-Refers-To: " + old[:-5] + b"0000>")
    else:
        rewrite_member(warc, record_type, field, field.upper())
    result = run_cli(tmp_path, "verify", "--json")
    assert result.exit_code == 1
    report = json_lines(result.stdout)[0]
    assert header["WARC-Record-ID"] in {p["record_id"] for p in report["problems"]}, \
        result.stdout
