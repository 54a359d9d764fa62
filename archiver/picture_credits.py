"""Picture credits as chains: who took a picture, and through whom it reached the outlet.

A picture credit names a distribution chain with the photographer at one end and the
party that delivered the picture to the outlet at the other: "Ou Dongqu/Xinhua/ZUMA"
(Ou Dongqu took it for Xinhua, which ZUMA distributed), "APA/Georg Hochmuth", "(AP
Photo/Ted S. Warren)", "Nathan Alliard / Photononstop / AFP", "Hector Andrade | Agencia
UNO", "AFP via Getty Images". ``credit_chain`` turns one such credit into links, each
party relayed by the next one towards the outlet (``via`` None: the outlet itself), so
that following ``via`` from the outlet back gives the chain, as the provenance schema
reads links. ``caption_credit`` finds the credit inside a caption ("... last week.
Credit... Anna Moneymaker/The New York Times", "... brothel. (Matt Stone/Boston
Herald)", "... the Moon [SpaceX via Nasa]").

Which end is the photographer: the end that reads as a person's name (two to four
capitalised words, or a surname and an initial), unless it is a party of the registry;
when both ends could be names, the left one, as in English credits ("Elizabeth Conley
/ Houston Chronicle"). Without a person the parts are credited side by side ("APA/AP":
the order of two agencies is no convention), except around "via", which says it.
"""

from __future__ import annotations

import re
from typing import Any

from .parties import PRESS, registry

#: Longest credit read; a longer string is a caption sentence, not a credit.
MAX_CREDIT_CHARS = 120
#: Most parts in one chain ("Name/Agency/Distributor" has three); more is a list.
MAX_PARTS = 4

#: Words a credit part carries that say what the picture is, not who made it.
_NOISE = re.compile(
    r"(?i)\b(?:photos?|fotos?|photograph|photo\s+illustration|picture|image|imagen|file|"
    r"archive|archivo|archiv|handout|pool|via\s+reuters\s+connect|dpa-bildfunk|"
    r"all\s+rights\s+reserved)\b|\b(?:19|20)\d\d\b|[©®]|\(c\)"
)
#: Words of organisations that take or sell pictures ("Agencia UNO", "Photononstop").
_PICTURE_AGENCY = re.compile(
    r"(?i)\b(?:agen(?:cy|ce|cia|zia|tur)|press|presse|images|pictures|photos|stock|news|"
    r"wire|service)\b"
)
#: Words of newspapers and broadcasters ("Houston Chronicle").
_OUTLET_WORD = re.compile(
    r"(?i)\b(?:times|post|herald|journal|gazette|tribune|daily|telegraph|chronicle|observer|"
    r"standard|mail|express|mirror|monitor|magazine|newspaper|radio|tv|television|zeitung|"
    r"diario|jornal|corriere)\b"
)
#: A name as picture credits write it: capitalised or upper-case words, an initial.
_NAME_WORD = re.compile(r"[^\W\d_][\w’'-]*\.?|[^\W\d_]\.")
#: Markers that introduce a credit inside a caption ("Credit:", "Photo:", "Foto:").
_MARKER = re.compile(
    r"(?i)(?:^|(?<=[\s(\[|.]))(?:photo(?:graph)?s?|picture|image\s+copyright|image|credits?|"
    r"cr[ée]dits?(?:\s+photo)?|cr[ée]dito|foto(?:grafía)?|bild|imagen|immagine|quelle|"
    r"fuente|fonte|source|copyright|©)\s*(?::|\.{2,}|…|(?<=©)|(?<=copyright))\s*"
)
_TRAILING = (
    # (AP Photo/Ted S. Warren), (Elizabeth Conley / Houston Chronicle)
    re.compile(r"\((?P<credit>[^()]{2,80}?/[^()]{2,80}?)\)\s*\.?$"),
    # [SpaceX via Nasa]
    re.compile(r"\[(?P<credit>[^\[\]]{2,80}?)\]\s*\.?$"),
    # Rep. Mark Meadows. | Alex Wong/Getty Images
    re.compile(r"\s\|\s*(?P<credit>[^|]{2,80})$"),
    # ... November 18, 2019. REUTERS/Brendan McDermid
    re.compile(r"(?:^|[.!?”\"]\s+)(?P<credit>[^\W\d_][^.!?/]{1,40}(?:\s*/\s*[^/.!?]{2,40}){1,3})$"),
)
_VIA = re.compile(r"(?i)\s+via\s+")
_BY = re.compile(r"(?i)^(?:by|von|por|par|di|de)\s+")
_SPLIT = re.compile(r"\s*[/|]\s*")


