"""The prose pattern families of Russian, Ukrainian and Persian.

Russian and Ukrainian: "по словам X" / "за словами X" (in X's words), "по данным X" /
"за даними X" / "свідчать дані X" (according to X's data), "говорится в сообщении X" /
"йдеться в повідомленні X" (X's statement says), and reporting verbs with the speaker
after them in an inversion ("«...», — заявил Дмитрий Песков", "повідомили в
Укргідрометцентрі" aside) or before them ("Министерство обороны сообщило"). The name
after "по словам", "данным" or "сообщении" is in the genitive, so ``nominative`` gives
the form a reader cites ("Владимира Путина" is "Владимир Путин", "Укргідрометцентру"
"Укргідрометцентр"). Persian: "به گزارش X" (as X reports), "به نقل از X" (quoting X),
and hearsay ("شنیده‌ها حاکی از آن است": what is heard suggests) as an anonymous source.
``RU_UK_FA_CUES`` holds each language's cues, all led by a literal and searched forward
(see ``archiver.prose`` on why).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .parties import PRESS
from .prose_names import UPPER, run_after, run_before
from .prose_reader import Claim, Cue, Reader, Sentence, forward_cue

#: Words (casefolded stems) that make a Russian or Ukrainian name a government's.
_GOVERNMENT = re.compile(
    r"министерств|минобороны|минздрав|мвд|правительств|кремл|прокуратур|полици|генштаб|"
    r"міністерств|міноборони|мвс|уряд|кабмін|поліці|офіс президента"
)
#: Where a Cyrillic name ends: punctuation, or a word that starts a new clause.
_NAME_END = re.compile(
    r"[,;:.!?()\[\]«»\"“”„—–]|\s(?:что|о|об|в|во|на|по|и|а|но|с|из|що|про|у|і|й|та|з|із)\s"
)
_QUOTED_NAME = re.compile(r"^\s*[«\"“„](?P<name>[^«»\"“”„]{2,60})[»\"”“]")


def nominative(word: str) -> str:
    """The nominative of a Russian or Ukrainian proper noun in the genitive: "Путина" is
    "Путин", "Сергея" "Сергей", "Марии" "Мария", "Захаровой" "Захарова",
    "Укргідрометцентру" "Укргідрометцентр". Acronyms and other endings stay as written."""
    if len(word) < 4 or word.isupper():
        return word
    for ending, replacement in (
        ("ии", "ия"),
        ("ія", "ій"),
        ("ия", "ий"),
        ("ея", "ей"),
        ("вой", "ва"),
        ("ной", "на"),
        ("ової", "ова"),
    ):
        if word.endswith(ending):
            return word[: -len(ending)] + replacement
    last, before = word[-1], word[-2]
    if last in "ау" and before not in "аеёиоуыэюяіїє":
        return word[:-1]  # masculine: Путина, Автодора, Укргідрометцентру
    if last in "яю" and before not in "аеёиоуыэюяіїє":
        return word[:-1] + "ь"  # Игоря
    return word


def _cyrillic_party(reader: Reader, text: str, *, inflected: bool) -> dict[str, Any] | None:
    """The party a Russian or Ukrainian phrase starts with; ``inflected``: in the genitive."""
    if quoted := _QUOTED_NAME.match(text):  # "Автодора", «Газпрома»
        words = quoted.group("name").split()
        name = " ".join(nominative(w) if inflected and len(words) == 1 else w for w in words)
        return reader.resolve(name) or {"name": name, "kind": "organization"}
    phrase = text.lstrip()[:120]
    if end := _NAME_END.search(phrase):
        phrase = phrase[: end.start()]
    if press := next(reader.parties.find(phrase, kinds=PRESS), None):
        return dict(press[0])
    if _GOVERNMENT.match(phrase.casefold()):  # "Министерства обороны России"
        return {"name": phrase.strip(), "kind": "government"}
    run, _ = run_after(phrase)
    if not run or len(run) > 4 or (inflected and len(run) != len(phrase.split())):
        return None
    name = " ".join(nominative(w) for w in run) if inflected else " ".join(run)
    if _GOVERNMENT.search(name.casefold()):
        return {"name": name, "kind": "government"}
    if len(run) == 1:  # one word: an organisation ("Укргідрометцентр", "МЧС")
        return reader.resolve(name) or {"name": name, "kind": "organization"}
    return reader.resolve(name) or {"name": name, "kind": "person"}


def _genitive_cue(relation: str, family: str) -> Callable[..., list[Claim]]:
    """A reader for cues followed by a name in the genitive ("по словам X", "дані X")."""

    def read(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
        party = _cyrillic_party(reader, sentence.after(end), inflected=True)
        return [Claim(party, relation, family)] if party else []

    return read


_VERB_ENDING = re.compile(r"^[а-яіїє]{0,3}")


def _cyrillic_said(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "«...», — заявил Дмитрий Песков", "Министерство обороны сообщило"."""
    after = sentence.after(end)
    after = after[_VERB_ENDING.match(after).end() :]
    before = sentence.before(start).rstrip()
    party = None
    if re.match(rf"\s*[{UPPER}«\"„“]", after):  # inverted: "— заявил Дмитрий Песков"
        party = _cyrillic_party(reader, after, inflected=False)
    elif before and before[-1] not in ',—–-»"”':
        clause = before[-80:].split(".")[-1].strip()
        run, _ = run_before(clause)
        if _GOVERNMENT.match(clause.casefold()):  # "Министерство обороны сообщило"
            party = {"name": clause, "kind": "government"}
        elif len(run) >= 2 or (run and run[0].isupper()):  # one word may be "Это", "Об"
            party = _cyrillic_party(reader, " ".join(run), inflected=False)
    if party is None:
        return []
    relation = "reported" if party["kind"] in PRESS else "said"
    return [Claim(party, relation, "said")]


