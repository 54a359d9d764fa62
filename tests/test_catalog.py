"""The catalog is derived from the WARC files and gives the same answers when rebuilt."""

from __future__ import annotations

import gzip
import re
import sqlite3

import pytest

from archiver.warcread import WarcReader
from tests.helpers import json_lines, run_cli

ALLOW = ("--allow-network", "127.0.0.1/32")


def capture_examples(home, site):
    pages = ["/", "/world/2026/11/ceasefire-talks.html", "/science/2026/11/reef-survey.html"]
    result = run_cli(home, "capture", *ALLOW, "--json", *[site.url(p) for p in pages])
    assert result.exit_code == 0, result.stderr
    return json_lines(result.stdout)


def test_rebuild_gives_the_same_answers(tmp_path, site):
    """list --json and show --json are identical before and after `catalog rebuild`."""
    captured = capture_examples(tmp_path, site)
    before_list = run_cli(tmp_path, "list", "--json").stdout
    before_show = [run_cli(tmp_path, "show", c["capture_id"], "--json").stdout for c in captured]
    (tmp_path / "catalog.sqlite3").unlink()
    result = run_cli(tmp_path, "catalog", "rebuild")
    assert result.exit_code == 0, result.stderr
    assert "3 captures" in result.stderr
    assert run_cli(tmp_path, "list", "--json").stdout == before_list
    assert [run_cli(tmp_path, "show", c["capture_id"], "--json").stdout for c in captured] == before_show


def test_list_filters_by_url(tmp_path, site):
    """--url matches the URL as asked, the final URL or the canonical URL."""
    captured = capture_examples(tmp_path, site)
    url = captured[1]["url"]
    lines = json_lines(run_cli(tmp_path, "list", "--url", url, "--json").stdout)
    assert [line["capture_id"] for line in lines] == [captured[1]["capture_id"]]


def test_show_accepts_a_unique_prefix_and_explains_unknown_ids(tmp_path, site):
    """A unique id prefix is enough; an unknown id is a one-line error with exit 2."""
    captured = capture_examples(tmp_path, site)
    full = captured[0]["capture_id"]
    shown = run_cli(tmp_path, "show", full[:20])
    assert shown.exit_code == 0 and full in shown.stdout
    missing = run_cli(tmp_path, "show", "zzzzzz")
    assert missing.exit_code == 2
    assert "no capture 'zzzzzz'" in missing.stderr and "archiver list" in missing.stderr


def test_show_human_view_has_the_attribution_tree(tmp_path, site):
    """The readable view names the outlet and shows the wire credit under it."""
    captured = capture_examples(tmp_path, site)
    (ceasefire,) = [c for c in captured if c["url"].endswith("ceasefire-talks.html")]
    text = run_cli(tmp_path, "show", ceasefire["capture_id"]).stdout
    assert "Harbour Gazette" in text
    assert "Agence France-Presse (news_agency) credit" in text
    assert "└─" in text


def test_verify_passes_on_a_fresh_archive(tmp_path, site):
    """`archiver verify` with no path checks the WARCs and the catalog: all agree."""
    capture_examples(tmp_path, site)
    result = run_cli(tmp_path, "verify", "--json")
    assert result.exit_code == 0, result.stdout
    assert json_lines(result.stdout)[0]["ok"] is True


def test_verify_reports_a_catalog_that_disagrees_with_the_warcs(tmp_path, site):
    """A digest changed in the catalog is a catalog-mismatch naming the record."""
    import sqlite3

    capture_examples(tmp_path, site)
    db = sqlite3.connect(tmp_path / "catalog.sqlite3")
    record_id, offset = db.execute(
        "SELECT record_id, offset FROM records WHERE type = 'response' LIMIT 1").fetchone()
    db.execute("UPDATE records SET block_sha256 = ? WHERE record_id = ?",
               ("sha256:" + "0" * 64, record_id))
    db.commit()
    db.close()
    result = run_cli(tmp_path, "verify", "--json")
    assert result.exit_code == 1
    (problem,) = json_lines(result.stdout)[0]["problems"]
    assert problem["kind"] == "catalog-mismatch"
    assert problem["record_id"] == record_id and problem["offset"] == offset


def test_verify_reports_a_capture_missing_from_the_catalog(tmp_path, site):
    """A capture in the WARC but not in the catalog is reported, with the way out."""
    import sqlite3

    captured = capture_examples(tmp_path, site)
    gone = captured[0]["capture_id"]
    db = sqlite3.connect(tmp_path / "catalog.sqlite3")
    db.execute("DELETE FROM records WHERE capture_id = ?", (gone,))
    db.execute("DELETE FROM captures WHERE capture_id = ?", (gone,))
    db.commit()
    db.close()
    result = run_cli(tmp_path, "verify")
    assert result.exit_code == 1
    assert f"capture {gone} is in the WARC file but not in the catalog" in result.stdout
    assert "catalog rebuild" in result.stdout
    assert run_cli(tmp_path, "catalog", "rebuild").exit_code == 0
    assert run_cli(tmp_path, "verify").exit_code == 0


def test_verify_names_a_tampered_record_in_the_archive(tmp_path, site):
    """One flipped byte in a WARC file makes `archiver verify` exit 1 and name the record."""
    captured = capture_examples(tmp_path, site)
    warc = tmp_path / "warcs" / captured[0]["warc"]["file"]
    data = bytearray(warc.read_bytes())
    middle = captured[0]["warc"]["offset"] + captured[0]["warc"]["length"] // 2
    data[middle] ^= 0x01
    warc.write_bytes(bytes(data))
    result = run_cli(tmp_path, "verify")
    assert result.exit_code == 1
    assert "NOT verified" in result.stdout
    assert f"@ {captured[0]['warc']['offset']}" in result.stdout


