"""Republication tracing on real loopback servers: copies at other addresses trace to
their origin with the right direction and credit; unrelated stories do not match."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from archiver import republication
from archiver.fingerprint import (
    MAX_WORDS,
    METHOD,
    NUM_PERM,
    Overlap,
    ShingledText,
    fingerprint,
    overlap,
    shared_passages,
)
from archiver.lineage import Cluster, Story, compare, order
from archiver.republication import MAX_PASSAGE_CHARS, SignatureIndex
from archiver.testing import LoopbackSite
from tests.helpers import json_lines, run_cli

ALLOW = ("--allow-network", "127.0.0.0/8")

PARAGRAPHS = [
    "Negotiators for Varnessa and the Korvak regional authorities resumed talks in Geneva "
    "on Wednesday, a week after shelling along the border killed at least 14 civilians and "
    "forced thousands of families from their homes in the river valley.",
    "The talks, hosted by the Swiss foreign ministry in a lakeside villa, are the first "
    "direct contact between the two delegations since the spring, when a ceasefire agreed "
    "in March collapsed within days amid accusations from both sides.",
    "A mediator who asked not to be named said the delegations had agreed on an agenda of "
    "four points: the exchange of prisoners, the reopening of the Dornach bridge, the "
    "return of displaced families and a monitoring mission along the frontier.",
    "Aid agencies have warned that the coming winter could turn the displacement into a "
    "humanitarian emergency. The regional hospital in Selvik has run short of insulin and "
    "antibiotics, and two of its three generators have failed since October.",
    "Residents of the border villages told reporters that they would not return until "
    "observers were deployed. Many have spent the past week in school gymnasiums and "
    "church halls in the provincial capital, sleeping on mats donated by the Red Cross.",
    "The foreign minister of Varnessa, Ilse Maroni, said before the talks that her "
    "government was ready to withdraw heavy artillery twenty kilometres from the line of "
    "contact if the Korvak side made the same commitment in writing.",
    "Korvak officials have not commented publicly, but a spokesman for the regional "
    "council said on Tuesday that any agreement would have to include guarantees for the "
    "Korvak-speaking minority in the towns south of the river.",
    "Talks are expected to continue until Friday. Diplomats said a joint statement was "
    "possible if the prisoner exchange could be agreed, but cautioned that the two sides "
    "remained far apart on the monitoring mission and on the bridge.",
]

#: The uncredited rewrite changes a word or two in most sentences (a "light rewrite").
REWRITES = {
    "resumed talks": "restarted negotiations", "killed at least": "left at least",
    "hosted by": "organised by", "first direct contact": "first face-to-face meeting",
    "asked not to be named": "requested anonymity", "Aid agencies": "Humanitarian groups",
    "told reporters": "told journalists", "said before the talks": "said ahead of the talks",
    "have not commented publicly": "have made no public comment",
    "Diplomats said": "Diplomats indicated",
}

UNRELATED = [
    "Divers from the marine institute completed their annual survey of the northern reef "
    "on Monday and reported the first signs of recovery since the bleaching event of two "
    "summers ago, with young coral colonies found at nine of the twelve monitored sites.",
    "The institute's director said the recovery was fragile and depended on water "
    "temperatures staying below the long-term average for at least another season, which "
    "forecasters considered unlikely given the warm current expected in January.",
    "Fishermen in the harbour welcomed the news but said catches of reef fish remained "
    "well below what they had been a decade ago, and asked the council to extend the "
    "seasonal closure of the inner lagoon for another two years.",
    "Volunteers will plant coral fragments grown in the institute's nursery tanks along "
    "the damaged southern edge of the reef in the spring, the director added, if funding "
    "from the regional environment fund is confirmed in February.",
]


def page(*, outlet: str, title: str, published: str, author: str, paragraphs: list[str]) -> str:
    """A news page with site chrome, JSON-LD and the article's paragraphs."""
    jsonld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                         "headline": title, "datePublished": published,
                         "author": {"@type": "Person", "name": author}})
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:site_name" content="{outlet}">'
            f'<script type="application/ld+json">{jsonld}</script></head><body>'
            f'<nav><a href="/">{outlet}</a> <a href="/world/">World</a> <a href="/sport/">'
            f'Sport</a></nav><article><h1>{title}</h1><p class="byline">By {author}</p>{body}'
            f'</article><footer>© {outlet}. All rights reserved.</footer></body></html>')