def _persian_report(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "به گزارش خبرگزاری فارس", "به نقل از ایرنا": the press or outlet that follows."""
    phrase = re.split(r"[،,.؛:]|\s(?:و|که|از|در)\s", sentence.after(end), maxsplit=1)[0][:60]
    found = next(reader.parties.find(phrase, kinds=PRESS), None)
    if found:
        return [Claim(dict(found[0]), "according_to", "according")]
    outlet = re.match(r"\s*((?:خبرگزاری|روزنامه|پایگاه\s+خبری|سایت|شبکه)\s+\S+(?:\s+\S+)?)", phrase)
    if outlet is None:
        return []
    return [Claim({"name": outlet.group(1), "kind": "outlet"}, "according_to", "according")]


#: Persian words for hearsay that "حاکی از" (suggests) may follow: what is heard, reports,
#: news, informed sources.
_HEARSAY = re.compile(r"(?P<np>شنیده\u200c?ها|گزارش\u200c?ها|اخبار|منابع\s+آگاه)\s*$")


def _persian_hearsay(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "شنیده‌ها حاکی از آن است که": unnamed hearsay is the source."""
    hearsay = _HEARSAY.search(sentence.before(start))
    if hearsay is None:
        return []
    return [Claim({"name": hearsay.group("np"), "kind": "anonymous"}, "according_to", "according")]


_SAYS = _genitive_cue("said", "said")
_DATA = _genitive_cue("according_to", "according")
_STATEMENT = _genitive_cue("statement", "said")
_FOLLOWS = rf"(?=\s+[{UPPER}«\"„“])"


def _cyrillic_cues(
    in_words: str, by_data: str, data_show: str, statement: str, verbs: tuple[str, ...]
) -> tuple[Cue, ...]:
    """One language's cues: "in X's words", "by X's data", "X's data show", "X's
    statement says" and reporting verbs. The phrases that may open a sentence are led
    by their second letter, checked with either case behind (a class first is slow)."""

    def opening(phrase: str, read: Callable[..., list[Claim]]) -> Cue:
        first = f"[{phrase[0].upper()}{phrase[0]}]"
        return forward_cue(phrase[1:], read, f"(?<={first}{phrase[1:]})" + _FOLLOWS)

    return (
        opening(in_words, _SAYS),
        opening(by_data, _DATA),
        forward_cue(data_show, _DATA, _FOLLOWS),
        forward_cue(statement, _STATEMENT),
        *(forward_cue(verb, _cyrillic_said) for verb in verbs),
    )


RU_UK_FA_CUES: dict[str, tuple[Cue, ...]] = {
    "ru": _cyrillic_cues(
        "по словам",
        "по данным",
        "свидетельствуют данные",
        "говорится в (?:сообщении|заявлении|пресс-релизе|документе)",
        ("сообщил", "заявил", "сказал", "отметил", "пояснил", "сообщает"),
    ),
    "uk": _cyrillic_cues(
        "за словами",
        "за даними",
        "свідчать дані",
        "йдеться (?:в|у) (?:повідомленні|заяві|пресрелізі|документі)",
        ("повідоми", "заяви", "сказа", "зазначи", "поясни"),
    ),
    "fa": (
        forward_cue("به گزارش", _persian_report),
        forward_cue("به نقل از", _persian_report),
        forward_cue("حاکی از", _persian_hearsay),
    ),
}
