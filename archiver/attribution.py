"""Attribution declared in a page's markup: who the page itself says the story came from.

Each link reads "information came from ``source`` and was relayed by ``via``"
(``$defs/link`` of ``schemas/provenance.schema.json``). For page-level links ``via`` is
the outlet. ``markup_links`` finds what the page *declares*:

* bylines (``byline``): JSON-LD, ``<meta>``, microdata or an HTML byline, but not
  one that is the outlet itself or its desk ("Redazione ANSA", "Editorial", "Abu Dhabi
  - Al Bayan"), nor a heuristic find that does not start like a name ("The Russian");
* JSON-LD ``publisher`` other than the outlet (``publisher``), ``isBasedOn``
  (``based_on``), ``sourceOrganization`` (``source_organization``), ``citation`` (``cites``);
* ``rel=canonical`` / ``og:url`` on another registrable domain (``republished_from``);
* credit lines in the article text or in credit, byline and caption elements
  (``credit``, or ``photo_credit`` for a picture), read by ``archiver.credits``:
  datelines such as ``PARIS (AFP) —``, ``X contributed to this report``, ``© AP``,
  byline lines, the signature of an embedded tweet (relation ``said``), and picture
  credits read as chains ("Ou Dongqu/Xinhua/ZUMA": each party relayed by the next one
  towards the outlet, the photographer innermost).

Reporting-verb chains in the prose ("according to X", "X told AFP") are not read here.
News agencies are recognised with the registry in ``archiver/data/parties.json``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from .credits import MAX_CREDIT_CHARS, element_credits, text_credits
from .identity import registrable_domain
from .jsonld import as_list
from .outlets import matches_domain, site_label
from .parties import registry

_WHITESPACE = re.compile(r"\s+")
#: Lower-case words that may sit inside a person's name ("Ursula von der Leyen").
_NAME_PARTICLES = frozenset(
    "al el bin ibn de da di del della der den van von dos das du la le".split()
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Byline:
    """One author as the page names it, with how we read it."""

    name: str
    kind: str | None  # "person" or "organization" when the markup typed it
    method: str  # json-ld, meta, opengraph, microdata or html-byline


# --- the entry point ------------------------------------------------------------------


def markup_links(
    *,
    outlet: Mapping[str, Any],
    bylines: Sequence[Byline],
    article_node: Mapping[str, Any] | None,
    canonical: Sequence[tuple[str, str]],
    page_url: str,
    text: str,
    tree: HtmlElement | None,
) -> list[dict[str, Any]]:
    """Attribution links the page declares, deduplicated, each relayed by the outlet.

    Args:
        outlet: the ``outlet`` object of the provenance document.
        bylines: the article's authors as extracted, with the method that found them.
        article_node: the page's main JSON-LD article, references resolved, or None.
        canonical: ``(absolute URL, source)`` pairs from ``rel=canonical`` and ``og:url``.
        page_url: the final URL of the capture.
        text: the normalised article text; offsets of credits found in it refer to it.
        tree: the parsed page, for credit elements outside the text.
    """
    links = LinkSet(outlet)
    for byline in bylines:
        if _not_an_author(byline, links):
            continue
        party = registry().resolve(byline.name) or {
            "name": byline.name,
            "kind": byline.kind or "person",
        }
        links.add(party, "byline", f"{byline.method} author: {byline.name}", byline.method)
    if article_node:
        _jsonld_links(links, article_node)
    for url, source in canonical:
        party = _site_party(url)
        if party and registrable_domain(url) != registrable_domain(page_url):
            tag = (
                '<link rel="canonical" href="{}">'
                if source == "html"
                else '<meta property="og:url" content="{}">'
            )
            links.add(party, "republished_from", tag.format(url), "canonical")
    credits = list(text_credits(text))
    if tree is not None:
        # found in markup, so no offset: the same words in the text may be prose
        credits += element_credits(tree)
    for credit in credits:
        links.add(
            credit.party, credit.relation, credit.evidence, "credit-line", credit.offset, credit.via
        )
    return links.items


class LinkSet:
    """Links in the order found, one per (source, relation), never the outlet itself.

    A credit naming someone already in the byline adds nothing and is dropped, and so
    is a second reading (markup after text) of the same evidence about the same party.
    """

    def __init__(self, outlet: Mapping[str, Any]) -> None:
        name = outlet.get("name") or outlet.get("domain") or "unknown"
        self.via: dict[str, Any] = {"name": name, "kind": "outlet"}
        if outlet.get("domain"):
            self.via["domain"] = outlet["domain"]
        self._own_names = {name_key(n) for n in (outlet.get("name"), outlet.get("domain")) if n}
        self._own_names.discard("")
        self._own_domain = registrable_domain("http://" + outlet.get("domain", ""))
        self._brand_label = "" if outlet.get("source") == "user" else \
            site_label("http://" + outlet.get("domain", ""))
        own_party = registry().by_domain(self._own_domain, kinds=None) if self._own_domain else None
        if own_party:  # an agency's own site: its datelines credit itself
            self._own_names.add(name_key(own_party["name"]))
        self._seen: set[tuple[str, str, str, str]] = set()  # (name, kind, relation, via)
        self._said: set[tuple[str, str, str]] = set()  # (name, kind, evidence)
        self.items: list[dict[str, Any]] = []

    def is_self(self, party: Mapping[str, Any]) -> bool:
        """Whether ``party`` is the outlet (same name, a name it starts, or same site)."""
        name = name_key(party["name"])
        domain = party.get("domain") or (registry().resolve(party["name"], kinds=None) or {}).get(
            "domain"
        )
        if domain and registrable_domain("http://" + domain) == self._own_domain:
            return True
        return any(name == own or name.startswith(own + " ") for own in self._own_names)

    def publishes_itself(self, publisher: Mapping[str, Any]) -> bool:
        """Whether a JSON-LD publisher is the page's own site under another name: its
        company ("Ediciones EL PAÍS S.L." on elpais.com) or a shorter or longer form
        ("Sky" on news.sky.com). Not when the user named the outlet: then the page's
        publisher is a party of its own."""
        return bool(self._brand_label) and matches_domain(publisher["name"], self._brand_label)

    def _in_byline(self, party: Mapping[str, Any], key: tuple[str, str, str, str]) -> bool:
        """Whether a byline already names the party ("ERIC TUCKER Associated Press")."""
        if (*key[:2], "byline", key[3]) in self._seen:
            return True
        words = set(name_key(party["name"]).split())
        return party["kind"] == "person" and any(
            link["relation"] == "byline" and words <= set(name_key(link["source"]["name"]).split())
            for link in self.items
        )

    def add(
        self,
        party: dict[str, Any],
        relation: str,
        evidence: str,
        method: str,
        offset: int | None = None,
        via: dict[str, Any] | None = None,
    ) -> None:
        """Add a link from ``party`` relayed by ``via`` (None, or the outlet: the outlet)."""
        relayer = self.via if via is None or self.is_self(via) else via
        key = (party["name"].casefold(), party["kind"], relation, relayer["name"].casefold())
        said = (party["name"].casefold(), party["kind"], evidence)
        if key in self._seen or said in self._said or self.is_self(party):
            return
        if relation == "credit" and self._in_byline(party, key):
            return
        self._seen.add(key)
        self._said.add(said)
        link = {
            "source": party,
            "via": dict(relayer),
            "relation": relation,
            "evidence": evidence,
            "method": method,
        }
        if offset is not None:
            link["offset"] = offset
        self.items.append(link)


#: Bylines that name the outlet's desk, not an author ("Red." is German "Redaktion").
_DESKS = frozenset(
    "editorial editorials red redaktion redazione redacción rédaction redação staff newsroom "
    "desk editor editors".split()
)
_BYLINE_PARTS = re.compile(r"\s+[-–—|]\s+")


def _not_an_author(byline: Byline, links: LinkSet) -> bool:
    """A desk, the outlet itself ("Abu Dhabi - Al Bayan"), or a heuristic find that is
    no name ("The Russian", "Syrian defense ministries" read from a page's prose)."""
    if name_key(byline.name) in _DESKS:
        return True
    parts = _BYLINE_PARTS.split(byline.name)
    if any(links.is_self({"name": part}) for part in parts):
        return True
    if byline.method != "html-byline" or registry().resolve(byline.name):
        return False
    # a name starts with two capitalised words ("Tom Gillespie News reporter" does)
    head = [w for w in byline.name.split() if w not in _NAME_PARTICLES][:2]
    return len(head) < 2 or head[0] == "The" or not all(w[0].isupper() for w in head)


def _jsonld_links(links: LinkSet, node: Mapping[str, Any]) -> None:
    publisher = _party_of(node.get("publisher"), "organization")
    if publisher and not links.publishes_itself(publisher):
        links.add(publisher, "publisher", f"json-ld publisher: {publisher['name']}", "json-ld")
    for key, relation in (
        ("isBasedOn", "based_on"),
        ("isBasedOnUrl", "based_on"),
        ("sourceOrganization", "source_organization"),
        ("citation", "cites"),
    ):
        values = node.get(key)
        for value in values if isinstance(values, list) else [values]:
            party = _party_of(value, "organization")
            if party:
                links.add(party, relation, f"json-ld {key}: {_describe(value)}", "json-ld")


def _party_of(value: Any, default_kind: str) -> dict[str, Any] | None:
    """The party behind a JSON-LD value: an organization or person, a work's publisher, a URL."""
    if isinstance(value, str):
        if value.strip().lower().startswith(("http://", "https://")):
            return _site_party(value.strip())
        return _named_party(value, default_kind) if len(value) <= MAX_CREDIT_CHARS else None
    if not isinstance(value, Mapping):
        return None
    types = {t.casefold() for t in as_list(value.get("@type")) if isinstance(t, str)}
    if types & {"person", "organization", "newsmediaorganization", "corporation"}:
        name = value.get("name")
        kind = "person" if "person" in types else "organization"
        return _named_party(name, kind) if isinstance(name, str) else None
    for key in ("publisher", "sourceOrganization", "author"):
        if party := _party_of(_first(value.get(key)), default_kind):
            return party
    url = value.get("url") or value.get("@id")
    return _site_party(url) if isinstance(url, str) else None


def _named_party(name: str, kind: str) -> dict[str, Any] | None:
    name = _WHITESPACE.sub(" ", name).strip()
    if not name:
        return None
    return registry().resolve(name) or {"name": name, "kind": kind}


def _site_party(url: str) -> dict[str, Any] | None:
    domain = registrable_domain(url)
    if not domain:
        return None
    return registry().by_domain(domain) or {"name": domain, "kind": "outlet", "domain": domain}


def _describe(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("url") or value.get("name") or value.get("@id") or "")[:200]
    return str(value)[:200]


def name_key(name: str) -> str:
    """A name for comparison: casefolded, words only, without a leading "the"."""
    return " ".join(re.findall(r"\w+", name.casefold())).removeprefix("the ")


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value