def rewritten(paragraphs: list[str]) -> list[str]:
    out = []
    for paragraph in paragraphs:
        for old, new in REWRITES.items():
            paragraph = paragraph.replace(old, new)
        out.append(paragraph)
    return out


PAGES = {
    # (host, path): page
    ("127.0.0.1", "/world/ceasefire-talks.html"): page(
        outlet="The Harbour Gazette", title="Ceasefire talks resume in Geneva",
        published="2026-11-18T09:12:00+01:00", author="Marta Lindqvist",
        paragraphs=PARAGRAPHS),
    ("127.0.0.1", "/science/reef-survey.html"): page(
        outlet="The Harbour Gazette", title="Reef shows first signs of recovery",
        published="2026-11-18T11:00:00+01:00", author="Jon Arve", paragraphs=UNRELATED),
    ("127.0.0.2", "/news/geneva-talks.html"): page(
        outlet="Valley Courier", title="Hopes rise as Varnessa and Korvak meet in Geneva",
        published="2026-11-18T14:30:00+01:00", author="Courier staff",
        paragraphs=["Hopes of an end to the border fighting rose on Wednesday as the two "
                    "delegations sat down together for the first time since spring.",
                    *PARAGRAPHS,
                    "This article first appeared in The Harbour Gazette."]),
    ("127.0.0.3", "/2026/11/19/geneva.html"): page(
        outlet="Northern Ledger", title="Border talks under way in Geneva",
        published="2026-11-19T08:00:00+01:00", author="Ledger desk",
        paragraphs=rewritten(PARAGRAPHS)),
}


@pytest.fixture(name="sites")
def _sites(tmp_path):
    """Three loopback servers (127.0.0.1, .2, .3) serving the pages above."""
    servers = {}
    for (host, path), html in PAGES.items():
        root = tmp_path / "sites" / host
        (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / path.lstrip("/")).write_text(html, encoding="utf-8")
    for host in sorted({host for host, _ in PAGES}):
        servers[host] = LoopbackSite(tmp_path / "sites" / host, host=host).__enter__()
    yield {key: servers[key[0]].url(key[1]) for key in PAGES}
    for server in servers.values():
        server.__exit__(None, None, None)


ORIGINAL = ("127.0.0.1", "/world/ceasefire-talks.html")
UNRELATED_PAGE = ("127.0.0.1", "/science/reef-survey.html")
CREDITED = ("127.0.0.2", "/news/geneva-talks.html")
REWRITE = ("127.0.0.3", "/2026/11/19/geneva.html")


def capture(home: Path, urls: list[str]) -> dict[str, str]:
    """Capture ``urls`` one after another; url -> capture id."""
    ids = {}
    for url in urls:
        result = run_cli(home, "capture", *ALLOW, "--json", url)
        assert result.exit_code == 0, result.stderr
        ids[url] = json_lines(result.stdout)[0]["capture_id"]
    return ids


