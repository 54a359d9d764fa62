"""The attribution quality gate: extracted links against hand labels of corpus pages.

Each page labelled in ``tests/attribution_labels`` is read from
``../shared/corpus/news-html`` (next to the repository, never copied into it), run
through ``extract_page`` once, and its ``attribution`` scored with
``tests/attribution_gate.py``, whose docstring gives the labelling conventions and the
matching rules. Micro-averaged precision and recall must stay at or above
the floors below; ``pytest -s`` prints the per-page table (English vs other languages).
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from archiver.extract import PageFacts, extract_page
from tests.attribution_gate import (
    KINDS,
    OUTLET,
    Score,
    describe,
    is_outlet,
    same_party,
    score,
    table,
    total,
)

NEWS = Path(__file__).parent.parent.parent / "shared" / "corpus" / "news-html"
LABELS = Path(__file__).parent / "attribution_labels"

#: Floors pinned just under the figures measured with markup, credit lines, picture
#: credit chains (archiver/picture_credits.py) and prose attribution (archiver/prose.py,
#: with relative clauses, pronouns continuing a named subject, Russian, Ukrainian and
#: Persian cues, denials, "the 56-year-old", mastheads and institutions named after a
#: report): 38 pages, 295 labelled links, 243 predicted, 236 matched: precision 0.971,
#: recall 0.800 (English 0.982 / 0.850, other languages 0.947 / 0.706), which meets the
#: issue's targets. The previous pins were 0.95 and 0.76 (measured 0.970 and 0.773). A
#: regression below a floor fails; lowering one needs a reason in the commit.
PRECISION_FLOOR = 0.95  # measured 0.971 (2026-11-24)
RECALL_FLOOR = 0.79  # measured 0.800 (2026-11-24)
#: The same, per language group, so that one group cannot regress behind the other.
ENGLISH_FLOORS = (0.96, 0.84)  # measured 0.982, 0.850
OTHER_LANGUAGE_FLOORS = (0.93, 0.69)  # measured 0.947, 0.706
#: What the issue asks of the finished extractor, for the report only until then.
TARGET_PRECISION = 0.9
TARGET_RECALL = 0.8
#: Enough pages that a few disputed labels cannot move the figures much.
MIN_PAGES = 25
MIN_ENGLISH_PAGES = 15
RELATIONS = re.compile(r"^[a-z_]+$")


# --- corpus and labels --------------------------------------------------------------


@cache
def labelled_pages() -> tuple[tuple[str, dict[str, Any]], ...]:
    """(stem, label document) of every labelled page, sorted by stem."""
    found = []
    for path in sorted(LABELS.glob("*.json")):
        found.append((path.stem, json.loads(path.read_text(encoding="utf-8"))))
    return tuple(found)


@cache
def page_facts(stem: str) -> PageFacts:
    """extract_page on one corpus page (full text mode), once per test session."""
    if not NEWS.is_dir():
        pytest.skip(f"corpus not found at {NEWS}")
    path = next(NEWS.glob(f"{stem}.html*"))
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    truth = json.loads((NEWS / f"{stem}.truth.json").read_text(encoding="utf-8"))
    return extract_page(data, url=truth["url"], content_type="text/html", text_mode="full")


@cache
def page_scores() -> tuple[tuple[str, str, Score], ...]:
    """(stem, language, score) of every labelled page."""
    rows = []
    for stem, doc in labelled_pages():
        facts = page_facts(stem)
        rows.append((stem, doc["language"], score(facts.attribution, doc["links"], facts.outlet)))
    return tuple(rows)


def misses(rows: tuple[tuple[str, str, Score], ...]) -> str:
    """Every false positive and false negative, page by page, for the failure message."""
    out = []
    for stem, _language, part in rows:
        out += [f"{stem}: FP {describe(link)}" for link in part.false_positives]
        out += [f"{stem}: FN {describe(link)}" for link in part.false_negatives]
    return "\n".join(out)


# --- the labels themselves ----------------------------------------------------------


class TestLabels:
    def test_enough_pages_are_labelled(self):
        """At least 25 pages carry labels, 15 of them English, the rest in other languages."""
        languages = [doc["language"] for _, doc in labelled_pages()]
        assert len(languages) >= MIN_PAGES
        assert languages.count("en") >= MIN_ENGLISH_PAGES
        assert len(set(languages) - {"en"}) >= 5

    @pytest.mark.parametrize(
        ("stem", "doc"), labelled_pages(), ids=[stem for stem, _ in labelled_pages()]
    )
    def test_label_file_is_well_formed(self, stem, doc):
        """Each label file names its corpus page and holds links in the agreed shape."""
        assert set(doc) == {"page", "language", "outlet", "links", "notes"}
        assert doc["page"].startswith("news-html/")
        assert doc["page"].removeprefix("news-html/").split(".html")[0] == stem
        if NEWS.is_dir():
            assert (NEWS.parent / doc["page"]).is_file()
        for link in doc["links"]:
            assert set(link) == {"source", "via", "relation", "evidence"}, link
            parties = [link["source"]] + ([] if link["via"] == OUTLET else [link["via"]])
            for party in parties:
                assert set(party) == {"name", "kind"}, link
                assert party["name"].strip(), link
                assert party["kind"] in KINDS, link
            assert RELATIONS.match(link["relation"]), link
            assert link["evidence"].strip(), link


# --- the gate -----------------------------------------------------------------------


def test_attribution_precision_and_recall_stay_above_the_floors():
    """Micro-averaged link precision and recall on the labelled pages meet the floors."""
    rows = page_scores()
    overall = total(part for _, _, part in rows)
    report = table(rows)
    relation = overall.relation_agreement or 0.0
    kind = overall.kind_agreement or 0.0
    print(
        f"\n{report}\nrelation agreement on matches: {relation:.2f}, "
        f"source kind agreement: {kind:.2f}\n"
        f"floors: precision {PRECISION_FLOOR}, recall {RECALL_FLOOR}; "
        f"targets: precision {TARGET_PRECISION}, recall {TARGET_RECALL}"
    )
    detail = f"\n{report}\n{misses(rows)}"
    assert overall.precision >= PRECISION_FLOOR, detail
    assert overall.recall >= RECALL_FLOOR, detail
    english = total(part for _, language, part in rows if language == "en")
    others = total(part for _, language, part in rows if language != "en")
    assert english.precision >= ENGLISH_FLOORS[0], detail
    assert english.recall >= ENGLISH_FLOORS[1], detail
    assert others.precision >= OTHER_LANGUAGE_FLOORS[0], detail
    assert others.recall >= OTHER_LANGUAGE_FLOORS[1], detail


# --- the scorer ---------------------------------------------------------------------

OUTLET_OBJECT = {"name": "The Local Sweden", "domain": "thelocal.se", "source": "opengraph"}
VIA_OUTLET = {"name": "The Local Sweden", "kind": "outlet", "domain": "thelocal.se"}
AFP = {"name": "Agence France-Presse", "kind": "news_agency"}


def predicted(source: dict[str, Any], via: dict[str, Any], relation: str) -> dict[str, Any]:
    return {"source": source, "via": via, "relation": relation, "evidence": "", "method": "test"}


def label(source: dict[str, Any], via: Any, relation: str) -> dict[str, Any]:
    return {"source": source, "via": via, "relation": relation, "evidence": ""}


class TestScorer:
    def test_aliases_outlet_and_partial_names_match(self):
        """An agency alias, "@outlet" and a surname match their labels; relations are reported."""
        labels = [
            label(AFP, OUTLET, "credit"),
            label({"name": "Vladimir Putin", "kind": "person"}, OUTLET, "said"),
        ]
        links = [
            predicted({"name": "AFP", "kind": "news_agency"}, VIA_OUTLET, "byline"),
            predicted({"name": "Putin", "kind": "person"}, VIA_OUTLET, "said"),
        ]
        result = score(links, labels, OUTLET_OBJECT)
        assert (result.tp, result.fp, result.fn) == (2, 0, 0)
        assert result.relation_agreement == 0.5

    def test_a_wrong_via_or_a_different_party_does_not_count(self):
        """The right source through the wrong relayer, or a lookalike name, is no match."""
        labels = [
            label({"name": "Gustav Lloyd Agerblad", "kind": "person"}, AFP, "told"),
            label({"name": "Russian Defense Ministry", "kind": "government"}, OUTLET, "statement"),
            label({"name": "Associated Press", "kind": "news_agency"}, OUTLET, "photo_credit"),
        ]
        links = [
            predicted({"name": "Agerblad", "kind": "person"}, VIA_OUTLET, "said"),
            predicted({"name": "The Russian", "kind": "person"}, VIA_OUTLET, "byline"),
            predicted(AFP, VIA_OUTLET, "photo_credit"),
        ]
        result = score(links, labels, OUTLET_OBJECT)
        assert (result.tp, result.fp, result.fn) == (0, 3, 3)
        assert result.precision == 0.0
        assert result.recall == 0.0

    def test_anonymous_sources_match_by_via_and_each_link_once(self):
        """Anonymous sources match through the same relayer, and one label takes one link."""
        labels = [label({"name": "diplomats", "kind": "anonymous"}, AFP, "told")]
        links = [
            predicted({"name": "unnamed officials", "kind": "anonymous"}, VIA_OUTLET, "said"),
            predicted({"name": "sources", "kind": "anonymous"}, AFP, "told"),
            predicted({"name": "two sources", "kind": "anonymous"}, AFP, "told"),
        ]
        result = score(links, labels, OUTLET_OBJECT)
        assert (result.tp, result.fp, result.fn) == (1, 2, 0)
        assert result.matched[0][0]["source"]["name"] == "sources"

    def test_the_largest_pairing_wins(self):
        """A surname that fits two labels goes to the one no other prediction can take."""
        labels = [
            label({"name": "Dylan Farrow", "kind": "person"}, OUTLET, "said"),
            label({"name": "Ronan Farrow", "kind": "person"}, OUTLET, "said"),
        ]
        links = [
            predicted({"name": "Farrow", "kind": "person"}, VIA_OUTLET, "said"),
            predicted({"name": "Dylan Farrow", "kind": "person"}, VIA_OUTLET, "said"),
        ]
        result = score(links, labels, OUTLET_OBJECT)
        assert (result.tp, result.fp, result.fn) == (2, 0, 0)

    def test_outlet_and_party_rules(self):
        """The outlet is known by domain, name or agency site; names fold case and accents."""
        assert is_outlet({"name": "thelocal.se", "kind": "outlet"}, OUTLET_OBJECT)
        reuters = {"name": "U.S.", "domain": "reuters.com"}
        assert is_outlet({"name": "Reuters", "kind": "news_agency"}, reuters)
        assert not is_outlet(AFP, reuters)
        assert same_party({"name": "El País", "kind": "outlet"}, {"name": "EL PAIS"})
        assert same_party({"name": "Associated Press", "kind": "news_agency"}, {"name": "The AP"})
        assert not same_party({"name": "Associated Press", "kind": "news_agency"}, AFP)
        assert not same_party(
            {"name": "Michael R. Bloomberg", "kind": "person"},
            {"name": "Bloomberg", "kind": "news_agency"},
        )
