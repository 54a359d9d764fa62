"""The English pattern families of the prose reader, and their cues.

``said`` ("X said", "said X", "X also added", "X announced that", "X tweeted",
with appositions, ``statement`` and ``speech`` settings, and "he said" continuing the
last speaker), ``told`` ("X told AFP / reporters / VOA correspondent Carla Babb", "X
told lawmakers that"), ``reported`` (also "reportedly"), ``according`` and ``quoted``
("AFP quoted X as saying", "..., citing X"), and anonymous sources ("two senior
officials who spoke on condition of anonymity", "Middle East observers"). ``ENGLISH_CUES``
finds the verbs: those whose subject comes first are searched in the reversed text,
behind gates that let through only what may name a speaker (see ``archiver.prose`` on
why this is fast).
"""

from __future__ import annotations

import re
from typing import Any

from .parties import PRESS
from .prose_anonymous import ANON_NOUNS, anonymous_source
from .prose_gates import AFTER_CAPITAL, REPORTED_GATE, SAID_GATE, backward
from .prose_names import LOWER, PRONOUNS, UPPER, run_after, run_before
from .prose_reader import (
    Claim,
    Cue,
    Reader,
    Sentence,
    noun_phrase,
    party_named,
    press_before,
    press_phrase,
)

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


_ANON_HINTS = re.compile(
    "anonym|named|identified|familiar with|knowledge of|close to|briefed on|on the scene|"
    "on the ground|who ha(?:ve|d) |across the "
)
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
    r"(?:^|\s)(?:the\s+)?(?P<np>(?!(?:The|A|An|This|That|Its|Their)\s)["
    + UPPER
    + r"][\w-]+(?:['’]s)?\s+(?:(?:[a-z’'-]+\s+){0,2}?(?:government|military|army|police|"
    r"authorities|ministry|embassy|presidency)|(?:[a-z’'-]+\s+){1,2}?office))\s*$"
)


