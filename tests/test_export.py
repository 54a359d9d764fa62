"""export --wacz: evidence bundles of loopback captures, checked by us and by other tools.

The archive has five captures, checkpoints 3 and 5 (the second time-stamped), a
time-stamped capture, and a sixth capture that is a revisit of the second (the same
page, the same bytes). Bundles are read back by ``archiver verify``, py-wacz's ``wacz
validate``, ``warcio check`` and ``openssl ts -verify``.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver import schemas
from archiver.home import ArchiveHome
from archiver.testing import LoopbackSite
from tests.archives import PAGES, build_evidence_archive, capture, copy_archive, sql
from tests.conftest import EXAMPLES
from tests.helpers import json_lines, run_cli
from tests.test_evidence import openssl_ts_verify
from tests.tsa import local_tsa  # noqa: F401

BIN = Path(sys.executable).parent
HOSTILE_TITLE = '<script>alert("x")</script> & <img src=x>'


@pytest.fixture(name="served", scope="module")
def _served():
    with LoopbackSite(EXAMPLES / "site") as site:
        body = f"<html><head><title>{HOSTILE_TITLE}</title></head><body><p>Hi</p></body></html>"
        site.raw("/hostile.html", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (len(body), body.encode()))
        yield site


@pytest.fixture(name="built", scope="module")
def _built(tmp_path_factory, served, tsa):
    """Captures 1-5 with checkpoints 3 and 5 (build_evidence_archive), then a revisit of
    capture 2 and a page with a hostile title, not yet in any checkpoint."""
    built = build_evidence_archive(tmp_path_factory.mktemp("export") / "home", served, tsa)
    built["later"] = capture(built["home"], [served.url(PAGES[1]), served.url("/hostile.html")])
    return built


@pytest.fixture(name="exported", scope="module")
def _exported(tmp_path_factory, built, tsa):
    """Every capture exported with a time-stamped checkpoint, from a copy of the archive."""
    folder = tmp_path_factory.mktemp("exported")
    home = copy_archive(built["home"].path, folder / "home")
    out = folder / "all.wacz"
    result = run_cli(home.path, "export", "--wacz", str(out), "--all", "--tsa", tsa.url,
                     "--tsa-ca", str(tsa.root_pem))
    assert result.exit_code == 0, result.output
    return {"home": home, "path": out, "result": result}


def verify_json(bundle: Path, home: Path | None = None) -> tuple[int, dict]:
    result = run_cli(home or bundle.parent / "no-home", "verify", "--json", str(bundle))
    return result.exit_code, json_lines(result.stdout)[0]


def entries(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def warc_records(bundle: Path) -> list:
    """(headers, raw block) of every record in the bundle's WARCs, in order."""
    found = []
    for name, data in sorted(entries(bundle).items()):
        if name.startswith("archive/"):
            for record in ArchiveIterator(io.BytesIO(data), no_record_parse=True):
                found.append((dict(record.rec_headers.headers), record.raw_stream.read()))
    return found


