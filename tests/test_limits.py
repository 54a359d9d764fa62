"""Every limit is enforced: deadline, byte cap, decode cap, network policy."""

from __future__ import annotations

import gzip
import time

import pytest

from archiver.testing import LoopbackSite
from tests.helpers import json_lines, run_cli, warc_records

ALLOW = ("--allow-network", "127.0.0.1/32")


def trickle(head: bytes, body: bytes, delay: float):
    """A route that sends ``head`` then ``body`` one byte every ``delay`` seconds."""

    def send(handler) -> None:
        handler.wfile.write(head)
        handler.wfile.flush()
        for byte in body:
            time.sleep(delay)
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:
                return
        handler.close_connection = True

    return send


def no_warc_records(home) -> bool:
    warcs = home / "warcs"
    return not warcs.exists() or all(
        h["WARC-Type"] == "warcinfo" for h, _ in warc_records(home))


def test_a_trickling_body_is_cut_at_the_deadline(tmp_path, site):
    """A server sending one byte at a time cannot hold a capture past --timeout."""
    site.routes["/slow"] = trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", b"x" * 100, 0.2)
    started = time.monotonic()
    result = run_cli(tmp_path, "capture", *ALLOW, "--timeout", "1", "--json", site.url("/slow"))
    assert time.monotonic() - started < 4
    assert result.exit_code == 0, result.stderr
    headers, block = warc_records(tmp_path)[2]
    assert headers["WARC-Truncated"] == "time"
    assert 0 < len(block.split(b"\r\n\r\n", 1)[1]) < 100
    document = json_lines(run_cli(tmp_path, "show", json_lines(result.stdout)[0]["capture_id"],
                                  "--json").stdout)[0]
    assert document["content"]["truncated"] == "time"


def test_a_trickling_head_fails_without_writing_anything(tmp_path, site):
    """When not even the response head arrives in time, the capture fails cleanly."""
    site.routes["/slowhead"] = trickle(b"", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0.2)
    started = time.monotonic()
    result = run_cli(tmp_path, "capture", *ALLOW, "--timeout", "1", site.url("/slowhead"))
    assert time.monotonic() - started < 4
    assert result.exit_code == 2
    assert site.url("/slowhead") in result.stderr and "deadline" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert no_warc_records(tmp_path)


def test_an_oversized_body_is_cut_at_the_byte_cap(tmp_path, site):
    """A body larger than --max-bytes is stored up to the cap with WARC-Truncated: length."""
    body = b"y" * 100_000
    site.raw("/big", b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body)
    result = run_cli(tmp_path, "capture", *ALLOW, "--max-bytes", "10000", site.url("/big"))
    assert result.exit_code == 0, result.stderr
    headers, block = warc_records(tmp_path)[2]
    assert headers["WARC-Truncated"] == "length"
    assert len(block) == 10_000


def capture_encoded(home, site, coding: bytes, body: bytes) -> dict:
    """The provenance document of a page served as ``Content-Encoding: coding``."""
    site.raw("/encoded", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: %s"
             b"\r\nContent-Length: %d\r\n\r\n%s" % (coding, len(body), body))
    result = run_cli(home, "capture", *ALLOW, "--json", site.url("/encoded"))
    assert result.exit_code == 0, result.stderr
    capture_id = json_lines(result.stdout)[0]["capture_id"]
    return json_lines(run_cli(home, "show", capture_id, "--json").stdout)[0]


def test_a_gzip_bomb_hits_the_decode_cap(tmp_path, site):
    """A small body that inflates past the decode cap is archived but not decoded."""
    bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9, mtime=0)
    document = capture_encoded(tmp_path, site, b"gzip", bomb)
    assert document["content"]["bytes"] == len(bomb)
    assert document["article"]["text_blake3"] is None
    assert any("decode cap" in note for note in document["notes"])


