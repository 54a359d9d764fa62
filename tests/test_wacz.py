"""wacz: evidence bundles written by write_wacz and read back by check_wacz and others.

Bundles are built from WARCs written the way a capture writes them (``write_archive``
from test_warcread), checked against cdxj-indexer and the ``surt`` package, tampered
with, and set beside the real WACZ files of the corpus.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from archiver import wacz
from archiver.cdxj import surt_key
from archiver.errors import ArchiverError, WarcError
from archiver.verify import verify_paths
from archiver.wacz import Page, WaczSigner, WarcPart, write_wacz
from archiver.waczcheck import check_wacz
from archiver.warcread import WarcReader
from tests.test_warcread import REAL_WARC, START, write_archive

cdxj_indexer = pytest.importorskip("cdxj_indexer.main")

#: Root certificates authsign trusts (webrecorder/authsign authsign/trusted/roots.yaml):
#: Let's Encrypt roots for domain certificates, and the freetsa.org root for timestamps.
AUTHSIGN_ROOTS = (
    "96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6",
    "69729b8e15a86efc177a57afb7171dfc64add28c2fca8cf1507e34453ccb1470",
    "6d99fb265eb1c5b3744765fcbc648f3cd8e1bffafdc4c2f99b9d47cf7ff1c24f",
    "ee5f7abd6981bb0255632cd8f49283451b4b18844d12040b44ee00f07b8fe2c6",
    "a6379e7cecc05faa3cbf076013d745e327bbbaa38c0b9af22469d4701d18aabc",
)
EVIDENCE = {"evidence/provenance-1.json": b'{"capture_id": "c1"}',
            "evidence/report.html": b"<!doctype html><title>Report</title>",
            "evidence/public-key.pem": b"-----BEGIN PUBLIC KEY-----\n..."}


# --- builders ----------------------------------------------------------------------------


@pytest.fixture(name="warc", scope="module")
def _warc(tmp_path_factory):
    """A closed WARC of three captures, and where each record is (warcinfo first)."""
    return write_archive(tmp_path_factory.mktemp("warcs"), captures=3)


@pytest.fixture(name="signer", scope="module")
def _signer():
    return WaczSigner(ec.generate_private_key(ec.SECP384R1()))


def capture_ranges(written, *numbers):
    """The warcinfo record plus the request, response and metadata of each capture."""
    ranges = [(written[0].offset, written[0].length)]
    for number in numbers:
        records = written[1 + 3 * number:4 + 3 * number]
        ranges.append((records[0].offset, sum(r.length for r in records)))
    return tuple(ranges)


def export(out, warc, *, numbers=(1,), signer=None, **options):
    path, written = warc
    part = WarcPart(name=path.name, path=path,
                    ranges=capture_ranges(written, *numbers) if numbers else None)
    pages = [Page(id=f"capture-{n}", url=f"https://news.example/story/{n}",
                  ts=START + timedelta(seconds=n), title="Talks") for n in numbers]
    options.setdefault("extra_files", EVIDENCE)
    return write_wacz(out, warc_slices=[part], pages=pages, signer=signer, created=START,
                      **options)


def entry(bundle: Path, name: str) -> bytes:
    with zipfile.ZipFile(bundle) as archive:
        return archive.read(name)


def rewrite(bundle: Path, out: Path, changes: dict, add: dict | None = None) -> Path:
    """A copy of ``bundle`` with entries replaced (name -> function of the old bytes)."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, changes.get(info.filename, lambda d: d)(data))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out


def kinds(report):
    return [(problem.kind, problem.entry) for problem in report.problems]


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


# --- layout ------------------------------------------------------------------------------


