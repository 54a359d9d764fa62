"""Anonymous sources in English: who "two senior officials", "people familiar with the
talks" or "a source close to the negotiations" are.

``anonymous_source`` reads the noun phrase before or after a reporting verb and names
the unnamed source the way a reader would cite it ("two senior officials who spoke on
condition of anonymity" is "unnamed senior officials"), or says it is nobody anonymous
("the sources": someone named before; "Israeli authorities": a government).
``ANON_NOUNS`` and ``ANON_BEFORE`` also build the English cue gates
(``archiver.prose_en``); the other languages use ``anonymous_source`` as a fallback.
"""

from __future__ import annotations

import re
from typing import Any

#: Longest name of an anonymous source we keep ("a source close to the negotiations").
MAX_ANONYMOUS_CHARS = 80


ANON_NOUNS = frozenset(
    "source sources official officials diplomat diplomats insider insiders person people "
    "aide aides analyst analysts observer observers expert experts witness witnesses "
    "doctor doctors medic medics "
    "resident residents operative operatives authorities mps lawmakers legislators traders "
    "executives".split()
)
#: Words that may stand right before "sources"/"officials" said: quantifiers, the usual
#: modifiers, and clause words ("... and officials said").
ANON_BEFORE = frozenset(
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
    r"\s+(?:close\s+to|familiar\s+with|on\s+the(?=\s+(?:scene|ground))|with\s+(?:direct\s+|first-?hand\s+)?knowledge\s+of|"
    r"briefed\s+on|involved\s+in|in|at|inside|within|across|from|who\s+(?:know|knew|are|were|have|"
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
            if words[i].casefold().strip(",") in ANON_NOUNS
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
            # "people in Gaza" is everyone there; "a person at the fundraiser" is one source
            noun == "people" and match.group(0).split()[0] in ("in", "at", "from")
        ):
            return None
        qualifier = " " + rest
    if noun in _NEEDS_QUALIFIER and not (qualifier or clause):
        return None
    if noun == "authorities" and (index > 0 or rest):
        return None  # "Israeli authorities", "authorities from X": a government, not anonymous
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
    written = words[index].strip(",")
    core = " ".join([*modifiers, written if written[1:] != written[1:].lower() else noun])  # MPs
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
