"""What the prose pattern families share: the reader, its sentences and parties.

``Reader`` holds one article text and what reading it has learnt (parties resolved,
full names, the agencies and outlets seen, the last speaker), and cuts out the
``Sentence`` around a cue. Runs of capitalised words come from ``archiver.prose_names``;
``party_named``, ``person_named``, ``press_phrase`` and ``press_before`` say which party
(person, government, organization, or an agency or outlet of the registry) such a run or
noun phrase names. A ``Cue`` marks where a family may match; the family reads the
sentence into ``Claim``s. The English families are in ``archiver.prose_en``, the other
languages in ``archiver.prose_intl``; ``archiver.prose`` runs them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from .attribution import LinkSet
from .credits import MAX_LINE_CHARS
from .parties import AGENCIES, PRESS, Registry
from .prose_names import (
    ACRONYM,
    DIGIT,
    INITIALS,
    LOWER,
    NEVER_IN_NAMES,
    NOT_NAMES,
    PARTICLES,
    PRONOUNS,
    UPPER,
    abbreviated,
    is_name_token,
    is_title,
    name_markers,
    run_before,
    surname_he,
)

#: Longest sentence read around a cue; a longer one is a list or a text dump.
MAX_SENTENCE_CHARS = 600
#: How far back (characters) "the news agency" looks for the agency it refers to.
BACKREF_CHARS = 6_000
#: How far back (characters) a surname looks for the person's full name.
FULL_NAME_CHARS = 20_000
#: How far back (characters) "he said" looks for the person it continues.
SPEAKER_CHARS = 600
#: The kinds "the newspaper" refers back to.
OUTLET_KINDS = frozenset({"outlet"})


_QUOTED = re.compile(r"[\"“„«][^\"“”„«»]{0,2000}[\"”“»]")
_FULL_NAME = re.compile(r"[" + UPPER + r"][\w’'-]+ [" + UPPER + r"][\w’'-]+")
#: A full name opening a sentence or clause, followed by a lowercase verb or a comma.
_SUBJECT_NAME = re.compile(
    r"(?:^|[.!?]\s+|\n|,\s+)(?!(?:The|A|An)\s)"  # "The Portuguese boss" is no name
    r"(?P<name>[" + UPPER + r"][\w’'-]+(?:\s+[" + UPPER + r"][\w’'-]+){1,3})"
    r"(?=\s+[" + LOWER + r"]|,\s)"
)


# --- the reader -----------------------------------------------------------------------


@dataclass(slots=True)
class Claim:
    """One attribution found in a sentence; ``via`` None means the outlet."""

    source: dict[str, Any]
    relation: str
    family: str
    via: dict[str, Any] | None = None


@dataclass(slots=True)
class Sentence:
    """One sentence of one line, around a cue: ``line[begin:stop]``; ``offset`` of the line."""

    line: str
    begin: int
    stop: int
    offset: int

    def before(self, index: int) -> str:
        return self.line[self.begin : index]

    def after(self, index: int) -> str:
        return self.line[index : self.stop]


@dataclass(slots=True)
class Reader:
    """State shared by the cues of one text: lines, press mentions, names seen."""

    text: str
    outlet: Mapping[str, Any]
    parties: Registry
    links: LinkSet = field(init=False)
    _resolved: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    _reversed: str | None = None
    press_seen: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    _full_names: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    known: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    speakers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    at: int = 0  # where the cue being read is

    def __post_init__(self) -> None:
        self.links = LinkSet(self.outlet)

    @property
    def reversed(self) -> str:
        if self._reversed is None:
            self._reversed = self.text[::-1]
        return self._reversed

    def sentence(self, position: int, end: int) -> Sentence | None:
        """The sentence holding ``text[position:end]``, or None on an over-long line."""
        line_start = self.text.rfind("\n", max(0, position - MAX_LINE_CHARS), position) + 1
        if line_start == 0 and position > MAX_LINE_CHARS:
            return None
        line_end = self.text.find("\n", position, line_start + MAX_LINE_CHARS + 1)
        if line_end < 0:
            line_end = len(self.text)
            if line_end - line_start > MAX_LINE_CHARS:
                return None
        line = self.text[line_start:line_end]
        start, stop = position - line_start, end - line_start
        low = max(0, start - MAX_SENTENCE_CHARS)
        begin = low
        for boundary in _BOUNDARY.finditer(line, low, start):
            if not _ends_with_abbreviation(line, boundary.start() + 1):
                begin = boundary.end()
        if begin == low and low > 0:
            return None  # no sentence starts within reach: a list or a text dump
        close = min(len(line), begin + MAX_SENTENCE_CHARS)
        for boundary in _BOUNDARY.finditer(line, stop, close):
            if not _ends_with_abbreviation(line, boundary.start() + 1):
                close = boundary.start() + 1
                break
        return Sentence(line, begin, close, line_start)

    def full_name(self, surname: str, *, first: bool = False) -> str | None:
        """The fuller name the text gives a person it also calls ``surname`` ("Marcus").

        None when two fuller names share the surname ("Mia" and "Ronan Farrow"), unless
        ``first``: then the first of them. Looks from ``FULL_NAME_CHARS`` before the cue
        being read (articles name people in full first) to a little after it.
        """
        if surname not in self._full_names:
            found: str | None = None
            earliest: str | None = None
            mentions = re.compile(re.escape(" " + surname)).finditer(
                self.text, max(0, self.at - FULL_NAME_CHARS), self.at + 2_000
            )
            for count, match in enumerate(mentions):
                if count > 50:
                    break
                after = self.text[match.end() : match.end() + 1]
                if after and (after.isalnum() or after in "-’'"):
                    continue
                words = self.text[max(0, match.start() - 40) : match.start()].split()
                given: list[str] = []
                while words and len(given) < 2:
                    word = words.pop()
                    if (
                        not is_name_token(word)
                        or word[-1] in ',;:"“”(!?'
                        or (word[-1] == "." and not abbreviated(word))  # a sentence's end
                        or is_title(word)
                        or (word.strip(".").casefold() in NOT_NAMES)
                    ):
                        break
                    given.insert(0, word)
                    if not INITIALS.fullmatch(word) and not re.fullmatch(r"\w\.", word):
                        break
                if given and not is_title(given[0]):
                    name = " ".join([*given, surname])
                    if earliest and name != earliest:
                        found = None
                        break
                    found = earliest = name
            self._full_names[surname] = (earliest, found)
        earliest, unique = self._full_names[surname]
        return earliest if first else unique

    def speaker(self, position: int) -> dict[str, Any] | None:
        """Whom "he" or "sie" at ``position`` continues: the last person quoted before it,
        within ``SPEAKER_CHARS`` and with no other full name in between; when no one was
        quoted there, the last person named as a sentence's subject ("Then, last week,
        Taylor Swift posted ... she said")."""
        if not self.speakers or self.speakers[-1][0] < position - SPEAKER_CHARS:
            return self._named_subject(position)
        at, person = self.speakers[-1]
        own = set(person["name"].split())
        unquoted = _QUOTED.sub(" ", self.text[at:position])  # their own words name no one new
        for run in _FULL_NAME.finditer(unquoted):
            words = run.group(0).split()
            first = words[0].casefold()
            if first not in NOT_NAMES and first not in PARTICLES and not own & set(words):
                return None  # someone else was named since: the pronoun may be theirs
        return dict(person)

    def _named_subject(self, position: int) -> dict[str, Any] | None:
        """The last full name before ``position`` (within ``SPEAKER_CHARS``, quotations
        aside) that opens a sentence or clause and is followed by its verb or an
        apposition, if it names a person."""
        start = max(0, position - SPEAKER_CHARS)
        unquoted = _QUOTED.sub(lambda quote: " " * len(quote.group(0)), self.text[start:position])
        last = None
        for last in _SUBJECT_NAME.finditer(unquoted):
            pass
        if last is None:
            return None
        party = party_named(self, last.group("name").split(), False)
        return party if party and party["kind"] == "person" else None

    def titled(self, surname: str) -> bool:
        """Whether the text puts a title before ``surname`` somewhere ("President Trump")."""
        # led by the literal: a leading "\S+" made this search ~20 times slower
        for count, match in enumerate(re.finditer(re.escape(" " + surname), self.text)):
            if count > 50:
                break
            word = self.text[max(0, match.start() - 25) : match.start()].rsplit(None, 1)[-1:]
            if word and word[0][0].isupper() and is_title(word[0]):
                return True
        return False

    def longer_name(self, word: str) -> str | None:
        """The one longer name the text gives a capitalised word ("Skyhorse" is "Skyhorse
        Publishing", "Tottenham" "Tottenham Hotspur"), near the cue being read, else None."""
        found = set()
        mentions = re.compile(re.escape(word) + r"((?:\s[" + UPPER + r"][\w&’'-]+){1,3})").finditer(
            self.text, max(0, self.at - FULL_NAME_CHARS), self.at + 2_000
        )
        for count, match in enumerate(mentions):
            if count > 50:
                break
            if match.start() and self.text[match.start() - 1].isalnum():
                continue  # inside another word
            tail = [w for w in match.group(1).split()]
            while tail and tail[-1].casefold() in NOT_NAMES:
                tail.pop()
            if tail and tail[0].casefold() not in NOT_NAMES and not DIGIT.search(tail[0]):
                found.add(" ".join([word, *tail]))
        return found.pop() if len(found) == 1 else None

    def resolve(self, name: str) -> dict[str, Any] | None:
        """``Registry.resolve`` over every kind, remembered (names recur in a text)."""
        if name not in self._resolved:
            self._resolved[name] = self.parties.resolve(name, kinds=None)
        found = self._resolved[name]
        return dict(found) if found else None

    def earlier(self, party: dict[str, Any]) -> dict[str, Any]:
        """The party already found whose longer name ends with this one's ("Abu Hatab")."""
        known = self.known.get((party["kind"], party["name"].casefold()))
        return dict(known) if known else party

    def remember(self, party: dict[str, Any]) -> None:
        """Let later shorter mentions ("Chronicle", "Abu Hatab") resolve to ``party``."""
        words = party["name"].casefold().split()
        for cut in range(1, len(words)):
            self.known.setdefault((party["kind"], " ".join(words[cut:])), party)

    def last_press(
        self, position: int, kinds: frozenset[str], *, near: bool = False
    ) -> dict[str, Any] | None:
        """The last agency or outlet of ``kinds`` named before ``position``."""
        start = max(0, position - (1_500 if near else BACKREF_CHARS))
        best: tuple[int, dict[str, Any]] | None = None
        for at, party in self.press_seen:
            if start <= at < position and party["kind"] in kinds and not self.links.is_self(party):
                best = (at, party)
        for party, at in self.parties.find(self.text[start:position], kinds=kinds):
            if not self.links.is_self(party) and (best is None or start + at > best[0]):
                best = (start + at, party)
        if best and near and "gency" in self.text[best[0] + len(best[1]["name"]) : position]:
            return None  # another agency ("the space agency") came in between
        return dict(best[1]) if best else None


