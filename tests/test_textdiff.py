"""Tests for archiver.textdiff: the word diff, field changes, classification, stealth verdict.

The corpus cases read ``../shared/corpus/edits`` (real re-captures of one URL, next to
the repository and never copied into it) through ``archiver.extract`` at test time.
Regenerate the golden document after an intended change with
``ARCHIVER_REGEN_GOLDEN=1 python -m pytest tests/test_textdiff.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from archiver import schemas
from archiver.diffview import render_diff
from archiver.extract import extract_page
from archiver.textdiff import (
    ArticleDiff,
    Version,
    diff_versions,
)
from archiver.textextract import text_blake3

EDITS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "edits"
GOLDEN = Path(__file__).parent / "golden" / "diff.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

OLD_ID, NEW_ID = "01jgz5h2f0aaaaaaaaaaaaaaaa", "01jgz7m4k0bbbbbbbbbbbbbbbb"
OLD_AT, NEW_AT = "2026-01-02T03:04:05.000000Z", "2026-01-02T09:04:05.000000Z"
URL = "https://www.harbour-gazette.example/world/2026/01/quake.html"

ARTICLE = [
    ("ANTAKYA (AFP) - At least 12 people were killed and 1,200 injured when the quake struck "
     "before dawn, officials said."),
    "The interior minister said “we are doing everything we can” in a televised speech.",
    "Rescue teams from three provinces arrived on Tuesday.",
    "Damage was put at $170 million, or 12.5% of the regional budget.",
    "Schools will stay closed until Friday.",
]
EDITED = [
    ("ANTAKYA (AFP) - At least 15 people were killed and 1,500 injured when the quake struck "
     "before dawn, officials said."),
    "The interior minister said “we are doing what we can” in a televised speech.",
    "Damage was put at $180 million, or 13% of the regional budget.",
    "Aftershocks continued through the night.",
    "Schools will stay closed until Friday.",
]
MODIFIED = "2026-01-02T02:00:00+00:00"


def version(text: str | list[str], *, new: bool = False, **claims) -> Version:
    """A Version of the fixed synthetic article; ``new`` picks the later capture."""
    if isinstance(text, list):
        text = "\n".join(text)
    fields = {"title": "Quake kills 12 in southern Turkey", "authors": ("Ayşe Demir",),
              "published_at": "2026-01-02T01:00:00+00:00", "modified_at": MODIFIED,
              "canonical_url": URL, **claims}
    return Version(capture_id=NEW_ID if new else OLD_ID, captured_at=NEW_AT if new else OLD_AT,
                   url=URL, text=text, **fields)


def diff(old_text, new_text, **claims) -> ArticleDiff:
    """Diff of the synthetic article; ``claims`` change the new version's fields."""
    return diff_versions(version(old_text), version(new_text, new=True, **claims))


def tiles(result: ArticleDiff) -> None:
    """The operations cover both texts exactly, in order, with consistent offsets."""
    for side, text in (("old", result.old.text), ("new", result.new.text)):
        position = 0
        for op in result.operations:
            part = getattr(op, side)
            assert part.start == position and part.text == text[part.start:part.end]
            position = part.end
        assert position == len(text)
    for op in result.operations:
        if op.op == "insert":
            assert op.old.start == op.old.end and op.new.text.strip()
        elif op.op == "delete":
            assert op.new.start == op.new.end and op.old.text.strip()
        elif op.op == "replace":
            assert op.old.text.strip() and op.new.text.strip()


def valid(result: ArticleDiff) -> dict:
    """The result's document, after checking it against schemas/diff.schema.json."""
    document = result.to_document()
    schemas.validate(document, "diff")
    tiles(result)
    return document


# --- unchanged and trivial differences -----------------------------------------------------


