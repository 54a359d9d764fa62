"""Attribution in the prose: who the article says said, told, reported or was quoted.

``prose_links`` reads the normalised article text for reporting clauses and returns
links shaped as ``$defs/link`` of ``schemas/provenance.schema.json``: information came
from ``source`` and was relayed by ``via``. ``via`` is the outlet unless the sentence
names a relayer ("X told AFP", "AFP quoted X as saying", "X said, according to
Reuters", "sources told the news agency"); then a second link says the outlet relayed
that relayer, so following ``via`` from the outlet back gives the whole chain
(outlet ← AFP ← unnamed sources). Pattern families (``method`` is ``prose-<family>``):

* ``said``: "X said" / "said X" / "X says", with title appositions ("Jane Doe, the
  mayor, said"), and ``speech`` when it was "in a televised speech / statement /
  interview / news conference";
* ``told``: "X told AFP / reporters / the news agency";
* ``according``: "according to X", "selon", "d'après", "según", "de acuerdo con",
  "laut", "zufolge", "nach Angaben", "segundo", "de acordo com", "secondo", "وفقا لـ",
  "بحسب";
* ``reported``: "AFP reported", "reported by X", "the agency said", "berichtete die
  Nachrichtenagentur dpa", "ذكرت وكالة";
* ``quoted``: "X quoted Y as saying", "Y was quoted by X", "..., citing Y", "نقلت وكالة X
  عن Y", "cité par";
* ``agency``: a statement made to a named agency in French, Spanish, Portuguese,
  Italian, German or Arabic ("a indiqué à l'AFP", "dijo a EFE", "sagte der
  Nachrichtenagentur dpa", "قال ... لوكالة");
* ``anonymous``: unnamed sources standing alone in those languages ("de source proche
  du dossier", "fuentes que pidieron el anonimato", "aus Regierungskreisen", "مصادر
  مطلعة").

Anonymous sources ("unnamed officials", "a source close to the negotiations", "aus
Regierungskreisen", "مصادر مطلعة") are kind ``anonymous``. "the news agency said"
resolves to the agency named last before it; "the French news agency" and such through
the registry's descriptors. Pronouns are never sources, and a bare surname is a person
only when the text gives the full name, a title goes with it or it tells an agency.

Cost, and why no NLP library. Measured on one core (CPython 3.11, best of several
runs) on the 100 KB text of ``benchmarks/common.py``'s ``article_page``, where every
dozenth word is "said", "reported", "sources", "agency" or "officials", and on the 18
English corpus articles (5 KB of text each on average):

* spaCy 3.8 from PyPI (scratch virtualenv): its blank English tokenizer alone takes
  100-150 ms per 100 KB, over a hundred times this module's whole cost, before any tagger,
  parser or entity model; and the trained pipelines are not on PyPI (they download from
  GitHub at install or run time), which the project rules out. blingfire's sentence
  splitter alone takes 2.6 ms per 100 KB. So: no NLP dependency.
* This module, English: 0.72-0.76 ms per synthetic 100 KB page (0.43 ms of it finding
  the cues, the rest reading ~13 sentences), 0.34 ms per real article;
  ``language=None``: 0.84 ms on the synthetic page.

What makes it cheap: each cue is a regex that starts with a literal, which CPython's
``re`` finds at ~0.5 ns a character (a leading character class, ``\\b`` or ``re.I`` made
the same search 20-50 times slower, and ``in`` tests were slower than the regex); verbs
whose subject comes first ("X said") are searched in the reversed text, where a gate
right after the reversed verb (possessive quantifiers, and word lists grouped by first
letter, since ``re`` tries alternatives one by one) keeps "Volker said", "two officials
said" or ", said" and drops "minister said" without leaving C; "according to", "as
saying" and "citing" share one reversed cue ("gni..."). Only cue hits reach Python,
which reads one sentence of at most ``MAX_SENTENCE_CHARS`` around each. With no language
tag, the first ``SNIFF_CHARS`` of the text pick the sets to run by their function words
(all of them when none shows). Every regex is bounded (no nested unbounded quantifiers),
lines longer than ``MAX_LINE_CHARS`` are skipped and at most ``MAX_CUES`` cues are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .attribution import MAX_EVIDENCE_CHARS, MAX_LINE_CHARS, _Links
from .parties import AGENCIES, PRESS, Registry, registry

#: Longest sentence read around a cue; a longer one is a list or a text dump.
MAX_SENTENCE_CHARS = 600
#: Most cues read in one text: real articles have tens, so this only bounds hostile input.
MAX_CUES = 400
#: How far back (characters) "the news agency" looks for the agency it refers to.
BACKREF_CHARS = 6_000
#: How far back (characters) a surname looks for the person's full name.
FULL_NAME_CHARS = 20_000
#: Longest name of an anonymous source we keep ("a source close to the negotiations").
MAX_ANONYMOUS_CHARS = 80

_LANGUAGES = ("en", "fr", "es", "de", "pt", "it", "ar")
_OUTLET_KINDS = frozenset({"outlet"})


def _char_class(test: Callable[[str], bool]) -> str:
    """A regex class body of the characters below U+0530 passing ``test`` (Latin, Greek, Cyrillic)."""
    codes = [c for c in range(0x530) if test(chr(c))]
    ranges, start = [], 0
    for index, code in enumerate(codes):
        if index + 1 == len(codes) or codes[index + 1] != code + 1:
            first = re.escape(chr(codes[start]))
            ranges.append(first if codes[start] == code else f"{first}-{re.escape(chr(code))}")
            start = index + 1
    return "".join(ranges)


_UP = _char_class(str.isupper)
_LOW = _char_class(str.islower)

# --- words ---------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Capitalised words that start sentences and clauses but are nobody's name (and the same
#: in the other languages read here, but not name particles such as the "Le" of "Le Drian").
_NOT_NAMES = _words(
    """
    a an and as at after also although another all because before both but by despite
    during each earlier either even every for from furthermore he her here his how however
    i if in into it its later meanwhile moreover my neither no not now of on or our over
    she since so some still such that the their then there these they this those though
    through to today tomorrow tonight under until we what when where whether which while
    who whom whose why with without yesterday yet you your according asked speaking god
    covid is was are were be been being have has had do does did will would can could
    should must might shall
    laut nach zufolge selon según segundo secondo mit für auf im am bei und aber doch dans
    pour avec sur par pero para con por sin sobre entre desde hasta com sem mas pelo pela
    per nel dal sul les los las il lo gli una uno un une ein eine einer einem die
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december
    """
)
#: Words a person's name never contains (the calendar words above may: "Theresa May").
_NEVER_IN_NAMES = _NOT_NAMES - frozenset(
    "may june april august march monday tuesday wednesday thursday friday".split()
)
_PRONOUNS = frozenset(
    "he she they it we i you who which that one il elle ils elles on él ella ellos ellas "
    "er sie es man ele ela eles elas lui lei loro".split()
)
#: Object pronouns and demonstratives that start Romance and German clauses ("Lo ha detto").
_CLITICS = frozenset("lo la le gli ce cela ceci ça esto eso ello isso isto das dies".split())
_NOT_SUBJECTS = (_NEVER_IN_NAMES | _PRONOUNS) - {"that", "who", "which"}
#: Titles and roles before a name ("Interim BART Police Chief Ed Alvarez", "Dr. Skaik").
_TITLES = frozenset(
    """president vice prime minister secretary senator sen rep representative congressman
    congresswoman gov governor lt lieutenant mayor judge justice general gen col colonel
    maj major capt captain sgt sergeant adm admiral commander chief police commissioner
    director spokesman spokeswoman spokesperson ambassador envoy attorney prosecutor
    chairman chairwoman chair ceo cfo founder dr mr mrs ms miss prof professor king queen
    prince princess crown sheikh sheik emir imam ayatollah pope cardinal bishop
    archbishop rabbi father sir lord lady dame interim former deputy acting assistant
    associate administrator officer inspector superintendent sheriff detective coach
    manager leader speaker chancellor premier foreign defense defence health interior
    finance trade economy education energy home state supreme national security adviser
    advisor counsel special senior executive economist analyst editor correspondent
    house senate presidente président ministre ministro portavoz porte-parole secretario
    secrétaire alcalde maire sindaco prefeito governador gobernador diputado député
    senador sénateur jefe chef directeur diretor direttore docteur dottore doutor señor
    señora monsieur madame don doña signor herr frau bürgermeister""".split()
)
_TITLE_ENDINGS = (
    "minister",
    "ministerin",
    "präsident",
    "präsidentin",
    "sprecher",
    "sprecherin",
    "kanzler",
    "kanzlerin",
    "chef",
    "chefin",
)
#: Name particles that may sit inside a name ("Abu", "bin", "de", "van").
_PARTICLES = frozenset(
    "al el bin ibn bint ben abu de da di del della der den van von dos das du la le y".split()
)
#: A token that starts with a lowercase Arabic article glued to a name ("al-Houthi").
_GLUED = re.compile(r"(?:al|el|ad|ar|as|ash|at|az|an|ul|bin|ibn|abu|d['’])-?[" + _UP + "]")
_INITIALS = re.compile(r"(?:[" + _UP + r"]\.){2,}")  # "U.S.", "U.N.": places, not names
_ACRONYM = re.compile(r"[" + _UP + r"][" + _UP + r"0-9&]{1,7}")

#: Words (casefolded) that make a name a government's, an organisation's or an outlet's.
_GOVERNMENT_WORDS = frozenset(
    """préfecture ministry ministries department pentagon kremlin élysée elysee police army
    navy military government administration cabinet parliament senate congress presidency embassy consulate
    prosecutor prosecutors court tribunal municipality sheriff ministère ministerio
    ministerium ministério ministero gouvernement gobierno regierung bundesregierung governo
    polizei policía polícia polizia gendarmerie carabinieri armée ejército exército esercito
    bundeswehr présidence presidencia presidência kanzleramt staatsanwaltschaft fiscalía
    parquet procura procuradoria ayuntamiento mairie rathaus prefeitura comune idf fbi cia
    nsa dhs doj""".split()
)
_GOVERNMENT_PHRASES = (
    "white house",
    "downing street",
    "air force",
    "armed forces",
    "defense forces",
    "defence forces",
    "foreign office",
    "home office",
    "city hall",
    "city council",
    "homeland security",
    "coast guard",
)
_ORGANIZATION_WORDS = frozenset(
    """inc corp corporation co company ltd llc plc gmbh ag group holdings foundation institute
    institution university college school academy association society federation union
    organization organisation council committee commission board bank fund trust agency
    authority center centre hospital clinic church party movement alliance coalition league
    club network partners airlines airways international watch cross crescent observatory
    operator laboratory laboratories institut instituto istituto universität université
    universidad universidade università fundación fondation stiftung verband verein
    gesellschaft konzern empresa entreprise società organización asociación associazione
    associação partido parti partei sindicato syndicat gewerkschaft confederación
    confédération forum service servicio serviço servizio unicef unhcr unrwa nato""".split()
)
_OUTLET_WORDS = frozenset(
    """times post herald journal gazette tribune daily telegraph chronicle observer standard
    mail express mirror monitor magazine newspaper radio tv television broadcaster
    broadcasting zeitung tagblatt tageblatt rundschau kurier diario periódico gazzetta
    corriere jornal folha quotidien hebdo news""".split()
)
_WORD = re.compile(r"\w+")


def _markers(name: str) -> frozenset[str]:
    """The kinds (government, organization, outlet) that words in ``name`` point to."""
    folded = name.casefold()
    words = set(_WORD.findall(folded))
    kinds = set()
    if (
        words & _GOVERNMENT_WORDS
        or any("ministeri" in w for w in words)
        or any(phrase in folded for phrase in _GOVERNMENT_PHRASES)
    ):
        kinds.add("government")
    if words & _ORGANIZATION_WORDS:
        kinds.add("organization")
    if words & _OUTLET_WORDS:
        kinds.add("outlet")
    return frozenset(kinds)


# --- anonymous sources ----------------------------------------------------------------

_ANON_NOUNS = frozenset(
    "source sources official officials diplomat diplomats insider insiders person people "
    "aide aides".split()
)
#: Words that may stand right before "sources"/"officials" said: quantifiers, the usual
#: modifiers, and clause words ("... and officials said").
_ANON_BEFORE = frozenset(
    """a an one two three four five six several some many multiple other various senior top
    security diplomatic government military police intelligence administration health
    medical local informed knowledgeable unnamed anonymous unidentified official industry
    party palace court hospital western european american israeli palestinian russian
    ukrainian chinese iranian arab and but that after as while when where because since
    though""".split()
)
_COMMON_MODIFIERS = frozenset(
    """senior top several some government security military diplomatic police administration
    intelligence health medical local informed knowledgeable unnamed anonymous other two
    three""".split()
)
_NEEDS_QUALIFIER = frozenset("person people aide aides".split())
_QUANTIFIERS = frozenset(
    "a an one two three four five six several some many multiple other various".split()
)
#: Words that end a modifier run before the noun ("the minister and sources said").
_STOP_MODIFIERS = frozenset(
    """and or but the of that which who to in on at for by as is was were be been are has
    have had said says told with from than this these those it its their his her our
    after before when while if""".split()
)
_QUALIFIER = re.compile(
    r"\s+(?:close\s+to|familiar\s+with|with\s+(?:direct\s+|first-?hand\s+)?knowledge\s+of|"
    r"briefed\s+on|involved\s+in|in|at|inside|within|from|who\s+(?:know|knew|are|were|have|"
    r"had|spoke|talked|attended|saw|heard))\s+[^,;:\"“”()]{2,60}?(?=\s*(?:,|$))",
)
_ANONYMITY = re.compile(
    r",?\s*(?:who|speaking|talking)\s+[^,;\"“”]{0,40}?(?:anonymity|anonymously|"
    r"not\s+to\s+be\s+(?:named|identified)|to\s+be\s+(?:named|identified)|"
    r"(?:not\s+)?authori[sz]ed\s+to\s+(?:speak|talk|comment)|in\s+the\s+open)[^,;]{0,40}?,?\s*$",
)


_MODIFIER = re.compile(r"[\w.’'-]+")
_ANONYMITY_WORDS = re.compile("anonym|named|identified|authori|in the open")


def _anonymous(np: str) -> dict[str, Any] | None:
    """The anonymous party an English noun phrase names ("two senior officials who ..."), or None."""
    np = np[-200:].strip(" ,")
    clause = _ANONYMITY.search(np) if _ANONYMITY_WORDS.search(np) else None
    if clause:
        np = np[: clause.start()].rstrip(" ,")
    words = np.split()
    index = next(
        (
            i
            for i in range(len(words) - 1, max(-1, len(words) - 14), -1)
            if words[i].casefold().strip(",") in _ANON_NOUNS
        ),
        None,
    )
    if index is None:
        return None
    noun = words[index].strip(",").casefold()
    rest = " ".join(words[index + 1 :])
    qualifier = ""
    if rest:
        match = _QUALIFIER.fullmatch(" " + rest)
        if not match or (
            noun in ("person", "people") and match.group(0).split()[0] in ("in", "at", "from")
        ):
            return None
        qualifier = " " + rest
    if noun in _NEEDS_QUALIFIER and not (qualifier or clause):
        return None
    start = index
    while start > 0 and index - start < 4:
        word = words[start - 1]
        if word.casefold() in _STOP_MODIFIERS or not _MODIFIER.fullmatch(word):
            break
        start -= 1
    modifiers = words[start:index]
    while modifiers and modifiers[0].casefold() in _QUANTIFIERS:
        modifiers.pop(0)
    if (
        start > 0
        and words[start - 1].casefold() == "the"
        or any(m.casefold() in ("the", "these", "those", "such") for m in modifiers)
    ):
        return None  # "the sources said": someone named before, not a new source
    singular = not noun.endswith(("s", "people"))
    named = {m.casefold() for m in modifiers} & {"unnamed", "anonymous", "unidentified"}
    if modifiers and modifiers[0].casefold() in _COMMON_MODIFIERS:
        modifiers[0] = modifiers[0].casefold()  # "Senior officials said" at a sentence start
    core = " ".join([*modifiers, noun])
    if qualifier and not clause:
        name = ("a " if singular else "") + core + qualifier
    elif named:
        name = (("an " if core[0] in "aeiou" else "a ") if singular else "") + core
    else:
        name = ("an unnamed " if singular else "unnamed ") + core
    name = name.strip()
    if len(name) > MAX_ANONYMOUS_CHARS:
        name = name[:MAX_ANONYMOUS_CHARS].rsplit(" ", 1)[0]
    return {"name": name, "kind": "anonymous"}


# --- reading names --------------------------------------------------------------------


_DIGIT = re.compile(r"\d")


def _is_name_token(token: str) -> bool:
    return (
        bool(token)
        and (token[0].isupper() or bool(_GLUED.match(token)))
        and not (_DIGIT.search(token))
    )


def _run_before(text: str) -> tuple[list[str], bool]:
    """The capitalised words that end ``text`` ("... NASA’s Administrator Jim Bridenstine").

    Returns the words and whether a lone "The" stood before them.
    """
    run: list[str] = []
    for token in reversed(text[-160:].split()):
        if token[-1] in ',;:()[]"“”‘«»—–' or token.endswith(("’s", "'s")):
            break
        if _is_name_token(token) or (run and token.casefold() in _PARTICLES):
            run.insert(0, token)
            continue
        if len(run) >= 3 and token in ("of", "for", "in", "at", "from", "with", "on"):
            run.pop(0)  # "Attorney for the District of Massachusetts Joshua Levy"
        break
    while run and run[0].casefold() in _PARTICLES:
        run.pop(0)
    the = bool(run) and run[0] in ("The", "the")
    while run and _not_a_name(run[0]):
        run.pop(0)
    return run, the


def _run_after(text: str) -> tuple[list[str], bool]:
    """The capitalised words that start ``text`` ("Jeffrey Halley, a market analyst ...")."""
    run: list[str] = []
    the = False
    for token in text[:160].split():
        if not run and token in ("the", "The") and not the:
            the = True
            continue
        end = token[-1] in ',;:()[]"“”’»—–' or (token.endswith(".") and not _abbreviated(token))
        word = token.rstrip(',;:()[]"“”’»—–.') if end else token
        if word and (_is_name_token(word) or (run and word.casefold() in _PARTICLES)):
            run.append(word)
        else:
            break
        if end:
            break
    while run and run[-1].casefold() in _PARTICLES:
        run.pop()
    while run and _not_a_name(run[0]):
        run.pop(0)
    return run, the


def _not_a_name(token: str) -> bool:
    """A function word starting a run ("With", "Selon"), but not an acronym ("UN", "IL")."""
    return token.strip(".").casefold() in _NOT_NAMES and not token.isupper()


def _abbreviated(token: str) -> bool:
    """A title abbreviation or initial that ends in a period but not a sentence ("Dr.", "J.")."""
    bare = token.rstrip(".").casefold()
    return bare in _TITLES or len(bare) == 1 or bool(_INITIALS.fullmatch(token))


def _is_title(token: str) -> bool:
    word = token.rstrip(".").casefold()
    return word in _TITLES or word.endswith(_TITLE_ENDINGS) or bool(_INITIALS.fullmatch(token))


# --- the reader -----------------------------------------------------------------------


@dataclass(slots=True)
class _Claim:
    """One attribution found in a sentence; ``via`` None means the outlet."""

    source: dict[str, Any]
    relation: str
    family: str
    via: dict[str, Any] | None = None


@dataclass(slots=True)
class _Sentence:
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
class _Reader:
    """State shared by the cues of one text: lines, press mentions, names seen."""

    text: str
    outlet: Mapping[str, Any]
    parties: Registry
    links: _Links = field(init=False)
    _resolved: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    _reversed: str | None = None
    press_seen: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    _full_names: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    known: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    at: int = 0  # where the cue being read is

    def __post_init__(self) -> None:
        self.links = _Links(self.outlet)

    @property
    def reversed(self) -> str:
        if self._reversed is None:
            self._reversed = self.text[::-1]
        return self._reversed

    def sentence(self, position: int, end: int) -> _Sentence | None:
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
        return _Sentence(line, begin, close, line_start)

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
                        not _is_name_token(word)
                        or word[-1] in ',;:"“”('
                        or _is_title(word)
                        or (word.strip(".").casefold() in _NOT_NAMES)
                    ):
                        break
                    given.insert(0, word)
                    if not _INITIALS.fullmatch(word) and not re.fullmatch(r"\w\.", word):
                        break
                if given and not _is_title(given[0]):
                    name = " ".join([*given, surname])
                    if earliest and name != earliest:
                        found = None
                        break
                    found = earliest = name
            self._full_names[surname] = (earliest, found)
        earliest, unique = self._full_names[surname]
        return earliest if first else unique

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
    r"(?:^|[\s(\"“])(?:[" + _UP + r"](?:\.[" + _UP + r"])*|Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Lt|"
    r"Col|Capt|Sgt|Adm|Maj|St|Jr|Sr|Rev|Hon|No|Jan|Feb|Aug|Sept|Oct|Nov|Dec|Inc|Corp|Ltd|Co|"
    r"vs|etc)\.\Z"
)


def _ends_with_abbreviation(line: str, index: int) -> bool:
    """Whether ``line[:index]`` ends with "Mr." or "U.S." (no sentence ends there)."""
    return bool(_ABBREVIATION_END.search(line, max(0, index - 8), index))


# --- parties from noun phrases --------------------------------------------------------


def _party(
    reader: _Reader, run: list[str], the: bool, *, lone: bool = False
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
    titled = [i for i, token in enumerate(run) if _is_title(token)]
    person = run[titled[-1] + 1 :] if titled else run
    marked = _markers(name)
    if (
        titled
        and person
        and not the
        and _person_like(person)
        and not (_markers(" ".join(person)) & {"government", "organization"})
    ):
        return _person(reader, person, lone=True)  # "Police Chief Ed Alvarez", "Dr. Skaik"
    if "government" in marked:
        return reader.earlier({"name": name, "kind": "government"})
    if "outlet" in marked and (the or len(run) > 1):
        return reader.earlier({"name": name, "kind": "outlet"})  # "The Chronicle says"
    if "organization" in marked or (the and not titled):
        return reader.earlier({"name": name, "kind": "organization"})
    if len(run) == 1 and _ACRONYM.fullmatch(run[0]) and run[0] not in ("I", "OK", "TV"):
        return {"name": name, "kind": "organization"}  # "NASA said"
    if len(run) > 1 and not titled and any(_ACRONYM.fullmatch(t) for t in run):
        return {"name": name, "kind": "organization"}  # "California ISO"
    if marked or titled or not _person_like(person):
        return None
    return _person(reader, person, lone=lone)


def _person_like(words: list[str]) -> bool:
    """1-4 capitalised words, none a function word, an acronym or "U.S."."""
    if not 0 < len(words) <= 4:
        return False
    for word in words:
        folded = word.casefold()
        if len(word) > 25 or folded in _NEVER_IN_NAMES or folded in _PRONOUNS:
            return False
        if _ACRONYM.fullmatch(word) or _INITIALS.fullmatch(word):
            return False
    return True


def _person(reader: _Reader, words: list[str], *, lone: bool) -> dict[str, Any] | None:
    """A person; a lone surname takes the full name the text gives it, if any."""
    person = reader.earlier({"name": " ".join(words).strip(" ."), "kind": "person"})
    if len(words) == 1 and person["name"] == words[0].strip(" ."):
        full = reader.full_name(words[0])
        if full:
            return {"name": full, "kind": "person"}
        if not lone:
            return None
    return person


def _press_phrase(reader: _Reader, phrase: str, position: int) -> dict[str, Any] | None:
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
    generic = _GENERIC_PRESS.fullmatch(phrase)
    if generic:
        noun = generic.group("noun").casefold()
        kinds = (
            AGENCIES
            if "agen" in noun or "wire" in noun
            else (_OUTLET_KINDS if noun in _PAPERS else PRESS)
        )
        return reader.last_press(
            position, kinds, near=noun in ("agency", "agence", "agencia", "agência", "agenzia")
        )
    return None


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
    r"(?:[\w.’'-]+\s+){0,4}?" + _PRESS_NOUNS + r"(?:\s+[" + _UP + r"][\w.’'-]*){0,3}"
    r"|(?:[\w.’'-]+\s+){0,3}?[" + _UP + r"][\w.’'-]*\s+(?:(?:news\s+)?agency|newspaper|daily|"
    r"broadcaster|channel|TV|television)"
    r"|(?:[" + _UP + r"][\w’'-]+\s+)?(?:state|state-run|state-owned|official|local|"
    r"semi-official)\s+(?:media|television|TV|radio))\s*$"
)


_PHRASE_WORDS = re.compile(r"[^\s'’]+")
_PHRASE_WORDS = re.compile(r"[^\s'’]+")
_PRESS_WORDS = re.compile(
    "agen|Agentur|paper|daily|broadcast|channel|network|outlet|magazine|media|televis|TV|radio|"
    "wire|organi"
)


def _press_before(reader: _Reader, text: str, position: int) -> dict[str, Any] | None:
    """The agency or outlet named at the end of ``text`` ("... the news agency")."""
    tail = text[-120:]
    match = _PRESS_BEFORE.search(tail) if _PRESS_WORDS.search(tail) else None
    if match:
        np = match.group("np")
        at = position - len(tail) + match.start("np")  # where the phrase starts
        if re.search(r"(?i)\b(?:media|television|tv|radio)$", np):
            party = _press_phrase(reader, np, at)
            return party or {"name": np.removeprefix("the ").removeprefix("The "), "kind": "outlet"}
        return _press_phrase(reader, np, at)
    run, the = _run_before(text)
    party = _party(reader, run, the) if run else None
    return party if party and party["kind"] in PRESS else None


#: Where an object noun phrase ends: punctuation or a word that starts a new clause.
_NP_END = re.compile(
    r"[,;:!?()\[\]\"“”«»—–]|\.(?!\S)|\s(?:that|who|which|on|in|at|last|this|when|as|after|before|"
    r"while|about|by|for|during|from|over|since|and|but|if|because|to|que|qui|dont|en|"
    r"dans|sur|lors|mais|et|y|e|und|aber|dass|am|im|seit|bei|mit|als|wie|nas|na|no|em|"
    r"ao|che|nel|nella|sulla|durante|tras|según|mientras|cuando)\s",
)


def _object(text: str) -> str:
    """The noun phrase ``text`` starts with, up to punctuation or a clause word (≤ 100 chars)."""
    text = text[:120].lstrip()
    match = _NP_END.search(text)
    return text[: match.start()] if match else text[:100]


# --- English families -----------------------------------------------------------------

_SPEECH = re.compile(
    r"\s*,?\s*(?:(?:on|late|early|last|this|earlier|later)\s+\w+\s+|yesterday\s+|today\s+)?"
    r"(?:in|during|at|on)\s+(?:an?|the|his|her|their|its|a\s+joint)\s+(?:[\w-]+\s+){0,3}?"
    r"(?P<kind>speech|statement|address|interview|press\s+conference|news\s+conference|"
    r"briefing|conference\s+call|remarks|sermon|broadcast|video\s+message|communiqu[ée])s?\b"
    r"(?:\s+(?:with|to)\s+(?P<press>[^,.;]{2,60}))?",
)
_SPEECH_FRONT = re.compile(
    r"(?i)^\W{0,3}(?:in|during|at|speaking\s+(?:at|to|in|during|on))\s+(?:an?|the|his|her|"
    r"their)\s+(?:[\w-]+\s+){0,3}?(?:speech|statement|address|interview|press\s+conference|"
    r"news\s+conference|briefing|broadcast)\b[^,]{0,80},"
)
_TOLD_PRESS = re.compile(
    r"\s*(?:(?P<crowd>reporters|journalists|the\s+media|the\s+press|an?\s+(?:news|press)\s+"
    r"conference|an?\s+(?:news\s+|press\s+)?briefing)\b|(?P<np>(?:[^,;:.!?\"“”]|\.(?=\S)){2,80}))",
)
_ACCORDING_PRESS = re.compile(r",\s*according\s+to\s+(?P<np>[^,;.!?]{2,60})")


_ANON_HINTS = re.compile("anonym|named|identified|familiar with|knowledge of|close to|briefed on")
_CLAUSE_BREAK = re.compile(r"[;:“”\"]")
_RELATIVE = re.compile(r"\s*(?:who|speaking|talking)\b")
_APPOSITION = re.compile(r"(?:an?\s|the\s|who\s|whose\s|which\s|[" + _LOW + "])")


_SPOKES_FOR = re.compile(r"\bspokes(?:man|woman|person)\s+for\s+(?P<np>[^,;:\"“”]{2,80}?)\s*$")
_SPOKES_OF = re.compile(
    r"\b(?:an?|the)\s+(?P<org>[" + _UP + r"][\w.&’'-]*(?:\s+[" + _UP + r"][\w.&’'-]*){0,3})"
    r"(?:\s+(?P<gov>military|army|police|government|(?:foreign|defen[cs]e|health|interior)\s+"
    r"ministry|ministry))?\s+spokes(?:man|woman|person)\s*$"
)
_OWNED_GOVERNMENT = re.compile(
    r"(?:^|\s)(?:the\s+)?(?P<np>[" + _UP + r"][\w-]+(?:['’]s)?\s+(?:[a-z]+\s+){0,2}?(?:government|"
    r"military|army|police|authorities|ministry|embassy|presidency))\s*$"
)


def _spokesperson(reader: _Reader, tail: str) -> dict[str, Any] | None:
    """Whom "a spokesman for X" or "a Pentagon spokeswoman" speaks for."""
    if match := _SPOKES_FOR.search(tail):
        np = _object(match.group("np") + ",")
        if government := _NATIONAL_GOVERNMENT.match(np):
            return {"name": government.group(1), "kind": "government"}
        run, the = _run_after(np)
        if run:
            party = _party(reader, run, the)
            return (
                party
                if party and party["kind"] != "person"
                else {"name": " ".join(run), "kind": "organization"}
            )
        return None
    if match := _SPOKES_OF.search(tail):
        name = match.group("org") + (" " + match.group("gov") if match.group("gov") else "")
        party = _party(reader, name.split(), False)
        if party and party["kind"] != "person":
            return party
        return {"name": name, "kind": "government" if match.group("gov") else "organization"}
    return None


def _subject(
    reader: _Reader, sentence: _Sentence, index: int, *, lone: bool = False
) -> dict[str, Any] | None:
    """Who speaks when the clause ends at ``index``: a name, an agency, anonymous sources."""
    before = sentence.before(index).rstrip()
    if not before:
        return None
    last = before.split()[-1].casefold().strip('"“”,')
    if last in _PRONOUNS:
        return None
    tail = before[-90:]
    if last in _ANON_NOUNS or _ANON_HINTS.search(tail):
        segments = _CLAUSE_BREAK.split(before[-240:])[-1].split(", ")
        clause = segments.pop()
        while segments and (not clause.strip() or _RELATIVE.match(clause)):
            clause = segments.pop() + ", " + clause
        if party := _anonymous(clause):
            return party
    if press := _press_before(reader, before, sentence.offset + index):
        return press
    if "spokes" in tail and (party := _spokesperson(reader, tail)):
        return party
    if owned := _OWNED_GOVERNMENT.search(
        tail
    ):  # "Iran's foreign ministry", "the Jordanian government"
        return {"name": owned.group("np"), "kind": "government"}
    peeled = False
    for _ in range(3):  # "Jane Doe, the mayor of X, said": peel the appositions
        trailing = before.endswith(",")
        if not (trailing or peeled):
            break
        body = before[:-1] if trailing else before
        cut = body.rfind(", ")
        opener = _APPOSITION.match(body, cut + 2) if cut >= 0 else None
        if cut < 0 or not opener:
            if trailing:
                return None
            break
        before, peeled = body[:cut], True
    run, the = _run_before(before)
    return _party(reader, run, the, lone=lone)


def _said(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    verb = sentence.line[start:end].casefold()
    after = sentence.after(end)
    source = _subject(reader, sentence, start, lone=verb == "told")
    if source is None and verb in ("said", "says"):
        before = sentence.before(start).rstrip()
        if not before or before[-1] in ',"”’—–:' or before.endswith("'"):
            run, the = _run_after(after)
            source = _party(reader, run, the)
            if source:
                after = after[after.find(run[-1]) + len(run[-1]) :]
    if source is None:
        return []
    relation, via = "said", None
    if verb == "told":
        told = _TOLD_PRESS.match(after)
        if told is None:
            return []
        if told.group("crowd"):
            relation = (
                "speech"
                if "conference" in told.group("crowd") or "briefing" in told.group("crowd")
                else "told"
            )
        else:
            via = _press_phrase(reader, _object(told.group("np")), sentence.offset + end)
            if via is None:
                return []
            relation = "told"
        if relation == "told" and re.match(
            r"[^,.;]{0,40}?\b(?:news|press)\s+conference|[^,.;]{0,40}?\bbriefing", after
        ):
            relation = "speech"
    elif speech := _SPEECH.match(after):
        relation = "speech"
        press = speech.group("press")
        if speech.group("kind").startswith("interview") and press:
            via = _press_phrase(reader, _object(press), sentence.offset + end)
            relation = "told" if via else "speech"
    elif _SPEECH_FRONT.match(sentence.before(start)):
        relation = "speech"
    if via is None and (according := _ACCORDING_PRESS.search(after)):
        via = _press_phrase(reader, _object(according.group("np")), sentence.offset + end)
    if source["kind"] in PRESS and via is None:
        relation = "reported"
    return [_Claim(source, relation, "told" if verb == "told" else "said", via)]


def _reported(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    after = sentence.after(end)
    if by := re.match(r"\s+by\s+", after):
        party = _press_phrase(reader, _object(after[by.end() :]), sentence.offset + end)
        return [_Claim(party, "reported", "reported")] if party else []
    before = re.sub(
        r"\s+(?:first|also|earlier|previously|initially|last)$", "", sentence.before(start).rstrip()
    )
    if citing := re.search(r",\s*(?:citing|quoting)\s[^,]{2,100},?\s*$", before):
        before = before[: citing.start()].rstrip()  # "The news organization, citing X, reported"
    if journalist := re.search(
        r"\b(?:an?|the)\s+(?P<press>[" + _UP + r"][^,;]{1,40}?)\s+(?:journalist|reporter|"
        r"correspondent|photographer|crew|team)\b[^,;]{0,60}?$",
        before,
    ):
        found = [p for p, _ in reader.parties.find(journalist.group("press"), kinds=PRESS)]
        return [_Claim(found[0], "reported", "reported")] if found else []
    party = _press_before(reader, before, sentence.offset + start)
    return [_Claim(party, "reported", "reported")] if party else []


def _according(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    after = sentence.after(end).removeprefix(" to ")
    return _cited(reader, sentence, after, sentence.offset + end, "according_to", "according")


def _ing(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    """ "according to", "as saying" and "citing": one cue, since reversed they share "gni"."""
    if sentence.line[start:end].casefold() == "according":
        return _according(reader, sentence, start, end)
    return _quoted(reader, sentence, start, end)


_DOCUMENT = re.compile(
    r"(?:(?:an?|the|his|her|its|their)\s+)?(?:[\w’'-]+\s+){0,3}?(?:report|statement|"
    r"investigation|study|survey|analysis|data|figures|estimates?|documents?|filing|"
    r"affidavit|complaint|release|tally|count|poll|assessment|letter|e-?mail|memo|"
    r"records?|audit|review)\s+(?:(?:released|issued|published|compiled|obtained)\s+)?"
    r"(?:by|from|of)\s+",
    re.IGNORECASE,
)


def _cited(
    reader: _Reader, sentence: _Sentence, after: str, position: int, relation: str, family: str
) -> list[_Claim]:
    """The source a preposition introduces ("according to X", "citing X"), with its relayer."""
    after = after.lstrip()
    relayed = re.search(r"\b(?:quoted|cited)\s+by\s+(?P<np>[^,;.]{2,60})", after[:160])
    via = _press_phrase(reader, _object(relayed.group("np")), position) if relayed else None
    if party := _anonymous(
        re.split(
            r"(?<=\w)(?:\s+(?:quoted|cited)\s+by\b|\s+who\s+(?:spoke|talked)\s+to\b)",
            _object_wide(after),
        )[0]
    ):
        return [_Claim(party, relation, family, via)]
    if document := _DOCUMENT.match(after):
        after = after[document.end() :]
    np = _object(after)
    if press := _press_phrase(reader, np, position):
        return [_Claim(press, relation, family)]
    if government := _NATIONAL_GOVERNMENT.match(np):  # "the Jordanian government"
        return [_Claim({"name": government.group(1), "kind": "government"}, relation, family, via)]
    run, the = _run_after(after)
    party = _party(reader, run, the)
    return [_Claim(party, relation, family, via)] if party else []


_NATIONAL_GOVERNMENT = re.compile(
    r"(?:the\s+)?([" + _UP + r"][\w-]+(?:['’]s)?\s+(?:[a-z]+\s+){0,2}?(?:government|military|"
    r"army|police|authorities|ministry|presidency|embassy|navy|cabinet))\b"
)


def _object_wide(text: str) -> str:
    """Like ``_object`` but keeping "who spoke on condition of anonymity" clauses."""
    text = text[:160]
    match = re.search(r"[;:.!?()\"“”]|,\s(?!who\b|speaking\b)", text)
    return text[: match.start()] if match else text


def _quoted(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    """ "AFP quoted X as saying", "X was quoted by AFP as saying", "..., citing X"."""
    position = sentence.offset + start
    if sentence.line[start:end] == "citing":  # "The news organization, citing X, reported"
        before = sentence.before(start).rstrip(" ,")
        relayer = _press_before(reader, before, position) if before else None
        if relayer is None:
            found = [p for p, _ in reader.parties.find(before, kinds=PRESS)]
            relayer = found[-1] if found else None
        return [
            _Claim(c.source, "according_to", "quoted", c.via or relayer)
            for c in _cited(
                reader, sentence, sentence.after(end), position, "according_to", "quoted"
            )
        ]
    before = sentence.before(start)  # ... as saying
    verb = None
    for verb in _QUOTED.finditer(before, max(0, len(before) - 160)):
        pass
    if verb is None:
        return []
    between = before[verb.end() :]
    if by := re.match(r"\s+by\s+", between):  # "X was quoted by AFP as saying"
        relayer = _press_phrase(reader, _object(between[by.end() :]), position)
        head = re.sub(
            r"(?:,|\s+(?:was|were|is|are|has\s+been|had\s+been))\s*$",
            "",
            before[: verb.start()].rstrip(),
        )
        clause = _Sentence(head, 0, len(head), sentence.offset + sentence.begin)
        source = _subject(reader, clause, len(head), lone=True) if head else None
        return [_Claim(source, "said", "quoted", relayer)] if source and relayer else []
    relayer = _press_before(reader, before[: verb.start()].rstrip(), position)
    if relayer is None:
        return []
    source = _anonymous(between)
    if source is None:
        run, the = _run_after(between)
        source = _party(reader, run, the)
    return [_Claim(source, "said", "quoted", relayer)] if source else []


_QUOTED = re.compile(r"\b(?:quoted|cited|quoting)\b")


# --- other languages ------------------------------------------------------------------

#: Reporting verbs before "à l'AFP", "a EFE", "à Reuters", "all'ANSA", then perhaps the
#: speaker ("«...», a déclaré Jean Dupont à l'AFP").
_ROMANCE_VERBS = re.compile(
    r"(?:d[ée]clar[ée]|indiqu[ée]|affirm[ée]|expliqu[ée]|pr[ée]cis[ée]|confi[ée]|assur[ée]|"
    r"dit|racont[ée]|soulign[ée]|ajout[ée]|estim[ée]|confirm[ée]|r[ée]pondu|"
    r"dijo|declar[óo]|asegur[óo]|aseguraba|afirm[óo]|explic[óo]|indic[óo]|señal[óo]|cont[óo]|"
    r"coment[óo]|precis[óo]|manifest[óo]|relat[óo]|detall[óo]|apunt[óo]|subray[óo]|"
    r"añadi[óo]|reconoci[óo]|advirti[óo]|sostuvo|"
    r"disse|afirmou|declarou|explicou|contou|garantiu|acrescentou|revelou|"
    r"detto|dichiarato|spiegato|raccontato|confermato|sottolineato|aggiunto)"
    r"(?:-t-(?:il|elle|on|ils))?(?:\s+(?P<mid>[^,;:«»\"“”]{1,60}?))?\s*$",
    re.IGNORECASE,
)
#: The agency right after "à", "a", "all'": an article, "agence", then its name.
_PRESS_WORD = re.compile(
    r"['’]?\s*(?:(?:l['’]|la|el|le|il|o|a)\s*)?(?:(?:agen\w+|Nachrichtenagentur)\s+)?[^\s,.;]+"
)
_AUXILIARIES = re.compile(
    r"\s+(?:a|avait|ont|ha|han|había|habían|tinha|tem|aveva|hanno|è|sono)\s*$", re.IGNORECASE
)
_ARTICLES = re.compile(
    r"^(?:(?:le|la|les|un|une|des|du|de\s+la|el|los|las|una|del|al|der|die|das|des|dem|den|"
    r"eines|einer|einem|o|a|os|as|do|da|dos|um|uma|il|lo|gli|i|della|dello|degli|dei|delle)"
    r"\s+|(?:l|d|de\s+l|dell|all|dall)['’]\s*)+",
    re.IGNORECASE,
)
_LOWER_TITLES = re.compile(
    r"^(?:(?:premier\s+)?ministre|pr[ée]sident[ea]?|porte-parole|directeur|directrice|"
    r"secr[ée]taire|chef|maire|d[ée]put[ée]|s[ée]nateur|ministro|ministra|presidenta?|"
    r"portavoz|director|directora|secretari[oa]|alcalde|alcaldesa|jef[ea]|diputad[oa]|"
    r"senador[a]?|porta-voz|diretor[a]?|prefeito|governador[a]?|sindaco|portavoce|"
    r"direttore|segretari[oa]|\w*minister(?:in)?|\w*präsident(?:in)?|\w*sprecher(?:in)?)\b",
    re.IGNORECASE,
)
_DEPARTMENTS = frozenset(
    """santé intérieur justice défense économie finances affaires étrangères travail
    éducation salud interior justicia defensa economía hacienda exteriores trabajo
    educación saúde justiça defesa economia fazenda salute interno giustizia difesa
    esteri lavoro istruzione gesundheit inneres verteidigung finanzen""".split()
)
#: Common nouns that German capitalises but that name nobody ("Bericht", "Angaben").
_GERMAN_NOUN = re.compile(r"(?:ung|heit|keit|schaft|tion|amt|ium|icht|aben|ahlen)$")


def _foreign_party(reader: _Reader, np: str, *, lone: bool = False) -> dict[str, Any] | None:
    """The party a French, Spanish, German, Portuguese or Italian noun phrase names."""
    bare = _ARTICLES.sub("", np.strip())
    if not bare:
        return None
    if bare[0].islower() and bare.split()[0].casefold() in _GOVERNMENT_WORDS:
        name = " ".join(bare.split()[:6])  # "ministère de l'Intérieur", "police"
        return {"name": name, "kind": "government"}
    if bare[0].islower():  # "le ministre de la Santé Olivier Véran"
        title = _LOWER_TITLES.match(bare)
        if not title:
            return None
        runs = re.findall(
            r"["
            + _UP
            + r"][\w’'-]*(?:\s+(?:(?:de|da|del|van|von|di|le|la)\s+)?["
            + _UP
            + r"][\w’'-]*)*",
            bare[title.end() :],
        )
        run = runs[-1].split() if runs else []
        while run and run[0].casefold() in _DEPARTMENTS:
            run.pop(0)
        party = _party(reader, run, False, lone=True)
        return party if party and party["kind"] == "person" else None
    run, _ = _run_after(bare)
    if not run or len(run) > 5:
        return None
    name = " ".join(run)
    marked = _markers(name)
    if "government" in marked:
        return {"name": name, "kind": "government"}
    if "organization" in marked or _ACRONYM.fullmatch(name):
        return {"name": name, "kind": "organization"}
    titled = [i for i, t in enumerate(run) if _is_title(t)]
    person = run[titled[-1] + 1 :] if titled else run
    if len(person) == 1:
        return _person(reader, person, lone=lone or bool(titled))
    if len(person) <= 3 and _person_like(person) and not _GERMAN_NOUN.search(person[-1]):
        return {"name": " ".join(person), "kind": "person"}
    return None


def _foreign_np(
    reader: _Reader, after: str, position: int, relation: str, family: str
) -> list[_Claim]:
    """A claim for the party named after "selon", "según", "laut", "segundo", "secondo"."""
    np = _object(after)
    party = _press_phrase(reader, np, position) or _foreign_party(reader, np)
    return [_Claim(party, relation, family)] if party else []


def _told_agency(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    """ "X a indiqué à l'AFP", "dijo a EFE", "disse à Reuters", "ha detto all'ANSA"."""
    via = _press_phrase(reader, _object(sentence.after(end)), sentence.offset + end)
    if via is None:  # checked first: "a Madrid" is far more common than "a EFE"
        return []
    before = sentence.before(start)
    verb = _ROMANCE_VERBS.search(before[-140:])
    if not verb:
        return []
    mid = verb.group("mid")
    if mid:  # inverted: «...», a déclaré Jean Dupont à l'AFP
        source = _foreign_party(reader, mid, lone=True) or _anonymous_any(mid)
    else:
        clause = _AUXILIARIES.sub(
            "", before[: len(before) - len(before[-140:]) + verb.start()]
        ).rstrip()
        source = _anonymous_any(clause[-120:])
        if source is None and clause.endswith(","):
            # "El ministro de Exteriores, José Manuel Albares, dijo": the name is the
            # apposition; "Jean Dupont, porte-parole du gouvernement, a déclaré": before it
            head, _, apposition = clause[:-1].rpartition(",")
            run, the = _run_after(apposition)
            if run and len(run) == len(apposition.split()):
                source = _party(reader, run, the, lone=True)
            elif head:
                run, the = _run_before(head.rstrip())
                source = _party(reader, run, the, lone=True)
        elif source is None:
            run, the = _run_before(clause)
            if run and run[0].casefold() not in _CLITICS:
                source = _party(reader, run, the, lone=True)
    if source is None:  # "Lo ha detto all'ANSA il sindaco Beppe Sala"
        rest = sentence.after(end).lstrip()
        press = _PRESS_WORD.match(rest)
        source = _foreign_party(reader, rest[press.end() :], lone=True) if press else None
    return [_Claim(source, "told", "agency", via)] if source else []


_ANON_QUALIFIER = (
    r"(?:proches?|cercanas?|cercanos?|pr[oó]xim[ao]s?|vicin[ae])\s+(?:de|du|des|del|de\s+la|"
    r"d['’]|a|al|à|au|aux|ao|da|do|dos|das|alla|allo|ai|agli|alle)\s*[^,;.]{2,50}?"
    r"|(?:bien\s+|bem\s+)?inform[ée]es?|bien\s+informadas|bem\s+informadas|s[ée]curitaires?|"
    r"diplomatiques?|gouvernementales?|militaires?|polici[èe]res?|judiciaires?|oficiales?|"
    r"diplom[aá]tic[ao]s?|militares?|policiales?|gubernamentales?|de\s+seguridad|oficiais|"
    r"qualificate|diplomatiche|governative|an[oó]nim[ao]s"
)
_ANON_CLAUSE = (
    r"(?:qui|que|che)\s+(?:ont|a|han|ha|hanno|pidieron|pidi[oó]|pediram|requis|"
    r"demand[ée]|solicitaron|chiesto)\s+[^,;.]{0,30}?(?:anonymat|anonimato)"
)
_ANON_OTHER = re.compile(
    r"(?P<np>(?:une?\s+|des\s+|una?s?\s+|unos\s+|las\s+|umas?\s+|dos\s+|duas\s+|due\s+)?"
    r"(?:sources?|fuentes?|fontes?|fonti)\s+"
    rf"(?:(?:{_ANON_QUALIFIER})(?:\s+{_ANON_CLAUSE})?|{_ANON_CLAUSE})"
    r"(?=[,;.]|\s+(?:que|qui|ont|a|han|ha|dijo|dijeron|señalaron|indicaron|confirmaron|"
    r"disseram|hanno|citées|citadas|consultadas|ouvidas)\b|$))"
    r"|(?P<circles>aus\s+(?:[\w-]+)?[Kk]reisen(?:\s+(?:der|des)\s+[^,;.]{2,40}?)?(?=[,;.]|\s|$))"
    r"|(?P<ar>مصادر\s+(?:مطلعة|أمنية|دبلوماسية|طبية|عسكرية|حكومية|رسمية|فلسطينية|إسرائيلية|"
    r"مقربة\s+من\s+\S+(?:\s+\S+)?)|مصدر\s+(?:مطلع|أمني|دبلوماسي|طبي|عسكري|حكومي|رسمي|مسؤول|"
    r"مقرب\s+من\s+\S+(?:\s+\S+)?))",
    re.IGNORECASE,
)
_NOT_CIRCLES = re.compile(r"(?i)\b(?:land|stadt|wahl|verwaltungs)kreisen")


def _anonymous_any(text: str) -> dict[str, Any] | None:
    """An anonymous source in any language read here ("source proche du dossier", "مصدر مطلع")."""
    match = _ANON_OTHER.search(text)
    if not match:
        return _anonymous(text)
    if match.group("circles") and _NOT_CIRCLES.search(match.group(0)):
        return None
    name = re.sub(r"(?i)^de\s+", "", match.group(0).strip())
    if match.group("np") or match.group("circles"):
        name = name[0].lower() + name[1:]  # "Fuentes cercanas a ..." at a sentence start
    return {"name": name[:MAX_ANONYMOUS_CHARS], "kind": "anonymous"}


def _said_anonymous(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    """ "de source proche du dossier", "fuentes cercanas a", "aus Regierungskreisen", "مصادر مطلعة"."""
    window = sentence.line[max(sentence.begin, start - 40) : min(sentence.stop, end + 100)]
    party = _anonymous_any(window) if _ANON_OTHER.search(window) else None
    if party is None:
        return []
    relayed = re.search(
        r"(?:consultad[oa]s|citad[oa]s|cit[ée]e?s?|ouvidas|citate)\s+(?:por|par|pel[oa]|dall['’]|da)"
        r"\s+(?P<np>[^,;.]{2,60})",
        sentence.line[start : sentence.stop],
    )
    via = (
        _press_phrase(reader, _object(relayed.group("np")), sentence.offset + end)
        if relayed
        else None
    )
    return [_Claim(party, "said", "anonymous", via)]


def _according_other(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    """ "selon X", "d'après X", "según X", "laut X", "nach Angaben X", "segundo X", "secondo X"."""
    cue = sentence.line[start:end]
    before = sentence.line[max(0, start - 2) : start]
    if cue in ("elon ", "egún ", "egundo ", "econdo ", "aut ") and (
        not before or before[-1] not in "sSlL" or (len(before) == 2 and before[0].isalpha())
    ):
        return []
    after = re.sub(
        r"^\s*(?:ha\s+)?(?:inform[óo]|informou|indic[óo]|explic[óo]|public[óo]|report[óo]|"
        r"ha\s+explicado|ha\s+informado|afirm[óo]|riferisce|riporta|rapporte|indique)\s+",
        "",
        sentence.after(end),
    )
    if _ANON_OTHER.match(after.lstrip()):
        party = _anonymous_any(after.lstrip()[:160])
        return [_Claim(party, "according_to", "according")] if party else []
    return _foreign_np(reader, after, sentence.offset + end, "according_to", "according")


def _reported_other(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    """ "rapporte l'AFP", "informó EFE", "berichtete die Nachrichtenagentur dpa"."""
    party = _press_phrase(reader, _object(sentence.after(end)), sentence.offset + end)
    if party is None:  # "wie die Nachrichtenagentur Ansa berichtete"
        clause = re.search(
            r"\b(?:wie|comme|como|come)\s+(?P<np>[^,;]{2,80})$", sentence.before(start).rstrip()
        )
        if clause:
            found = [p for p, _ in reader.parties.find(clause.group("np"), kinds=PRESS)]
            party = (
                found[0]
                if found
                else _press_phrase(reader, clause.group("np"), sentence.offset + start)
            )
    return [_Claim(party, "reported", "reported")] if party else []


def _cited_by(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    """ "X, cité par l'AFP", "X, citado por EFE", "X, citato dall'ANSA"."""
    after = sentence.after(end)
    by = re.match(r"\w*\s+(?:par|por|pel[oa]|dall['’]|dalla|da|von)\s*", after)
    if not by:
        return []
    via = _press_phrase(reader, _object(after[by.end() :]), sentence.offset + end)
    before = sentence.before(start).rstrip(" ,")
    run, the = _run_before(before)
    source = _party(reader, run, the, lone=True) if run else _anonymous_any(before[-100:])
    return [_Claim(source, "said", "quoted", via)] if source and via else []


def _german_said(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    """ "sagte Lindner", "sagte Innenminister X der Nachrichtenagentur dpa"."""
    after = sentence.after(end)
    words = after.split()
    if (
        not words
        or words[0].casefold() in _PRONOUNS
        or words[0] in ("der", "die", "das", "ein", "eine")
    ):
        return []
    to = re.search(r"\s(?:dem|der|den)\s+(?P<np>[^,;.]{2,60})", after[:120])
    via = _press_phrase(reader, _object(to.group("np")), sentence.offset + end) if to else None
    run, _ = _run_after(after[: to.start()] if to else after)
    titled = [i for i, t in enumerate(run) if _is_title(t)]
    person = run[titled[-1] + 1 :] if titled else run
    if not _person_like(person[:3]) or _GERMAN_NOUN.search(person[-1]):
        return []
    source = _person(reader, person[:3], lone=bool(via) or bool(titled))
    if source is None:
        return []
    return [_Claim(source, "told" if via else "said", "agency" if via else "said", via)]


def _zufolge(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    """ "Regierungskreisen zufolge", "der Polizei zufolge", "dem Sender NDR zufolge"."""
    before = sentence.before(start).rstrip()
    circles = re.search(r"(?:[\w-]+)?[Kk]reisen(?:\s+(?:der|des)\s+[^,;.]{2,40}?)?$", before)
    if circles and not _NOT_CIRCLES.search(circles.group(0)):
        return [
            _Claim(
                {"name": "aus " + circles.group(0), "kind": "anonymous"},
                "according_to",
                "according",
            )
        ]
    np = re.split(r"[,;:]", before[-100:])[-1]
    article = re.search(r"\b(?:der|dem|des|den)\s+(?=\S+\s*$|\S+\s+\S+\s*$)", np)
    if article is None:
        return []
    np = np[article.end() :]
    party = _press_phrase(reader, np, sentence.offset + start) or _foreign_party(reader, np)
    return [_Claim(party, "according_to", "according")] if party else []


_ARABIC_VIA = re.compile(
    r"\s*(?:لـ\s*|ل)(?P<np>(?:وكالة|صحيفة|قناة|موقع)\s+[^،,.؛]{2,60}|[^\s،,.؛]{2,30})"
)
_ARABIC_GOVERNMENT = re.compile(
    r"وزارة|الحكومة|الجيش|الشرطة|الرئاسة|البيت الأبيض|الكرملين|البنتاغون|مجلس الوزراء|السفارة|"
    r"الخارجية|الداخلية|الدفاع|النيابة"
)
_ARABIC_ORGANIZATION = re.compile(
    r"منظمة|الأمم المتحدة|شركة|جامعة|مؤسسة|جمعية|اللجنة|الصليب الأحمر|الهلال الأحمر|صندوق|البنك|"
    r"حركة|حزب"
)


def _arabic_press(reader: _Reader, np: str, position: int) -> dict[str, Any] | None:
    """The agency or outlet an Arabic phrase names ("وكالة الأنباء الألمانية", "رويترز")."""
    np = np.strip()
    for candidate in (np, re.sub(r"^(?:وكالة|صحيفة|قناة|موقع)\s+", "", np)):
        found = [p for p, _ in reader.parties.find(candidate, kinds=PRESS)]
        if found:
            return found[0]
        for prefix in ("لـ", "ل", "ب", "و"):
            if candidate.startswith(prefix):
                word = (
                    candidate[len(prefix) :].split()[0] if candidate[len(prefix) :].split() else ""
                )
                if party := reader.parties.resolve(word, kinds=PRESS):
                    return party
    if re.match(r"(?:الوكالة|الصحيفة)(?:\s|$)", np):
        return reader.last_press(position, AGENCIES if "الوكالة" in np else _OUTLET_KINDS)
    return None


def _arabic_party(text: str) -> dict[str, Any] | None:
    """Anonymous sources, a government or an organisation in an Arabic phrase (no persons:
    without capitals a name cannot be told from a title)."""
    text = re.split(
        r"[،,.؛:]|\s(?:إن|أن|بأن|في|على|لوكالة|لصحيفة|لقناة)\s", " " + text.strip() + " "
    )[0].strip()
    if not text or len(text) > 80:
        return None
    anonymous = _ANON_OTHER.search(text)
    if anonymous and anonymous.group("ar"):
        return {"name": anonymous.group(0), "kind": "anonymous"}
    if spokesman := re.match(r"(?:ال)?متحدث(?:ة)?\s+(?:ال)?(?:رسمي\s+)?باسم\s+(?P<np>.+)", text):
        text = spokesman.group("np")
    if _ARABIC_GOVERNMENT.search(text):
        return {"name": text, "kind": "government"}
    if _ARABIC_ORGANIZATION.search(text):
        return {"name": text, "kind": "organization"}
    return None


def _arabic(reader: _Reader, sentence: _Sentence, start: int, end: int) -> list[_Claim]:
    """ "وفقا لـ X", "بحسب X", "نقلت وكالة X عن Y", "ذكرت وكالة X", "قال X لوكالة Y"."""
    cue = sentence.line[start:end]
    after = sentence.after(end)
    position = sentence.offset + end
    if cue in ("وفق", "حسب"):
        np = re.sub(r"^[اًٍ]*\s*(?:لـ\s*|ل)?", "", after)
        party = _arabic_press(reader, np[:60], position) or _arabic_party(np)
        return [_Claim(party, "according_to", "according")] if party else []
    if cue in ("ذكرت", "أفادت", "أوردت"):
        party = _arabic_press(reader, re.split(r"[،,.]|\s(?:أن|إن)\s", after)[0][:60], position)
        return [_Claim(party, "reported", "reported")] if party else []
    if cue == "نقلت":  # نقلت وكالة X عن Y
        parts = re.match(r"\s*(?P<via>[^،,.]{2,60}?)\s+عن\s+(?P<src>[^،,.]{2,80})", after)
        if not parts:
            return []
        via = _arabic_press(reader, parts.group("via"), position)
        source = _arabic_party(parts.group("src"))
        return [_Claim(source, "said", "quoted", via)] if via and source else []
    told = re.search(
        r"(?:قال|قالت|صرح|صرحت|أكد|أكدت|أوضح|أوضحت|أضاف|أضافت)\s+(?P<src>[^،,.]{2,80}?)\s*$",
        sentence.before(start),
    )
    via_match = _ARABIC_VIA.match(sentence.line[start : sentence.stop])
    if not told or not via_match:
        return []
    via = _arabic_press(reader, via_match.group("np"), position)
    source = _arabic_party(told.group("src"))
    return [_Claim(source, "told", "agency", via)] if via and source else []


# --- cues ---------------------------------------------------------------------------

#: What may precede "said" for the verb to be worth reading (reversed text: these are
#: the words before the verb, backwards): a capitalised word, a comma, an anonymous
#: noun, an agency or newspaper, state media.
_CAPITAL_GATE = rf"[{_LOW}'’-]{{0,40}}+[{_UP}]"
_ANON_NEXT = (
    rf" (?:{_CAPITAL_GATE}|[,;:(“\"—.\n]|(?:"
    + "|".join(sorted((w[::-1] for w in _ANON_BEFORE), key=len, reverse=True))
    + r")\b)"
)
_OWNER_NEXT = rf" (?:[{_LOW}]{{1,20}}+ ){{0,2}}(?:s['’])?[{_LOW}'’-]{{0,30}}+[{_UP}]"
_PRESS_NEXT = (
    rf" (?:swen )?(?:(?:etats|laiciffo|nur-etats|laiciffo-imes) )?"
    rf"(?:eht\b|[{_LOW}'’-]{{0,30}}+[{_UP}])"
)
_QUALIFIED = r" (?:eht |a |na )?(?:ot esolc|htiw railimaf|fo egdelwonk|no defeirb|ni devlovni)\b"
#: Words that may stand right before "said" (reversed, as the reversed text has them),
#: each with what must stand before it in turn: anonymous sources ("two officials
#: said"), newspapers and agencies ("the news agency said"), governments ("Iran's
#: foreign ministry said", "a Pentagon spokesman said"), the object of a qualifier ("a
#: source close to the negotiations said").
_WORD_GATES = {
    **{
        w: _ANON_NEXT
        for w in (
            "secruos",
            "ecruos",
            "slaiciffo",
            "laiciffo",
            "stamolpid",
            "tamolpid",
            "sredisni",
            "redisni",
        )
    },
    **{
        w: _PRESS_NEXT
        for w in ("ycnega", "repapswen", "retsacdaorb", "ecivres eriw", "noitazinagro swen")
    },
    **{
        w: ""
        for w in (
            "aidem",
            "noisivelet",
            "oidar",
            "deman eb ot",
            "deifitnedi eb ot",
            "ytimynona fo noitidnoc",
            "ytimynona fo noitidnoc no",
        )
    },
    **{
        w: _OWNER_NEXT
        for w in (
            "yrtsinim",
            "tnemnrevog",
            "ecilop",
            "seitirohtua",
            "yssabme",
            "nosrepsekops",
            "namsekops",
            "namowsekops",
        )
    },
    **{w: f"(?:{_OWNER_NEXT}|{_QUALIFIED})" for w in ("yratilim", "ymra")},
    **{
        w: _QUALIFIED
        for w in (
            "rettam",
            "sklat",
            "snoitaitogen",
            "snoissucsid",
            "noitautis",
            "esac",
            "noitagitsevni",
            "eborp",
            "nalp",
            "snalp",
            "laed",
            "noisiced",
            "eussi",
            "ssecorp",
            "pihsredael",
            "ylimaf",
            "ecalap",
            "tnediserp",
            "retsinim",
            "ycnediserp",
            "noitartsinimda",
            "ngiapmac",
            "mraeb",
            "maet",
            "troc",
            "esuoh",
        )
    },
}


def _word_gate(gates: dict[str, str]) -> str:
    """One alternation for ``gates``, grouped by first letter: the regex engine tries each
    alternative in turn, so a two-level tree checks a few letters instead of every word."""
    by_letter: dict[str, list[str]] = {}
    for word in sorted(gates, key=len, reverse=True):
        by_letter.setdefault(word[0], []).append(re.escape(word[1:]) + gates[word])
    return (
        "(?:"
        + "|".join(
            f"{re.escape(letter)}(?:{'|'.join(rests)})" for letter, rests in by_letter.items()
        )
        + ")"
    )


@dataclass(frozen=True, slots=True)
class _Cue:
    """A literal-led regex marking where a family's pattern may start.

    ``backward``: the regex runs on the reversed text (its literal is a reversed verb,
    and what follows it is what precedes the verb in the text). The group ``cue`` is
    the cue itself; ``read`` turns the sentence around it into claims.
    """

    regex: re.Pattern[str]
    read: Callable[[_Reader, _Sentence, int, int], list[_Claim]]
    backward: bool = False


def _backward(verb: str, gate: str, read: Callable[..., list[_Claim]], *behind: str) -> _Cue:
    """A verb whose subject comes first, found in the reversed text when ``gate`` follows it
    (or when one of the fixed-width shapes ``behind`` precedes it there)."""
    reverse = verb[::-1]
    also = "".join(f"|(?<={shape}{reverse})" for shape in behind)
    return _Cue(re.compile(rf"(?P<cue>{reverse})(?: (?:{gate}){also})"), read, True)


def _forward(
    literal: str, read: Callable[..., list[_Claim]], gate: str = "", rest: str = ""
) -> _Cue:
    """A cue led by ``literal`` (then ``rest``, both the cue) where ``gate`` follows."""
    return _Cue(re.compile(rf"(?P<cue>{literal}{rest}){gate}"), read)


_AFTER_CAPITAL = rf"[{_UP}] "  # "said Hill": in the reversed text, "lliH dias"
_SAID_GATE = rf"{_CAPITAL_GATE}|,|{_word_gate(_WORD_GATES)}"
_REPORTED_GATE = (
    rf"(?:(?:t(?:srif|sal)|osla|reilrae|y(?:lsuoiverp|llaitini)) )?(?:{_CAPITAL_GATE}|"
    + _word_gate(
        {w: g for w, g in _WORD_GATES.items() if g in (_PRESS_NEXT, "") and " eb " not in w}
    )
    + ")|,"
)
_CUES: dict[str, tuple[_Cue, ...]] = {
    "en": (
        _backward("said", _SAID_GATE, _said, _AFTER_CAPITAL),
        _backward("says", _SAID_GATE, _said, _AFTER_CAPITAL),
        _backward("told", _SAID_GATE, _said, _AFTER_CAPITAL),
        _backward(
            "reported",
            _REPORTED_GATE,
            _reported,
            rf"[{_UP}] yb ",
            "eht yb ",
        ),
        # "according to", "as saying", "citing": reversed, all three start with "gni"
        _Cue(
            re.compile(r"(?P<cue>gni(?:yas sa|tic|drocc[aA](?<=ot gnidrocc[aA])))(?=\s|\Z)"),
            _ing,
            True,
        ),
    ),
    "fr": (
        _forward("elon ", _according_other),
        _forward("après ", _according_other, r"(?<=[dD]['’]après )"),
        _forward("à ", _told_agency, rf"(?=l['’]|la |le |[{_UP}])"),
        _forward("au ", _told_agency, rf"(?=quotidien|journal|site|[{_UP}])"),
        _forward("rapport", _reported_other, r"(?= )", r"(?:e|é|ent|ait)"),
        _forward("cité", _cited_by),
        _forward("source ", _said_anonymous, r"(?<=de source )"),
        _forward(
            "sources ",
            _said_anonymous,
            r"(?=proches|bien|s[ée]curitaires|diplomatiques|"
            r"gouvernementales|militaires|polici|judiciaires|qui )",
        ),
    ),
    "es": (
        _forward("egún ", _according_other),
        _forward("cuerdo con ", _according_other, r"(?<=[dD]e acuerdo con )"),
        _forward(" a ", _told_agency, rf"(?=la |el |este |[{_UP}])"),
        _forward(" al ", _told_agency, rf"(?=diario|peri[oó]dico|canal|[{_UP}])"),
        _forward("inform", _reported_other, r"(?= )", r"(?:ó|aron)"),
        _forward("citad", _cited_by),
        _forward("uente", _said_anonymous, r"(?<=[Ff]uente)(?=s? )"),
    ),
    "pt": (
        _forward("egundo ", _according_other),
        _forward("cordo com ", _according_other, r"(?<=[dD]e acordo com )"),
        _forward(" à ", _told_agency, rf"(?=agência |[{_UP}])"),
        _forward(" ao ", _told_agency, rf"(?=jornal |site |canal |[{_UP}])"),
        _forward("informou", _reported_other),
        _forward("onte", _said_anonymous, r"(?<=[Ff]onte)(?=s? )"),
    ),
    "it": (
        _forward("econdo ", _according_other),
        _forward(" all", _told_agency, rf"(?=['’][{_UP}]|['’]agenzia|a [{_UP}])"),
        _forward(" ad ", _told_agency, rf"(?=[{_UP}])"),
        _forward("rifer", _reported_other, r"(?= )", r"(?:isce|iscono)"),
        _forward("citat", _cited_by),
        _forward("onti ", _said_anonymous, r"(?<=[Ff]onti )"),
    ),
    "de": (
        _forward("aut ", _according_other),
        _forward(
            "Angaben ",
            _according_other,
            r"(?<=[nN]ach Angaben )(?!von\s+(?:ihm|ihr|ihnen)|eigenen)",
        ),
        _forward("zufolge", _zufolge),
        _forward("sagte", _german_said, r"(?= )", "n?"),
        _forward("berichtete", _reported_other, r"\b", "n?"),
        _forward("meldete", _reported_other, r"\b", "n?"),
        _forward("reisen", _said_anonymous, r"(?<=[Kk]reisen)"),
    ),
    "ar": (
        _forward("وفق", _arabic),
        _forward("حسب", _arabic),
        _forward("نقلت", _arabic),
        _forward("ذكرت", _arabic),
        _forward("أفادت", _arabic),
        _forward("ل", _arabic, r"(?=(?:وكالة|صحيفة|قناة)\s)"),
        _forward("مص", _said_anonymous, r"(?=(?:ادر|در)\s)"),
    ),
}


# --- the entry point ------------------------------------------------------------------


def prose_links(
    text: str,
    *,
    outlet: Mapping[str, Any],
    language: str | None,
    parties: Registry | None = None,
) -> list[dict[str, Any]]:
    """Attribution links found in the article text, in text order, deduplicated.

    Args:
        text: the normalised article text (paragraphs separated by "\\n"); offsets of
            the evidence refer to it.
        outlet: the ``outlet`` object of the provenance document: the default ``via``.
        language: BCP 47 tag of the text, which picks the pattern sets ("en", "fr",
            "es", "de", "pt", "it", "ar"; other languages get none), or None to try all.
        parties: the registry agencies and outlets are recognised with (default
            ``registry()``, the packaged one; pass ``registry(extra)`` for user files).

    Returns:
        ``$defs/link`` objects: ``source``, ``via``, ``relation`` (``said``, ``speech``,
        ``told``, ``according_to`` or ``reported``), ``evidence`` (the sentence, at most
        ``MAX_EVIDENCE_CHARS``), ``offset`` of the evidence in ``text`` and ``method``
        (``prose-<family>``). A (source, via) pair is kept once, at its first mention.
    """
    if not text:
        return []
    reader = _Reader(text, outlet, parties or registry())
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for position, end, cue in _cue_hits(reader, _languages(language, text)):
        sentence = reader.sentence(position, end)
        if sentence is None:
            continue
        start, stop = position - sentence.offset, end - sentence.offset
        reader.at = position
        for claim in cue.read(reader, sentence, start, stop):
            _emit(reader, claim, sentence, start, stop, found, seen)
    # A source a sentence says came through a relayer is not also relayed by the outlet.
    own = reader.links.via["name"]
    relayed = {
        (link["source"]["name"], link["offset"]) for link in found if link["via"]["name"] != own
    }
    return [
        link
        for link in found
        if link["via"]["name"] != own or (link["source"]["name"], link["offset"]) not in relayed
    ]


def _languages(language: str | None, text: str) -> tuple[str, ...]:
    """The pattern sets to run: the tag's language, or for None those the text shows."""
    if language:
        primary = re.split(r"[-_]", language.strip(), maxsplit=1)[0].casefold()
        return (primary,) if primary in _LANGUAGES else ()
    sample = f" {text[:SNIFF_CHARS].casefold()} "
    shown = tuple(
        language
        for language, words in _FUNCTION_WORDS.items()
        if sum(sample.count(word) for word in words) >= SNIFF_MINIMUM
    )
    if _ARABIC_LETTER.search(sample):
        shown += ("ar",)
    return shown or _LANGUAGES


