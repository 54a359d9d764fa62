"""Tests for archiver.attribution: links declared in markup, credit lines and the agency registry.

Credit-line sentences are quoted from the corpus pages named in each case's id
(``../shared/corpus/news-html``); the page-level cases read those pages themselves.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from archiver import schemas
from archiver.attribution import Byline, markup_links
from archiver.credits import text_credits
from archiver.extract import PageFacts, extract_page
from archiver.parties import registry

REPO = Path(__file__).parent.parent
NEWS = REPO.parent / "shared" / "corpus" / "news-html"
SITE = REPO / "examples" / "site"
SITE_URL = "https://www.harbour-gazette.example/"
OUTLET = {"name": "The Harbour Gazette", "domain": "harbour-gazette.example", "source": "json-ld"}

AGENCIES = [
    "AFP",
    "Reuters",
    "AP",
    "dpa",
    "EFE",
    "ANSA",
    "Xinhua",
    "Anadolu",
    "IRNA",
    "TASS",
    "Kyodo",
    "Yonhap",
    "PA",
    "UPI",
    "ANI",
    "PTI",
    "JIJI",
    "APA",
    "Europa Press",
    "Bloomberg",
]


@cache
def _link_validator() -> Draft202012Validator:
    schema = schemas.load("provenance")
    return Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/link"})


def corpus_facts(stem: str) -> PageFacts:
    """extract_page on one corpus page, skipping when the corpus is absent."""
    if not NEWS.is_dir():
        pytest.skip(f"corpus not found at {NEWS}")
    path = next(NEWS.glob(f"{stem}.html*"))
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    truth = json.loads((NEWS / f"{stem}.truth.json").read_text(encoding="utf-8"))
    return extract_page(data, url=truth["url"], content_type="text/html")


def site_facts(relative: str, text_mode: str = "full") -> PageFacts:
    return extract_page(
        (SITE / relative).read_bytes(),
        url=SITE_URL + relative,
        content_type="text/html; charset=utf-8",
        text_mode=text_mode,
    )


def summary(links: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """(source name, source kind, relation) of each link."""
    return {(link["source"]["name"], link["source"]["kind"], link["relation"]) for link in links}


def credits(text: str) -> set[tuple[str, str, str]]:
    return {(c.party["name"], c.party["kind"], c.relation) for c in text_credits(text)}


# --- the registry ----------------------------------------------------------------------


@pytest.mark.parametrize("name", AGENCIES)
def test_registry_knows_every_listed_agency(name):
    """Each agency of the brief resolves to one party of kind news_agency with a domain."""
    party = registry().resolve(name)
    assert party is not None
    assert party["kind"] == "news_agency"
    assert party["domain"]


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("Agence France-Presse", "Agence France-Presse"),
        ("Agence France Presse", "Agence France-Presse"),
        ("AFP", "Agence France-Presse"),
        ("Reuters Staff", "Reuters"),
        ("REUTERS", "Reuters"),
        ("The Associated Press", "Associated Press"),
        ("Deutsche Presse-Agentur", "dpa"),
        ("Agencia EFE", "EFE"),
        ("ТАСС", "TASS"),
        ("新华社", "Xinhua"),
        ("Jiji Press", "Jiji Press"),
    ],
)
def test_registry_resolves_aliases_to_one_party(alias, name):
    """Spellings of an agency's name resolve to its single registry entry."""
    assert registry().resolve(alias)["name"] == name


def test_registry_codes_match_their_exact_case_in_text():
    """Short codes like AP and PA are not found inside ordinary words or other cases."""
    assert [p["name"] for p, _ in registry().find("a map, a pa, an ap and AP")] == [
        "Associated Press"
    ]
    assert registry().resolve("Jane Doe") is None
    assert registry().by_domain("reuters.com")["name"] == "Reuters"


# --- credit lines in text --------------------------------------------------------------