class TestUnchanged:
    def test_identical_texts_give_one_equal_operation_and_no_stealth(self):
        """Two equal texts: only equal operations, similarity 1, nothing classified."""
        result = diff(ARTICLE, ARTICLE)
        assert [op.op for op in result.operations] == ["equal"]
        assert result.similarity == 1.0 and result.words_added == result.words_removed == 0
        c = result.classification
        assert not (c.text_changed or c.figures_changed or c.quotes_changed
                    or c.paragraphs_added or c.paragraphs_removed or c.correction_note_added)
        assert not result.stealth_edit
        assert result.stealth_reason == "the article text did not change"
        assert result.fields == ()
        valid(result)

    def test_typographic_differences_are_not_edits_but_are_reported_as_written(self):
        """Whitespace, NFD, curly quotes, soft hyphens, NBSP, zero-width: equal, originals kept."""
        old = "\n".join(ARTICLE)
        new = (old.replace("“", '"').replace("”", '"')
               .replace("televised", "tele\u00advised")
               .replace(" people", "\u00a0people")
               .replace("officials", "offi\u200bcials")
               .replace("ANTAKYA (AFP) - ", "ANTAKYA  (AFP)\u2010 ")
               .replace("\n", "\n\n  "))
        new = unicodedata.normalize("NFD", new.replace("provinces", "provínces"))
        old = old.replace("provinces", "provínces")
        result = diff(old, new)
        assert {op.op for op in result.operations} == {"equal"}
        assert not result.classification.text_changed and not result.stealth_edit
        assert result.classification.typographic_changes >= 5
        assert "typographic differences ignored" in result.stealth_reason
        assert "".join(op.new.text for op in result.operations) == new
        valid(result)

    def test_paragraph_breaks_are_whitespace_to_the_comparison(self):
        """Splitting or joining paragraphs is not a text change."""
        result = diff(ARTICLE, [" ".join(ARTICLE[:2]), *ARTICLE[2:]])
        assert not result.classification.text_changed and result.similarity == 1.0

    def test_empty_texts(self):
        """Two empty texts are equal; an empty side is never called a stealth edit."""
        both = diff("", "")
        assert both.operations == () and not both.stealth_edit and both.similarity == 1.0
        one = diff("", ARTICLE)
        assert [op.op for op in one.operations] == ["insert"]
        assert not one.stealth_edit and "no article text" in one.stealth_reason
        assert one.similarity == 0.0
        valid(both)
        valid(one)


# --- the stealth edit of the issue --------------------------------------------------------


class TestStealthEdit:
    def test_figures_and_sentences_changed_without_note_or_date_is_stealth(self):
        """Figures changed, a sentence added and one removed, dateModified untouched: stealth."""
        result = diff(ARTICLE, EDITED)
        assert result.stealth_edit
        assert "no correction or update note" in result.stealth_reason
        assert MODIFIED in result.stealth_reason
        figures = [(f.before, f.after) for f in result.classification.figures_changed]
        assert figures == [("12", "15"), ("1,200", "1,500"), ("three", None),
                           ("$170 million", "$180 million"), ("12.5%", "13%")]
        first = result.classification.figures_changed[0]
        assert first.before_context == "(AFP) - At least 12 people were killed"
        assert first.after_context == "(AFP) - At least 15 people were killed"
        c = result.classification
        assert c.paragraphs_added == ("Aftershocks continued through the night.",)
        assert c.paragraphs_removed == ("Rescue teams from three provinces arrived on Tuesday.",)
        assert result.words_removed == 13 and result.words_added == 10
        valid(result)

    def test_the_same_edit_with_an_update_note_is_not_stealth(self):
        """The same edit plus an "Update:" paragraph: not stealth, and the note is listed."""
        note = "Update: This article has been updated with the latest casualty figures."
        result = diff(ARTICLE, [*EDITED, note])
        assert not result.stealth_edit
        assert result.classification.correction_note_added
        assert result.classification.correction_notes == (note,)
        assert "correction or update note" in result.stealth_reason
        valid(result)

    def test_a_new_modified_date_discloses_the_edit(self):
        """A new claimed modified_at means the page says it changed: not stealth."""
        result = diff(ARTICLE, EDITED, modified_at="2026-01-02T08:00:00+00:00")
        assert not result.stealth_edit and "modified_at changed" in result.stealth_reason
        assert [f.field for f in result.fields] == ["modified_at"]

    @pytest.mark.parametrize("claimed", ["2026-01-02T02:00:00Z", "2026-01-02T03:00:00+01:00",
                                         None])
    def test_same_instant_or_no_claim_is_not_a_new_date(self, claimed):
        """The same instant in another notation, or no claim at all, discloses nothing."""
        result = diff(ARTICLE, EDITED, modified_at=claimed)
        assert result.stealth_edit
        assert ("modified_at" in {f.field for f in result.fields}) == (claimed is None)

    def test_a_note_already_on_the_page_does_not_disclose_a_later_edit(self):
        """An unchanged old note is there in both versions: the new edit is still stealth."""
        note = "Correction: An earlier version of this article misspelt the minister's name."
        result = diff([*ARTICLE, note], [*EDITED, note])
        assert result.stealth_edit
        assert result.classification.correction_note_present
        assert not result.classification.correction_note_added
        assert "was there before this edit" in result.stealth_reason

    def test_a_changed_note_counts_as_a_new_one(self):
        """A dated update line whose time moves is a new disclosure."""
        result = diff([*ARTICLE, "Updated at 08:10 GMT"], [*EDITED, "Updated at 11:45 GMT"])
        assert not result.stealth_edit
        assert result.classification.correction_notes == ("Updated at 11:45 GMT",)

    def test_an_update_label_in_the_headline_is_a_note(self):
        """Wire-style "UPDATE 2-" headlines disclose an update."""
        result = diff(ARTICLE, EDITED, title="UPDATE 2-Quake kills 15 in southern Turkey")
        assert not result.stealth_edit and result.classification.correction_note_added
        assert result.classification.headline_changed