#: A sentence boundary as ``attribution._sentence`` sees one (end punctuation, then
#: space); led by a character class, so searching a line is ~10x faster than its
#: look-behind. A boundary right after "Mr." or "U.S." is not one here.
_BOUNDARY = re.compile(r"[.!?。！？]\s+")
_ABBREVIATION_END = re.compile(
    r"(?:^|[\s(\"“])(?:[" + UPPER + r"](?:\.[" + UPPER + r"])*|Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|"
    r"Gen|Lt|Col|Capt|Sgt|Adm|Maj|St|Jr|Sr|Rev|Hon|No|Jan|Feb|Aug|Sept|Oct|Nov|Dec|Inc|Corp|"
    r"Ltd|Co|vs|etc)\.\Z"
)


def _ends_with_abbreviation(line: str, index: int) -> bool:
    """Whether ``line[:index]`` ends with "Mr." or "U.S." (no sentence ends there)."""
    return bool(_ABBREVIATION_END.search(line, max(0, index - 8), index))


# --- parties from noun phrases --------------------------------------------------------


def party_named(
    reader: Reader, run: list[str], the: bool, *, lone: bool = False
) -> dict[str, Any] | None:
    """The party a run of capitalised words names, typed by registry and markers.

    ``the``: "The" stood before the run (so it is no person's name). ``lone``: accept an
    unresolved single word as a person (its verb says it is one: "Agerblad told AFP").
    """
    if not run:
        return None
    name = " ".join(run).strip(" .")
    party = reader.resolve(name)
    if party is None and the:
        party = reader.resolve("The " + name)
    if party:
        if len(run) == 1 and party["kind"] in PRESS:
            person = reader.full_name(run[0], first=True)
            if person and reader.resolve(person) is None:
                return {"name": person, "kind": "person"}  # "Bloomberg said": Michael Bloomberg
        return party
    titled = [i for i, token in enumerate(run) if is_title(token)]
    person = run[titled[-1] + 1 :] if titled else run
    marked = name_markers(name)
    if (
        titled
        and person
        and not the
        and person_like(person)
        and not (name_markers(" ".join(person)) & {"government", "organization"})
    ):
        return person_named(reader, person, lone=True)  # "Police Chief Ed Alvarez", "Dr. Skaik"
    if titled and not person and len(run) == 1:
        return person_named(reader, run, lone=False)  # "King" may be Wayne King's surname
    if "government" in marked:
        return reader.earlier({"name": name, "kind": "government"})
    if "outlet" in marked and (the or len(run) > 1):
        return reader.earlier({"name": name, "kind": "outlet"})  # "The Chronicle says"
    if "organization" in marked or (the and not titled):
        return reader.earlier({"name": name, "kind": "organization"})
    if len(run) == 1 and ACRONYM.fullmatch(run[0]) and run[0] not in ("I", "OK", "TV"):
        return {"name": name, "kind": "organization"}  # "NASA said"
    if len(run) > 1 and not titled and any(ACRONYM.fullmatch(t) for t in run):
        return {"name": name, "kind": "organization"}  # "California ISO"
    if marked or titled or not person_like(person):
        return None
    return person_named(reader, person, lone=lone)