#: How much of a text of unknown language is sniffed for function words, and how many
#: of a language's it must hold for that language's patterns to run on it.
SNIFF_CHARS = 3_000
SNIFF_MINIMUM = 3
_FUNCTION_WORDS = {
    "en": (" the ", " and ", " of ", " said "),
    "fr": (" le ", " les ", " des ", " est ", " une ", " selon "),
    "es": (" el ", " los ", " las ", " del ", " una ", " según "),
    "de": (" der ", " die ", " und ", " das ", " nicht ", " laut "),
    "pt": (" os ", " não ", " uma ", " dos ", " com ", " segundo "),
    "it": (" il ", " della ", " che ", " gli ", " sono ", " secondo "),
}
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


def _cue_hits(reader: _Reader, languages: tuple[str, ...]) -> list[tuple[int, int, _Cue]]:
    """Every cue of ``languages`` in the text, in text order, at most ``MAX_CUES``."""
    hits: list[tuple[int, int, _Cue]] = []
    text, size = reader.text, len(reader.text)
    for language in languages:
        for cue in _CUES[language]:
            subject = reader.reversed if cue.backward else text
            for count, match in enumerate(cue.regex.finditer(subject)):
                if count == MAX_CUES:
                    break
                start, end = match.span("cue")
                if not cue.backward:
                    hits.append((start, end, cue))
                    continue
                start, end = size - end, size - start
                # "He said", "With said" at a paragraph start: no one to name, no need to read
                word = text[max(0, start - 12) : start].rsplit(None, 1)[-1:]
                if (
                    word
                    and word[0].casefold() in _NOT_SUBJECTS
                    and not text[end + 1 : end + 2].isupper()
                ):
                    continue
                hits.append((start, end, cue))
    hits.sort(key=lambda hit: hit[0])
    return hits[:MAX_CUES]


