"""The gates of the English verb cues: what must stand before a reporting verb for the
sentence around it to be worth reading.

Verbs whose subject comes first ("X said") are searched in the reversed text, so what
precedes the verb in the text follows it there; a gate right after the reversed verb
(possessive quantifiers, word lists grouped by first letter) lets through a capitalised
word, a comma, an anonymous noun ("two officials said"), a newspaper or agency ("the
news agency said"), a government ("Iran's foreign ministry said") or the object of a
qualifier ("a source close to the negotiations said"), and drops the rest without
leaving C. See ``archiver.prose`` on why this is fast; ``archiver.prose_en`` reads
what the gates let through.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .prose_anonymous import ANON_BEFORE
from .prose_names import LOWER, UPPER
from .prose_reader import Claim, Cue

#: What may precede "said" for the verb to be worth reading (reversed text: these are
#: the words before the verb, backwards): a capitalised word, a comma, an anonymous
#: noun, an agency or newspaper, state media.
_CAPITAL_GATE = rf"[{LOWER}'’-]{{0,40}}+[{UPPER}]"
_ANON_NEXT = (
    rf" (?:{_CAPITAL_GATE}|[,;:(“\"—.\n]|(?:"
    + "|".join(sorted((w[::-1] for w in ANON_BEFORE), key=len, reverse=True))
    + r")\b)"
)
_OWNER_NEXT = rf" (?:[{LOWER}'’]{{1,20}}+ ){{0,2}}(?:s['’])?[{LOWER}'’-]{{0,30}}+[{UPPER}]"
_PRESS_NEXT = (
    rf" (?:swen )?(?:(?:etats|laiciffo|nur-etats|laiciffo-imes) )?"
    rf"(?:eht\b|[{LOWER}'’-]{{0,30}}+[{UPPER}])"
)
_QUALIFIED = (
    r" (?:eht |a |na )?(?:ot esolc|htiw railimaf|fo egdelwonk|no defeirb|ni devlovni|"
    r"eht no|ssorca)\b"
)
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
            "stsylana",
            "tsylana",
            "srevresbo",
            "revresbo",
            "stsrepxe",
            "trepxe",
            "sessentiw",
            "stnediser",
            "sevitarepo",
            "evitarepo",
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
    "dlo-raey-": r"\d{1,3} eh[tT]\b",  # "the 56-year-old said": the person named before
    **{
        w: _OWNER_NEXT
        for w in (
            "yrtsinim",
            "tnemnrevog",
            "ecilop",
            "seitirohtua",
            "yssabme",
            "eciffo",
            "nosrepsekops",
            "namsekops",
            "namowsekops",
        )
    },
    **{w: f"(?:{_OWNER_NEXT}|{_QUALIFIED})" for w in ("yratilim", "ymra", "ngiapmac")},
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
            "mraeb",
            "maet",
            "troc",
            "esuoh",
            "enecs",
            "dnuorg",
            "dlrow",
            "yrtnuoc",
            "noiger",
            "yrtsudni",
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


def backward(
    verbs: tuple[str, ...], gate: str, read: Callable[..., list[Claim]], *behind: str
) -> Cue:
    """Verbs whose subject comes first, found in the reversed text when ``gate`` follows
    them (or when one of the fixed-width shapes ``behind`` precedes them there).

    Several verbs share one cue only when their reversed forms share a leading literal
    ("ed" of "added", "announced"): ``re`` searches for that literal, then tries the rest
    (measured: 12 such verbs in one cue, 0.05 ms per 100 KB; as 12 cues, 0.54 ms)."""
    reverses = sorted((verb[::-1] for verb in verbs), key=len, reverse=True)
    prefix = reverses[0][: _shared_prefix(reverses)]
    by_letter: dict[str, list[str]] = {}
    for reverse in reverses:
        rest = reverse[len(prefix) :]
        by_letter.setdefault(rest[:1], []).append(re.escape(rest[1:]))
    rests = "|".join(
        f"{re.escape(letter)}(?:{'|'.join(tails)})" if letter else ""
        for letter, tails in by_letter.items()
    )
    cue = re.escape(prefix) + (f"(?:{rests})" if len(reverses) > 1 else rests)
    also = "".join(f"|(?<={shape}{reverse})" for shape in behind for reverse in reverses)
    return Cue(re.compile(rf"(?P<cue>{cue})(?: (?:{gate}){also})"), read, True)


def _shared_prefix(words: list[str]) -> int:
    """How many leading characters all ``words`` share."""
    size = 0
    while all(len(word) > size and word[size] == words[0][size] for word in words):
        size += 1
    return size


AFTER_CAPITAL = rf"[{UPPER}] "  # "said Hill": in the reversed text, "lliH dias"
#: Adverbs and an auxiliary between a subject and its verb ("Smith also said", "Allen
#: has long denied"), reversed.
_ADVERBS = (
    r"(?:(?:osla|reilrae|retal|neht|won|llits|ylsuoiverp|ylkciuq|ylrehtruf|gnol|syawla|"
    r"yltnetsisnoc|yldetaeper) )?(?:(?:sah|evah|dah) )?"
)
#: '..." she said': the pronoun right after a quotation continues whoever was named before.
_PRONOUN_AFTER_QUOTATION = r"ehs? [\"”’][,?!]"
SAID_GATE = (
    rf"{_ADVERBS}(?:{_CAPITAL_GATE}|{_word_gate(_WORD_GATES)})|[\"”’']?,"
    rf"|{_PRONOUN_AFTER_QUOTATION}"
)
REPORTED_GATE = (
    rf"(?:(?:t(?:srif|sal)|osla|reilrae|y(?:lsuoiverp|llaitini)) )?(?:{_CAPITAL_GATE}|"
    + _word_gate(
        {w: g for w, g in _WORD_GATES.items() if g in (_PRESS_NEXT, "") and " eb " not in w}
    )
    + ")|,"
)