class TestFurniture:
    def test_a_new_crosshead_and_a_dropped_credit_line_are_not_a_stealth_edit(self):
        """Only a crosshead added and a credit line removed: listed, but no stealth edit."""
        credit = "Additional reporting by Steve Gorman; Editing by Nick Zieminski"
        result = diff([*ARTICLE, credit], [*ARTICLE[:2], "RESCUE EFFORT", *ARTICLE[2:]])
        c = result.classification
        assert c.text_changed and not c.article_changed and not result.stealth_edit
        assert c.furniture_changed == (credit, "RESCUE EFFORT")
        assert not c.paragraphs_added and not c.paragraphs_removed
        assert "crossheads or credit lines" in result.stealth_reason
        valid(result)

    @pytest.mark.parametrize("line", ["(Reporting by Ali Kucukgocmen; Writing by Daren Butler)",
                                      "Jane Roe contributed reporting from Ankara.",
                                      "What happens next"])
    def test_credit_and_crosshead_forms(self, line):
        """Credit lines in brackets or as a sentence, and a short crosshead, are furniture."""
        result = diff(ARTICLE, [*ARTICLE, line])
        assert result.classification.furniture_changed == (line,)
        assert not result.stealth_edit

    def test_an_article_edit_beside_furniture_is_still_a_stealth_edit(self):
        """A crosshead added together with changed figures: the figures make it stealth."""
        result = diff(ARTICLE, [*EDITED[:2], "RESCUE EFFORT", *EDITED[2:]])
        assert result.classification.article_changed and result.stealth_edit
        assert result.classification.furniture_changed == ("RESCUE EFFORT",)

    def test_a_short_sentence_or_a_figure_is_not_a_crosshead(self):
        """A short line that ends a sentence, or holds a figure, is article text."""
        for line in ("Nobody was hurt.", "12 DEAD IN ANTAKYA"):
            result = diff(ARTICLE, [*ARTICLE, line])
            assert result.classification.article_changed, line
            assert result.stealth_edit, line


# --- classification ------------------------------------------------------------------------