def trace_json(home: Path, *args: str) -> dict:
    result = run_cli(home, "trace", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_url(document: dict) -> dict[str, dict]:
    return {match["url"]: match for match in document["matches"]}


def test_copies_trace_to_the_original_with_direction_and_credit(tmp_path, sites):
    """Both copies trace to the original as copies, one credited; the unrelated story
    from the same outlet does not match."""
    ids = capture(tmp_path, [sites[ORIGINAL], sites[UNRELATED_PAGE], sites[CREDITED],
                             sites[REWRITE]])
    document = trace_json(tmp_path, ids[sites[ORIGINAL]])
    matches = by_url(document)
    assert set(matches) == {sites[CREDITED], sites[REWRITE]}
    credited, rewrite = matches[sites[CREDITED]], matches[sites[REWRITE]]
    assert credited["direction"]["value"] == "copy"
    assert credited["direction"]["decided_by"] == "published_at"
    assert credited["credited"] is True
    assert credited["credit"]["party"] == "The Harbour Gazette"
    assert credited["coverage"]["query"] > 0.95  # the whole original is in the copy
    assert credited["reuse"] in ("embedded", "verbatim")
    assert rewrite["direction"]["value"] == "copy"
    assert rewrite["credited"] is False and rewrite["credit"] is None
    assert 0.5 <= rewrite["containment"] < credited["containment"]
    assert rewrite["reuse"] == "rewrite"
    assert document["clusters"][0]["origin"] == ids[sites[ORIGINAL]]

    # from the copy's side, the original is its source
    from_copy = by_url(trace_json(tmp_path, ids[sites[CREDITED]]))
    assert from_copy[sites[ORIGINAL]]["direction"]["value"] == "source"
    assert from_copy[sites[ORIGINAL]]["credited"] is True
    # the unrelated story traces to nothing
    assert trace_json(tmp_path, ids[sites[UNRELATED_PAGE]])["matches"] == []


def test_shared_passages_point_at_the_same_words_in_both_texts(tmp_path, sites):
    """Each shared passage's offsets select the same words in the two stored texts."""
    ids = capture(tmp_path, [sites[ORIGINAL], sites[CREDITED]])
    document = trace_json(tmp_path, ids[sites[ORIGINAL]])
    from archiver.home import ArchiveHome

    with ArchiveHome(tmp_path).open_catalog() as catalog:
        mine = catalog.article_text(ids[sites[ORIGINAL]])
        theirs = catalog.article_text(ids[sites[CREDITED]])
    passages = document["matches"][0]["shared_passages"]
    assert passages and passages[0]["words"] >= 100
    for passage in passages:
        here = mine[passage["query"]["start"]:passage["query"]["end"]]
        there = theirs[passage["match"]["start"]:passage["match"]["end"]]
        assert here.split() == there.split()
        assert passage["text"] == here[:MAX_PASSAGE_CHARS]
        assert passage["truncated"] == (len(here) > MAX_PASSAGE_CHARS)
    assert passages[0]["truncated"]  # the whole article is one passage of ~1,900 characters


def test_a_trace_lists_at_most_max_matches(tmp_path, sites, monkeypatch):
    """MAX_MATCHES caps the matches listed, keeping those that share most."""
    ids = capture(tmp_path, [sites[ORIGINAL], sites[CREDITED], sites[REWRITE]])
    monkeypatch.setattr(republication, "MAX_MATCHES", 1)
    matches = trace_json(tmp_path, ids[sites[ORIGINAL]])["matches"]
    assert [m["url"] for m in matches] == [sites[CREDITED]]


def test_captured_copy_first_direction_still_comes_from_claimed_times(tmp_path, sites):
    """Copy captured before the original: claimed publication times still decide."""
    ids = capture(tmp_path, [sites[REWRITE], sites[CREDITED], sites[ORIGINAL]])
    matches = by_url(trace_json(tmp_path, ids[sites[ORIGINAL]]))
    for copy in (CREDITED, REWRITE):
        assert matches[sites[copy]]["direction"] == {
            "value": "copy", "decided_by": "published_at",
            "explanation": matches[sites[copy]]["direction"]["explanation"]}
    assert "claims publication at 2026-11-18T09:12:00+01:00" in \
        matches[sites[CREDITED]]["direction"]["explanation"]


def test_show_marks_the_derived_republished_link(tmp_path, sites):
    """After a trace, the copy's show --json has a derived `republished` link to the
    original's outlet; the stored provenance itself is unchanged."""
    ids = capture(tmp_path, [sites[ORIGINAL], sites[REWRITE]])
    copy_id = ids[sites[REWRITE]]
    before = json.loads(run_cli(tmp_path, "show", copy_id, "--json").stdout)
    assert "derived" not in before
    trace_json(tmp_path, ids[sites[ORIGINAL]])
    after = json.loads(run_cli(tmp_path, "show", copy_id, "--json").stdout)
    (link,) = after["derived"]["attribution"]
    assert link["relation"] == "republished" and link["method"] == "similarity"
    assert link["derived"] is True
    assert link["source"]["name"] == "The Harbour Gazette"
    assert ids[sites[ORIGINAL]] in link["evidence"]
    assert {k: v for k, v in after.items() if k != "derived"} == before
    human = run_cli(tmp_path, "show", copy_id).stdout
    assert "derived" in human.lower() and "republished" in human
    # the original is not a copy of anything
    original = json.loads(run_cli(tmp_path, "show", ids[sites[ORIGINAL]], "--json").stdout)
    assert "derived" not in original


def test_trace_all_writes_clusters_and_graph_files(tmp_path, sites):
    """--all finds one cluster (origin + two copies) and writes GraphML and GEXF."""
    ids = capture(tmp_path, [sites[ORIGINAL], sites[UNRELATED_PAGE], sites[CREDITED],
                             sites[REWRITE]])
    graphml, gexf = tmp_path / "lineage.graphml", tmp_path / "lineage.gexf"
    document = trace_json(tmp_path, "--all", "--graphml", str(graphml), "--gexf", str(gexf))
    (cluster,) = document["clusters"]
    assert cluster["origin"] == ids[sites[ORIGINAL]]
    members = {m["url"]: m for m in cluster["members"]}
    assert set(members) == {sites[ORIGINAL], sites[CREDITED], sites[REWRITE]}
    assert members[sites[CREDITED]]["parent"] == ids[sites[ORIGINAL]]
    assert members[sites[CREDITED]]["credit"]["party"] == "The Harbour Gazette"
    graph = ET.parse(graphml).getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(graph.findall(".//g:node", ns)) == 3
    assert len(graph.findall(".//g:edge", ns)) == 3  # every measured pair, source -> copy
    nodes = ET.parse(gexf).getroot().findall(".//{http://gexf.net/1.3}node")
    assert {n.get("id") for n in nodes} == {ids[sites[k]] for k in (ORIGINAL, CREDITED,
                                                                     REWRITE)}
    human = run_cli(tmp_path, "trace", "--all").stdout
    assert "1 cluster" in human and "origin" in human and "UNCREDITED" in human
    assert "REWRITE" in human


def test_human_view_shows_the_lineage_tree(tmp_path, sites):
    """The human view: origin at the root, copies under it, credit and rewrite marked."""
    ids = capture(tmp_path, [sites[ORIGINAL], sites[CREDITED], sites[REWRITE]])
    result = run_cli(tmp_path, "trace", sites[CREDITED])  # a URL: its latest capture
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    tree = lines[lines.index("Lineage") + 1:lines.index("Matches") - 1]
    assert tree[0].lstrip().startswith("origin  The Harbour Gazette")
    assert any("credited" in line and "Valley Courier" in line and "← traced" in line
               for line in tree[1:])
    assert any("REWRITE" in line and "UNCREDITED" in line and "Northern Ledger" in line
               for line in tree[1:])
    assert ids[sites[ORIGINAL]] in tree[0]


def test_rebuilt_catalog_gets_its_fingerprints_back(tmp_path, sites):
    """After a catalog rebuild the fingerprints are made again from the stored texts."""
    ids = capture(tmp_path, [sites[ORIGINAL], sites[CREDITED]])
    (tmp_path / "catalog.sqlite3").unlink()
    assert run_cli(tmp_path, "catalog", "rebuild").exit_code == 0
    document = trace_json(tmp_path, ids[sites[ORIGINAL]])
    assert document["captures"]["fingerprinted_now"] == 2
    assert [m["url"] for m in document["matches"]] == [sites[CREDITED]]
    assert trace_json(tmp_path, ids[sites[ORIGINAL]])["captures"]["fingerprinted_now"] == 0


def test_captures_without_a_stored_text_are_counted_not_traced(tmp_path, sites):
    """A capture whose text the catalog lacks (made before texts were kept) is counted
    as without text and left out; tracing it says how to get its text."""
    import sqlite3

    ids = capture(tmp_path, [sites[ORIGINAL], sites[CREDITED]])
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as db:
        db.execute("DELETE FROM texts WHERE text_blake3 = (SELECT text_blake3 FROM captures "
                   "WHERE capture_id = ?)", (ids[sites[CREDITED]],))
        db.execute("DELETE FROM fingerprints")
    document = trace_json(tmp_path, ids[sites[ORIGINAL]])
    assert document["captures"] == {"indexed": 1, "fingerprinted_now": 1, "without_text": 1}
    assert document["matches"] == []
    refused = run_cli(tmp_path, "trace", ids[sites[CREDITED]])
    assert refused.exit_code == 2 and "capture it again" in refused.stderr


def test_trace_refuses_what_it_cannot_trace(tmp_path, site):
    """No target, unknown URL, a page without article text: exit 2 with a way out."""
    empty = trace_json(tmp_path, "--all")
    assert empty["clusters"] == [] and empty["captures"]["indexed"] == 0
    assert run_cli(tmp_path, "trace").exit_code == 2
    assert run_cli(tmp_path, "trace", "x", "--all").exit_code == 2
    assert run_cli(tmp_path, "trace", "x", "--gexf", str(tmp_path / "g")).exit_code == 2
    unknown = run_cli(tmp_path, "trace", "https://nowhere.example/a")
    assert unknown.exit_code == 2 and "archiver capture https://nowhere.example/a" in unknown.stderr
    site.raw("/empty.html", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13"
                            b"\r\n\r\n<p>Short.</p>")
    result = run_cli(tmp_path, "capture", *ALLOW, "--json", site.url("/empty.html"))
    capture_id = json_lines(result.stdout)[0]["capture_id"]
    refused = run_cli(tmp_path, "trace", capture_id)
    assert refused.exit_code == 2
    assert "too little article text" in refused.stderr or "no article text" in refused.stderr


# --- the pieces --------------------------------------------------------------------------


def test_fingerprint_is_stable_and_ignores_case_and_punctuation():
    """The same words give the same signature whatever the case, spacing or punctuation."""
    text = " ".join(PARAGRAPHS)
    one = fingerprint(text)
    other = fingerprint(text.upper().replace(",", " ;"))
    assert one.signature == other.signature and one.method == METHOD
    assert one.text_blake3 != other.text_blake3  # the text's own identity still differs
    assert len(one.signature) == 4 * NUM_PERM
    with pytest.raises(ValueError, match="empty"):
        fingerprint("")
    assert one.shingles == ShingledText(text).distinct.size


def test_long_texts_are_cut_at_max_words():
    """Words past MAX_WORDS are not fingerprinted, and the text says it was cut."""
    words = [f"w{i}" for i in range(MAX_WORDS + 50)]
    shingled = ShingledText(" ".join(words))
    assert shingled.truncated and shingled.words == MAX_WORDS
    assert fingerprint(" ".join(words)).signature == \
        fingerprint(" ".join(words[:MAX_WORDS])).signature
    assert not ShingledText(" ".join(words[:MAX_WORDS])).truncated


def test_a_refrain_does_not_blow_up_the_passage_search():
    """A text of one sentence repeated thousands of times yields no passages from the
    repeats (MAX_REPEATS), but a real shared passage is still found."""
    refrain = "all work and no play makes jack a dull boy " * 3000
    a = ShingledText(refrain + " ".join(PARAGRAPHS))
    b = ShingledText(" ".join(PARAGRAPHS) + refrain)
    found = shared_passages(a, b, limit=5)
    assert found[0].words == len(ShingledText(" ".join(PARAGRAPHS)).hashes) + 4


def test_the_index_finds_a_short_text_inside_a_long_one_both_ways():
    """A 100-word story inside a 600-word article is a candidate from either side; an
    unrelated text is not."""
    rng = np.random.default_rng(7)
    vocabulary = [f"v{i}" for i in range(5000)]

    def text(n):
        return " ".join(rng.choice(vocabulary, n))

    short, long_before, long_after, other = text(100), text(250), text(250), text(600)
    texts = [short, f"{long_before} {short} {long_after}", other]
    prints = [fingerprint(t) for t in texts]
    index = SignatureIndex(np.stack([p.values() for p in prints]),
                           np.array([p.shingles for p in prints]))
    assert set(index.candidates(prints[0].values(), prints[0].shingles).tolist()) == {0, 1}
    assert set(index.candidates(prints[1].values(), prints[1].shingles).tolist()) == {0, 1}
    assert index.candidates(prints[2].values(), prints[2].shingles).tolist() == [2]
    measured = overlap(ShingledText(texts[0]), ShingledText(texts[1]))
    assert measured.coverage_a == 1.0 and 0.1 < measured.similarity < 0.25


def test_boilerplate_values_are_skipped(monkeypatch):
    """A MinHash value held by more than MAX_BUCKET texts gives no votes."""
    prints = [fingerprint(" ".join(PARAGRAPHS))] * 3
    index = SignatureIndex(np.stack([p.values() for p in prints]),
                           np.array([p.shingles for p in prints]))
    assert len(index.candidates(prints[0].values(), prints[0].shingles)) == 3
    monkeypatch.setattr(republication, "MAX_BUCKET", 2)
    assert len(index.candidates(prints[0].values(), prints[0].shingles)) == 0


def _story(published: str | None, captured: str) -> Story:
    return Story(capture_id=captured, url="https://x.example/" + captured,
                 outlet={"name": "X", "domain": "x.example"}, title=None,
                 published_at=published, captured_at=captured, links=())


def test_order_prefers_claims_then_capture_times():
    """Two claims decide; claims on one day fall back to capture times; a claim later
    than the page's own capture is set aside."""
    early = _story("2026-11-18T09:00:00+01:00", "2026-11-20T00:00:00.000000Z")
    late = _story("2026-11-18T12:00:00+01:00", "2026-11-19T00:00:00.000000Z")
    assert order(early, late).first is early and order(early, late).decided_by == "published_at"
    day_a = _story("2026-11-18", "2026-11-19T10:00:00.000000Z")
    day_b = _story("2026-11-18", "2026-11-19T09:00:00.000000Z")
    found = order(day_a, day_b)
    assert found.first is day_b and found.decided_by == "captured_at"
    impossible = _story("2030-01-01T00:00:00+00:00", "2026-11-18T07:00:00.000000Z")
    unclaimed = _story(None, "2026-11-18T08:00:00.000000Z")
    found = order(impossible, unclaimed)
    assert found.first is impossible and found.decided_by == "captured_at"
    mixed = order(late, _story(None, "2026-11-18T13:00:00.000000Z"))
    assert mixed.first is late and mixed.decided_by == "published_at_and_captured_at"
    same = order(_story(None, "2026-11-18T13:00:00.000000Z"),
                 _story(None, "2026-11-18T13:00:00.000000Z"))
    assert same.first is None and same.decided_by == "none"


def test_lineage_stays_a_tree_when_orders_do_not_chain():
    """A bare date against a time (capture times decide), two claimed times, and a time
    inside the date: A before B before C before A. The tree drops the weakest link."""
    a = _story("2026-11-18", "2026-11-19T09:00:00.000000Z")
    b = _story("2026-11-18T12:00:00+00:00", "2026-11-19T10:00:00.000000Z")
    c = _story("2026-11-18T15:00:00+00:00", "2026-11-19T08:00:00.000000Z")
    assert [order(a, b).first, order(b, c).first, order(c, a).first] == [a, b, c]
    edges = [compare(x, y, Overlap(shared, 100, 100), ("", ""))
             for x, y, shared in ((a, b, 90), (b, c, 80), (c, a, 70))]
    cluster = Cluster([a, b, c], edges)
    assert set(cluster.parent) == {b.capture_id, c.capture_id}  # c -> a would close a loop
    assert cluster.origin is a
    assert cluster.to_document()["members"][0]["role"] == "origin"


def test_recaptures_of_one_url_are_never_matches_of_each_other(tmp_path, sites):
    """A second capture of the original (stored as a revisit) is not a copy of the
    first; the copy at another URL still matches, once."""
    first = capture(tmp_path, [sites[ORIGINAL]])[sites[ORIGINAL]]
    ids = capture(tmp_path, [sites[ORIGINAL], sites[CREDITED]])
    again = ids[sites[ORIGINAL]]
    shown = json.loads(run_cli(tmp_path, "show", again, "--json").stdout)
    assert shown["content"].get("revisit") is not None
    assert [m["url"] for m in trace_json(tmp_path, again)["matches"]] == [sites[CREDITED]]
    (cluster,) = trace_json(tmp_path, "--all")["clusters"]
    assert {m["capture_id"] for m in cluster["members"]} == {first, ids[sites[CREDITED]]}