def test_layout_sorted_stored_and_fixed(tmp_path, warc):
    """Entries are sorted; the WARC is STORED, the rest deflated, all with fixed times."""
    path, _ = warc
    export(tmp_path / "b.wacz", warc)
    with zipfile.ZipFile(tmp_path / "b.wacz") as bundle:
        infos = bundle.infolist()
    assert [i.filename for i in infos] == [
        f"archive/{path.name}", "datapackage-digest.json", "datapackage.json",
        "evidence/provenance-1.json", "evidence/public-key.pem", "evidence/report.html",
        "indexes/index.cdxj", "pages/pages.jsonl"]
    assert infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.compress_type for i in infos[1:]} == {zipfile.ZIP_DEFLATED}
    assert {i.date_time for i in infos} == {(2026, 11, 24, 2, 35, 44)}  # DOS: 2 s steps
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_slice_holds_exactly_the_chosen_records(tmp_path, warc):
    """A slice copies the warcinfo and one capture's members byte for byte; they verify."""
    path, written = warc
    export(tmp_path / "b.wacz", warc, numbers=(1,))
    data = entry(tmp_path / "b.wacz", f"archive/{path.name}")
    source = path.read_bytes()
    assert data == b"".join(source[o:o + n] for o, n in capture_ranges(written, 1))
    copy = tmp_path / path.name
    copy.write_bytes(data)
    with WarcReader(copy) as reader:
        found = [(r.header.type, r.record_id) for r in reader]
    assert found == [(w.type, w.record_id) for w in [written[0], *written[4:7]]]
    assert verify_paths([copy]).ok


def test_whole_file_export_is_the_file(tmp_path, warc):
    """With no ranges the WARC goes in whole."""
    path, _ = warc
    export(tmp_path / "b.wacz", warc, numbers=())
    assert entry(tmp_path / "b.wacz", f"archive/{path.name}") == path.read_bytes()


# --- datapackage, pages, index -----------------------------------------------------------


