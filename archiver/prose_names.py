"""Names in prose: which capitalised words name someone, and what kind of party.

The prose reader (``archiver.prose_reader``) and its pattern families use these to read
the run of capitalised words before or after a reporting verb (``run_before``,
``run_after``), to tell titles ("Foreign Minister", "Dr.") from names (``is_title``),
function words and pronouns from names (``NOT_NAMES``, ``PRONOUNS``), and a
government's, an organisation's or an outlet's name from a person's (``name_markers``).
The letter classes ``UPPER`` and ``LOWER`` cover Latin, Greek and Cyrillic.
"""

from __future__ import annotations

import re
from collections.abc import Callable


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


#: Regex class bodies of the upper- and lowercase letters (Latin, Greek, Cyrillic).
UPPER = _char_class(str.isupper)
LOWER = _char_class(str.islower)


# --- words ---------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Capitalised words that start sentences and clauses but are nobody's name (and the same
#: in the other languages read here, but not name particles such as the "Le" of "Le Drian").
NOT_NAMES = _words(
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
    per nel dal sul les los las il lo gli una uno un une ein eine einer einem die o os
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december
    """
)
#: Words a person's name never contains (the calendar words above may: "Theresa May").
NEVER_IN_NAMES = NOT_NAMES - frozenset(
    "may june april august march monday tuesday wednesday thursday friday".split()
)
PRONOUNS = frozenset(
    "he she they it we i you who which that one il elle ils elles on él ella ellos ellas "
    "er sie es man ele ela eles elas lui lei loro".split()
)
#: Words right before a verb that leave no one to name ("He said", "With said"); not the
#: adverbs and auxiliaries that sit between a subject and its verb ("Smith also said",
#: "Allen has long denied").
NOT_SUBJECTS = (NEVER_IN_NAMES | PRONOUNS) - {
    "has",
    "have",
    "had",
    "long",
    "always",
    "consistently",
    "repeatedly",
    "that",
    "who",
    "which",
    "also",
    "later",
    "earlier",
    "then",
    "now",
    "still",
    "yesterday",
    "today",
    "tonight",
    "however",
    "meanwhile",
}
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
    "beauftragte",
    "beauftragter",
    "leiter",
    "leiterin",
    "konzern",
)
#: Name particles that may sit inside a name ("Abu", "bin", "de", "van").
PARTICLES = frozenset(
    "al el bin ibn bint ben abu de da di del della der den van von dos das du la le y".split()
)
#: A token that starts with a lowercase Arabic article glued to a name ("al-Houthi").
_GLUED = re.compile(r"(?:al|el|ad|ar|as|ash|at|az|an|ul|bin|ibn|abu|d['’])-?[" + UPPER + "]")
INITIALS = re.compile(r"(?:[" + UPPER + r"]\.){2,}")  # "U.S.", "U.N.": places, not names
ACRONYM = re.compile(r"[" + UPPER + r"][" + UPPER + r"0-9&]{1,7}")

#: Words (casefolded) that make a name a government's, an organisation's or an outlet's.
GOVERNMENT_WORDS = frozenset(
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
    publishing publishers productions records studios entertainment
    confédération forum service servicio serviço servizio unicef unhcr unrwa nato""".split()
)
_OUTLET_WORDS = frozenset(
    """times post herald journal gazette tribune daily telegraph chronicle observer standard
    mail express mirror monitor magazine newspaper radio tv television broadcaster
    broadcasting zeitung tagblatt tageblatt rundschau kurier diario periódico gazzetta
    corriere jornal folha quotidien hebdo news""".split()
)
_WORD = re.compile(r"\w+")


def name_markers(name: str) -> frozenset[str]:
    """The kinds (government, organization, outlet) that words in ``name`` point to."""
    folded = name.casefold()
    words = set(_WORD.findall(folded))
    kinds = set()
    if (
        words & GOVERNMENT_WORDS
        or any("ministeri" in w for w in words)
        or any(phrase in folded for phrase in _GOVERNMENT_PHRASES)
    ):
        kinds.add("government")
    if words & _ORGANIZATION_WORDS:
        kinds.add("organization")
    if words & _OUTLET_WORDS:
        kinds.add("outlet")
    return frozenset(kinds)


# --- reading names --------------------------------------------------------------------


DIGIT = re.compile(r"\d")


def is_name_token(token: str) -> bool:
    return (
        bool(token)
        and (token[0].isupper() or bool(_GLUED.match(token)))
        and not (DIGIT.search(token))
    )


def run_before(text: str) -> tuple[list[str], bool]:
    """The capitalised words that end ``text`` ("... NASA’s Administrator Jim Bridenstine").

    Returns the words and whether a lone "The" stood before them.
    """
    run: list[str] = []
    for token in reversed(text[-160:].split()):
        if token[-1] in ',;:()[]"“”‘«»—–' or token.endswith(("’s", "'s")):
            break
        if is_name_token(token) or (run and token.casefold() in PARTICLES):
            run.insert(0, token)
            continue
        if len(run) >= 3 and token in ("of", "for", "in", "at", "from", "with", "on"):
            run.pop(0)  # "Attorney for the District of Massachusetts Joshua Levy"
        break
    while run and run[0].casefold() in PARTICLES:
        run.pop(0)
    the = bool(run) and run[0] in ("The", "the")
    while run and _not_a_name(run[0]) and not surname_he(run):
        run.pop(0)
    return run, the


def surname_he(run: list[str]) -> bool:
    """ "He Jianxiong": the Chinese surname He, since the pronoun is followed by a verb."""
    return len(run) == 2 and run[0] == "He" and run[1].casefold() not in NOT_NAMES


def run_after(text: str) -> tuple[list[str], bool]:
    """The capitalised words that start ``text`` ("Jeffrey Halley, a market analyst ...")."""
    run: list[str] = []
    the = False
    for token in text[:160].split():
        if not run and token in ("the", "The") and not the:
            the = True
            continue
        end = token[-1] in ',;:()[]"“”’»—–' or (token.endswith(".") and not abbreviated(token))
        word = token.rstrip(',;:()[]"“”’»—–.') if end else token
        if word and (is_name_token(word) or (run and word.casefold() in PARTICLES)):
            run.append(word)
        else:
            break
        if end:
            break
    while run and run[-1].casefold() in PARTICLES:
        run.pop()
    while run and _not_a_name(run[0]):
        run.pop(0)
    return run, the


def _not_a_name(token: str) -> bool:
    """A function word starting a run ("With", "Selon"), but not an acronym ("UN", "IL")."""
    return token.strip(".").casefold() in NOT_NAMES and not token.isupper()


def abbreviated(token: str) -> bool:
    """A title abbreviation or initial that ends in a period but not a sentence ("Dr.", "J.")."""
    bare = token.rstrip(".").casefold()
    return bare in _TITLES or len(bare) == 1 or bool(INITIALS.fullmatch(token))


def is_title(token: str) -> bool:
    word = token.rstrip(".").casefold()
    return word in _TITLES or word.endswith(_TITLE_ENDINGS) or bool(INITIALS.fullmatch(token))
