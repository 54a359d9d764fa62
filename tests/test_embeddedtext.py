"""Article text read from an app shell's script state (archiver.embeddedtext)."""

from __future__ import annotations

import json

import lxml.html
import pytest

from archiver import embeddedtext
from archiver.embeddedtext import EMBEDDED_EXTRACTOR, embedded_text
from archiver.extract import extract_page
from archiver.textextract import text_blake3
from tests.test_textdiff import EDITS

HEADLINE = "Harbour talks resume after a week of silence"
PARAGRAPHS = [
    "Talks on the harbour resumed on Monday after a week of silence, officials said.",
    "The two delegations met for three hours at the port authority, according to a "
    "statement released in the evening.",
    "Neither side gave details, but both said they would meet again on Thursday.",
    "Fishermen who have been kept from the outer basin since May welcomed the news.",
]
RELATED = ["A much longer story about something else entirely, which the page only links "
           "to at its foot, and whose body the app also ships in its state. " * 3] * 6


def shell(state: str, *, script_type: str = "", head: str = "") -> bytes:
    """An app shell: a title, an empty root element and the state in a script."""
    kind = f' type="{script_type}"' if script_type else ""
    return (f"<html><head><title>{HEADLINE} | The Harbour Gazette</title>"
            f'<meta property="og:title" content="{HEADLINE}">{head}</head>'
            f'<body><div id="app"></div><script{kind}>{state}</script></body></html>'
            ).encode()


def portable_text(paragraphs: list[str]) -> list[dict]:
    """Blocks as Sanity, Next.js and Apollo apps keep them: runs split at a link."""
    blocks = []
    for paragraph in paragraphs:
        head, _, tail = paragraph.partition(" ")
        blocks.append({"type": "paragraph", "children": [
            {"type": "link", "href": "https://x.example/", "children": [{"text": head}]},
            {"text": " " + tail}]})
    return [{"type": "ad", "slot": "top"}, *blocks[:2], {"type": "heading",
            "children": [{"text": "Next steps"}]}, *blocks[2:]]


def test_next_data_blocks_of_this_article_not_of_the_related_one():
    """The related story's body is longer, but it names another headline."""
    state = {"props": {"pageProps": {
        "article": {"title": HEADLINE, "body": portable_text(PARAGRAPHS)},
        "related": [{"title": "Something else entirely", "body": portable_text(RELATED)}]}}}
    page = shell(json.dumps(state), script_type="application/json")
    text = embedded_text(lxml.html.fromstring(page))
    assert text == "\n".join([*PARAGRAPHS[:2], "Next steps", *PARAGRAPHS[2:]])


def test_window_assignment_with_html_fragments_and_a_headlines_object():
    """Arc Publishing's shape: a global assigned in JavaScript, HTML in `content`."""
    state = {"headlines": {"basic": HEADLINE}, "content_elements": [
        {"type": "text", "content": f"<p>{p.replace('officials', '<a href=#>officials</a>')}</p>"}
        for p in PARAGRAPHS]}
    page = shell(f"var x = 1; Fusion.globalContent={json.dumps(state)};Fusion.other={{}};")
    assert embedded_text(lxml.html.fromstring(page)) == "\n".join(PARAGRAPHS)


def test_a_long_html_body_string_is_split_into_paragraphs():
    state = {"@type": "NewsArticle", "headline": HEADLINE,
             "articleBody": "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 2)}
    text = embedded_text(lxml.html.fromstring(shell(json.dumps(state),
                                                    script_type="application/ld+json")))
    assert text.splitlines() == PARAGRAPHS * 2


def test_state_that_names_no_object_as_this_article_gives_nothing():
    """Better no text than another story's: the only body belongs to another headline."""
    state = {"story": {"title": "Another story", "body": portable_text(PARAGRAPHS)},
             "body": portable_text(PARAGRAPHS)}  # outside any object that names a story
    assert embedded_text(lxml.html.fromstring(shell(json.dumps(state)))) == ""


@pytest.mark.parametrize("state", [
    "[" * 100_000 + "]" * 100_000,  # deeper than the JSON parser goes
    "window.s = " + json.dumps({"title": HEADLINE, "body": [{"text": "a b"}] * 300_000}),
    "window.s = {\"title\": \"" + HEADLINE + "\", \"body\": [",  # cut short
])
def test_hostile_state_is_skipped_or_bounded(state, monkeypatch):
    monkeypatch.setattr(embeddedtext, "MAX_VISITS", 50_000)
    assert embedded_text(lxml.html.fromstring(shell(state))) == ""


def test_parse_attempts_are_bounded_per_page():
    """Past MAX_OBJECTS attempts (failed ones count: each may read the rest of its
    script) no more script is parsed."""
    state = "window.s = " + json.dumps({"title": HEADLINE, "body": portable_text(PARAGRAPHS)})

    def after(decoys: int) -> str:
        head = "<script>a = [1, 2</script>" * decoys
        return embedded_text(lxml.html.fromstring(shell(state, head=head)))

    assert after(embeddedtext.MAX_OBJECTS - 1)
    assert after(embeddedtext.MAX_OBJECTS) == ""


def test_a_script_over_the_size_cap_is_not_read(monkeypatch):
    state = {"title": HEADLINE, "body": portable_text(PARAGRAPHS)}
    page = lxml.html.fromstring(shell("window.s = " + json.dumps(state)))
    assert embedded_text(page)
    monkeypatch.setattr(embeddedtext, "MAX_SCRIPT_CHARS", 100)
    assert embedded_text(page) == ""


def test_extract_page_uses_script_state_only_for_an_app_shell():
    """An app shell's text comes from its state, and the provenance says so; a page
    whose HTML holds the article keeps the text extractor's text."""
    state = {"title": HEADLINE, "body": portable_text(PARAGRAPHS * 2)}
    facts = extract_page(shell("window.s = " + json.dumps(state)), url="https://x.example/a")
    assert facts.article["sources"]["text"] == "embedded-json"
    assert facts.article["extractor"] == EMBEDDED_EXTRACTOR
    assert facts.article["text_blake3"] == text_blake3(facts.text)
    assert facts.text.startswith(PARAGRAPHS[0])

    article = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3)
    page = shell("window.s = " + json.dumps(state)).replace(
        b'<div id="app"></div>', f"<article><h1>{HEADLINE}</h1>{article}</article>".encode())
    facts = extract_page(page, url="https://x.example/a")
    assert facts.article["sources"]["text"] == "trafilatura"


def test_the_scmp_app_shell_gives_its_own_opinion_piece():
    """Its Apollo state also holds two other SCMP stories with their whole bodies."""
    folder = EDITS / "scmp-tsai-playbook-2020"
    if not folder.is_dir():
        pytest.skip("corpus not found")
    for name in ("v1_2020.html", "v2_2021.html"):
        facts = extract_page((folder / name).read_bytes(), url="https://www.scmp.com/a")
        assert facts.article["sources"]["text"] == "embedded-json"
        assert facts.text.startswith("Taiwanese President Tsai Ing-wen’s spectacular "
                                     "re-election was no easy feat.")
        assert "Hong Kong capitalism can only continue beyond 2047" not in facts.text