def test_datapackage_lists_every_entry_with_its_hash(tmp_path, warc):
    """Every entry but the two manifests is listed with its sha256 and size."""
    summary = export(tmp_path / "b.wacz", warc, title="Talks, as captured")
    package = json.loads(entry(tmp_path / "b.wacz", "datapackage.json"))
    assert {k: package[k] for k in ("profile", "wacz_version", "created", "software",
                                    "title", "mainPageURL", "mainPageDate")} == {
        "profile": "data-package", "wacz_version": "1.1.1", "created": "2026-11-24T02:35:45Z",
        "software": wacz.DEFAULT_SOFTWARE, "title": "Talks, as captured",
        "mainPageURL": "https://news.example/story/1", "mainPageDate": "2026-11-24T02:35:46Z"}
    with zipfile.ZipFile(tmp_path / "b.wacz") as bundle:
        names = {i.filename for i in bundle.infolist()} - {"datapackage.json",
                                                            "datapackage-digest.json"}
        for resource in package["resources"]:
            data = bundle.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
            assert resource["name"] == resource["path"].rsplit("/", 1)[1].lower()
    assert [r["path"] for r in package["resources"]] == sorted(names)
    assert summary.resources == tuple((r["path"], r["hash"], r["bytes"])
                                      for r in package["resources"])
    digest = json.loads(entry(tmp_path / "b.wacz", "datapackage-digest.json"))
    package_bytes = entry(tmp_path / "b.wacz", "datapackage.json")
    assert digest == {"path": "datapackage.json",
                      "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
    assert summary.datapackage_hash == digest["hash"]


def test_pages_jsonl(tmp_path, warc):
    """A json-pages-1.0 header, then one line per page with id, url, ts and title."""
    export(tmp_path / "b.wacz", warc, numbers=(0, 2))
    lines = entry(tmp_path / "b.wacz", "pages/pages.jsonl").decode().splitlines()
    assert json.loads(lines[0]) == {"format": "json-pages-1.0", "id": "pages",
                                    "title": "All Pages"}
    assert [json.loads(line) for line in lines[1:]] == [
        {"id": "capture-0", "url": "https://news.example/story/0",
         "ts": "2026-11-24T02:35:45Z", "title": "Talks"},
        {"id": "capture-2", "url": "https://news.example/story/2",
         "ts": "2026-11-24T02:35:47Z", "title": "Talks"}]
    package = json.loads(entry(tmp_path / "b.wacz", "datapackage.json"))
    assert "mainPageURL" not in package  # only for a bundle of one page


def extract_warc(bundle: Path, name: str, directory: Path) -> Path:
    path = directory / name
    path.write_bytes(entry(bundle, f"archive/{name}"))
    return path


def cdxj_indexer_lines(path: Path, **options) -> str:
    out = io.StringIO()
    cdxj_indexer.CDXJIndexer(out, [str(path)], sort=True,
                             records="response,revisit,resource", **options).process_all()
    return out.getvalue()


def test_cdxj_is_what_cdxj_indexer_writes(tmp_path, warc):
    """The index is byte for byte cdxj-indexer's, with py-wacz's recordDigest."""
    path, _ = warc
    export(tmp_path / "b.wacz", warc, numbers=(0, 2))
    ours = entry(tmp_path / "b.wacz", "indexes/index.cdxj").decode()
    copy = extract_warc(tmp_path / "b.wacz", path.name, tmp_path)
    assert ours == cdxj_indexer_lines(copy, post_append=True, digest_records=True)
    assert len(ours.splitlines()) == 2  # responses only: no request, metadata, warcinfo
    data = copy.read_bytes()
    for line in ours.splitlines():
        fields = json.loads(line.split(" ", 2)[2])
        member = data[int(fields["offset"]):int(fields["offset"]) + int(fields["length"])]
        assert fields["recordDigest"] == "sha256:" + hashlib.sha256(member).hexdigest()
        assert fields["digest"].startswith("sha256:")  # copied from WARC-Payload-Digest


@pytest.mark.parametrize("name", sorted(p.name for p in REAL_WARC.glob("*.warc*")))
def test_cdxj_matches_cdxj_indexer_on_real_warcs(tmp_path, corpus, name):
    """Whole third-party WARCs index as cdxj-indexer indexes them (recordDigest aside:
    cdxj-indexer's post_append mode hashes consumed resource payloads as empty and
    fails on brotli bodies)."""
    source = corpus / "real-warc" / name
    safe = "corpus.warc.gz" if name.endswith(".gz") else "corpus.warc"
    write_wacz(tmp_path / "b.wacz", warc_slices=[WarcPart(name=safe, path=source)],
               created=START)
    ours = entry(tmp_path / "b.wacz", "indexes/index.cdxj").decode()
    ours = re.sub(r', "recordDigest": "sha256:[0-9a-f]{64}"', "", ours)
    assert ours == cdxj_indexer_lines(source, filename=safe)
    assert check_wacz(tmp_path / "b.wacz").ok


def test_two_parts_each_indexed_under_its_name(tmp_path, warc):
    """Several WARCs in one bundle: each line names its file, offsets are per file."""
    path, written = warc
    parts = [WarcPart(name="a.warc.gz", path=path),
             WarcPart(name="b.warc.gz", path=path, ranges=capture_ranges(written, 2))]
    write_wacz(tmp_path / "b.wacz", warc_slices=parts, created=START)
    ours = entry(tmp_path / "b.wacz", "indexes/index.cdxj").decode()
    expected = "".join(sorted(
        line + "\n" for name in ("a.warc.gz", "b.warc.gz")
        for line in cdxj_indexer_lines(extract_warc(tmp_path / "b.wacz", name, tmp_path),
                                       post_append=True, digest_records=True).splitlines()))
    assert ours == expected
    assert [json.loads(line.split(" ", 2)[2])["filename"] for line in ours.splitlines()] == \
        ["a.warc.gz", "a.warc.gz", "a.warc.gz", "b.warc.gz"]
    assert check_wacz(tmp_path / "b.wacz").ok


def test_two_parts_of_one_name_are_refused(tmp_path, warc):
    path, _ = warc
    with pytest.raises(ArchiverError, match="repeats"):
        write_wacz(tmp_path / "b.wacz", created=START, warc_slices=[
            WarcPart(name="a.warc.gz", path=path), WarcPart(name="A.warc.gz", path=path)])
    assert leftovers(tmp_path) == []


SURT_CASES = [
    "https://www.Example.com:443/Path/To/Page.html?b=2&a=1#frag", "http://example.com",
    "http://www2.example.com:80/a/", "http://example.com:8080/a/b/?", "http://[::1]:8000/x",
    "http://example.com/a%20b/%41%2F?q=%7e&x=a+b", "http://example.com/a b/ü?q=ü",
    "http://bücher.example/x", "http://example.com/./a/../b//c", "http://u:p@example.com/x",
    "http://example.com/A?B=C&b=c&B=a", "http://EXAMPLE.com./x", "http://127.0.0.1:8000/s/1",
    "http://example.com/?PHPSESSID=0123456789abcdef0123456789abcdef&z=1",
    "http://example.com/(S(0123456789abcdef01234567))/x.aspx", "http://example.com/%2F..",
    "http://example.com/?a-b=1&a=1&a&a=", "http://example.com/a/../../b", "urn:X-wpull:log",
    "dns:www.archive.org", "metadata://gnu.org/software/wget/warc/MANIFEST.txt",
]


@pytest.mark.parametrize("url", SURT_CASES)
def test_surt_key_matches_the_surt_package(url):
    """Our SURT keys are the ``surt`` package's (what cdxj-indexer and pywb use)."""
    surt = pytest.importorskip("surt")
    assert surt_key(url) == surt.surt(url)


def test_surt_key_keeps_a_port_of_other_digits():
    """A port of non-ASCII digits (str.isdigit says yes, int says no) is no crash."""
    assert surt_key("http://example.com:\u00b2/x") == "com,example:\u00b2)/x"


def test_surt_key_matches_on_generated_urls():
    """Property: on http(s) URLs with odd paths, escapes and queries, the same keys."""
    surt = pytest.importorskip("surt")
    st = pytest.importorskip("hypothesis.strategies")
    from hypothesis import HealthCheck, given, settings

    label = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?", fullmatch=True)
    host = st.builds(lambda www, labels, tld: www + ".".join([*labels, tld]),
                     st.sampled_from(["", "www.", "WWW.", "www2."]),
                     st.lists(label, min_size=1, max_size=3), st.sampled_from(["com", "co.uk"]))
    atoms = [*"abcXYZ09-_.~!$'()*+,;=:@%é ", "%2F", "%41", "%7e", "..", "%25", "%zz", "%20"]
    path = st.lists(st.lists(st.sampled_from(atoms), max_size=5).map("".join),
                    max_size=4).map(lambda s: "/" + "/".join(s))
    value = st.lists(st.sampled_from([*"abXY01/?:@ %é+=", "%26", "%3D"]), max_size=5)
    query = st.none() | st.lists(st.builds(lambda k, v: k + "=" + "".join(v),
                                           st.sampled_from(["a", "B", "", "a-b"]), value),
                                 max_size=4).map("&".join)

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(["http", "https"]), host,
           st.sampled_from(["", ":80", ":443", ":8080"]), path, query)
    def same(scheme, host, port, path, query):
        url = f"{scheme}://{host}{port}{path}" + (f"?{query}" if query is not None else "")
        assert surt_key(url) == surt.surt(url)

    same()