def person_like(words: list[str]) -> bool:
    """1-4 capitalised words, none a function word, an acronym or "U.S."."""
    if not 0 < len(words) <= 4:
        return False
    for word in words:
        folded = word.casefold()
        if len(word) > 25:
            return False
        if (folded in NEVER_IN_NAMES or folded in PRONOUNS) and not surname_he(words):
            return False
        if ACRONYM.fullmatch(word) or INITIALS.fullmatch(word):
            return False
    return True


def person_named(reader: Reader, words: list[str], *, lone: bool) -> dict[str, Any] | None:
    """A person; a lone surname takes the full name the text gives it, if any."""
    person = reader.earlier({"name": " ".join(words).strip(" ."), "kind": "person"})
    if len(words) == 1 and person["name"] == words[0].strip(" ."):
        full = reader.full_name(words[0])
        if full:
            return {"name": full, "kind": "person"}
        if longer := reader.longer_name(words[0].strip(" .")):
            # "Skyhorse": Skyhorse Publishing; but "Dylan" is Dylan Farrow where the text
            # also names Mia Farrow: a given name, since the family name recurs
            kind = "person" if _family_name_recurs(reader.text, longer) else "organization"
            return {"name": longer, "kind": kind}
        if not lone and not reader.titled(words[0].strip(" .")):
            return None  # "Trump" is a person where the text says "President Trump"
    return person


