"""Who an archive's outlets rely on: attribution links summed over articles.

``archiver sources`` answers "which agencies and which kinds of source does each outlet
rely on, and how often?". It reads the provenance documents in the catalog. Every
count is a number of articles: an article that cites AFP five times counts once, and
so does an article captured many times (``watch`` recaptures a young article every
15 minutes), as its newest capture says. A capture whose response was not a success
(a 404, a 500) is no article and is not counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .catalog import CaptureRow
from .identity import capture_keys

SCHEMA_VERSION = "2"


@dataclass(slots=True)
class OutletSources:
    """One outlet's articles and what their attribution links name."""

    outlet: str
    articles: int = 0
    #: articles naming each news agency anywhere in their chain
    agencies: Counter[str] = field(default_factory=Counter)
    #: articles with at least one source of each kind
    kinds: Counter[str] = field(default_factory=Counter)
    #: articles with at least one link of each relation
    relations: Counter[str] = field(default_factory=Counter)

    def add(self, links: Iterable[dict[str, Any]]) -> None:
        self.articles += 1
        links = list(links)
        self.agencies.update({party["name"] for link in links
                              for party in (link["source"], link["via"])
                              if party["kind"] == "news_agency"})
        self.kinds.update({link["source"]["kind"] for link in links})
        self.relations.update({link["relation"] for link in links})

    def to_document(self) -> dict[str, Any]:
        return {"outlet": self.outlet, "articles": self.articles,
                "agencies": _ranked(self.agencies), "kinds": _ranked(self.kinds),
                "relations": _ranked(self.relations)}


def summarise(rows: Iterable[CaptureRow], *, outlet: str | None = None) -> list[OutletSources]:
    """Per outlet (most articles first), or only ``outlet`` (name or domain, any case)."""
    wanted = outlet.casefold() if outlet else None
    found: dict[str, OutletSources] = {}
    for row in _newest_per_article(rows):
        document = row.provenance
        names = {row.outlet, document["outlet"].get("domain") or ""}
        if wanted is not None and wanted not in {name.casefold() for name in names}:
            continue
        found.setdefault(row.outlet, OutletSources(row.outlet)).add(document["attribution"])
    return sorted(found.values(), key=lambda summary: (-summary.articles, summary.outlet))


def _newest_per_article(rows: Iterable[CaptureRow]) -> list[CaptureRow]:
    """The newest successful capture of each article (``archiver.identity``)."""
    newest: dict[str, CaptureRow] = {}
    for row in rows:
        if not 200 <= row.status < 300:
            continue
        key = capture_keys(row.provenance).article
        held = newest.get(key)
        if held is None or row.captured_at >= held.captured_at:
            newest[key] = row
    return list(newest.values())


def to_document(summaries: list[OutletSources]) -> dict[str, Any]:
    """The ``sources --json`` document (schemas/sources.schema.json)."""
    return {"schema_version": SCHEMA_VERSION,
            "outlets": [summary.to_document() for summary in summaries]}


def _ranked(counts: Counter[str]) -> list[dict[str, Any]]:
    return [{"name": name, "articles": count}
            for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
