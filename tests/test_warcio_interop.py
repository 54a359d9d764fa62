"""Our WARCs under ``warcio check``, the tool everyone else will use on them.

warcio and archiver agree on block digests. They differ on the payload of a chunked
HTTP response: WARC 1.1 §6.3 defines the payload as the entity body with the transfer
coding removed, which is what archiver writes and checks; warcio digests the body as
stored, still chunked (docs/warc-format.md, "The chunked difference").
"""

from __future__ import annotations

import subprocess
import sys

from archiver.verify import verify_paths
from tests.test_warcread import write_archive


def warcio_check(path) -> subprocess.CompletedProcess:
    # warcio has no __main__ module: run its cli module.
    return subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_warcio_check_passes_our_file(tmp_path):
    """warcio check passes every digest of a file we wrote (no chunked responses)."""
    path, written = write_archive(tmp_path, captures=2)
    result = warcio_check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("digest pass") == len(written)
    assert verify_paths([path]).ok


def test_chunked_payload_digest_differs_from_warcio_check(tmp_path):
    """On a chunked response warcio check reports our (WARC 1.1) payload digest as failed
    while archiver verify passes it; the block digest passes in both."""
    path, written = write_archive(tmp_path, captures=1, chunked=True)
    result = warcio_check(path)
    assert result.returncode == 1
    response = written[2]
    assert response.type == "response"
    section = result.stdout.split(f"WARC-Record-ID {response.record_id}", 1)[1]
    section = section.split("offset", 1)[0]
    assert f"payload digest failed {response.payload_sha256}" in section
    assert result.stdout.count("payload digest failed") == 1
    report = verify_paths([path])
    assert report.ok and report.notes == ()