@pytest.mark.parametrize("coding", [b"gzip", b"deflate", b"br", b"br, gzip"])
def test_a_body_that_is_not_its_declared_encoding_is_archived_not_decoded(tmp_path, site,
                                                                           coding):
    """Plain bytes sent as compressed: the capture keeps them and notes why no facts."""
    body = b"<html><title>Not compressed</title><p>plain</p></html>"
    document = capture_encoded(tmp_path, site, coding, body)
    assert document["content"]["bytes"] == len(body)
    assert document["article"]["title"] is None
    assert any("does not decode" in note for note in document["notes"])


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/",
    "http://[::1]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://169.254.169.254/latest/meta-data/",
    "http://2130706433:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://0x7f.1:{port}/",
    "http://localhost:{port}/",
])
def test_private_addresses_are_refused_without_the_flag(tmp_path, site, url):
    """Loopback, unspecified, link-local, decimal/octal/hex hosts are refused by default."""
    port = site.base_url.rsplit(":", 1)[1]
    result = run_cli(tmp_path, "capture", "--timeout", "3", url.format(port=port))
    assert result.exit_code == 2
    assert "refused" in result.stderr and "--allow-private" in result.stderr
    assert no_warc_records(tmp_path)
    assert site.requests == []


def test_allow_private_allows_loopback(tmp_path, site):
    """--allow-private lets a capture reach 127.0.0.1."""
    result = run_cli(tmp_path, "capture", "--allow-private", site.url("/"))
    assert result.exit_code == 0, result.stderr


def test_allow_network_allows_only_that_range(tmp_path):
    """--allow-network 127.0.0.1/32 allows 127.0.0.1 and still refuses 127.0.0.2."""
    with LoopbackSite(host="127.0.0.2") as other:
        other.raw("/", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        result = run_cli(tmp_path, "capture", *ALLOW, other.url("/"))
        assert result.exit_code == 2
        assert "127.0.0.2" in result.stderr
        assert other.requests == []


def test_a_redirect_to_a_private_address_is_refused(tmp_path, site):
    """An allowed first hop cannot redirect the capture to an address that is not allowed."""
    with LoopbackSite(host="127.0.0.2") as inner:
        inner.raw("/secret", b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret")
        site.raw("/jump", b"HTTP/1.1 302 Found\r\nLocation: " + inner.url("/secret").encode()
                 + b"\r\nContent-Length: 0\r\n\r\n")
        result = run_cli(tmp_path, "capture", *ALLOW, site.url("/jump"))
        assert result.exit_code == 2
        assert "127.0.0.2" in result.stderr
        assert inner.requests == []
        assert no_warc_records(tmp_path)


def test_a_redirect_to_an_invalid_url_fails_cleanly(tmp_path, site):
    site.raw("/jump", b"HTTP/1.1 302 Found\r\nLocation: http://[::1\r\nContent-Length: 0\r\n\r\n")
    result = run_cli(tmp_path, "capture", *ALLOW, site.url("/jump"))
    assert result.exit_code == 2
    assert "redirect to 'http://[::1', which is not a valid URL" in result.stderr
    assert no_warc_records(tmp_path)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)",
                                 "http://user:pw@example.com/", "not a url"])
def test_other_schemes_and_bad_urls_are_refused(tmp_path, url):
    """Only http and https URLs are captured; the error names the URL."""
    result = run_cli(tmp_path, "capture", url)
    assert result.exit_code == 2
    assert url.split("/")[0] in result.stderr


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--user-agent", "Bot \u00e9", "cannot be sent in an HTTP header"),
    ("--user-agent", "Bot\r\nX-Injected: 1", "cannot be sent in an HTTP header"),
    ("--outlet", "\udcff", "not valid UTF-8"),  # what Python makes of the byte 0xff in argv
])
def test_option_values_that_cannot_be_kept_are_refused(tmp_path, site, option, value, said):
    """An option that would go into a header or a provenance document as something they
    cannot hold is a usage error, before anything is fetched."""
    result = run_cli(tmp_path, "capture", "--allow-private", option, value, site.url("/"))
    assert result.exit_code == 2 and said in result.stderr
    assert site.requests == [] and no_warc_records(tmp_path)


def test_partial_failure_exits_one_and_keeps_the_good_capture(tmp_path, site):
    """One good and one refused URL: the good one is captured, the exit status is 1."""
    result = run_cli(tmp_path, "capture", *ALLOW, "--json", site.url("/"), "ftp://example.com/")
    assert result.exit_code == 1
    assert len(json_lines(result.stdout)) == 1
    assert "ftp://example.com/" in result.stderr
