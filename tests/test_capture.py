"""Capturing real pages from real loopback servers into WARC + catalog."""

from __future__ import annotations

import gzip
import hashlib

import blake3

from archiver import schemas
from tests.helpers import json_lines, run_cli, warc_records

ALLOW = ("--allow-network", "127.0.0.1/32")
ODD_RESPONSE = (
    b"HTTP/1.1 200 Fine By Me\r\n"
    b"content-TYPE:   text/plain;charset=UTF-8  \r\n"
    b"X-Duplicate: one\r\nX-Duplicate: two\r\n"
    b"Content-Length: 12\r\n\r\n"
    b"exact bytes\n"
)
CHUNKED_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n"
)


def test_response_block_is_the_exact_wire_bytes(tmp_path, site):
    """The response record's block is byte for byte what the server sent."""
    site.raw("/odd", ODD_RESPONSE)
    result = run_cli(tmp_path, "capture", *ALLOW, site.url("/odd"))
    assert result.exit_code == 0, result.stderr
    records = warc_records(tmp_path)
    assert [h["WARC-Type"] for h, _ in records] == ["warcinfo", "request", "response", "metadata"]
    response_headers, response_block = records[2]
    assert response_block == ODD_RESPONSE
    assert response_headers["WARC-IP-Address"] == "127.0.0.1"
    assert response_headers["WARC-Block-Digest"] == "sha256:" + hashlib.sha256(ODD_RESPONSE).hexdigest()
    payload = b"exact bytes\n"
    assert response_headers["WARC-Payload-Digest"] == "sha256:" + hashlib.sha256(payload).hexdigest()
    assert response_headers["Archiver-Payload-Digest"] == "blake3:" + blake3.blake3(payload).hexdigest()