AFP = ("Agence France-Presse", "news_agency")
AP = ("Associated Press", "news_agency")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        pytest.param(
            "HAYWARD, Calif. (AP) — The Latest on a deadly stabbing on a San Francisco Bay "
            "Area commuter train (all times local):",
            {(*AP, "credit")},
            id="sfgate-dateline",
        ),
        pytest.param(
            "NEW YORK (Reuters) - Oil prices fell sharply on Tuesday on oversupply concerns, "
            "while a gauge of stocks across the globe rose",
            {("Reuters", "news_agency", "credit")},
            id="reuters-dateline",
        ),
        pytest.param(
            "Nações Unidas, Estados Unidos, 14 Mar 2020 (AFP) — O secretário-geral da "
            "Organização das Nações Unidas (ONU)",
            {(*AFP, "credit")},
            id="uol-dateline",
        ),
        pytest.param(
            "(ANSA) - ROMA, 28 LUG - Sarà Ghersini l'arbitro di",
            {("ANSA", "news_agency", "credit")},
            id="ansa-leading",
        ),
        pytest.param(
            "stato designato per Torino-Roma. (ANSA).",
            {("ANSA", "news_agency", "credit")},
            id="ansa-trailing",
        ),
        pytest.param(
            "МОСКВА, 29 июня. /ТАСС/. Движение от Можайского до Новорижского шоссе",
            {("TASS", "news_agency", "credit")},
            id="tass-slashes",
        ),
        pytest.param(
            "Associated Press writers Alan Fram, Zeke Miller, Laurie Kellman, Colleen Long, "
            "Eric Tucker, Lolita Baldor and Jill Colvin contributed to this report.",
            {(*AP, "credit")}
            | {
                (name, "person", "credit")
                for name in (
                    "Alan Fram",
                    "Zeke Miller",
                    "Laurie Kellman",
                    "Colleen Long",
                    "Eric Tucker",
                    "Lolita Baldor",
                    "Jill Colvin",
                )
            },
            id="ap-contributed",
        ),
        pytest.param(
            "Keith Bradsher contributed reporting from Hong Kong.",
            {("Keith Bradsher", "person", "credit")},
            id="nytimes-contributed",
        ),
        pytest.param(
            "Alex Isenstadt contributed to this report.",
            {("Alex Isenstadt", "person", "credit")},
            id="politico-contributed",
        ),
        pytest.param(
            "Reporting by Rodrigo Campos; additional reporting by Stephanie Kelly, Saqib Iqbal "
            "Ahmed and Gertrude Chavez-Dreyfuss; Editing by Nick Zieminski and Dan Grebler",
            {
                (n, "person", "credit")
                for n in (
                    "Rodrigo Campos",
                    "Stephanie Kelly",
                    "Saqib Iqbal Ahmed",
                    "Gertrude Chavez-Dreyfuss",
                )
            },
            id="reuters-reporting-by",
        ),
        pytest.param(
            "SOURCE: Al Jazeera News",
            {("Al Jazeera News", "organization", "credit")},
            id="aljazeera-source",
        ),
        pytest.param(
            "Hat das Potential zum Olympia-Superstar: Mikaela Shiffrin. © AFP / JEFF PACHOUD",
            {(*AFP, "photo_credit"), ("Jeff Pachoud", "person", "photo_credit")},
            id="sportnews-caption-copyright",
        ),
        pytest.param(
            "Photo: Jonathan Nackstrand/AFP",
            {(*AFP, "photo_credit"), ("Jonathan Nackstrand", "person", "photo_credit")},
            id="thelocal-photo",
        ),
        pytest.param("Von: det/dpa", {("dpa", "news_agency", "credit")}, id="sportnews-slash"),
        pytest.param(
            "© 2012 APA/AP",
            {("APA", "news_agency", "credit"), (*AP, "credit")},
            id="stol-copyright",
        ),
        pytest.param(
            "With additional reporting by Reuters.",
            {("Reuters", "news_agency", "credit")},
            id="additional-reporting-agency",
        ),
        pytest.param(
            "This article first appeared on The Conversation under a Creative Commons license.",
            {("The Conversation", "organization", "credit")},
            id="first-appeared",
        ),
        pytest.param(
            "Originally published at coastal-science.example.",
            {("coastal-science.example", "outlet", "credit")},
            id="originally-published-domain",
        ),
        pytest.param(
            "Mit Material von dpa und AFP",
            {("dpa", "news_agency", "credit"), (*AFP, "credit")},
            id="mit-material",
        ),
        pytest.param(
            "Copyright 2026 The Associated Press. All rights reserved.",
            {(*AP, "credit")},
            id="copyright-line",
        ),
        pytest.param("Quelle: EFE", {("EFE", "news_agency", "credit")}, id="quelle"),
        pytest.param(
            "Von Volkmar Kabisch, Jan Lukas Strozyk und Benedikt Strunz, NDR",
            {
                ("Volkmar Kabisch", "person", "byline"),
                ("Jan Lukas Strozyk", "person", "byline"),
                ("Benedikt Strunz", "person", "byline"),
                ("NDR", "outlet", "credit"),
            },
            id="tagesschau-byline-line",
        ),
        pytest.param(
            "Auteur : Kossivi Tiassou", {("Kossivi Tiassou", "person", "byline")}, id="dw-auteur"
        ),
        pytest.param(
            "— Elon Musk (@elonmusk) March 16, 2020",
            {("Elon Musk", "person", "said")},
            id="sciencesetavenir-embedded-tweet",
        ),
        pytest.param(
            "KVELLER via JTA — The state of Washington has sworn in its first Native American "
            "Supreme Court justice.",
            {
                ("Jewish Telegraphic Agency", "news_agency", "credit"),
                ("KVELLER", "organization", "credit"),
            },
            id="timesofisrael-via-dateline",
        ),
    ],
)
def test_credit_line_patterns(sentence, expected):
    """Each credit-line shape names the right party with the right relation."""
    assert credits(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param(
            "Oil fell after sources told Reuters that Russia is unlikely to agree to cut its "
            "oil output further",
            id="reuters-prose",
        ),
        pytest.param(
            '"I like to have tattoos," Agerblad told AFP while reclining in the chair.',
            id="thelocal-prose",
        ),
        pytest.param(
            "It first appeared in 2014, when Syrians fleeing the country's civil war gathered "
            "at the border",
            id="polygraph-first-appeared",
        ),
        pytest.param(
            "The World Health Organization (WHO) - which met on Monday - said", id="acronym"
        ),
        pytest.param("Bloomberg on the debate stage", id="short-heading"),
        pytest.param("© 2026 Harbour Gazette Media Ltd. All rights reserved.", id="own-copyright"),
    ],
)
def test_prose_is_not_a_credit(sentence):
    """Reporting verbs, acronyms and headings are left to the prose pass, not read as credits."""
    assert credits(sentence) == set()


