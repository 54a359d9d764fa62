"""Republication tracing on real reuse cases (../shared/corpus/reuse), with pinned floors.

The four page cases are served from the corpus folder on loopback servers, captured
and traced through the command line. The 612 Helsinki-summit texts are traced with the
library (they are text only): recall against the corpus's derived pairs, recall of the
MinHash index against measuring every pair, and precision and recall on pairs judged
by reading them (``JUDGED``). docs/republication.md has the figures.
"""

from __future__ import annotations

import csv
import itertools
import json

import lxml.html
import numpy as np
import pytest

from archiver.fingerprint import ShingledText, fingerprint_of, overlap
from archiver.republication import SignatureIndex, is_match, matching_pairs
from archiver.testing import LoopbackSite
from tests.helpers import json_lines, run_cli

ALLOW = ("--allow-network", "127.0.0.0/8")

#: Floors: a change that lowers a figure below its floor fails here, to be accepted
#: explicitly (measured values in docs/republication.md).
DERIVED_PAIR_RECALL = 0.98  # measured 1.0 (265 of 265)
INDEX_RECALL = 0.97  # measured 0.986 (700 of 710): matches the index finds, of all
JUDGED_PRECISION = 0.9  # measured 1.0 (13 of 13 reported pairs are reuse)
JUDGED_RECALL = 0.6  # measured 0.65 (13 of 20): AP passages under half a text missed

#: Helsinki pairs read by hand (ids, reuse?, why), sampled across containment bands.
JUDGED = [
    ("4610", "11387", True, "same AP paragraphs on extradition"),
    ("4209", "10864", True, "AP story on state election officials"),
    ("543", "10037", True, "AP summit story, two versions"),
    ("2522", "11527", True, "AP summit story, two versions"),
    ("9030", "10037", True, "AP summit story, two versions"),
    ("4610", "12130", True, "AP 'nothing bad' story inside a longer AP file"),
    ("3966", "4993", True, "AP paragraphs"),
    ("5082", "10043", True, "AP photo captions"),
    ("241", "7646", True, "AP 'policy disconnect' story"),
    ("77", "1837", True, "AP summit story, two versions"),
    ("77", "2522", True, "AP summit story, two versions"),
    ("171", "582", True, "CNN story carried by news4jax"),
    ("524", "13575", True, "CNN story carried by click2houston"),
    ("1660", "6991", False, "only Trump's tweets, quoted in full by both"),
    ("6991", "13575", False, "only Trump's tweets"),
    ("6521", "6991", False, "only Trump's tweets"),
    ("2499", "13575", False, "a shared Trump quote"),
    ("10043", "13575", False, "shared Trump quotes"),
    ("1498", "10043", False, "a shared Trump quote"),
    ("5197", "13047", False, "one shared tweet"),
    ("7396", "11596", False, "McClatchy subscription chrome kept by the scrape"),
    ("12192", "13235", False, "shared Trump quotes"),
    ("1841", "6530", True, "AP extradition paragraphs in two different AP stories"),
    ("5770", "11596", True, "AP paragraphs"),
    ("1197", "6464", True, "a 268-word AP passage inside a digest page"),
    ("543", "5822", True, "AP passages of 110, 81 and 74 words"),
    ("5076", "6514", True, "AP paragraphs"),
    ("5966", "13940", True, "AP paragraphs"),
    ("6464", "7578", True, "AP election-officials paragraph"),
]


# --- the four page cases, captured from loopback servers ---------------------------------


def _serve_and_capture(tmp_path, corpus, case: str, files: list[str]):
    """Serve each file of a case on its own loopback address; capture them in order."""
    folder = corpus / "reuse" / case
    ids = {}
    for number, name in enumerate(files, 1):
        with LoopbackSite(folder, host=f"127.0.0.{number}") as site:
            result = run_cli(tmp_path, "capture", *ALLOW, "--json", site.url("/" + name))
            assert result.exit_code == 0, result.stderr
            ids[name] = json_lines(result.stdout)[0]["capture_id"]
    return ids