def _family_name_recurs(text: str, name: str) -> bool:
    """Whether ``text`` gives another person the last word of the two-word ``name``."""
    given, _, family = name.partition(" ")
    if " " in family or not person_like([given, family]) or name_markers(name):
        return False
    others = re.finditer(r"([" + UPPER + r"][\w’'-]+) " + re.escape(family) + r"\b", text)
    return any(other.group(1) not in (given, "The") for other in islice(others, 50))


def press_phrase(reader: Reader, phrase: str, position: int) -> dict[str, Any] | None:
    """The agency or outlet a short phrase names: a name, a descriptor, or "the agency".

    ``position``: where the phrase starts; "the agency" looks back from there.
    """
    phrase = phrase.strip(" ,.;:")
    if not phrase:
        return None
    parties = reader.parties
    party = parties.resolve(phrase, kinds=PRESS) or parties.describe(phrase, kinds=PRESS)
    if party:
        return party
    words = _PHRASE_WORDS.findall(phrase)[:8]
    for size in (3, 2, 1):  # "la agencia EFE", "l'AFP": a name among the first words
        for first in range(len(words) - size + 1):
            if party := parties.named(" ".join(words[first : first + size]), kinds=PRESS):
                return party
    if _PRESS_WORDS.search(phrase):  # a longer name: "Agenzia Nazionale Stampa Associata"
        found = {p["name"]: p for p, _ in parties.find(phrase, kinds=PRESS)}
        if len(found) == 1:
            return next(iter(found.values()))
    if masthead := _MASTHEAD.fullmatch(phrase):  # a paper the registry lacks
        return {"name": masthead.group("name"), "kind": "outlet"}
    generic = _GENERIC_PRESS.fullmatch(phrase)
    if generic:
        noun = generic.group("noun").casefold()
        kinds = (
            AGENCIES
            if "agen" in noun or "wire" in noun
            else (OUTLET_KINDS if noun in _PAPERS else PRESS)
        )
        return reader.last_press(
            position, kinds, near=noun in ("agency", "agence", "agencia", "agência", "agenzia")
        )
    return None