def caption_credit(caption: str) -> str | None:
    """The credit a caption ends with or introduces with a marker, or None."""
    caption = caption.strip()
    marked = None
    for marked in _MARKER.finditer(caption):
        pass
    if marked and len(caption) - marked.end() <= MAX_CREDIT_CHARS:
        credit = caption[marked.end() :].strip(" .)]")
        if credit:
            return credit
    for pattern in _TRAILING:
        if found := pattern.search(caption):
            credit = found.group("credit").strip()
            if pattern is _TRAILING[1] and not _VIA.search(credit):
                continue  # "[file]", "[Reuters]" alone: an ordinary bracket
            return credit
    return None


def credit_chain(credit: str) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Links of one picture credit: (party, relayer), relayer None for the outlet.

    Outermost first: the party that delivered the picture comes before the ones it
    relayed, so a relayer is always a party already linked.
    """
    credit = _BY.sub("", credit.strip(" .,;:()[]"))
    if not credit or len(credit) > MAX_CREDIT_CHARS:
        return []
    inner, outer = "", credit
    if _VIA.search(credit):
        inner, outer = _VIA.split(credit, maxsplit=1)
    links = _chain(outer, None, lone=bool(inner))
    if inner and links:
        links += _chain(inner, links[0][0], lone=True)  # "AFP via Getty": relayed by Getty
    return links


def _chain(
    credit: str, relayer: dict[str, Any] | None, *, lone: bool = False
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """The links of a credit without "via"; ``lone``: one unknown word may be a party."""
    parts = [p for p in (_clean_part(raw) for raw in _SPLIT.split(credit)) if p]
    if not parts or len(parts) > MAX_PARTS:
        return []
    parties = [_party(part) for part in parts]
    if any(party is None for party in parties):
        return []
    people = [i for i, party in enumerate(parties) if party and party["kind"] == "person"]
    if len(parts) == 1 and not lone and parties[0]["kind"] not in ("person", "social_media"):
        if registry().resolve(parts[0], kinds=None) is None:
            return []  # "Credits", "Harbour Gazette Media Ltd": no credit by itself
    if len(parts) == 1 or not people:
        return [(party, relayer) for party in parties if party]
    if people == [0, len(parts) - 1] and len(parts) == 2:
        # both ends read as names: the left one is the photographer ("X / Houston Chronicle")
        parties[-1] = _organization(parts[-1])
    elif len(people) > 1:
        return []  # "Rep. Mark Meadows. | Alex Wong/Getty Images": a caption, then a credit
    if parties[0]["kind"] == "person" and parties[-1]["kind"] != "person":
        ordered = list(reversed(parties))  # "Ou Dongqu/Xinhua/ZUMA": ZUMA delivered it
    elif parties[-1]["kind"] == "person" and parties[0]["kind"] != "person":
        ordered = list(parties)  # "APA/Georg Hochmuth": APA delivered it
    else:
        return []
    links: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for party in ordered:
        links.append((party, relayer))
        relayer = party
    return links


def _clean_part(part: str) -> str:
    """A credit part without "Photo", "File", years and ©: "AP Photo" is "AP"."""
    return re.sub(r"\s+", " ", _NOISE.sub(" ", part)).strip(" .,;:-–—()")


def _party(part: str) -> dict[str, Any] | None:
    """The party one credit part names: registry, social handle, person or organisation."""
    found = registry().resolve(part, kinds=None)
    if found is None:
        mentioned = [party for party, _ in registry().find(part, kinds=PRESS)]
        found = mentioned[0] if len(mentioned) == 1 else None
    if found:
        return found
    if re.fullmatch(r"@\w{1,30}", part):
        return {"name": part, "kind": "social_media"}
    words = part.split()
    if not all(_NAME_WORD.fullmatch(word) and word[0].isupper() for word in words):
        return None  # lower-case words: a sentence, not a credit
    if 2 <= len(words) <= 4 and not (_PICTURE_AGENCY.search(part) or _OUTLET_WORD.search(part)):
        return {"name": _name_case(part), "kind": "person"}
    return _organization(part)


def _organization(part: str) -> dict[str, Any]:
    if _OUTLET_WORD.search(part):
        return {"name": part, "kind": "outlet"}
    if _PICTURE_AGENCY.search(part):
        return {"name": part, "kind": "news_agency"}
    return {"name": part, "kind": "organization"}


def _name_case(name: str) -> str:
    """ "JEFF PACHOUD" as "Jeff Pachoud"; mixed-case names are kept as written."""
    return name.title() if name.isupper() else name