class TestClassification:
    def test_headline_change(self):
        """A new title is a headline change and a field change; case and spacing are not."""
        result = diff(ARTICLE, ARTICLE, title="Quake kills 15 in southern Turkey")
        assert result.classification.headline_changed
        assert [(f.field, f.before, f.after) for f in result.fields] == [
            ("title", "Quake kills 12 in southern Turkey", "Quake kills 15 in southern Turkey")]
        assert not result.stealth_edit  # the text did not change
        same = diff(ARTICLE, ARTICLE, title="QUAKE  kills 12 in southern Turkey")
        assert not same.classification.headline_changed

    def test_byline_change(self):
        """A different author set is a byline change; order and case are not."""
        result = diff(ARTICLE, ARTICLE, authors=("Ayşe Demir", "John Smith"))
        assert result.classification.byline_changed
        change = result.fields[0]
        assert (change.field, change.before, change.after) == (
            "authors", ["Ayşe Demir"], ["Ayşe Demir", "John Smith"])
        reordered = diff_versions(version(ARTICLE, authors=("A One", "B Two")),
                                  version(ARTICLE, new=True, authors=("b two", "A One")))
        assert not reordered.classification.byline_changed
        valid(result)

    def test_other_fields(self):
        """published_at and canonical_url changes are listed in field order."""
        result = diff(ARTICLE, ARTICLE, published_at="2026-01-01T23:00:00+00:00",
                      canonical_url=URL + "?amp")
        assert [f.field for f in result.fields] == ["published_at", "canonical_url"]

    def test_quotes_changed_added_and_removed_in_several_styles(self):
        """Quotes in “…” "…" «…» „…“ are compared; changed, added and removed are listed."""
        old = ['He said “we will rebuild every home” on Monday.',
               'She called it "a national tragedy".',
               "Le maire a déclaré « nous manquons de tout » hier.",
               "„Wir helfen sofort“, sagte der Minister."]
        new = ['He said “we will rebuild most homes” on Monday.',
               "Le maire a déclaré « nous manquons de tout » hier.",
               "„Wir helfen sofort und unbürokratisch“, sagte der Minister.",
               'A survivor said "nobody came for hours".']
        quotes = [(q.change, q.before, q.after) for q in diff(old, new).classification.quotes_changed]
        assert quotes == [
            ("changed", "we will rebuild every home", "we will rebuild most homes"),
            ("removed", "a national tragedy", None),
            ("changed", "Wir helfen sofort", "Wir helfen sofort und unbürokratisch"),
            ("added", None, "nobody came for hours"),
        ]

    def test_requoting_with_straight_quotes_is_not_a_quote_change(self):
        """“x” becoming "x" is typography."""
        result = diff(ARTICLE, [a.replace("“", '"').replace("”", '"') for a in ARTICLE])
        assert result.classification.quotes_changed == ()

    @pytest.mark.parametrize(("before", "after", "figures"), [
        ("killed 1.200 people", "killed 1.500 people", ("1.200", "1.500")),
        ("a rise of 3,5 %", "a rise of 4,1 %", ("3,5 %", "4,1 %")),
        ("costs of €2.5bn", "costs of €3bn", ("€2.5bn", "€3bn")),
        ("at 10:30 local time", "at 11:15 local time", ("10:30", "11:15")),
        ("twelve dead", "fifteen dead", ("twelve", "fifteen")),
        ("USD 40 million in aid", "USD 55 million in aid", ("USD 40 million", "USD 55 million")),
        ("1 200 blessés", "1 500 blessés", ("1 200", "1 500")),
        ("1\u202f200 blessés", "1\u202f500 blessés", ("1\u202f200", "1\u202f500")),
        ("a 12.5% stake", "a 15% stake", ("12.5%", "15%")),
        ("in 2019 100 people", "in 2020 100 people", ("2019", "2020")),
    ])
    def test_figure_notations(self, before, after, figures):
        """Separators, decimal commas, currencies, magnitudes, times, number words."""
        result = diff([f"Officials reported {before} on Sunday."],
                      [f"Officials reported {after} on Sunday."])
        assert [(f.before, f.after) for f in result.classification.figures_changed] == [figures]
        assert result.classification.figures_changed[0].change == "changed"

    def test_added_and_removed_figures(self):
        """A figure in an added sentence is "added"; one in a removed sentence is "removed"."""
        result = diff(["Two roads are closed. Power is back in 40 villages."],
                      ["Two roads are closed. About 300 people are in shelters."])
        changes = {(f.change, f.before, f.after) for f in result.classification.figures_changed}
        assert changes == {("changed", "40", "300")}
        result = diff(["Roads are closed."], ["Roads are closed. 300 people are in shelters."])
        assert [(f.change, f.after) for f in result.classification.figures_changed] == [
            ("added", "300")]

    def test_unchanged_figures_are_not_listed(self):
        """A figure inside a rewritten sentence but with the same value is not a change."""
        result = diff(["The storm killed 12 people, police said."],
                      ["Police now say the storm killed 12 people."])
        assert result.classification.text_changed
        assert result.classification.figures_changed == ()

    @pytest.mark.parametrize("note", [
        "Correction: The minister's name was misspelt in an earlier version.",
        "CORRECTION - The quake struck at 4.17 am, not 5.17 am.",
        "UPDATE 1: Adds death toll from health ministry.",
        "Updated on 3 January 2026 at 10:00.",
        "Editor’s note: This story has been edited to remove a name.",
        "[Clarification: The figures refer to the whole province.]",
        "This article has been updated to include comments from the governor.",
        "An earlier version of this article gave the wrong date.",
        "Rectificatif : une version précédente indiquait 12 morts.",
        "Mise à jour le 3 janvier à 10 h.",
        "Cet article a été mis à jour avec le dernier bilan.",
        "Corrección: una versión anterior de esta nota decía 12 muertos.",
        "Actualización: el balance asciende a 15 muertos.",
        "Korrektur: In einer früheren Version hieß es, es habe 12 Tote gegeben.",
        "Aktualisiert am 3. Januar um 10 Uhr.",
        "Dieser Artikel wurde aktualisiert.",
        "Correzione: in una versione precedente si parlava di 12 morti.",
        "Aggiornamento: il bilancio è salito a 15 morti.",
        "Correção: uma versão anterior deste texto informava 12 mortos.",
        "Atualização: o número de mortos subiu para 15.",
    ])
    def test_correction_notes_in_several_languages(self, note):
        """Correction, update and editor's notes are found in six languages."""
        result = diff(ARTICLE, [*EDITED, note])
        assert result.classification.correction_notes == (note,)
        assert not result.stealth_edit

    @pytest.mark.parametrize("prose", [
        "Updates to the building code were announced last year.",
        "The correction in the stock market continued on Monday.",
        "Officials promised an update on the rescue effort by noon.",
        "Die Korrektur der Zahlen dauerte Stunden.",
    ])
    def test_ordinary_prose_is_not_a_note(self, prose):
        """Words like "update" or "correction" inside ordinary sentences are not notes."""
        result = diff(ARTICLE, [*EDITED, prose])
        assert not result.classification.correction_note_added and result.stealth_edit

    def test_ideographic_text_is_compared_by_character(self):
        """Chinese text without spaces: one character changed is one token, not the sentence."""
        result = diff(["地震造成至少12人死亡，官员说。"], ["地震造成至少15人死亡，官员说。"])
        changed = [op for op in result.operations if op.op != "equal"]
        assert [(op.old.text, op.new.text) for op in changed] == [("12", "15")]
        assert [(f.before, f.after) for f in result.classification.figures_changed] == [
            ("12", "15")]