# --- signing -----------------------------------------------------------------------------


def test_signature_is_the_anonymous_form(tmp_path, warc, signer):
    """signedData: P-384 SPKI key, raw r||s ECDSA/SHA-256 over the hash string."""
    summary = export(tmp_path / "b.wacz", warc, signer=signer)
    digest = json.loads(entry(tmp_path / "b.wacz", "datapackage-digest.json"))
    signed = digest["signedData"]
    assert set(signed) == {"hash", "signature", "publicKey", "created", "software"}
    assert signed["hash"] == digest["hash"] == summary.datapackage_hash
    assert signed["created"] == json.loads(entry(tmp_path / "b.wacz",
                                                 "datapackage.json"))["created"]
    key = serialization.load_der_public_key(base64.b64decode(signed["publicKey"]))
    assert isinstance(key.curve, ec.SECP384R1)
    raw = base64.b64decode(signed["signature"])
    assert len(raw) == 96
    der = encode_dss_signature(int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big"))
    key.verify(der, signed["hash"].encode(), ec.ECDSA(hashes.SHA256()))
    report = check_wacz(tmp_path / "b.wacz")
    assert report.ok, report.problems
    assert report.signature.form == "anonymous" and report.signature.verified
    assert report.signature.encoding == "p1363"
    assert report.signature.key_fingerprint == signer.fingerprint == summary.signed_by


def test_same_inputs_same_bytes(tmp_path, warc, signer):
    """With a fixed created (and RFC 6979 signatures) the bundle is reproducible."""
    export(tmp_path / "a.wacz", warc, signer=signer)
    export(tmp_path / "b.wacz", warc, signer=signer)
    assert (tmp_path / "a.wacz").read_bytes() == (tmp_path / "b.wacz").read_bytes()


def test_signer_needs_p384():
    """A P-256 key is refused: ReplayWeb.page imports the key as P-384."""
    with pytest.raises(ArchiverError, match="P-384"):
        WaczSigner(ec.generate_private_key(ec.SECP256R1()))


# --- tampering ---------------------------------------------------------------------------


@pytest.fixture(name="signed")
def _signed(tmp_path, warc, signer):
    export(tmp_path / "signed.wacz", warc, signer=signer)
    return tmp_path / "signed.wacz"


def test_changed_warc_byte_names_the_warc(tmp_path, signed, warc):
    """One byte changed in the WARC (a well-formed ZIP otherwise) is a hash mismatch."""
    name = f"archive/{warc[0].name}"
    report = check_wacz(rewrite(signed, tmp_path / "t.wacz", {name: lambda d: flip(d, 700)}))
    assert kinds(report) == [("hash-mismatch", name)]
    assert report.signature.verified  # the manifest is intact; its content is not


def test_flipped_stored_byte_is_a_corrupt_entry(tmp_path, signed, warc):
    """A byte flipped in place in the ZIP fails the entry's CRC-32, named."""
    name = f"archive/{warc[0].name}"
    with zipfile.ZipFile(signed) as bundle:
        info = bundle.getinfo(name)
    data = bytearray(signed.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 500] ^= 0x01
    (tmp_path / "t.wacz").write_bytes(bytes(data))
    assert kinds(check_wacz(tmp_path / "t.wacz")) == [("corrupt-entry", name)]


def test_changed_datapackage_is_caught_by_the_digest(tmp_path, signed):
    """datapackage.json edited: its hash no longer matches datapackage-digest.json."""
    change = {"datapackage.json": lambda d: d.replace(b'"created"', b'"title": "x", "created"')}
    report = check_wacz(rewrite(signed, tmp_path / "t.wacz", change))
    assert kinds(report) == [("hash-mismatch", "datapackage.json")]


def test_rehashed_datapackage_breaks_the_signature(tmp_path, signed):
    """Editing datapackage.json and its digest (both hashes) fails the signature."""
    package = entry(signed, "datapackage.json").replace(b'"created"', b'"title": "x", "created"')
    label = "sha256:" + hashlib.sha256(package).hexdigest()

    def digest(data):
        document = json.loads(data)
        document["hash"] = document["signedData"]["hash"] = label
        return json.dumps(document).encode()

    report = check_wacz(rewrite(signed, tmp_path / "t.wacz",
                                {"datapackage.json": lambda d: package,
                                 "datapackage-digest.json": digest}))
    assert kinds(report) == [("bad-signature", "datapackage-digest.json")]
    assert not report.signature.verified


def test_flipped_signature_fails(tmp_path, signed):
    """One bit of the signature changed: it no longer verifies."""
    def digest(data):
        document = json.loads(data)
        raw = base64.b64decode(document["signedData"]["signature"])
        document["signedData"]["signature"] = base64.b64encode(flip(raw, 10)).decode()
        return json.dumps(document).encode()

    report = check_wacz(rewrite(signed, tmp_path / "t.wacz",
                                {"datapackage-digest.json": digest}))
    assert kinds(report) == [("bad-signature", "datapackage-digest.json")]


def test_resigned_with_another_key_shows_another_fingerprint(tmp_path, signed, signer):
    """Anonymous signatures prove only the key: a re-signed bundle verifies, under a
    different fingerprint, which the reader must compare with the key they know."""
    other = WaczSigner(ec.generate_private_key(ec.SECP384R1()))

    def digest(data):
        document = json.loads(data)
        document["signedData"] = other.signed_data(
            document["hash"], created=document["signedData"]["created"], software="x")
        return json.dumps(document).encode()

    report = check_wacz(rewrite(signed, tmp_path / "t.wacz",
                                {"datapackage-digest.json": digest}))
    assert report.ok
    assert report.signature.key_fingerprint == other.fingerprint != signer.fingerprint


def test_added_file_is_unlisted(tmp_path, signed):
    """A file slipped into a signed bundle is not covered, and says so."""
    report = check_wacz(rewrite(signed, tmp_path / "t.wacz", {},
                                add={"evidence/extra.txt": b"trust me"}))
    assert kinds(report) == [("unlisted-entry", "evidence/extra.txt")]


# --- hostile ZIPs ------------------------------------------------------------------------


def test_parent_path_is_refused_unread(tmp_path, signed):
    """An entry named ../evil stops the check before anything is read."""
    report = check_wacz(rewrite(signed, tmp_path / "t.wacz", {}, add={"../evil": b"x"}))
    assert kinds(report) == [("unsafe-path", "../evil")]
    assert report.resources_checked == 0


@pytest.mark.parametrize("name", ["/etc/evil", "C:/evil", "a\\..\\evil", "a//b", "a/./b"])
def test_other_unsafe_names(tmp_path, name):
    with zipfile.ZipFile(tmp_path / "t.wacz", "w") as bundle:
        bundle.writestr(name, b"x")
    assert [kind for kind, _ in kinds(check_wacz(tmp_path / "t.wacz"))] == ["unsafe-path"]


def test_duplicate_entry_is_refused(tmp_path, signed):
    """Two entries of one name: readers disagree which counts, so it is refused."""
    with pytest.warns(UserWarning, match="Duplicate name"):
        bad = rewrite(signed, tmp_path / "t.wacz", {}, add={"datapackage.json": b"{}"})
    assert kinds(check_wacz(bad)) == [("duplicate-entry", "datapackage.json")]


def test_zip_bomb_is_refused_unread(tmp_path):
    """100 MiB of zeros deflated to ~100 KiB: refused from the directory alone."""
    with zipfile.ZipFile(tmp_path / "bomb.wacz", "w", zipfile.ZIP_DEFLATED) as bundle, \
            bundle.open("pages/pages.jsonl", "w") as stream:
        for _ in range(100):
            stream.write(bytes(1 << 20))
    report = check_wacz(tmp_path / "bomb.wacz")
    assert kinds(report) == [("zip-bomb", None)]
    assert report.resources_checked == 0


def test_lying_sizes_are_refused(tmp_path):
    """An entry claiming more than deflate can produce from its bytes is refused."""
    with zipfile.ZipFile(tmp_path / "t.wacz", "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("pages/pages.jsonl", b"{}\n")
    data = bytearray((tmp_path / "t.wacz").read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (50 << 20).to_bytes(4, "little")  # uncompressed size
    (tmp_path / "t.wacz").write_bytes(bytes(data))
    assert ("zip-bomb", "pages/pages.jsonl") in kinds(check_wacz(tmp_path / "t.wacz"))


def test_too_many_entries_is_refused_before_parsing(tmp_path):
    with zipfile.ZipFile(tmp_path / "t.wacz", "w") as bundle:
        for number in range(20):
            bundle.writestr(f"evidence/{number}.txt", b"")
    report = check_wacz(tmp_path / "t.wacz", max_entries=10)
    assert kinds(report) == [("too-many-entries", None)] and report.entries == 0


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04" + bytes(40)])
def test_not_a_zip(tmp_path, data):
    (tmp_path / "t.wacz").write_bytes(data)
    assert kinds(check_wacz(tmp_path / "t.wacz")) == [("not-a-zip", None)]


def test_unsupported_zip_version_is_not_a_zip(tmp_path):
    """An entry needing ZIP version 9.9 to extract: zipfile refuses to open the file."""
    with zipfile.ZipFile(tmp_path / "t.wacz", "w") as bundle:
        bundle.writestr("pages/pages.jsonl", b"{}\n")
    data = bytearray((tmp_path / "t.wacz").read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 6:central + 8] = (99).to_bytes(2, "little")  # version needed to extract
    (tmp_path / "t.wacz").write_bytes(bytes(data))
    assert kinds(check_wacz(tmp_path / "t.wacz")) == [("not-a-zip", None)]


def break_deflate(bundle: Path, name: str) -> None:
    """Overwrite a deflated entry's bytes in place with an invalid deflate stream."""
    with zipfile.ZipFile(bundle) as archive:
        info = archive.getinfo(name)
    data = bytearray(bundle.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start:start + info.compress_size] = b"\xff" * info.compress_size  # block type 3
    bundle.write_bytes(bytes(data))


@pytest.mark.parametrize("name", ["pages/pages.jsonl", "datapackage.json"])
def test_broken_deflate_stream_is_a_corrupt_entry(tmp_path, signed, name):
    """zlib's own error on a damaged entry is a finding that names the entry."""
    out = Path(shutil.copy(signed, tmp_path / "t.wacz"))
    break_deflate(out, name)
    assert kinds(check_wacz(out)) == [("corrupt-entry", name)]


def test_missing_datapackage_and_bad_json(tmp_path):
    with zipfile.ZipFile(tmp_path / "a.wacz", "w") as bundle:
        bundle.writestr("pages/pages.jsonl", b"{}\n")
    assert kinds(check_wacz(tmp_path / "a.wacz")) == [("missing-entry", "datapackage.json")]
    with zipfile.ZipFile(tmp_path / "b.wacz", "w") as bundle:
        bundle.writestr("datapackage.json", b"[" * 100_000)
    assert kinds(check_wacz(tmp_path / "b.wacz")) == [("unparseable-json", "datapackage.json")]


# --- the corpus --------------------------------------------------------------------------


def corpus_wacz(corpus, name):
    return corpus / "real-wacz" / f"py-wacz__{name}.wacz"


@pytest.mark.parametrize(("name", "version"), [("valid_example_1", "1.0.0"),
                                               ("valid_example_2", "1.1.1")])
def test_corpus_unsigned_files_verify(corpus, name, version):
    """WACZ 1.0.0 (stats/hashing resources, no digest file) and 1.1.1 both check out."""
    report = check_wacz(corpus_wacz(corpus, name))
    assert report.ok, report.problems
    assert (report.wacz_version, report.resources_checked, report.signature) == (version, 4,
                                                                                 None)


def test_corpus_signed_file_verifies_with_authsign_roots(corpus):
    """authsign's domain form: DER signature by a Let's Encrypt certificate, a valid
    chain, an RFC 3161 time within 10 minutes, all to roots authsign trusts."""
    path = corpus_wacz(corpus, "valid_signed_example_1")
    report = check_wacz(path, trusted_roots=AUTHSIGN_ROOTS)
    assert report.ok, report.problems
    signature = report.signature
    assert (signature.form, signature.verified, signature.encoding, signature.chain_valid,
            signature.trusted, signature.domain, signature.timestamp) == (
        "domain-certificate", True, "der", True, True, "btrix-sign-test.webrecorder.net",
        "2022-01-18T19:00:12Z")
    untrusting = check_wacz(path)
    assert untrusting.ok and untrusting.signature.trusted is None
    assert "trust-not-evaluated" in [note.kind for note in untrusting.notes]


def test_corpus_invalid_signed_file_fails_on_trust_only(corpus):
    """The 'invalid' example is signed correctly, by a Let's Encrypt *staging*
    certificate: only the trust check fails, as upstream's --verify-auth test expects."""
    path = corpus_wacz(corpus, "invalid_signed_example_1")
    report = check_wacz(path, trusted_roots=AUTHSIGN_ROOTS)
    assert kinds(report) == [("untrusted-certificate", "datapackage-digest.json")]
    assert "(STAGING)" in report.problems[0].message
    assert report.signature.verified and report.signature.chain_valid
    assert report.signature.trusted is False


# --- refusals and atomicity --------------------------------------------------------------


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_failure_mid_write_leaves_nothing(tmp_path, warc, monkeypatch):
    """An error after the WARC went in (indexing, here) leaves no bundle, no temp file."""
    out = tmp_path / "out"
    out.mkdir()

    def broken(records):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(wacz, "cdxj_index", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        export(out / "b.wacz", warc)
    assert leftovers(out) == []


def test_failure_keeps_an_existing_bundle(tmp_path, warc, monkeypatch):
    """Overwriting is all or nothing: a failed rewrite leaves the old bundle as it was."""
    export(tmp_path / "b.wacz", warc)
    before = (tmp_path / "b.wacz").read_bytes()
    with pytest.raises(ArchiverError, match="exists"):
        export(tmp_path / "b.wacz", warc)
    monkeypatch.setattr(wacz, "cdxj_index", lambda records: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        export(tmp_path / "b.wacz", warc, overwrite=True)
    assert (tmp_path / "b.wacz").read_bytes() == before
    assert leftovers(tmp_path) == ["b.wacz"]


def test_range_inside_a_record_is_refused(tmp_path, warc):
    """A range that does not start at a record is refused, and nothing is written."""
    path, written = warc
    with pytest.raises(WarcError, match=r"not whole records|cannot export"):
        write_wacz(tmp_path / "b.wacz", created=START, warc_slices=[
            WarcPart(name=path.name, path=path, ranges=((written[1].offset + 1, 100),))])
    with pytest.raises(WarcError, match=r"overlaps|end of the file"):
        write_wacz(tmp_path / "b.wacz", created=START, warc_slices=[
            WarcPart(name=path.name, path=path, ranges=((0, 10), (5, 10)))])
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["report.html", "a/b/c.json", "archive/x.json", "../x.json",
                                  "evidence/.hidden", "evidence/noext", "evidence/x y.json"])
def test_extra_file_names_validators_refuse(tmp_path, warc, name):
    """Extra files live one folder deep, outside archive/ indexes/ pages/."""
    with pytest.raises(ArchiverError, match="extra file"):
        export(tmp_path / "b.wacz", warc, extra_files={name: b"x"})


def test_bundle_without_records_is_refused(tmp_path, warc):
    """WACZ needs a WARC in archive/, and a part needs records."""
    path, _ = warc
    with pytest.raises(ArchiverError, match="at least one WARC"):
        write_wacz(tmp_path / "b.wacz", warc_slices=[], created=START)
    with pytest.raises(ArchiverError, match="at least one WARC"):
        write_wacz(tmp_path / "b.wacz", created=START,
                   warc_slices=[WarcPart(name=path.name, path=path, ranges=())])
    assert leftovers(tmp_path) == []


def test_naive_created_is_refused(tmp_path, warc):
    path, _ = warc
    with pytest.raises(ArchiverError, match="aware"):
        write_wacz(tmp_path / "b.wacz", warc_slices=[WarcPart(name=path.name, path=path)],
                   created=START.replace(tzinfo=None))


# --- other tools -------------------------------------------------------------------------


def test_py_wacz_validate_accepts_it(tmp_path, warc, signer):
    """py-wacz's ``wacz validate`` accepts a signed slice (when it is installed)."""
    validator = shutil.which("wacz", path=str(Path(sys.executable).parent))
    if validator is None:
        pytest.skip("py-wacz is not installed (pip install wacz)")
    export(tmp_path / "b.wacz", warc, signer=signer)
    done = subprocess.run([validator, "validate", "-f", str(tmp_path / "b.wacz")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation succeeded" in done.stdout


#: Verifies signedData as ReplayWeb.page does (wabac.js verifyWACZSignature): WebCrypto,
#: SPKI key imported as P-384, ECDSA/SHA-256 over the UTF-8 hash string.
WEBCRYPTO_CHECK = """
const signed = JSON.parse(process.argv[1]).signedData;
const key = await crypto.subtle.importKey("spki", Buffer.from(signed.publicKey, "base64"),
  {name: "ECDSA", namedCurve: "P-384"}, true, ["verify"]);
const ok = await crypto.subtle.verify({name: "ECDSA", hash: "SHA-256"}, key,
  Buffer.from(signed.signature, "base64"), new TextEncoder().encode(signed.hash));
process.exit(ok ? 0 : 1);
"""


def test_webcrypto_verifies_the_signature(tmp_path, warc, signer):
    """A WebCrypto verifier, as in ReplayWeb.page, accepts the signature (needs node)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    export(tmp_path / "b.wacz", warc, signer=signer)
    digest = entry(tmp_path / "b.wacz", "datapackage-digest.json").decode()
    done = subprocess.run([node, "--input-type=module", "-e", WEBCRYPTO_CHECK, digest],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    document = json.loads(digest)
    document["signedData"]["hash"] = "sha256:" + "0" * 64
    done = subprocess.run([node, "--input-type=module", "-e", WEBCRYPTO_CHECK,
                           json.dumps(document)], capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr

