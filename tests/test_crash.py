"""kill -9 in the middle of a capture batch: nothing acknowledged is lost or unlogged, the
.open file is recovered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from archiver.catalog import Catalog
from tests.helpers import json_lines, run_cli


def slow_page(number: int):
    """A route answering after a short pause, so the batch is still running when killed."""

    def send(handler) -> None:
        time.sleep(0.05)
        body = b"<html><title>page %d</title><body><p>%s</p></body></html>" % (number, b"text " * 2000)
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                            b"Content-Length: %d\r\n\r\n" % len(body) + body)
        handler.close_connection = True

    return send


def test_kill_minus_nine_loses_no_acknowledged_capture(tmp_path, site):
    """Captures printed before a SIGKILL are all in the catalog and verify after recovery."""
    for number in range(200):
        site.routes[f"/p{number}"] = slow_page(number)
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(site.url(f"/p{n}") for n in range(200)))
    home = tmp_path / "home"
    process = subprocess.Popen(
        [sys.executable, "-m", "archiver", "--home", str(home), "capture", "--allow-network",
         "127.0.0.1/32", "--json", "--workers", "4", "-i", str(urls)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    acknowledged = []
    for line in process.stdout:
        acknowledged.append(line)
        if len(acknowledged) == 15:
            os.killpg(process.pid, signal.SIGKILL)  # the CLI and its extraction workers
            break
    acknowledged += process.stdout.readlines()
    process.wait()
    ids = {line["capture_id"] for line in json_lines(b"".join(acknowledged).decode())}
    assert len(ids) >= 15
    assert len(ids) < 200, "the batch finished before the kill; nothing was tested"
    assert list((home / "warcs").glob("*.open")), "the kill left no .open file to recover"

    site.raw("/after", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    again = run_cli(home, "capture", "--allow-network", "127.0.0.1/32", site.url("/after"))
    assert again.exit_code == 0, again.stderr
    assert "recovered:" in again.stderr and "closed as" in again.stderr
    assert not list((home / "warcs").glob("*.open"))

    listed = {line["capture_id"] for line in json_lines(run_cli(home, "list", "--json").stdout)}
    assert ids <= listed
    # Every acknowledged capture is in the log (its leaf was committed with its row), and
    # so is every capture recovery found only in the WARC file: one leaf each, no gap.
    with Catalog(home / "catalog.sqlite3") as catalog:
        entries = list(catalog.log_entries())
    assert [entry.index for entry in entries] == list(range(len(entries)))
    logged = [entry.capture_id for entry in entries]
    assert ids <= set(logged) and set(logged) == listed and len(logged) == len(listed)
    verified = run_cli(home, "verify")
    assert verified.exit_code == 0, verified.stdout