def _trace(home, capture_id):
    result = run_cli(home, "trace", capture_id, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_efe_wire_story_on_two_sites(tmp_path, corpus):
    """cooperativa.cl (07:46) and 24horas.cl (08:27) carry one EFE story: 24horas is
    the copy by claimed times, credited through the agency both name."""
    ids = _serve_and_capture(tmp_path, corpus, "wire-efe-boric-magallanes-2022",
                             ["24horas.cl.html", "cooperativa.cl.html"])
    (match,) = _trace(tmp_path, ids["24horas.cl.html"])["matches"]
    assert match["capture_id"] == ids["cooperativa.cl.html"]
    assert match["direction"]["value"] == "source"
    assert match["direction"]["decided_by"] == "published_at"
    assert match["containment"] >= 0.6 and match["reuse"] == "rewrite"
    assert match["credited"] and match["credit"]["party"] == "EFE"
    assert match["shared_passages"][0]["words"] >= 100


def test_granma_article_inside_cubadebate_report(tmp_path, corpus):
    """Most of the Granma text is inside the longer Cubadebate report (containment),
    found from either side; one claim is a bare date, so capture order decides."""
    ids = _serve_and_capture(tmp_path, corpus, "granma-cubadebate-2022",
                             ["source__granma.cu.html", "derived__cubadebate.cu.html"])
    from_granma = _trace(tmp_path, ids["source__granma.cu.html"])["matches"]
    (match,) = _trace(tmp_path, ids["derived__cubadebate.cu.html"])["matches"]
    assert [m["capture_id"] for m in from_granma] == [ids["derived__cubadebate.cu.html"]]
    assert match["coverage"]["match"] >= 0.9  # of the Granma text
    assert match["similarity"] < 0.5 and match["reuse"] == "embedded"
    assert match["direction"] == {**match["direction"], "value": "source",
                                  "decided_by": "captured_at"}


def test_press_release_and_its_trade_press_rewrite(tmp_path, corpus):
    """DJZ's rewrite of the DJV release matches it and credits it in its text
    ("so der Deutsche Jagdverband")."""
    ids = _serve_and_capture(tmp_path, corpus, "press-release-djv-fwr-2022",
                             ["source__jagdverband.de.html", "derived__djz.de.html"])
    (match,) = _trace(tmp_path, ids["derived__djz.de.html"])["matches"]
    assert match["capture_id"] == ids["source__jagdverband.de.html"]
    assert match["direction"]["value"] == "source"
    assert match["reuse"] == "rewrite"
    assert match["credited"] and match["credit"]["how"] == "phrase"
    assert "Deutsche Jagdverband" in match["credit"]["evidence"]


def test_same_template_negative_control_does_not_match(tmp_path, corpus):
    """Two MK.ru regional stories share most of their page text (the template) but no
    article text: no match either way."""
    folder = corpus / "reuse" / "negative-mk.ru-same-template-2020"
    pages = [ShingledText(lxml.html.fromstring((folder / name).read_bytes()).text_content())
             for name in ("rzn.mk.ru.html", "oren.mk.ru.html")]
    assert overlap(*pages).containment > 0.5  # whole pages would match: the control bites
    ids = _serve_and_capture(tmp_path, corpus, "negative-mk.ru-same-template-2020",
                             ["rzn.mk.ru.html", "oren.mk.ru.html"])
    assert _trace(tmp_path, ids["oren.mk.ru.html"])["matches"] == []
    assert run_cli(tmp_path, "trace", "--all", "--json").stdout.count('"origin"') == 0


# --- the Helsinki-summit texts -------------------------------------------------------------


@pytest.fixture(name="helsinki", scope="module")
def _helsinki():
    """(rows, shingled texts, every cross-publisher pair that matches when measured)."""
    from tests.conftest import CORPUS

    folder = CORPUS / "reuse" / "helsinki-summit-2018"
    if not folder.is_dir():
        pytest.skip("../shared/corpus is not present")
    csv.field_size_limit(10**8)
    with (folder / "helsinki_articles.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    texts = [ShingledText(row["text"].replace(" ### ", "\n")) for row in rows]
    exhaustive = {
        (i, j) for i, j in itertools.combinations(range(len(rows)), 2)
        if rows[i]["publisher"] != rows[j]["publisher"] and is_match(overlap(texts[i], texts[j]))
    }
    derived = json.loads((folder / "clusters.derived.json").read_text(encoding="utf-8"))
    return rows, texts, exhaustive, derived


def _traced_pairs(rows, texts) -> set[tuple[int, int]]:
    """Cross-publisher pairs the index-and-measure path reports."""
    prints = [fingerprint_of(text, str(n)) for n, text in enumerate(texts)]
    kept = [n for n, p in enumerate(prints) if p.shingles >= 20]
    index = SignatureIndex(np.stack([prints[n].values() for n in kept]),
                           np.array([prints[n].shingles for n in kept]))
    signatures = np.stack([prints[n].values() for n in kept])
    found = set()
    for a, b, _ in matching_pairs(index, signatures, lambda r: texts[kept[r]]):
        i, j = sorted((kept[a], kept[b]))
        if rows[i]["publisher"] != rows[j]["publisher"]:
            found.add((i, j))
    return found


def test_helsinki_recall_and_precision(helsinki):
    """Recall of the corpus's derived pairs, of exhaustive measurement, and precision and
    recall on hand-judged pairs stay above their floors."""
    rows, texts, exhaustive, derived = helsinki
    position = {row["id"]: n for n, row in enumerate(rows)}
    traced = _traced_pairs(rows, texts)

    derived_pairs = {tuple(sorted((position[p["a"]], position[p["b"]])))
                     for p in derived["pairs"]}
    assert len(derived_pairs & traced) / len(derived_pairs) >= DERIVED_PAIR_RECALL
    assert len(exhaustive & traced) / len(exhaustive) >= INDEX_RECALL
    assert traced <= exhaustive  # nothing reported that measurement would not report

    reported = {(a, b): tuple(sorted((position[a], position[b]))) in traced
                for a, b, _, _ in JUDGED}
    truth = {(a, b): reuse for a, b, reuse, _ in JUDGED}
    true_positives = sum(reported[p] and truth[p] for p in truth)
    assert true_positives / sum(reported.values()) >= JUDGED_PRECISION
    assert true_positives / sum(truth.values()) >= JUDGED_RECALL


def test_helsinki_derived_clusters_chain_unrelated_stories(helsinki):
    """What checking the derived clusters found: single-link chaining puts AP 'The
    Latest' files and short items in one cluster although some members share almost
    nothing (so the derived *pairs* are the gold, not the clusters)."""
    rows, texts, _, derived = helsinki
    position = {row["id"]: n for n, row in enumerate(rows)}
    unrelated = [
        (a, b) for cluster in derived["clusters"]
        for a, b in itertools.combinations(cluster["ids"], 2)
        if overlap(texts[position[a]], texts[position[b]]).containment < 0.1
    ]
    assert ("316", "2788") in unrelated and len(unrelated) >= 10