def test_credit_offsets_point_at_the_evidence():
    """A credit found in the text carries the offset of its evidence sentence."""
    text = "First paragraph.\nPARIS (AFP) — Talks resumed. More follows.\nEnd."
    [credit] = list(text_credits(text))
    evidence, offset = credit.evidence, credit.offset
    assert evidence == "PARIS (AFP) — Talks resumed."
    assert text[offset:].startswith(evidence)


# --- links from markup -----------------------------------------------------------------


def links_for(**overrides: Any) -> list[dict[str, Any]]:
    arguments = {
        "outlet": OUTLET,
        "bylines": [],
        "article_node": None,
        "canonical": [],
        "page_url": SITE_URL + "a.html",
        "text": "",
        "tree": None,
    } | overrides
    return markup_links(**arguments)


def test_bylines_become_person_or_agency_links():
    """Authors link as persons, agencies as news agencies, typed organizations as such."""
    bylines = [
        Byline(name="Ana Costa", kind="person", method="json-ld"),
        Byline(name="Reuters Staff", kind=None, method="meta"),
        Byline(name="Port Authority Press Office", kind="organization", method="json-ld"),
    ]
    links = links_for(bylines=bylines)
    assert summary(links) == {
        ("Ana Costa", "person", "byline"),
        ("Reuters", "news_agency", "byline"),
        ("Port Authority Press Office", "organization", "byline"),
    }
    assert [link["method"] for link in links] == ["json-ld", "meta", "json-ld"]
    assert all(
        link["via"]
        == {"name": "The Harbour Gazette", "kind": "outlet", "domain": "harbour-gazette.example"}
        for link in links
    )