def _emit(
    reader: _Reader,
    claim: _Claim,
    sentence: _Sentence,
    start: int,
    end: int,
    found: list[dict[str, Any]],
    seen: set[tuple[str, str, str]],
) -> None:
    """Append the claim's link (and its relayer's) unless it is the outlet or already there."""
    links = reader.links
    source, via = claim.source, claim.via
    if via is not None and links.is_self(via):
        via = None
    if links.is_self(source) or (via is not None and source["name"] == via["name"]):
        return
    begin = sentence.begin  # as attribution._sentence, but not ended by "Mr." or "U.S."
    evidence = sentence.line[begin : min(sentence.stop, begin + MAX_EVIDENCE_CHARS)].rstrip()
    offset = sentence.offset + begin
    chain = [(source, via or links.via, claim.relation)]
    if via is not None:
        chain.append(
            (via, links.via, "according_to" if claim.relation == "according_to" else "reported")
        )
    for party, relayer, relation in chain:
        if party["kind"] in PRESS:
            reader.press_seen.append((offset, party))
        if party["kind"] != "anonymous":
            reader.remember(party)
        key = (party["name"].casefold(), party["kind"], relayer["name"].casefold())
        if key in seen:
            continue
        seen.add(key)
        found.append(
            {
                "source": dict(party),
                "via": dict(relayer),
                "relation": relation,
                "evidence": evidence,
                "offset": offset,
                "method": f"prose-{claim.family}",
            }
        )