class _Markup(HTMLParser):
    """The tags and attribute names of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}


# --- what a bundle holds -------------------------------------------------------------------


def test_export_then_verify(exported, built):
    """Every capture is proved against checkpoint 7, which extends 3 and 5 and is time-stamped."""
    rows = built["rows"] + built["later"]
    assert "checkpoint 7 signed" in exported["result"].stderr
    assert f"{len(rows)} captures" in exported["result"].stdout
    code, report = verify_json(exported["path"])
    assert code == 0, report["problems"]
    evidence = report["bundle"]["evidence"]
    assert (evidence["checkpoint_size"], evidence["earlier_checkpoints"]) == (7, [3, 5])
    assert evidence["checkpoint_timestamp"] is not None
    assert [c["capture_id"] for c in evidence["captures"]] == sorted(r.capture_id for r in rows)
    assert all(c["proved"] for c in evidence["captures"])
    stamped = [c["capture_id"] for c in evidence["captures"] if c["timestamp"]]
    assert stamped == [built["rows"][-1].capture_id]
    assert report["bundle"]["signature"]["key_fingerprint"] == evidence["wacz_key_fingerprint"]
    assert report["summary"]["digests_checked"] == report["summary"]["digests_passed"] > 0


def test_bundle_layout(exported, built):
    """Every record of every capture, and the evidence files, one folder deep."""
    files = entries(exported["path"])
    rows = built["rows"] + built["later"]
    evidence = sorted(name for name in files if name.startswith("evidence/"))
    stamped = built["rows"][-1].capture_id
    assert evidence == sorted([
        "evidence/checkpoint-3.note", "evidence/checkpoint-5.note", "evidence/checkpoint-7.note",
        "evidence/checkpoint-5.timestamp.json", "evidence/checkpoint-7.timestamp.json",
        "evidence/consistency-3.json", "evidence/consistency-5.json",
        "evidence/report.html", "evidence/verifier.key", "evidence/wacz-public.pem",
        f"evidence/timestamp-{stamped}.json",
        *(f"evidence/{kind}-{row.capture_id}.json" for row in rows
          for kind in ("proof", "provenance"))])
    records = {headers["WARC-Record-ID"]: (headers, block)
               for headers, block in warc_records(exported["path"])}
    for row in rows:
        for record in row.records:
            assert records[record.record_id][0]["WARC-Type"] == record.type
        metadata = [r for r in row.records if r.type == "metadata"][0]
        assert files[f"evidence/provenance-{row.capture_id}.json"] == \
            records[metadata.record_id][1]
    home = exported["home"]
    assert files["evidence/verifier.key"] == (home.keys_dir / "verifier.key").read_bytes()
    assert files["evidence/wacz-public.pem"] == (home.keys_dir / "wacz-public.pem").read_bytes()


def test_report_html_is_self_contained_and_escaped(exported, built):
    """No script or external resource; page text escaped; the limits are stated."""
    html = entries(exported["path"])["evidence/report.html"].decode("utf-8")
    markup = _Markup()
    markup.feed(html)
    assert markup.tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
                           "p", "strong", "table", "tr", "th", "td", "code", "pre", "br",
                           "span", "small"}
    assert not markup.attributes & {"src", "href", "style", "action"}
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x&gt;" in html
    for phrase in ("Who captured it?", "When?", "With what?", "Was it altered?",
                   "does not prove what the server meant to send"):
        assert phrase in html
    hosts = {row.provenance["agent"]["host"] for row in built["rows"]}
    assert all(host in html for host in hosts)
    assert "127.0.0.1" in html  # the peer IP


def test_revisit_brings_its_original(tmp_path, built):
    """Exporting only the revisit also exports the capture whose response it refers to."""
    home = copy_archive(built["home"].path, tmp_path / "home")
    revisit = built["later"][0]
    assert revisit.provenance["content"]["revisit"]["refers_to_capture"] == \
        built["rows"][1].capture_id
    out = tmp_path / "revisit.wacz"
    result = run_cli(home.path, "export", "--wacz", str(out), revisit.capture_id)
    assert result.exit_code == 0, result.output
    assert "2 captures (+1 originals of revisits)" in result.stdout
    records = {headers["WARC-Record-ID"]: headers for headers, _ in warc_records(out)}
    refers = [h["WARC-Refers-To"] for h in records.values() if h["WARC-Type"] == "revisit"]
    assert refers and all(record_id in records for record_id in refers)
    code, report = verify_json(out)
    assert code == 0, report["problems"]
    assert not report["warnings"]


def test_checkpoint_only_when_needed(tmp_path, exported, served):
    """The latest checkpoint covers the captures: none is signed; a new capture: one is."""
    home = copy_archive(exported["home"].path, tmp_path / "home")
    first = run_cli(home.path, "export", "--wacz", str(tmp_path / "a.wacz"), "--all")
    assert first.exit_code == 0 and "signed" not in first.stderr
    assert "7 leaves (the latest)" in first.stdout
    capture(home, [served.url(PAGES[4])])
    second = run_cli(home.path, "export", "--wacz", str(tmp_path / "b.wacz"),
                     "--url", served.url(PAGES[4]))
    assert second.exit_code == 0 and "checkpoint 8 signed" in second.stderr
    assert verify_json(tmp_path / "b.wacz")[0] == 0


def test_export_json_says_what_was_written(tmp_path, exported):
    """--json: the bundle, its captures and the fingerprints to publish, as the schema
    says; they are the ones the bundle's own report gives."""
    home = copy_archive(exported["home"].path, tmp_path / "home")
    out = tmp_path / "a.wacz"
    result = run_cli(home.path, "export", "--wacz", str(out), "--all", "--json")
    assert result.exit_code == 0, result.output
    (document,) = json_lines(result.stdout)
    schemas.validate(document, "export")
    assert document["path"] == str(out) and document["bytes"] == out.stat().st_size
    assert document["checkpoint"] == {"tree_size": 7, "signed_for_this_bundle": False}
    assert len(document["captures"]) == 7 and document["timestamp_error"] is None
    shown = run_cli(home.path, "export", "--wacz", str(tmp_path / "b.wacz"), "--all").stdout
    assert document["log_key_fingerprint"] in shown and document["wacz_key_fingerprint"] in shown