@pytest.mark.parametrize(
    ("outlet", "byline"),
    [
        pytest.param(
            {"name": "Agenzia ANSA", "domain": "ansa.it"},
            Byline(name="Redazione ANSA", kind=None, method="meta"),
            id="ansa-desk-of-the-outlet",
        ),
        pytest.param(
            {"name": "The Local Sweden", "domain": "thelocal.se"},
            Byline(name="The Local", kind=None, method="html-byline"),
            id="thelocal-registry-name-of-the-site",
        ),
        pytest.param(
            {"name": "DW.COM", "domain": "dw.com"},
            Byline(name="Deutsche Welle", kind=None, method="meta"),
            id="dw-registry-name-of-the-site",
        ),
        pytest.param(
            {"name": "البيان", "domain": "albayan.ae"},
            Byline(name="أبوظبي - البيان", kind=None, method="json-ld"),
            id="albayan-place-and-outlet",
        ),
        pytest.param(
            {"name": "the Guardian", "domain": "theguardian.com"},
            Byline(name="Editorial", kind=None, method="meta"),
            id="guardian-desk",
        ),
        pytest.param(
            {"name": "POLYGRAPH.info", "domain": "polygraph.info"},
            Byline(name="Syrian defense ministries", kind=None, method="html-byline"),
            id="polygraph-heuristic-find-that-is-no-name",
        ),
    ],
)
def test_bylines_naming_the_outlet_or_a_desk_are_no_links(outlet, byline):
    """A byline that is the outlet, its desk, or a heuristic find that is no name links nobody."""
    links = markup_links(
        outlet=outlet,
        bylines=[byline],
        article_node=None,
        canonical=[],
        page_url=f"https://{outlet['domain']}/a",
        text="",
        tree=None,
    )
    assert links == []


def test_a_heuristic_byline_that_is_a_name_or_an_agency_stays():
    """trafilatura's byline heuristic is kept when it starts like a name or is an agency."""
    bylines = [
        Byline(name="Tom Gillespie News reporter", kind=None, method="html-byline"),
        Byline(name="AFP", kind=None, method="html-byline"),
    ]
    assert summary(links_for(bylines=bylines)) == {
        ("Tom Gillespie News reporter", "person", "byline"),
        ("Agence France-Presse", "news_agency", "byline"),
    }


def test_jsonld_relations():
    """publisher (when not the outlet), isBasedOn, sourceOrganization and citation become links."""
    node = {
        "publisher": {"@type": "Organization", "name": "Gazette Holdings"},
        "isBasedOn": "https://www.reuters.com/world/some-story",
        "sourceOrganization": {"@type": "Organization", "name": "EFE"},
        "citation": [
            {"@type": "ScholarlyArticle", "url": "https://journal.example.org/paper"},
            "Port Statistics Office",
        ],
    }
    assert summary(links_for(article_node=node)) == {
        ("Gazette Holdings", "organization", "publisher"),
        ("Reuters", "news_agency", "based_on"),
        ("EFE", "news_agency", "source_organization"),
        ("example.org", "outlet", "cites"),
        ("Port Statistics Office", "organization", "cites"),
    }
    same = {"publisher": {"@type": "NewsMediaOrganization", "name": "The Harbour Gazette"}}
    assert links_for(article_node=same) == []


@pytest.mark.parametrize(("publisher", "source", "linked"), [
    ("Ediciones Harbour Gazette S.L.", "opengraph", False),  # the site's company
    ("Gazette", "json-ld", False),  # a shorter form of the site's brand
    ("Coastal Media Group", "opengraph", True),  # another brand: a party of its own
    ("Gazette", "user", True),  # the user named the outlet: the page's publisher stands
])
def test_a_publisher_named_like_the_site_is_the_outlet(publisher, source, linked):
    outlet = {**OUTLET, "source": source}
    node = {"publisher": {"@type": "Organization", "name": publisher}}
    found = summary(links_for(outlet=outlet, article_node=node))
    assert found == ({(publisher, "organization", "publisher")} if linked else set())


@pytest.mark.parametrize(
    ("canonical", "linked"),
    [
        ("https://amp.harbour-gazette.example/a.html", False),
        ("https://harbour-gazette.example/a.html", False),
        ("https://www.coastal-science.example/2026/11/19/reef", True),
        ("https://www.bbc.co.uk/news/x", True),
    ],
)
def test_canonical_on_another_registrable_domain(canonical, linked):
    """Only a canonical URL on another registrable domain says the page is republished."""
    links = links_for(canonical=[(canonical, "html")])
    assert bool(links) == linked
    if linked:
        assert links[0]["relation"] == "republished_from"
        assert links[0]["method"] == "canonical"
        assert links[0]["source"]["kind"] == "outlet"


