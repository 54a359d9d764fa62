"""The registry of parties: news agencies and outlets by name, alias, code, domain, descriptor.

``archiver/data/parties.json`` ships with the package (see its ``description``); users
can merge files of the same format over it with ``registry(extra=(path, ...))``. Every
file is checked against ``schemas/parties.schema.json`` when it is loaded.

Lookups take ``kinds``, the party kinds they may answer with. The default is news
agencies only, which is what credit lines and bylines look for; the prose reader asks
for outlets too.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from . import schemas
from .errors import ArchiverError

#: The kinds a lookup answers with unless told otherwise.
AGENCIES = frozenset({"news_agency"})
#: News agencies and outlets: whoever can relay a story.
PRESS = frozenset({"news_agency", "outlet"})

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
        "redazione",
        "redacción",
        "rédaction",
        "redação",
        "service",
        "news",
    }
)
#: Articles a descriptor may start with ("the French news agency", "l'agence française").
_ARTICLES = frozenset(
    {"the", "a", "an", "l", "la", "le", "les", "el", "los", "die", "der", "o", "il"}
)
#: Scripts without spaces between words, where an alias needs no word boundary.
_NO_WORD_BOUNDARY = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


class Registry:
    """Parties by alias (any case), code (exact case), domain and descriptor."""

    def __init__(self, parties: Sequence[Mapping[str, Any]]) -> None:
        self._by_alias: dict[str, dict[str, Any]] = {}
        self._by_code: dict[str, dict[str, Any]] = {}
        self._by_domain: dict[str, dict[str, Any]] = {}
        self._by_descriptor: dict[str, dict[str, Any]] = {}
        for entry in parties:
            party = {"name": entry["name"], "kind": entry["kind"]}
            if entry.get("domains"):
                party["domain"] = entry["domains"][0]
            codes = entry.get("codes", ())
            for alias in (entry["name"], *entry.get("aliases", ())):
                if alias not in codes:  # a name that is also a code keeps the exact-case rule
                    self._by_alias[alias.casefold()] = party
            for code in codes:
                self._by_code[code] = party
            for domain in entry.get("domains", ()):
                self._by_domain[domain] = party
            for descriptor in entry.get("descriptors", ()):
                self._by_descriptor[descriptor_key(descriptor)] = party
        self._patterns: dict[frozenset[str] | None, re.Pattern[str] | None] = {}

    @classmethod
    def from_files(cls, *paths: str | os.PathLike[str]) -> Registry:
        """The packaged registry with each file in ``paths`` merged over it, in order.

        An entry replaces an earlier one of the same name (any case); other entries are
        added, and an alias, code, domain or descriptor they claim points to them.

        Raises:
            ArchiverError: a file cannot be read, is not JSON or does not match
                ``schemas/parties.schema.json``; the message names the file.
        """
        raw = resources.files("archiver").joinpath("data/parties.json").read_text(encoding="utf-8")
        merged = {e["name"].casefold(): e for e in _checked(raw, "archiver/data/parties.json")}
        for path in paths:
            for entry in _checked(_read(path), os.fspath(path)):
                merged.pop(entry["name"].casefold(), None)  # re-inserted last: it wins clashes
                merged[entry["name"].casefold()] = entry
        return cls(list(merged.values()))

    def resolve(
        self, name: str, *, kinds: Collection[str] | None = AGENCIES
    ) -> dict[str, Any] | None:
        """The party a whole credit string names ("AFP", "Reuters Staff", "The AP")."""
        words = [w for w in _WHITESPACE.split(name.strip(" .,:;()-–—")) if w]
        whole = " ".join(words)
        party = self._by_alias.get(whole.casefold()) or self._by_code.get(whole)
        if found := _copy(party, kinds):
            return found  # "Fox News": an alias that ends in a filler word
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
        return _copy(party, kinds)

    def named(
        self, text: str, *, kinds: Collection[str] | None = AGENCIES
    ) -> dict[str, Any] | None:
        """The party ``text`` is exactly an alias (any case) or a code (exact case) of."""
        return _copy(self._by_code.get(text) or self._by_alias.get(text.casefold()), kinds)

    def describe(
        self, phrase: str, *, kinds: Collection[str] | None = AGENCIES
    ) -> dict[str, Any] | None:
        """The party a descriptor names ("the French news agency", "l'agence française")."""
        return _copy(self._by_descriptor.get(descriptor_key(phrase)), kinds)

    def by_domain(
        self, domain: str, *, kinds: Collection[str] | None = AGENCIES
    ) -> dict[str, Any] | None:
        """The party whose site ``domain`` (a registrable domain) is."""
        return _copy(self._by_domain.get(domain), kinds)

    def find(
        self, text: str, *, kinds: Collection[str] | None = AGENCIES
    ) -> Iterator[tuple[dict[str, Any], int]]:
        """Every party of ``kinds`` named in ``text``, with the offset of the mention."""
        pattern = self._pattern(kinds)
        if pattern is None:
            return
        for match in pattern.finditer(text):
            found = match.group(0)
            party = self._by_code.get(found) or self._by_alias.get(found.casefold())
            if party:
                yield dict(party), match.start()

    def _pattern(self, kinds: Collection[str] | None) -> re.Pattern[str] | None:
        """One regex for the aliases and codes of ``kinds``, longest first (built once)."""
        key = None if kinds is None else frozenset(kinds)
        if key not in self._patterns:

            def wanted(table: dict[str, dict[str, Any]]) -> list[str]:
                return [k for k, p in table.items() if key is None or p["kind"] in key]

            aliases = wanted(self._by_alias)
            spaced = sorted((a for a in aliases if not _NO_WORD_BOUNDARY.search(a)), key=len)
            unspaced = sorted((a for a in aliases if _NO_WORD_BOUNDARY.search(a)), key=len)
            codes = sorted(wanted(self._by_code), key=len)
            parts = []
            if spaced:
                parts.append("(?i:" + "|".join(map(re.escape, reversed(spaced))) + ")")
            parts += map(re.escape, reversed(codes))
            bounded = r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)" if parts else ""
            unbounded = "|".join(map(re.escape, reversed(unspaced)))
            source = "|".join(p for p in (bounded, unbounded) if p)
            self._patterns[key] = re.compile(source) if source else None
        return self._patterns[key]


def descriptor_key(phrase: str) -> str:
    """A descriptor for comparison: casefolded words, without a leading article."""
    words = _WORD.findall(phrase.casefold())
    if words and words[0] in _ARTICLES:
        words.pop(0)
    return " ".join(words)


#: User registry files merged by ``registry()`` in this process (see ``use_files``).
_user_files: tuple[str, ...] = ()


def use_files(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Merge these user files into ``registry()`` from now on, in this process.

    Extraction runs in worker processes, which call this from their initializer. The
    files are read and checked here, so a bad file fails before any capture starts.
    """
    global _user_files
    files = tuple(os.fspath(path) for path in paths)
    _registry(files)
    _user_files = files


