"""The registry of parties: news agencies by name, alias, credit code and domain.

``archiver/data/parties.json`` ships with the package; see its ``description``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

#: Words around an agency name that do not change who it is ("Reuters Staff", "The AP").
_FILLER_WORDS = frozenset(
    {
        "the",
        "staff",
        "newsroom",
        "wire",
        "wires",
        "writer",
        "writers",
        "reporters",
        "report",
        "desk",
        "redaktion",
        "service",
        "news",
    }
)
#: Scripts without spaces between words, where an alias needs no word boundary.
_NO_WORD_BOUNDARY = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_WHITESPACE = re.compile(r"\s+")


class Registry:
    """News agencies by alias (any case), credit code (exact case) and domain."""

    def __init__(self, parties: Sequence[Mapping[str, Any]]) -> None:
        self._by_alias: dict[str, dict[str, Any]] = {}
        self._by_code: dict[str, dict[str, Any]] = {}
        self._by_domain: dict[str, dict[str, Any]] = {}
        for entry in parties:
            party = {"name": entry["name"], "kind": entry["kind"]}
            if entry.get("domains"):
                party["domain"] = entry["domains"][0]
            for alias in (entry["name"], *entry.get("aliases", ())):
                self._by_alias[alias.casefold()] = party
            for code in entry.get("codes", ()):
                self._by_code[code] = party
            for domain in entry.get("domains", ()):
                self._by_domain[domain] = party
        spaced = sorted(
            (a for a in self._by_alias if not _NO_WORD_BOUNDARY.search(a)), key=len, reverse=True
        )
        unspaced = sorted(
            (a for a in self._by_alias if _NO_WORD_BOUNDARY.search(a)), key=len, reverse=True
        )
        codes = sorted(self._by_code, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<!\w)(?:(?i:"
            + "|".join(map(re.escape, spaced))
            + r")|"
            + "|".join(map(re.escape, codes))
            + r")(?!\w)"
            + ("|" + "|".join(map(re.escape, unspaced)) if unspaced else "")
        )

    def resolve(self, name: str) -> dict[str, Any] | None:
        """The agency a whole credit string names ("AFP", "Reuters Staff", "The AP")."""
        words = [w for w in _WHITESPACE.split(name.strip(" .,:;()-–—")) if w]
        while words and words[0].casefold() in _FILLER_WORDS:
            words.pop(0)
        while words and words[-1].casefold() in _FILLER_WORDS:
            words.pop()
        key = " ".join(words)
        if not key:
            return None
        party = self._by_alias.get(key.casefold()) or self._by_code.get(key)
        if party is None and len(key) >= 2:
            party = self._by_code.get(key.upper()) or self._by_code.get(key.lower())
        return dict(party) if party else None

    def by_domain(self, domain: str) -> dict[str, Any] | None:
        """The agency whose site ``domain`` (a registrable domain) is."""
        party = self._by_domain.get(domain)
        return dict(party) if party else None

    def find(self, text: str) -> Iterator[tuple[dict[str, Any], int]]:
        """Every agency named in ``text``, with the offset of the mention."""
        for match in self._pattern.finditer(text):
            found = match.group(0)
            party = self._by_code.get(found) or self._by_alias.get(found.casefold())
            if party:
                yield dict(party), match.start()


@cache
def registry() -> Registry:
    """The registry shipped in ``archiver/data/parties.json``."""
    raw = resources.files("archiver").joinpath("data/parties.json").read_text(encoding="utf-8")
    return Registry(json.loads(raw)["parties"])