def test_links_are_deduplicated_and_never_the_outlet():
    """The same credit twice, a credit of a byline author, and self-credits give no extra links."""
    text = (
        "LISBON (Reuters) - Storm.\nWith additional reporting by Reuters.\n"
        "Reporting by Ana Costa\nSOURCE: The Harbour Gazette"
    )
    links = links_for(
        bylines=[Byline(name="Ana Costa", kind="person", method="json-ld")], text=text
    )
    assert summary(links) == {
        ("Ana Costa", "person", "byline"),
        ("Reuters", "news_agency", "credit"),
    }


# --- whole pages: corpus ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("scrapinghub__sfgate.com__5caf91b8a4423735", {(*AP, "credit")}),
        ("trafilatura__japantimes.co.jp.surgical", {("Jiji Press", "news_agency", "credit")}),
        (
            "htmldate__thestar.com__1556635225",
            {("Hillel Italie", "person", "byline"), (*AP, "credit")},
        ),
        (
            "trafilatura__sportnews.bz-peking",
            {("dpa", "news_agency", "byline"), (*AFP, "photo_credit")},
        ),
        ("trafilatura__thelocal.se.tattooed", {(*AFP, "byline"), (*AFP, "photo_credit")}),
        ("trafilatura__politico.com.retirement", {("Alex Isenstadt", "person", "credit")}),
        (
            "scrapinghub__jaraguadosul.com.br__f6ac15a4d9851139",
            {("jaraguadosul.sc.gov.br", "outlet", "republished_from")},
        ),
    ],
)
def test_corpus_pages_declare_the_expected_links(stem, expected):
    """Credits and bylines found on real pages include the ones a reader sees there."""
    assert expected <= summary(corpus_facts(stem).attribution)


@pytest.mark.parametrize(
    ("stem", "agency"),
    [
        ("scrapinghub__reuters.com__57d46c9d751e3fd3", "Reuters"),
        ("htmldate__tass.ru__1647262025", "TASS"),
        ("htmldate__ansa.it__1671960661", "ANSA"),
        ("scrapinghub__hosted.ap.org__82b6d780c792df78", "Associated Press"),
    ],
)
def test_an_agency_does_not_credit_itself(stem, agency):
    """On an agency's own site its datelines are not links to itself."""
    assert agency not in {link["source"]["name"] for link in corpus_facts(stem).attribution}


@pytest.mark.parametrize(
    "stem",
    [
        # hand-labelled as naming no agency at all (tests/attribution_labels)
        "scrapinghub__cnn.com__d605bdef2cde7308",
        "scrapinghub__news.sky.com__921019755f4a96ac",
        "scrapinghub__aljazeera.com__42aad16bde928862",
        "trafilatura__bostonherald.com-Brothel-catering",
        "trafilatura__latimes.com.bloomberg",
    ],
)
def test_control_pages_have_no_agency_link(stem):
    """Staff-written corpus pages that name no agency produce no news_agency link."""
    assert not [
        link for link in corpus_facts(stem).attribution if link["source"]["kind"] == "news_agency"
    ]


def test_every_corpus_link_validates_and_offsets_point_at_evidence():
    """All links on all corpus pages match $defs/link, and text offsets are exact."""
    if not NEWS.is_dir():
        pytest.skip(f"corpus not found at {NEWS}")
    stems = sorted({p.name.split(".truth.json")[0] for p in NEWS.glob("*.truth.json")})
    for stem in stems:
        facts = corpus_facts(stem)
        for link in facts.attribution:
            assert not list(_link_validator().iter_errors(link)), (stem, link)
            if "offset" in link:
                assert facts.text[link["offset"] :].startswith(link["evidence"]), (stem, link)


# --- whole pages: the example site -----------------------------------------------------

GAZETTE = ("The Harbour Gazette", "outlet")