# --- interop -------------------------------------------------------------------------------


def test_py_wacz_validate_accepts_it(exported):
    """py-wacz's ``wacz validate`` (from the test extras) accepts the bundle."""
    validator = shutil.which("wacz", path=str(BIN))
    assert validator is not None, "py-wacz is in the test extras"
    done = subprocess.run([validator, "validate", "-f", str(exported["path"])],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation succeeded" in done.stdout


def test_warcio_check_accepts_the_warcs(tmp_path, exported):
    """``warcio check`` passes every WARC of the bundle (extracted here, for warcio)."""
    warcs = [name for name in entries(exported["path"]) if name.startswith("archive/")]
    assert warcs
    for name in warcs:
        target = tmp_path / Path(name).name
        target.write_bytes(entries(exported["path"])[name])
        done = subprocess.run([str(BIN / "warcio"), "check", "-v", str(target)],
                              capture_output=True, text=True, check=False, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "digest pass" in done.stdout


def test_openssl_accepts_the_stored_tokens(tmp_path, exported, built):
    """``openssl ts -verify`` accepts every token in the bundle with what the bundle holds."""
    files = entries(exported["path"])
    checked = 0
    for name, data in files.items():
        if name.endswith(".timestamp.json"):
            size = name.removeprefix("evidence/checkpoint-").removesuffix(".timestamp.json")
            subject = files[f"evidence/checkpoint-{size}.note"]
        elif name.startswith("evidence/timestamp-"):
            capture_id = name.removeprefix("evidence/timestamp-").removesuffix(".json")
            subject = json.loads(files[f"evidence/proof-{capture_id}.json"])["leaf"].encode()
        else:
            continue
        done = openssl_ts_verify(tmp_path / name.replace("/", "-"), json.loads(data), subject)
        assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
        checked += 1
    assert checked == 3


# --- refusals ------------------------------------------------------------------------------


def test_refuses_to_overwrite(tmp_path, exported):
    out = tmp_path / "taken.wacz"
    out.write_bytes(b"mine")
    result = run_cli(exported["home"].path, "export", "--wacz", str(out), "--all")
    assert result.exit_code == 2 and "exists" in result.stderr
    assert out.read_bytes() == b"mine"


def test_refuses_without_keys(tmp_path, served):
    home = ArchiveHome(tmp_path / "home")
    capture(home, [served.url(PAGES[0])])
    result = run_cli(home.path, "export", "--wacz", str(tmp_path / "b.wacz"), "--all")
    assert result.exit_code == 2 and "archiver keys init" in result.stderr
    assert not (tmp_path / "b.wacz").exists()


def test_refuses_a_rolled_back_log(tmp_path, built):
    """Leaves removed below checkpoint 5: no checkpoint, no bundle, exit status 1."""
    home = copy_archive(built["home"].path, tmp_path / "home")
    sql(home, ("DELETE FROM log WHERE leaf_index >= 4",))
    result = run_cli(home.path, "export", "--wacz", str(tmp_path / "b.wacz"), "--all")
    assert result.exit_code == 1 and "rolled back" in result.stderr
    assert not (tmp_path / "b.wacz").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["home"]


@pytest.mark.parametrize("arguments", [(), ("--all", "--url", "http://x.example/"),
                                       ("no-such-capture",), ("--url", "http://x.example/")])
def test_selection_errors(tmp_path, exported, arguments):
    """Nothing, two ways at once, an unknown id or an unknown URL: exit 2, nothing written."""
    result = run_cli(exported["home"].path, "export", "--wacz", str(tmp_path / "b.wacz"),
                     *arguments)
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "b.wacz").exists()


def test_verify_needs_no_archive_home(tmp_path, exported):
    """verify BUNDLE reads only the bundle: the --home folder is not created."""
    home = tmp_path / "nowhere"
    result = run_cli(home, "verify", str(exported["path"]))
    assert result.exit_code == 0, result.output
    assert "NOT" not in result.stdout and "verified:" in result.stdout
    assert not home.exists()
