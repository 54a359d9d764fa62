"""Tests for archiver.credits: which elements are read for credits."""

from __future__ import annotations

import lxml.html
import pytest

from archiver.credits import _CREDIT_ELEMENT, _MARKED, _credit_classed, element_credits
from tests.conftest import CORPUS

CORPUS_PAGES = sorted(CORPUS.rglob("*.html"))


def by_regex(tree) -> list:
    """The definition: elements whose class or id matches a credit fragment, any case."""
    return [element for element in _MARKED(tree) if _CREDIT_ELEMENT.search(
        f"{element.get('class') or ''} {element.get('id') or ''}")]


@pytest.mark.parametrize("markup", [
    '<p class="story-BYLINE">By Ana Ruiz</p><span id="photoCredit">AFP</span>'
    '<div class="credit" id="source-box">Reuters</div><p class="body">Text</p>',
    # a non-ASCII value anywhere takes the per-element path
    '<p class="Quelle-für-Fotos">dpa</p><p class="byline">By Ana Ruiz</p><p class="ö">x</p>',
])
def test_credit_classed_elements_in_document_order(markup):
    """Each element whose class or id holds a fragment, once, in document order."""
    tree = lxml.html.document_fromstring(f"<html><body>{markup}</body></html>")
    found = _credit_classed(tree)
    assert found == by_regex(tree) and len(found) == 2 + (markup.count("credit") > 0)


def test_a_credit_element_names_its_agency():
    tree = lxml.html.document_fromstring(
        '<html><body><article><h1>Storm</h1><p>Rain fell.</p>'
        '<span class="Image-Credit">Photo: AFP</span></article></body></html>')
    assert [credit.party["name"] for credit in element_credits(tree)] == ["Agence France-Presse"]


@pytest.mark.parametrize("page", CORPUS_PAGES, ids=lambda path: path.stem)
def test_corpus_pages_give_the_definitions_elements(page):
    tree = lxml.html.document_fromstring(page.read_bytes())
    assert _credit_classed(tree) == by_regex(tree)