@pytest.mark.parametrize("text_mode", ["full", "fast"])
@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        (
            "world/2026/11/ceasefire-talks.html",
            {
                ("Marta Lindqvist", "person", "byline"),
                ("Marta Lindqvist", "person", "photo_credit"),
                (*AFP, "source_organization"),
                (*AFP, "credit"),
                ("Reuters", "news_agency", "credit"),
            },
        ),
        (
            "business/2026/11/port-authority-budget.html",
            {
                ("Priya Raman", "person", "byline"),
                ("Tomás Ortega", "person", "byline"),
                ("Lena Fischer", "person", "photo_credit"),
            },
        ),
        (
            "science/2026/11/reef-survey.html",
            {
                ("Hannah Okafor", "person", "byline"),
                ("Coastal Science Weekly", "organization", "based_on"),
                ("coastal-science.example", "outlet", "republished_from"),
                ("Coastal Science Weekly", "organization", "credit"),
            },
        ),
        (
            "world/2026/11/storm-lisbon.html",
            {
                ("Ana Costa", "person", "byline"),
                ("Reuters", "news_agency", "credit"),
                (*AP, "photo_credit"),
                ("Rui Almeida", "person", "photo_credit"),
            },
        ),
    ],
)
def test_example_site_attribution_is_what_the_pages_declare(relative, expected, text_mode):
    """Each example page yields exactly the attribution its markup was written to carry.

    The fast text mode keeps the headline, byline and ad label in the text, and still
    finds the same links: its credit lines and offsets come from the text it extracted.
    """
    facts = site_facts(relative, text_mode)
    assert summary(facts.attribution) == expected
    assert facts.outlet == OUTLET
    sources = {(link["source"]["name"], link["source"]["kind"]) for link in facts.attribution}
    for link in facts.attribution:
        # the outlet relays, or a party it relays does ("AP Photo/Rui Almeida": AP)
        assert (link["via"]["name"], link["via"]["kind"]) in sources | {GAZETTE}
        assert not list(_link_validator().iter_errors(link))
        if "offset" in link:
            assert facts.text[link["offset"] :].startswith(link["evidence"])


@pytest.mark.parametrize(
    "relative",
    [
        "world/2026/11/ceasefire-talks.html",
        "business/2026/11/port-authority-budget.html",
        "science/2026/11/reef-survey.html",
        "world/2026/11/storm-lisbon.html",
    ],
)
def test_example_pages_carry_the_markup_they_demonstrate(relative):
    """Example articles have JSON-LD, OpenGraph, a byline, chrome and an index entry."""
    html = (SITE / relative).read_text(encoding="utf-8")
    for marker in (
        '"@type": "NewsArticle"',
        '"headline"',
        '"author"',
        '"publisher"',
        '"datePublished"',
        '"dateModified"',
        'property="og:site_name"',
        'property="og:title"',
        'property="og:url"',
        'property="article:published_time"',
        'class="byline"',
        "<nav",
        "<footer",
        'class="related-articles"',
        'class="ad-slot"',
    ):
        assert marker in html, marker
    assert f'href="/{relative}"' in (SITE / "index.html").read_text(encoding="utf-8")
    facts = site_facts(relative)
    assert facts.article["title"]
    assert facts.article["authors"]
    assert facts.article["published_at"]
    assert facts.article["sources"]["title"] == "json-ld"
    assert "Related articles" not in facts.text
    assert "Advertisement" not in facts.text


def test_publisher_link_only_when_the_user_names_the_outlet_differently():
    """A user-given outlet name spelled like the publisher gives no link; another name does."""
    html = (SITE / "world/2026/11/storm-lisbon.html").read_bytes()
    url = SITE_URL + "world/2026/11/storm-lisbon.html"
    same = extract_page(html, url=url, outlet_name="Harbour Gazette")
    assert "publisher" not in {link["relation"] for link in same.attribution}
    other = extract_page(html, url=url, outlet_name="Eastmouth Evening Post")
    assert ("The Harbour Gazette", "organization", "publisher") in summary(other.attribution)
    # every chain starts at the outlet: a link's relayer is the outlet or a party linked to it
    sources = {link["source"]["name"] for link in other.attribution}
    assert all(
        link["via"]["name"] in sources | {"Eastmouth Evening Post"} for link in other.attribution
    )
    assert any(link["via"]["name"] == "Eastmouth Evening Post" for link in other.attribution)