# --- the rendered view ----------------------------------------------------------------------


class TestRender:
    def test_plain_markers_fields_then_classification_then_changes(self):
        """Without colour: [-old-]{+new+} markers, in the order fields, edit, changes."""
        result = diff(ARTICLE, EDITED, title="Quake kills 15 in southern Turkey")
        text = render_diff(result, color=False)
        assert "\x1b[" not in text
        assert text.index("Fields") < text.index("Edit") < text.index("Changes")
        assert "STEALTH EDIT" in text and "12 → 15" in text
        assert "At least [-12-]{+15+} people" in text
        assert "[-Rescue teams from three provinces arrived on Tuesday.-]" in text
        assert "{+Aftershocks continued through the night.+}" in text
        assert "Title      [-Quake kills 12 in southern Turkey-] → " in text

    def test_colour_uses_ansi_strike_red_and_green(self):
        """With colour, removed words are struck through in red and added words green."""
        text = render_diff(diff(ARTICLE, EDITED), color=True)
        assert "\x1b[9;31m12\x1b[0m\x1b[32m15\x1b[0m" in text
        assert "[-" not in text and "{+" not in text
        assert ANSI.sub("", text).count("\n") == render_diff(diff(ARTICLE, EDITED),
                                                             color=False).count("\n")

    def test_small_change_in_a_long_article_shows_only_the_change_and_its_context(self):
        """One word changed in 40 paragraphs: the changed paragraph, one either side, no more."""
        paragraphs = [f"Paragraph {n} says something about the harbour board." for n in range(40)]
        edited = list(paragraphs)
        edited[20] = edited[20].replace("harbour", "river")
        text = render_diff(diff(paragraphs, edited), color=False)
        changes = text.split("Changes\n", 1)[1].splitlines()
        assert changes == ["  Paragraph 19 says something about the harbour board.",
                           "  Paragraph 20 says something about the [-harbour-]{+river+} board.",
                           "  Paragraph 21 says something about the harbour board."]

    def test_long_context_paragraphs_are_cut_at_a_word(self):
        """Context paragraphs are shortened at word boundaries, marked with an ellipsis."""
        long_line = " ".join(f"word{n}" for n in range(100))
        text = render_diff(diff([long_line, "Short changed line.", long_line],
                                [long_line, "Short edited line.", long_line]), color=False)
        before, changed, after = text.split("Changes\n", 1)[1].splitlines()
        assert before.startswith("  …word") and before.endswith("word99")
        assert after.startswith("  word0 ") and after.endswith("…")
        assert 100 < len(before) < 180 and 100 < len(after) < 180
        assert changed == "  Short [-changed-]{+edited+} line."

    def test_control_characters_in_page_text_never_reach_the_terminal(self):
        """Escape sequences inside the article or its claims are shown, not executed."""
        result = diff(["Calm text."], ["Calm \x1b[2Jtext \x9b31m here."],
                      title="Bad \x1b]0;title\x07")
        for color in (False, True):
            text = render_diff(result, color=color)
            raw = ANSI.sub("", text) if color else text
            assert "\x1b" not in raw and "\x9b" not in raw and "\x07" not in raw
            assert "\\x1b[2J" in raw and "\\x9b" in raw

    def test_unchanged_text_has_no_changes_section(self):
        """Nothing changed: the verdict says so and no Changes section follows."""
        text = render_diff(diff(ARTICLE, ARTICLE), color=False)
        assert "not a stealth edit: the article text did not change" in text
        assert "Changes" not in text