#: "the Aspen Times", "the Sunday Telegraph": a newspaper's name by its last word.
_MASTHEAD = re.compile(
    r"[Tt]he\s+(?P<name>(?:[" + UPPER + r"][\w.’'-]+\s+){1,3}(?:Times|Post|Herald|Tribune|"
    r"Gazette|Chronicle|Courier|Telegraph|Examiner|Inquirer|Globe|Enquirer|Star-Ledger))"
)
_PAPERS = frozenset(
    (
        "newspaper",
        "paper",
        "daily",
        "magazine",
        "journal",
        "quotidien",
        "diario",
        "periódico",
        "jornal",
        "zeitung",
        "giornale",
        "صحيفة",
    )
)
_GENERIC_PRESS = re.compile(
    r"(?:the|la|l['’]|le|el|die|der|a|o|il)\s*(?:(?:state|state-run|official|semi-official)"
    r"\s+)?(?P<noun>news\s+agency|agency|wire\s+service|news\s+organi[sz]ation|"
    r"newspaper|paper|daily|broadcaster|channel|network|outlet|magazine|agence|agencia|"
    r"agência|agenzia|Nachrichtenagentur|Agentur|quotidien|diario|peri[oó]dico|jornal|"
    r"Zeitung|giornale)",
    re.IGNORECASE,
)
#: A press noun phrase ending a clause ("the French news agency", "IRNA news agency",
#: "Iranian state media").
_PRESS_NOUNS = (
    r"(?:news\s+agency|agency|wire\s+service|news\s+organi[sz]ation|newspaper|paper|daily|"
    r"broadcaster|channel|network|outlet|magazine|agence|agencia|agência|agenzia|"
    r"Nachrichtenagentur|Agentur)"
)
_PRESS_BEFORE = re.compile(
    r"(?:^|(?<=[\s,;:“\"(]))(?P<np>(?:[Tt]he|[Ll]a|[Ll]['’]|[Ll]e|[Ee]l|[Dd]ie|[Dd]er)\s*"
    r"(?:[\w.’'-]+\s+){0,4}?" + _PRESS_NOUNS + r"(?:\s+[" + UPPER + r"][\w.’'-]*){0,3}"
    r"|(?:[\w.’'-]+\s+){0,3}?[" + UPPER + r"][\w.’'-]*\s+(?:(?:news\s+)?agency|newspaper|daily|"
    r"broadcaster|channel|TV|television)"
    r"|(?:[" + UPPER + r"][\w’'-]+\s+)?(?:state|state-run|state-owned|official|local|"
    r"semi-official)\s+(?:media|television|TV|radio))\s*$"
)


_PHRASE_WORDS = re.compile(r"[^\s'’]+")
_PRESS_WORDS = re.compile(
    "agen|Agentur|paper|daily|broadcast|channel|network|outlet|magazine|media|televis|TV|radio|"
    "wire|organi"
)


def press_before(reader: Reader, text: str, position: int) -> dict[str, Any] | None:
    """The agency or outlet named at the end of ``text`` ("... the news agency")."""
    tail = text[-120:]
    match = _PRESS_BEFORE.search(tail) if _PRESS_WORDS.search(tail) else None
    if match:
        np = match.group("np")
        at = position - len(tail) + match.start("np")  # where the phrase starts
        if re.search(r"(?i)\b(?:media|television|tv|radio)$", np):
            party = press_phrase(reader, np, at)
            return party or {"name": np.removeprefix("the ").removeprefix("The "), "kind": "outlet"}
        return press_phrase(reader, np, at)
    run, the = run_before(text)
    party = party_named(reader, run, the) if run else None
    return party if party and party["kind"] in PRESS else None


#: Where an object noun phrase ends: punctuation or a word that starts a new clause.
_NP_END = re.compile(
    r"[,;:!?()\[\]\"“”«»—–]|\.(?!\S)|\s(?:that|who|which|on|in|at|last|this|when|as|after|before|"
    r"while|about|by|for|during|from|over|since|and|but|if|because|to|que|qui|dont|en|"
    r"dans|sur|lors|mais|et|y|e|und|aber|dass|am|im|seit|bei|mit|als|wie|nas|na|no|em|"
    r"ao|che|nel|nella|sulla|durante|tras|según|mientras|cuando)\s",
)


def noun_phrase(text: str) -> str:
    """The noun phrase ``text`` starts with, up to punctuation or a clause word (≤ 100 chars)."""
    text = text[:120].lstrip()
    match = _NP_END.search(text)
    return text[: match.start()] if match else text[:100]


# --- cues ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cue:
    """A literal-led regex marking where a family's pattern may start.

    ``backward``: the regex runs on the reversed text (its literal is a reversed verb,
    and what follows it is what precedes the verb in the text). The group ``cue`` is
    the cue itself; ``read`` turns the sentence around it into claims.
    """

    regex: re.Pattern[str]
    read: Callable[[Reader, Sentence, int, int], list[Claim]]
    backward: bool = False


def forward_cue(literal: str, read: Callable[[Reader, Sentence, int, int], list[Claim]],
                gate: str = "", rest: str = "") -> Cue:
    """A cue led by ``literal`` (then ``rest``, both the cue) where ``gate`` follows."""
    return Cue(re.compile(rf"(?P<cue>{literal}{rest}){gate}"), read)