def registry(extra: tuple[str, ...] | None = None) -> Registry:
    """The registry shipped in ``archiver/data/parties.json``, with user files merged over it.

    ``extra`` defaults to the files given to ``use_files``. Built once per set of files;
    see ``Registry.from_files`` for the merge and the errors.
    """
    return _registry(_user_files if extra is None else tuple(extra))


@cache
def _registry(extra: tuple[str, ...]) -> Registry:
    return Registry.from_files(*extra)


def _copy(party: dict[str, Any] | None, kinds: Collection[str] | None) -> dict[str, Any] | None:
    if party is None or (kinds is not None and party["kind"] not in kinds):
        return None
    return dict(party)


def _read(path: str | os.PathLike[str]) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ArchiverError(
            f"party registry {os.fspath(path)}: cannot read it ({reason})"
        ) from error


def _checked(raw: str, where: str) -> Iterable[Mapping[str, Any]]:
    """The entries of one registry file, or an ArchiverError naming the file and the fault."""
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ArchiverError(
            f"party registry {where}: not JSON (line {error.lineno} column {error.colno}: "
            f"{error.msg})"
        ) from error
    except RecursionError as error:
        raise ArchiverError(f"party registry {where}: nested too deeply to read") from error
    problems = schemas.problems(document, "parties")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ArchiverError(
            f"party registry {where}: does not match schemas/parties.schema.json: "
            f"{problems[0]}{more}"
        )
    return document["parties"]
