"""The English pattern families of the prose reader, and their cues.

``said`` ("X said", "said X", with appositions and ``speech`` settings), ``told`` ("X
told AFP / reporters"), ``reported``, ``according`` and ``quoted`` ("AFP quoted X as
saying", "..., citing X"), and anonymous sources ("two senior officials who spoke on
condition of anonymity"). ``ENGLISH_CUES`` finds the verbs: those whose subject comes
first are searched in the reversed text, behind gates that let through only what may
name a speaker (see ``archiver.prose`` on why this is fast).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .parties import PRESS
from .prose_reader import (
    LOWER,
    PRONOUNS,
    UPPER,
    Claim,
    Cue,
    Reader,
    Sentence,
    noun_phrase,
    party_named,
    press_before,
    press_phrase,
    run_after,
    run_before,
)

#: Longest name of an anonymous source we keep ("a source close to the negotiations").
MAX_ANONYMOUS_CHARS = 80


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


def anonymous_source(np: str) -> dict[str, Any] | None:
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
_APPOSITION = re.compile(r"(?:an?\s|the\s|who\s|whose\s|which\s|[" + LOWER + "])")


_SPOKES_FOR = re.compile(r"\bspokes(?:man|woman|person)\s+for\s+(?P<np>[^,;:\"“”]{2,80}?)\s*$")
_SPOKES_OF = re.compile(
    r"\b(?:an?|the)\s+(?P<org>[" + UPPER + r"][\w.&’'-]*(?:\s+[" + UPPER + r"][\w.&’'-]*){0,3})"
    r"(?:\s+(?P<gov>military|army|police|government|(?:foreign|defen[cs]e|health|interior)\s+"
    r"ministry|ministry))?\s+spokes(?:man|woman|person)\s*$"
)
_OWNED_GOVERNMENT = re.compile(
    r"(?:^|\s)(?:the\s+)?(?P<np>[" + UPPER + r"][\w-]+(?:['’]s)?\s+(?:[a-z]+\s+){0,2}?"
    r"(?:government|military|army|police|authorities|ministry|embassy|presidency))\s*$"
)


def _spokesperson(reader: Reader, tail: str) -> dict[str, Any] | None:
    """Whom "a spokesman for X" or "a Pentagon spokeswoman" speaks for."""
    if match := _SPOKES_FOR.search(tail):
        np = noun_phrase(match.group("np") + ",")
        if government := _NATIONAL_GOVERNMENT.match(np):
            return {"name": government.group(1), "kind": "government"}
        run, the = run_after(np)
        if run:
            party = party_named(reader, run, the)
            return (
                party
                if party and party["kind"] != "person"
                else {"name": " ".join(run), "kind": "organization"}
            )
        return None
    if match := _SPOKES_OF.search(tail):
        name = match.group("org") + (" " + match.group("gov") if match.group("gov") else "")
        party = party_named(reader, name.split(), False)
        if party and party["kind"] != "person":
            return party
        return {"name": name, "kind": "government" if match.group("gov") else "organization"}
    return None


def _subject(
    reader: Reader, sentence: Sentence, index: int, *, lone: bool = False
) -> dict[str, Any] | None:
    """Who speaks when the clause ends at ``index``: a name, an agency, anonymous sources."""
    before = sentence.before(index).rstrip()
    if not before:
        return None
    last = before.split()[-1].casefold().strip('"“”,')
    if last in PRONOUNS:
        return None
    tail = before[-90:]
    if last in _ANON_NOUNS or _ANON_HINTS.search(tail):
        segments = _CLAUSE_BREAK.split(before[-240:])[-1].split(", ")
        clause = segments.pop()
        while segments and (not clause.strip() or _RELATIVE.match(clause)):
            clause = segments.pop() + ", " + clause
        if party := anonymous_source(clause):
            return party
    if press := press_before(reader, before, sentence.offset + index):
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
    run, the = run_before(before)
    return party_named(reader, run, the, lone=lone)


def _said(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    verb = sentence.line[start:end].casefold()
    after = sentence.after(end)
    source = _subject(reader, sentence, start, lone=verb == "told")
    if source is None and verb in ("said", "says"):
        before = sentence.before(start).rstrip()
        if not before or before[-1] in ',"”’—–:' or before.endswith("'"):
            run, the = run_after(after)
            source = party_named(reader, run, the)
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
            via = press_phrase(reader, noun_phrase(told.group("np")), sentence.offset + end)
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
            via = press_phrase(reader, noun_phrase(press), sentence.offset + end)
            relation = "told" if via else "speech"
    elif _SPEECH_FRONT.match(sentence.before(start)):
        relation = "speech"
    if via is None and (according := _ACCORDING_PRESS.search(after)):
        via = press_phrase(reader, noun_phrase(according.group("np")), sentence.offset + end)
    if source["kind"] in PRESS and via is None:
        relation = "reported"
    return [Claim(source, relation, "told" if verb == "told" else "said", via)]


def _reported(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    after = sentence.after(end)
    if by := re.match(r"\s+by\s+", after):
        party = press_phrase(reader, noun_phrase(after[by.end() :]), sentence.offset + end)
        return [Claim(party, "reported", "reported")] if party else []
    before = re.sub(
        r"\s+(?:first|also|earlier|previously|initially|last)$", "", sentence.before(start).rstrip()
    )
    if citing := re.search(r",\s*(?:citing|quoting)\s[^,]{2,100},?\s*$", before):
        before = before[: citing.start()].rstrip()  # "The news organization, citing X, reported"
    if journalist := re.search(
        r"\b(?:an?|the)\s+(?P<press>[" + UPPER + r"][^,;]{1,40}?)\s+(?:journalist|reporter|"
        r"correspondent|photographer|crew|team)\b[^,;]{0,60}?$",
        before,
    ):
        found = [p for p, _ in reader.parties.find(journalist.group("press"), kinds=PRESS)]
        return [Claim(found[0], "reported", "reported")] if found else []
    party = press_before(reader, before, sentence.offset + start)
    return [Claim(party, "reported", "reported")] if party else []


def _according(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    after = sentence.after(end).removeprefix(" to ")
    return _cited(reader, sentence, after, sentence.offset + end, "according_to", "according")


def _ing(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
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
    reader: Reader, sentence: Sentence, after: str, position: int, relation: str, family: str
) -> list[Claim]:
    """The source a preposition introduces ("according to X", "citing X"), with its relayer."""
    after = after.lstrip()
    relayed = re.search(r"\b(?:quoted|cited)\s+by\s+(?P<np>[^,;.]{2,60})", after[:160])
    via = press_phrase(reader, noun_phrase(relayed.group("np")), position) if relayed else None
    if party := anonymous_source(
        re.split(
            r"(?<=\w)(?:\s+(?:quoted|cited)\s+by\b|\s+who\s+(?:spoke|talked)\s+to\b)",
            _object_wide(after),
        )[0]
    ):
        return [Claim(party, relation, family, via)]
    if document := _DOCUMENT.match(after):
        after = after[document.end() :]
    np = noun_phrase(after)
    if press := press_phrase(reader, np, position):
        return [Claim(press, relation, family)]
    if government := _NATIONAL_GOVERNMENT.match(np):  # "the Jordanian government"
        return [Claim({"name": government.group(1), "kind": "government"}, relation, family, via)]
    run, the = run_after(after)
    party = party_named(reader, run, the)
    return [Claim(party, relation, family, via)] if party else []


_NATIONAL_GOVERNMENT = re.compile(
    r"(?:the\s+)?([" + UPPER + r"][\w-]+(?:['’]s)?\s+(?:[a-z]+\s+){0,2}?(?:government|military|"
    r"army|police|authorities|ministry|presidency|embassy|navy|cabinet))\b"
)


def _object_wide(text: str) -> str:
    """Like ``noun_phrase`` but keeping "who spoke on condition of anonymity" clauses."""
    text = text[:160]
    match = re.search(r"[;:.!?()\"“”]|,\s(?!who\b|speaking\b)", text)
    return text[: match.start()] if match else text


def _quoted(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "AFP quoted X as saying", "X was quoted by AFP as saying", "..., citing X"."""
    position = sentence.offset + start
    if sentence.line[start:end] == "citing":  # "The news organization, citing X, reported"
        before = sentence.before(start).rstrip(" ,")
        relayer = press_before(reader, before, position) if before else None
        if relayer is None:
            found = [p for p, _ in reader.parties.find(before, kinds=PRESS)]
            relayer = found[-1] if found else None
        return [
            Claim(c.source, "according_to", "quoted", c.via or relayer)
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
        relayer = press_phrase(reader, noun_phrase(between[by.end() :]), position)
        head = re.sub(
            r"(?:,|\s+(?:was|were|is|are|has\s+been|had\s+been))\s*$",
            "",
            before[: verb.start()].rstrip(),
        )
        clause = Sentence(head, 0, len(head), sentence.offset + sentence.begin)
        source = _subject(reader, clause, len(head), lone=True) if head else None
        return [Claim(source, "said", "quoted", relayer)] if source and relayer else []
    relayer = press_before(reader, before[: verb.start()].rstrip(), position)
    if relayer is None:
        return []
    source = anonymous_source(between)
    if source is None:
        run, the = run_after(between)
        source = party_named(reader, run, the)
    return [Claim(source, "said", "quoted", relayer)] if source else []


_QUOTED = re.compile(r"\b(?:quoted|cited|quoting)\b")


# --- cues ---------------------------------------------------------------------------

#: What may precede "said" for the verb to be worth reading (reversed text: these are
#: the words before the verb, backwards): a capitalised word, a comma, an anonymous
#: noun, an agency or newspaper, state media.
_CAPITAL_GATE = rf"[{LOWER}'’-]{{0,40}}+[{UPPER}]"
_ANON_NEXT = (
    rf" (?:{_CAPITAL_GATE}|[,;:(“\"—.\n]|(?:"
    + "|".join(sorted((w[::-1] for w in _ANON_BEFORE), key=len, reverse=True))
    + r")\b)"
)
_OWNER_NEXT = rf" (?:[{LOWER}]{{1,20}}+ ){{0,2}}(?:s['’])?[{LOWER}'’-]{{0,30}}+[{UPPER}]"
_PRESS_NEXT = (
    rf" (?:swen )?(?:(?:etats|laiciffo|nur-etats|laiciffo-imes) )?"
    rf"(?:eht\b|[{LOWER}'’-]{{0,30}}+[{UPPER}])"
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


def _backward(verb: str, gate: str, read: Callable[..., list[Claim]], *behind: str) -> Cue:
    """A verb whose subject comes first, found in the reversed text when ``gate`` follows it
    (or when one of the fixed-width shapes ``behind`` precedes it there)."""
    reverse = verb[::-1]
    also = "".join(f"|(?<={shape}{reverse})" for shape in behind)
    return Cue(re.compile(rf"(?P<cue>{reverse})(?: (?:{gate}){also})"), read, True)


_AFTER_CAPITAL = rf"[{UPPER}] "  # "said Hill": in the reversed text, "lliH dias"
_SAID_GATE = rf"{_CAPITAL_GATE}|,|{_word_gate(_WORD_GATES)}"
_REPORTED_GATE = (
    rf"(?:(?:t(?:srif|sal)|osla|reilrae|y(?:lsuoiverp|llaitini)) )?(?:{_CAPITAL_GATE}|"
    + _word_gate(
        {w: g for w, g in _WORD_GATES.items() if g in (_PRESS_NEXT, "") and " eb " not in w}
    )
    + ")|,"
)
ENGLISH_CUES: tuple[Cue, ...] = (
    _backward("said", _SAID_GATE, _said, _AFTER_CAPITAL),
    _backward("says", _SAID_GATE, _said, _AFTER_CAPITAL),
    _backward("told", _SAID_GATE, _said, _AFTER_CAPITAL),
    _backward(
        "reported",
        _REPORTED_GATE,
        _reported,
        rf"[{UPPER}] yb ",
        "eht yb ",
    ),
    # "according to", "as saying", "citing": reversed, all three start with "gni"
    Cue(
        re.compile(r"(?P<cue>gni(?:yas sa|tic|drocc[aA](?<=ot gnidrocc[aA])))(?=\s|\Z)"),
        _ing,
        True,
    ),
)