# --- properties -----------------------------------------------------------------------------

WORDS = st.sampled_from(["the", "12", "1,200", "dead", "“quote”", '"quote"', "said.", "Up\u00addate",
                         "Update:", "—", "é", "e\u0301", "地震", "\u200b", "a", "of", ","])
TEXTS = st.lists(st.lists(WORDS, max_size=12).map(" ".join), max_size=6).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(old=TEXTS, new=TEXTS)
# An insertion that slides to the very start: the equal run it passes must follow it.
@example(old="the\nthe", new="the\nthe the")
@example(old="the the\nthe", new="the\nthe")
def test_any_pair_of_texts_gives_a_valid_tiling_document(old, new):
    """For any two texts: operations tile both, counts agree, the document validates."""
    result = diff(old, new)
    document = valid(result)
    assert 0.0 <= result.similarity <= 1.0
    assert document["words_added"] >= 0 and document["words_removed"] >= 0
    if old == new:
        assert not result.classification.text_changed
    assert (result.words_added == result.words_removed == 0) or result.classification.text_changed


# --- real re-captures -----------------------------------------------------------------------

#: Similarity floors per corpus case, a margin under what was measured when pinned:
#: modabot 1.0 (live page vs. Wayback copy: identical text), womencantalksports 1.0
#: (identical), reuters 0.986 (the 2021 template adds a crosshead and drops the
#: "Additional reporting by ..." credit line), scmp 1.0 (an app shell: trafilatura finds
#: no text in the 2020 copy and only a photo caption in the 2021 one, so both texts are
#: read from the Apollo script state, archiver.embeddedtext).
CORPUS_FLOORS = [
    pytest.param("modabot-serkan-cura-2014", 0.98, id="modabot"),
    pytest.param("reuters-parasite-sag-2020", 0.95, id="reuters"),
    pytest.param("womencantalksports-top10-2014", 0.98, id="womencantalksports"),
    pytest.param("scmp-tsai-playbook-2020", 0.98, id="scmp"),
]
WAYBACK_BANNER = ("Wayback Machine", "TIMESTAMPS", "captures", "About this capture",
                  "Internet Archive", "Alexa Crawls", "COLLECTED BY")


def corpus_versions(case: str) -> tuple[Version, Version]:
    """Both versions of a corpus case, extracted now with text_mode "full"."""
    folder = EDITS / case
    if not folder.is_dir():
        pytest.skip(f"corpus not found at {folder}")
    meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    versions = []
    for n, entry in enumerate(meta["versions"]):
        facts = extract_page((folder / entry["file"]).read_bytes(), url=meta["url"],
                             text_mode="full")
        article = facts.article
        versions.append(Version(
            capture_id=(OLD_ID, NEW_ID)[n], captured_at=(OLD_AT, NEW_AT)[n], url=meta["url"],
            title=article["title"], authors=tuple(article["authors"]),
            published_at=article["published_at"], modified_at=article["modified_at"],
            canonical_url=article["canonical_url"], text=facts.text))
        assert text_blake3(facts.text) == article["text_blake3"]
    return versions[0], versions[1]


@pytest.mark.parametrize(("case", "floor"), CORPUS_FLOORS)
def test_real_recaptures_are_at_most_a_small_text_change(case, floor):
    """Markup changed completely between the captures; the article text barely did."""
    old, new = corpus_versions(case)
    result = diff_versions(old, new)
    valid(result)
    assert result.similarity >= floor, (case, result.similarity)
    assert not result.classification.figures_changed
    assert not result.classification.quotes_changed


