"""Kept-alive connections: one connection serves a batch from one origin, and a
connection that cannot go on is never reused."""

from __future__ import annotations

from tests.helpers import json_lines, run_cli, warc_records

ALLOW = ("--allow-network", "127.0.0.1/32")
PAGE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
CLOSING_PAGE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                b"Connection: close\r\n\r\nhello")


def serve(site, path: str, response: bytes) -> None:
    """Answer ``path`` with ``response`` and keep the connection open for more."""
    site.routes[path] = lambda handler: handler.wfile.write(response)


def capture(home, *urls: str, options: tuple[str, ...] = ()):
    result = run_cli(home, "capture", *ALLOW, "--workers", "1", "--json", *options, *urls)
    assert result.exit_code == 0, result.stderr
    return json_lines(result.stdout)


def requests_in(home) -> list[bytes]:
    return [block for headers, block in warc_records(home) if headers["WARC-Type"] == "request"]


def test_a_batch_from_one_origin_shares_one_connection(tmp_path, site):
    """Four pages, one fetch thread: one TCP connection, and each exchange is still
    recorded whole, with no `Connection: close` asked for."""
    for number in range(4):
        serve(site, f"/p{number}", PAGE)
    lines = capture(tmp_path, *(site.url(f"/p{number}") for number in range(4)))
    assert [line["status"] for line in lines] == [200] * 4
    assert len(site.connections) == 1
    requests = requests_in(tmp_path)
    assert len(requests) == 4
    assert all(b"\r\nConnection:" not in block for block in requests)
    responses = [block for headers, block in warc_records(tmp_path)
                 if headers["WARC-Type"] == "response"]
    assert responses == [PAGE] * 4


def test_a_response_that_says_close_is_not_reused(tmp_path, site):
    serve(site, "/closing", CLOSING_PAGE)
    serve(site, "/next", PAGE)
    capture(tmp_path, site.url("/closing"), site.url("/next"))
    assert len(site.connections) == 2


def test_a_connection_the_server_closed_while_idle_is_not_reused(tmp_path, site):
    """The server hangs up after its response without saying so: the next page goes
    over a new connection, and nothing of the dead one is recorded."""
    site.raw("/hangs-up", PAGE)
    serve(site, "/next", PAGE)
    lines = capture(tmp_path, site.url("/hangs-up"), site.url("/next"))
    assert [line["status"] for line in lines] == [200, 200]
    assert len(site.connections) == 2
    assert len(requests_in(tmp_path)) == 2


def test_a_connection_that_dies_under_the_next_request_is_retried_once(tmp_path, site):
    """A race a readiness check cannot see: the server takes the second request on a
    connection and closes without a byte. The page is fetched again on a new
    connection, and the archive holds one request and one response for it."""
    seen: set[tuple] = set()

    def first_request_only(handler) -> None:
        connection = handler.client_address
        if connection in seen:
            handler.close_connection = True
            return
        seen.add(connection)
        handler.wfile.write(PAGE)

    site.routes["/flaky"] = first_request_only
    lines = capture(tmp_path, site.url("/flaky"), site.url("/flaky?again"))
    assert [line["status"] for line in lines] == [200, 200]
    assert len(site.connections) == 2
    assert site.requests == ["/flaky", "/flaky?again", "/flaky?again"]
    assert len(requests_in(tmp_path)) == 2


def test_a_truncated_response_closes_its_connection(tmp_path, site):
    """A body cut at --max-bytes leaves unread bytes on the wire: that connection is
    closed, and the next page gets a clean one."""
    big = b"x" * 5000
    serve(site, "/big", b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(big), big))
    serve(site, "/small", PAGE)
    capture(tmp_path, site.url("/big"), site.url("/small"), options=("--max-bytes", "1000"))
    assert len(site.connections) == 2
    truncated = [headers.get("WARC-Truncated") for headers, _ in warc_records(tmp_path)
                 if headers["WARC-Type"] == "response"]
    assert truncated == ["length", None]


def test_https_pages_share_one_tls_connection_and_each_keeps_the_chain(tmp_path, tls_site,
                                                                        tls_files):
    ca, _chain, _key = tls_files
    serve(tls_site, "/a", PAGE)
    serve(tls_site, "/b", PAGE)
    lines = capture(tmp_path, tls_site.url("/a"), tls_site.url("/b"),
                    options=("--ca-bundle", str(ca)))
    assert len(tls_site.connections) == 1
    for line in lines:
        document = json_lines(run_cli(tmp_path, "show", line["capture_id"], "--json").stdout)[0]
        assert document["network"]["tls"]["certificates"][1] == ca.read_text()