def test_verify_without_a_catalog_says_how_to_rebuild_it(tmp_path, site):
    """A missing catalog is a problem whose message gives the command that fixes it."""
    capture_examples(tmp_path, site)
    (tmp_path / "catalog.sqlite3").unlink()
    result = run_cli(tmp_path, "verify")
    assert result.exit_code == 1
    assert "catalog rebuild" in result.stdout


def test_group_commit_keeps_every_capture_and_isolates_a_bad_one(tmp_path, site):
    """Rows added from many threads at once all land; a duplicate fails alone."""
    import threading
    from dataclasses import replace

    import pytest

    from archiver.catalog import Catalog
    from archiver.errors import CatalogError

    captured = capture_examples(tmp_path, site)
    with Catalog(tmp_path / "catalog.sqlite3") as source:
        rows = [source.get(c["capture_id"]) for c in captured]
    documents = []
    for number in range(40):
        for index, row in enumerate(rows):
            document = dict(row.provenance, capture_id=f"z{number:02d}{index}".ljust(26, "0"))
            records = [replace(r, record_id=r.record_id[:-4] + f"{number:02d}{index}>")
                       for r in row.records]
            documents.append((document, records))
    documents.append((rows[0].provenance, rows[0].records))  # already in the new catalog

    target = Catalog(tmp_path / "copy.sqlite3")
    target.add(rows[0].provenance, rows[0].records)
    errors = []

    def add(document, records):
        try:
            target.add(document, records)
        except CatalogError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add, args=item) for item in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1 and rows[0].capture_id in str(errors[0])
    assert len(list(target.captures())) == 1 + 40 * len(rows)
    target.close()
    with pytest.raises(CatalogError):
        Catalog(tmp_path / "copy.sqlite3").get("zz")


def test_a_provenance_document_nested_too_deeply_is_reported_not_a_crash(tmp_path, site):
    """A metadata record whose JSON is nested past Python's recursion limit (the record
    re-framed so only its content is hostile): rebuild skips that capture, verify reports
    it; neither crashes."""
    captured = capture_examples(tmp_path, site)
    (warc,) = (tmp_path / "warcs").iterdir()
    data = warc.read_bytes()
    with WarcReader(warc) as reader:
        metadata = [(r.offset, r.length) for r in reader
                    if r.header.type == "metadata" and r.read_to_end() is None]
    offset, length = metadata[0]
    head = gzip.decompress(data[offset:offset + length]).partition(b"\r\n\r\n")[0]
    block = b"[" * 100_000 + b"]" * 100_000
    head = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % len(block), head)
    member = gzip.compress(head + b"\r\n\r\n" + block + b"\r\n\r\n")
    warc.write_bytes(data[:offset] + member + data[offset + length:])

    verified = run_cli(tmp_path, "verify")
    assert verified.exit_code == 1 and "Traceback" not in verified.output
    assert "provenance-invalid" in verified.stdout or "nested too deeply" in verified.stdout
    (tmp_path / "catalog.sqlite3").unlink()
    rebuilt = run_cli(tmp_path, "catalog", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"{len(captured) - 1} captures" in rebuilt.stderr


@pytest.mark.parametrize(("statement", "said"), [
    ("UPDATE records SET offset = 'ten' WHERE rowid = 2", "not byte counts"),
    ("UPDATE records SET block_sha256 = X'0102' WHERE rowid = 2", "not text"),
    ("UPDATE captures SET provenance = '[[[' WHERE rowid = 1", "does not hold JSON"),
    ("UPDATE captures SET provenance = '{\"content\": null}' WHERE rowid = 1",
     "a document archiver did not write"),
    ("UPDATE log SET leaf_hash = 'abc' WHERE rowid = 1", "32-byte hash"),
    ("UPDATE records SET offset = 9223372036854775000 WHERE rowid = 2", "no gzip member"),
    ("UPDATE records SET type = 'request' WHERE type = 'response'", "no response record"),
    ("UPDATE captures SET provenance = replace(provenance, '\"title\":\"', "
     "'\"title\":\"\\ud800') WHERE rowid = 1", "half a UTF-16 surrogate pair"),
])
def test_a_damaged_catalog_is_a_finding_not_a_crash(tmp_path, site, statement, said):
    """A catalog row holding what archiver never writes (a catalog handed over for
    checking is untrusted): verify reports it (exit 1), other commands stop with one
    line naming the way out (exit 2)."""
    capture_examples(tmp_path, site)
    db = sqlite3.connect(tmp_path / "catalog.sqlite3")
    db.execute(statement)
    db.commit()
    db.close()
    verified = run_cli(tmp_path, "verify", "--json")
    assert verified.exit_code == 1, verified.output
    messages = [p["message"] for p in json_lines(verified.stdout)[0]["problems"]
                if p["kind"] == "catalog-mismatch"]
    assert any(said in message for message in messages), messages
    listed = run_cli(tmp_path, "list")
    if listed.exit_code != 0:  # only a row that list reads stops it
        assert_one_line_error(listed, said)


def assert_one_line_error(result, said: str) -> None:
    assert result.exit_code == 2 and said in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.splitlines()) == 1


def test_a_damaged_fingerprint_stops_trace_with_one_line(tmp_path, site):
    """Fingerprints are derived (verify does not check them); trace names the bad one."""
    capture_examples(tmp_path, site)
    db = sqlite3.connect(tmp_path / "catalog.sqlite3")
    db.execute("UPDATE fingerprints SET signature = X'00' WHERE rowid = 1")
    db.commit()
    db.close()
    assert_one_line_error(run_cli(tmp_path, "trace", "--all"), "512-byte signature")
