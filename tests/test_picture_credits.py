"""Tests for archiver.picture_credits: picture credits read as chains of who relayed whom.

Credits and captions are quoted from the corpus pages named in each case's id
(``../shared/corpus/news-html``); the page-level cases read those pages themselves.
"""

from __future__ import annotations

import pytest

from archiver.picture_credits import MAX_CREDIT_CHARS, caption_credit, credit_chain
from tests.test_attribution_markup import corpus_facts

AFP = "Agence France-Presse"
AP = "Associated Press"


def chain(credit: str) -> list[tuple[str, str, str | None]]:
    """(party, kind, relayer or None for the outlet) of each link, outermost first."""
    return [(p["name"], p["kind"], v["name"] if v else None) for p, v in credit_chain(credit)]


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        pytest.param(
            "Ou Dongqu/Xinhua/ZUMA",
            [
                ("ZUMA Press", "news_agency", None),
                ("Xinhua", "news_agency", "ZUMA Press"),
                ("Ou Dongqu", "person", "Xinhua"),
            ],
            id="nature-photographer-agency-distributor",
        ),
        pytest.param(
            "AFP via Getty",
            [("Getty Images", "news_agency", None), (AFP, "news_agency", "Getty Images")],
            id="theguardian-via",
        ),
        pytest.param(
            "APA/Georg Hochmuth",
            [("APA", "news_agency", None), ("Georg Hochmuth", "person", "APA")],
            id="orf-agency-first",
        ),
        pytest.param(
            "AP Photo/Ted S. Warren",
            [(AP, "news_agency", None), ("Ted S. Warren", "person", AP)],
            id="timesofisrael-ap-photo",
        ),
        pytest.param(
            "Nathan Alliard / Photononstop / AFP",
            [
                (AFP, "news_agency", None),
                ("Photononstop", "organization", AFP),
                ("Nathan Alliard", "person", "Photononstop"),
            ],
            id="sciencesetavenir-three-parts",
        ),
        pytest.param(
            "Hector Andrade | Agencia UNO",
            [("Agencia UNO", "news_agency", None), ("Hector Andrade", "person", "Agencia UNO")],
            id="biobiochile-bar",
        ),
        pytest.param(
            "Elizabeth Conley / Houston Chronicle",
            [
                ("Houston Chronicle", "outlet", None),
                ("Elizabeth Conley", "person", "Houston Chronicle"),
            ],
            id="latimes-two-names-left-is-the-photographer",
        ),
        pytest.param(
            "GETTY IMAGES NORTH AMERICA / MADDIE MEYER",
            [
                ("Getty Images", "news_agency", None),
                ("Maddie Meyer", "person", "Getty Images"),
            ],
            id="sportnews-upper-case",
        ),
        pytest.param(
            "SpaceX via Nasa",
            [("Nasa", "organization", None), ("SpaceX", "organization", "Nasa")],
            id="aljazeera-unknown-parties-via",
        ),
        pytest.param("@BigMachine", [("@BigMachine", "social_media", None)], id="bbc-handle"),
        pytest.param(
            "APA/AP",
            [("APA", "news_agency", None), (AP, "news_agency", None)],
            id="stol-two-agencies-side-by-side",
        ),
    ],
)
def test_credit_chains(credit, expected):
    """Each credit shape gives the chain from the outlet's supplier to the photographer."""
    assert chain(credit) == expected


@pytest.mark.parametrize(
    "credit",
    [
        pytest.param("Credits", id="one-unknown-word"),
        pytest.param("Harbour Gazette Media Ltd", id="a-company-alone"),
        pytest.param("the view from the harbour wall", id="lower-case-words"),
        pytest.param("Rep. Mark Meadows. | Alex Wong/Getty Images", id="a-caption-and-a-credit"),
        pytest.param("A/B/C/D/E", id="too-many-parts"),
        pytest.param("X" * (MAX_CREDIT_CHARS + 1), id="too-long"),
    ],
)
def test_what_is_no_credit(credit):
    """Unknown single words, sentences, lists and over-long strings give no chain."""
    assert credit_chain(credit) == []


@pytest.mark.parametrize(
    ("caption", "credit"),
    [
        pytest.param(
            "President Trump at the Economic Club of New York last week. Credit... Anna "
            "Moneymaker/The New York Times",
            "Anna Moneymaker/The New York Times",
            id="nytimes-credit-marker",
        ),
        pytest.param(
            "FILE PHOTO: Traders work on the floor at the New York Stock Exchange (NYSE) in New "
            "York, U.S., November 18, 2019. REUTERS/Brendan McDermid",
            "REUTERS/Brendan McDermid",
            id="reuters-trailing-slash-credit",
        ),
        pytest.param(
            "Acting US Attorney Joshua Levy speaks during a press conference. (Matt Stone/Boston "
            "Herald)",
            "Matt Stone/Boston Herald",
            id="bostonherald-parenthesis",
        ),
        pytest.param(
            "This illustration shows how private operators could possibly take people back to "
            "the Moon [SpaceX via Nasa]",
            "SpaceX via Nasa",
            id="aljazeera-bracket-via",
        ),
        pytest.param(
            "Rep. Mark Meadows. | Alex Wong/Getty Images", "Alex Wong/Getty Images", id="politico"
        ),
        pytest.param(". Imagen: Télam", "Télam", id="pagina12-imagen"),
        pytest.param("Image copyright Getty Images", "Getty Images", id="bbc-image-copyright"),
        pytest.param("Waves break over the sea wall in Cascais.", None, id="no-credit"),
        pytest.param("Talks in Geneva [file]", None, id="an-ordinary-bracket"),
    ],
)
def test_caption_credit(caption, credit):
    """The credit a caption introduces with a marker or ends with, or None."""
    assert caption_credit(caption) == credit


def page_links(stem: str) -> set[tuple[str, str]]:
    """(source, via) of each link extract_page finds on a corpus page."""
    return {
        (link["source"]["name"], link["via"]["name"]) for link in corpus_facts(stem).attribution
    }


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        (
            "trafilatura__nature.com.telescope",
            {("ZUMA Press", "Nature"), ("Xinhua", "ZUMA Press"), ("Ou Dongqu", "Xinhua")},
        ),
        (
            "scrapinghub__theguardian.com__5fa3154ec031ab35",
            {("Getty Images", "the Guardian"), (AFP, "Getty Images")},
        ),
        ("trafilatura__0a6291ebbce449b3b04256b43c73e39d", {("Georg Hochmuth", "APA")}),
        (
            "scrapinghub__nytimes.com__702d1da63b8e064c",
            {("Anna Moneymaker", "The New York Times")},
        ),
        (
            "trafilatura__latimes.com.bloomberg",
            {("Elizabeth Conley", "Houston Chronicle")},
        ),
    ],
)
def test_corpus_pictures_are_credited_as_chains(stem, expected):
    """Captions and credit elements on real pages give the photographer and every relayer;
    a photographer of the outlet itself is relayed by the outlet."""
    assert expected <= page_links(stem)