def test_request_block_is_what_the_server_received(tmp_path, site):
    """The request record holds the request line and headers we sent, as sent."""
    site.raw("/odd", ODD_RESPONSE)
    run_cli(tmp_path, "capture", *ALLOW, "--user-agent", "TestAgent/1", site.url("/odd?q=a b"))
    headers, block = warc_records(tmp_path)[1]
    assert block.startswith(b"GET /odd?q=a%20b HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"\r\nUser-Agent: TestAgent/1\r\n" in block
    assert block.endswith(b"\r\n\r\n")
    assert site.requests == ["/odd?q=a%20b"]


def test_one_date_and_links_between_the_records_of_a_capture(tmp_path, site):
    """Request, response and metadata share one WARC-Date and point at each other."""
    site.raw("/odd", ODD_RESPONSE)
    run_cli(tmp_path, "capture", *ALLOW, site.url("/odd"))
    _info, (request, _), (response, _), (metadata, block) = warc_records(tmp_path)
    assert request["WARC-Date"] == response["WARC-Date"] == metadata["WARC-Date"]
    assert len(response["WARC-Date"]) == len("2026-01-02T03:04:05.678901Z")
    assert request["WARC-Concurrent-To"] == response["WARC-Record-ID"]
    assert response["WARC-Concurrent-To"] == request["WARC-Record-ID"]
    assert metadata["WARC-Refers-To"] == response["WARC-Record-ID"]
    assert "WARC-Payload-Digest" not in metadata
    assert metadata["Content-Type"] == "application/json"
    import json

    document = json.loads(block)
    schemas.validate(document, "provenance")
    assert document["captured_at"] == metadata["WARC-Date"]


def test_capture_json_line_has_the_contract_fields(tmp_path, site):
    """`capture --json` prints one schema-valid line per capture with the DESIGN fields."""
    result = run_cli(tmp_path, "capture", *ALLOW, "--json", site.url("/"))
    assert result.exit_code == 0, result.stderr
    (line,) = json_lines(result.stdout)
    schemas.validate(line, "capture")
    assert line["url"] == site.url("/")
    assert line["status"] == 200
    assert set(line["warc"]) == {"file", "offset", "length"}


def test_chunked_payload_digest_is_over_the_dechunked_body(tmp_path, site):
    """WARC-Payload-Digest of a chunked response hashes the body without chunk framing."""
    site.raw("/chunked", CHUNKED_RESPONSE)
    run_cli(tmp_path, "capture", *ALLOW, site.url("/chunked"))
    headers, block = warc_records(tmp_path)[2]
    assert block == CHUNKED_RESPONSE
    assert headers["WARC-Payload-Digest"] == "sha256:" + hashlib.sha256(b"hello, world").hexdigest()


def test_redirect_hops_are_each_recorded(tmp_path, site):
    """Each redirect hop gets its own request/response pair and a line in `redirects`."""
    site.raw("/a", b"HTTP/1.1 301 Moved\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n")
    site.raw("/b", b"HTTP/1.1 302 Found\r\nLocation: " + site.url("/odd").encode()
             + b"\r\nContent-Length: 0\r\n\r\n")
    site.raw("/odd", ODD_RESPONSE)
    result = run_cli(tmp_path, "capture", *ALLOW, "--json", site.url("/a"))
    (line,) = json_lines(result.stdout)
    assert line["final_url"] == site.url("/odd")
    types = [h["WARC-Type"] for h, _ in warc_records(tmp_path)]
    assert types == ["warcinfo"] + ["request", "response"] * 3 + ["metadata"]
    shown = json_lines(run_cli(tmp_path, "show", line["capture_id"], "--json").stdout)[0]
    assert [(hop["status"], hop["url"]) for hop in shown["redirects"]] == [
        (301, site.url("/a")), (302, site.url("/b"))]


def test_many_urls_from_a_file_are_captured_concurrently(tmp_path, site):
    """`-i FILE` captures every listed URL; comments and blank lines are skipped."""
    for n in range(12):
        site.raw(f"/p{n}", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n%02d" % n)
    listing = tmp_path / "urls.txt"
    listing.write_text("# a comment\n\n" + "\n".join(site.url(f"/p{n}") for n in range(12)))
    result = run_cli(tmp_path / "home", "capture", *ALLOW, "--json", "-i", str(listing))
    assert result.exit_code == 0, result.stderr
    assert sorted(line["url"] for line in json_lines(result.stdout)) == sorted(
        site.url(f"/p{n}") for n in range(12))
    assert len(json_lines(run_cli(tmp_path / "home", "list", "--json").stdout)) == 12


def test_https_capture_keeps_the_certificate_chain(tmp_path, tls_site, tls_files):
    """Over HTTPS the provenance holds the TLS version and the chain the server sent."""
    ca, _chain, _key = tls_files
    result = run_cli(tmp_path, "capture", *ALLOW, "--ca-bundle", str(ca), "--json",
                     tls_site.url("/"))
    assert result.exit_code == 0, result.stderr
    (line,) = json_lines(result.stdout)
    document = json_lines(run_cli(tmp_path, "show", line["capture_id"], "--json").stdout)[0]
    tls = document["network"]["tls"]
    assert tls["verified"] is True
    assert tls["version"].startswith("TLS")
    assert len(tls["certificates"]) == 2
    assert tls["certificates"][1] == ca.read_text()


def test_https_with_an_untrusted_certificate_is_refused_clearly(tmp_path, tls_site):
    """Without the test CA the capture fails with one line that says how to fix it."""
    result = run_cli(tmp_path, "capture", *ALLOW, tls_site.url("/"))
    assert result.exit_code == 2
    assert "certificate" in result.stderr and "--ca-bundle" in result.stderr
    assert not list((tmp_path / "warcs").glob("*.warc.gz"))


def test_gzip_encoded_page_is_stored_encoded_and_extracted_decoded(tmp_path, site):
    """The payload stays gzip as received; article facts come from the decoded HTML."""
    html = b"<html><head><title>Zipped news</title></head><body><article><p>" + b"Word " * 200 + b"</p></article></body></html>"
    body = gzip.compress(html, mtime=0)
    site.raw("/z", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
             b"Content-Length: %d\r\n\r\n" % len(body) + body)
    line = json_lines(run_cli(tmp_path, "capture", *ALLOW, "--json", site.url("/z")).stdout)[0]
    assert line["payload_sha256"] == "sha256:" + hashlib.sha256(body).hexdigest()
    assert line["title"] == "Zipped news"


def test_fast_extract_mode_is_recorded_in_the_provenance(tmp_path, site):
    """--extract fast uses resiliparse and says so in the article and the agent options."""
    url = site.url("/world/2026/11/ceasefire-talks.html")
    line = json_lines(run_cli(tmp_path, "capture", *ALLOW, "--extract", "fast", "--json", url).stdout)[0]
    document = json_lines(run_cli(tmp_path, "show", line["capture_id"], "--json").stdout)[0]
    assert document["article"]["extractor"].startswith("resiliparse ")
    assert document["article"]["sources"]["text"] == "resiliparse"
    assert document["agent"]["options"]["extract"] == "fast"
    assert document["article"]["title"] == line["title"] is not None