_CAMPAIGN = re.compile(
    r"(?:^|\s)(?P<owner>[" + UPPER + r"][\w-]+)['’]s\s+(?:[a-z-]+\s+)?campaign\s*$"
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


#: "The 56-year-old said": a description of the person named before, like "he".
_AGED = re.compile(r"(?:^|\s)[Tt]he\s+\d{1,3}-year-old$")
_TRAILING_ADVERB = re.compile(
    r"(?:\s+(?:has|have|had))?(?:\s+(?:also|earlier|later|then|now|still|previously|quickly|"
    r"further|long|always|consistently|repeatedly))?$"
)


def _subject(
    reader: Reader, sentence: Sentence, index: int, *, lone: bool = False
) -> dict[str, Any] | None:
    """Who speaks when the clause ends at ``index``: a name, an agency, anonymous sources."""
    before = _TRAILING_ADVERB.sub("", sentence.before(index).rstrip())
    if not before:
        return None
    last = before.split()[-1].casefold().strip('"“”,')
    if last in PRONOUNS:
        # "He added", "she told Reuters": the person quoted just before, if anyone
        return reader.speaker(sentence.offset + index) if last in ("he", "she") else None
    if _AGED.search(before):  # "The 56-year-old said": as "he"
        return reader.speaker(sentence.offset + index)
    tail = before[-90:]
    if last in ANON_NOUNS or _ANON_HINTS.search(tail):
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
    if campaign := _CAMPAIGN.search(tail):  # "Bloomberg's campaign countered"
        return {"name": f"{campaign.group('owner')} campaign", "kind": "organization"}
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
        # not back into a quotation: “..., then I would ask ...?” He Jianxiong, ..., said
        cut = body.rfind(", ", max(body.rfind("”"), body.rfind('"')) + 1)
        opener = _APPOSITION.match(body, cut + 2) if cut >= 0 else None
        if cut < 0 or not opener:
            if trailing and cut >= 0 and _APPOSITION.match(body, body.rfind(", ", 0, cut) + 2):
                # "a lawyer in attendance, Shannon Kilpatrick, tweeted": the name is the
                # apposition of a description
                run, the = run_after(body[cut + 2 :])
                if len(run) >= 2 and len(run) == len(body[cut + 2 :].split()):
                    return party_named(reader, run, the, lone=lone)
            if trailing:
                return None
            break
        before, peeled = body[:cut], True
        if press := _press_at_end(reader, before):
            return press  # "the People’s Daily, the mouthpiece of the Communist party, warned"
    run, the = run_before(before)
    return party_named(reader, run, the, lone=lone)


def _press_at_end(reader: Reader, text: str) -> dict[str, Any] | None:
    """The agency or outlet whose name ends ``text``."""
    tail = text[-60:]
    for party, at in reader.parties.find(tail, kinds=PRESS):
        if not tail[at:].rstrip(" .").casefold().endswith(party["name"].casefold()[-3:]):
            continue
        if re.fullmatch(r"[\w’'.-]+(?:\s+[\w’'.-]+){0,4}", tail[at:].strip()):
            return party
    return None


#: Verbs whose object is the addressee ("X told AFP", "X tells the paper").
_TELL = frozenset({"told", "tells"})
#: Reporting verbs other than "said", with the relation each gives (default "said").
_VERB_RELATIONS = {"announced": "statement", "announces": "statement", "stated": "statement"}
#: Verbs that report a statement whatever follows them; the others need one of
#: ``_WHAT_WAS_SAID`` after them ("announced that", "wrote:", "added, ...").
_BARE_VERBS = frozenset({"said", "says", "say", "told", "tells", "added"})
#: What a denial denies ("denied allegations", "denied being unfair"), unlike "denied
#: the motion" (a ruling) or "denied entry".
_DENIED = re.compile(
    r"\s+(?:that\b|(?:(?:any|all|the|these|those|such|his|her|their|its)\s+)?(?:[a-z]+ly\s+)?"
    r"(?:[a-z]+ing\b|"
    r"(?:allegation|accusation|claim|charge|report|rumou?r|wrongdoing|involvement|"
    r"responsibility)s?\b))"
)
_WHAT_WAS_SAID = re.compile(
    r"\s*(?:$|[:,.;\"“”‘’—–(]|that\b|on\s|in\s|to\s|at\s|during\s|after\s|before\s|"
    r"(?:he|she|they|it|we|i)\s|"
    r"yesterday|today|tonight|last\s|this\s|earlier|later|(?:on\s)?(?:mon|tues|wednes|thurs|"
    r"fri|satur|sun)day)"
)
#: "told him to leave": an order, not a statement.
_ORDER = re.compile(r"\s*(?:[\w’'-]+\s+){1,2}?to\s+[a-z]")
#: "confirmed to The Associated Press": the addressee of any reporting verb.
_TO_PRESS = re.compile(r"\s+to\s+(?P<np>[^,;:.!?\"“”]{2,60})")


_JOURNALIST = re.compile(
    r"(?P<press>[^,;:.]{2,40}?)\s+(?:[\w-]+\s+)?(?:correspondent|reporter|journalist|"
    r"editor|columnist|producer)\s+(?P<name>(?:[" + UPPER + r"][\w’'-]+\s?){2,3})"
)


def _journalist(reader: Reader, np: str) -> dict[str, Any] | None:
    """The named journalist of "VOA Pentagon correspondent Carla Babb": who relayed it."""
    match = _JOURNALIST.match(np)
    if match is None or next(reader.parties.find(match.group("press"), kinds=PRESS), None) is None:
        return None
    return {"name": match.group("name").strip(), "kind": "person"}


#: A relative clause ending right before the verb: "Tory MPs who said", "the Asheville Tea
#: PAC, a local organization which said", "the actors who have said".
_RELATIVE_END = re.compile(r"\s(?:who|which)(?:\s+ha(?:ve|s|d))?\s*$")
_AMONG = re.compile(r"(?P<subjects>[^,;:]+?)\s+(?:is|are|was|were)\s+among(?:\s+[\w’'-]+){1,4}$")
_DESCRIPTION = re.compile(r",\s+(?:an?|the)\s+[^,;:]{2,60}$")


def _antecedents(reader: Reader, before: str) -> list[dict[str, Any]]:
    """Who speaks in a relative clause ending ``before``: its antecedent, or the subjects
    of "X and Y are among the actors who have said"."""
    relative = _RELATIVE_END.search(before)
    if relative is None or before.count("“") > before.count("”"):
        return []  # inside a quotation, the speaker relays whoever the clause is about
    antecedent = before[: relative.start()].rstrip(" ,")
    if among := _AMONG.search(antecedent):
        found = []
        for name in re.split(r",\s*|\s+and\s+", among.group("subjects")):
            run, the = run_after(name)
            if len(run) == len(name.split()) and (party := party_named(reader, run, the)):
                found.append(party)
        return found
    if party := anonymous_source(antecedent):
        return [party]
    antecedent = _DESCRIPTION.sub("", antecedent)  # "X, a local organization which said"
    run, the = run_before(antecedent)
    party = party_named(reader, run, the) if run else None
    return [party] if party else []


def _relative_said(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "Tory MPs who said", "a local organization which said": the verb closes the cue."""
    verb = sentence.line.rfind(" ", start, end) + 1
    return _said(reader, sentence, verb, end)


def _said(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    verb = sentence.line[start:end].casefold()
    tell = verb in _TELL
    after = sentence.after(end)
    antecedents = _antecedents(reader, sentence.before(start))
    source = antecedents[0] if antecedents else _subject(reader, sentence, start, lone=tell)
    if source is None and not tell:  # “...,” said King / added the mayor
        before = sentence.before(start).rstrip()
        if not before or before[-1] in ',"”’—–:' or before.endswith("'"):
            run, the = run_after(after)
            source = party_named(reader, run, the)
            if source:
                after = after[after.find(run[-1]) + len(run[-1]) :]
            elif "," not in after[len(noun_phrase(after)) :]:
                # "said one GOP operative in the state", but not "said another witness,
                # former adviser Fiona Hill": there the apposition names the speaker
                source = anonymous_source(noun_phrase(after))
    if source is None:
        return []
    relation, via = _VERB_RELATIONS.get(verb, "said"), None
    if verb not in _BARE_VERBS and not (_DENIED if verb == "denied" else _WHAT_WAS_SAID).match(
        after
    ):
        return []  # "announced a resignation", "wrote a book": no statement follows
    if tell:
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
            via = _journalist(reader, told.group("np")) or press_phrase(
                reader, noun_phrase(told.group("np")), sentence.offset + end
            )
            relation = "told"
            if via is None:
                # "told lawmakers that ...": a statement the outlet relays, unless an order
                # or a surname the text never gives in full
                if _ORDER.match(after) or (
                    source["kind"] == "person" and " " not in source["name"]
                ):
                    return []
                relation = "said"
        if relation == "told" and re.match(
            r"[^,.;]{0,40}?\b(?:news|press)\s+conference|[^,.;]{0,40}?\bbriefing", after
        ):
            relation = "speech"
    elif (to := _TO_PRESS.match(after)) and (
        press := press_phrase(reader, noun_phrase(to.group("np")), sentence.offset + end)
    ):
        via, relation = press, "told"
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
    family = "told" if tell else "said"
    return [Claim(party, relation, family, via) for party in antecedents or [source]]


_LATER_VERB = re.compile(r"\b(?:said|say|says|told)\b")


def _qualified(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "people familiar with Chinese trade policy said": the verb comes after a qualifier
    too long for the verb's own cue to look behind, so the qualifier finds the verb."""
    verb = _LATER_VERB.search(sentence.line, end, min(sentence.stop, end + 120))
    return _said(reader, sentence, verb.start(), verb.end()) if verb else []


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
        r"\b(?:[Aa]n?|[Tt]he)\s+(?P<press>[" + UPPER + r"][^,;]{1,40}?)\s+(?:journalist|reporter|"
        r"correspondent|photographer|crew|team)\b[^,;]{0,60}?$",
        before,
    ):
        found = [p for p, _ in reader.parties.find(journalist.group("press"), kinds=PRESS)]
        return [Claim(found[0], "reported", "reported")] if found else []
    party = press_before(reader, before, sentence.offset + start)
    return [Claim(party, "reported", "reported")] if party else []


#: Who "reportedly" and "is said to" cite: reports the text does not name.
UNSPECIFIED_REPORTS = {"name": "unspecified reports", "kind": "anonymous"}


def _reportedly(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "The U.S. military reportedly has been training", "were said to be pupils"."""
    if sentence.line[start:end].startswith("said") and not _PASSIVE.search(sentence.before(start)):
        return []  # "he said to have a look": not the passive of hearsay
    return [Claim(dict(UNSPECIFIED_REPORTS), "reported", "reported")]


_PASSIVE = re.compile(r"\b(?:is|are|was|were|been|being)\s+$")


def _journalist_reported(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "An Associated Press journalist in the area also reported": the verb is further
    from the agency than its own cue looks."""
    verb = re.compile(r"\breported\b").search(sentence.line, end, min(sentence.stop, end + 60))
    return _reported(reader, sentence, verb.start(), verb.end()) if verb else []


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

#: Verbs read like "said": the subject comes first, or right after it in an inversion.
_SAYING_VERBS = (
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "announced",
    "declared",
    "explained",
    "revealed",
    "responded",
    "stated",
    "tweeted",
    "warned",
    "wrote",
    "writes",
    "countered",
    "testified",
    "confirmed",
    "denied",
    "maintained",
)
ENGLISH_CUES: tuple[Cue, ...] = (
    *(
        backward((verb,), SAID_GATE, _said, AFTER_CAPITAL)
        for verb in _SAYING_VERBS
        if not verb.endswith("ed")
    ),
    backward(
        tuple(verb for verb in _SAYING_VERBS if verb.endswith("ed")),
        SAID_GATE,
        _said,
        AFTER_CAPITAL,
    ),
    # one literal each: an alternation of literals is searched many times slower
    *(
        Cue(re.compile(f"(?P<cue>{qualifier})"), _qualified)
        for qualifier in (
            "familiar with",
            "close to",
            "knowledge of",
            "briefed on",
            "who ha(?:ve|s|d)",
        )
    ),
    Cue(re.compile(r"(?P<cue>who sa(?:id|ys?))\b"), _relative_said),
    Cue(re.compile(r"(?P<cue>which sa(?:id|ys?))\b"), _relative_said),
    *(
        Cue(re.compile(rf"(?P<cue>{noun})\b"), _journalist_reported)
        for noun in ("journalist", "reporter", "correspondent", "photographer")
    ),
    Cue(re.compile(r"(?P<cue>reportedly)\b"), _reportedly),
    Cue(re.compile(r"(?P<cue>said to (?:be|have))\b"), _reportedly),
    backward(
        ("reported", "disclosed"),
        REPORTED_GATE,
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