def test_the_reuters_redesign_is_no_stealth_edit():
    """The 2021 Reuters template adds a crosshead and drops the credits: furniture only."""
    old, new = corpus_versions("reuters-parasite-sag-2020")
    result = diff_versions(old, new)
    assert result.classification.text_changed and not result.classification.article_changed
    assert not result.stealth_edit
    assert any("IRISHMAN" in text for text in result.classification.furniture_changed)


def test_the_wayback_banner_is_not_article_text():
    """The Wayback copy's banner never reaches the text, so the live/Wayback diff is empty."""
    live, wayback = corpus_versions("modabot-serkan-cura-2014")
    for marker in WAYBACK_BANNER:
        assert marker.casefold() not in wayback.text.casefold(), marker
    result = diff_versions(live, wayback)
    assert not result.classification.text_changed and not result.stealth_edit
    for op in result.operations:
        assert "Wayback" not in op.new.text


def test_an_empty_extraction_is_never_called_a_stealth_edit():
    """A copy with no extracted text against one with text: a diff, no stealth verdict."""
    old, new = corpus_versions("scmp-tsai-playbook-2020")
    result = diff_versions(replace(old, text=""), new)
    assert not result.stealth_edit and "no article text" in result.stealth_reason


# --- schema and golden document --------------------------------------------------------------


def golden_result() -> ArticleDiff:
    """The fixed synthetic case of the golden file: the issue's stealth edit, plus a new title."""
    return diff(ARTICLE, EDITED, title="Quake kills 15 in southern Turkey")


def test_golden_document():
    """The document of the fixed case equals tests/golden/diff.json."""
    document = valid(golden_result())
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if os.environ.get("ARCHIVER_REGEN_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert json.loads(GOLDEN.read_text(encoding="utf-8")) == document


def test_from_provenance_reads_the_article_claims():
    """A provenance document's id, time, final URL and article claims make a Version."""
    document = json.loads((Path(__file__).parent.parent / "examples" / "provenance.json")
                          .read_text(encoding="utf-8"))
    made = Version.from_provenance(document, text="Some text.")
    assert made.capture_id == document["capture_id"] and made.url == document["final_url"]
    assert made.authors == tuple(document["article"]["authors"])
    assert made.title == document["article"]["title"] and made.text == "Some text."


# --- cost -----------------------------------------------------------------------------------


def long_article(rng: random.Random, words: int) -> list[str]:
    """Paragraphs of 20-90 words drawn from a real article's vocabulary."""
    vocabulary = " ".join(ARTICLE + EDITED).split() + [f"w{n}" for n in range(400)]
    paragraphs, count = [], 0
    while count < words:
        size = rng.randint(20, 90)
        paragraphs.append(" ".join(rng.choice(vocabulary) for _ in range(size)))
        count += size
    return paragraphs


def test_two_ten_thousand_word_texts_with_scattered_edits():
    """10,000 words with 20 word edits, a paragraph moved, one added: fast, and right."""
    rng = random.Random(7)
    old = long_article(rng, 10_000)
    new = list(old)
    for index in rng.sample(range(len(new)), 20):
        words = new[index].split()
        words[rng.randrange(len(words))] = "CHANGED"
        new[index] = " ".join(words)
    new.insert(60, new.pop(5))
    new.insert(30, "At least 40 people were hurt.")
    started = time.perf_counter()
    result = diff(old, new)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, elapsed  # measured about 0.06 s; generous for slow CI machines
    assert "At least 40 people were hurt." in result.classification.paragraphs_added
    assert result.similarity > 0.98
    valid(result)


@pytest.mark.parametrize("old,new", [
    ("a " * 100_000, "a " * 50_000 + "b " + "a " * 50_000),
    ("a\n" * 50_000, "a\n" * 25_000 + "b\n" + "a\n" * 24_000),
    ("the cat " * 20_000, "cat the " * 20_000),
], ids=["one-word", "one-word-paragraphs", "alternating"])
def test_hostile_repetition_stays_bounded(old, new):
    """Texts built to make SequenceMatcher quadratic finish in bounded time."""
    started = time.perf_counter()
    result = diff(old, new)
    assert time.perf_counter() - started < 10
    tiles(result)
