"""Attribution in the prose: who the article says said, told, reported or was quoted.

``prose_links`` reads the normalised article text for reporting clauses and returns
links shaped as ``$defs/link`` of ``schemas/provenance.schema.json``: information came
from ``source`` and was relayed by ``via``. ``via`` is the outlet unless the sentence
names a relayer ("X told AFP", "AFP quoted X as saying", "X said, according to
Reuters", "sources told the news agency"); then a second link says the outlet relayed
that relayer, so following ``via`` from the outlet back gives the whole chain
(outlet ← AFP ← unnamed sources). Pattern families (``method`` is ``prose-<family>``):

* ``said``: "X said" / "said X" / "X says" and the other reporting verbs ("added",
  "announced", "declared", "tweeted", "wrote", "confirmed to AFP", ...; in French,
  Spanish, Portuguese, Italian and German "», explica X", "X, glaciólogo de ..., explica
  que", "disse o ministro X", "erklärte auf Anfrage"), with title appositions ("Jane
  Doe, the mayor, said"), ``statement`` for announcements and organisations, and
  ``speech`` when it was "in a televised speech / interview / news conference";
* ``told``: "X told AFP / reporters / the news agency / VOA correspondent Carla Babb";
  "X told lawmakers that" is a statement the outlet relays;
* ``according``: "according to X", "selon", "d'après", "según", "de acuerdo con",
  "laut", "zufolge", "nach Angaben", "segundo", "de acordo com", "secondo", "وفقا لـ",
  "بحسب";
* ``reported``: "AFP reported", "reported by X", "the agency said", "an AP journalist
  reported", "berichtete die Nachrichtenagentur dpa", "ذكرت وكالة"; "reportedly" and
  "were said to be" cite ``unspecified reports``;
* ``quoted``: "X quoted Y as saying", "Y was quoted by X", "..., citing Y", "نقلت وكالة X
  عن Y", "cité par";
* ``agency``: a statement made to a named agency in French, Spanish, Portuguese,
  Italian, German or Arabic ("a indiqué à l'AFP", "dijo a EFE", "sagte der
  Nachrichtenagentur dpa", "قال ... لوكالة");
* ``anonymous``: unnamed sources standing alone in those languages ("de source proche
  du dossier", "fuentes que pidieron el anonimato", "aus Regierungskreisen", "مصادر
  مطلعة").

Anonymous sources ("unnamed officials", "a source close to the negotiations", "Middle
East observers", "a doctor on the scene", "analistas", "aus Regierungskreisen", "مصادر
مطلعة") are kind ``anonymous``. "the news agency said" resolves to the agency named
last before it; "the French news agency" and such through the registry's descriptors.
"He", "she", "er" and "sie" continue the person quoted just before (within
``SPEAKER_CHARS``, and only when no other full name came in between, quotations
aside), or when no one was quoted there the last person named as a sentence's subject;
"who said" and "which said" are their antecedent's; other pronouns are never sources.
A bare surname is a person only when the text gives the full name, puts a title before
it somewhere ("President Trump") or it tells an agency; a bare capitalised word the text
also gives as a longer name is that organisation ("Skyhorse": Skyhorse Publishing).

This module finds the cues and turns claims into links; what the families share is in
``archiver.prose_reader`` (the reader, its sentences and parties) and
``archiver.prose_names`` (runs of capitalised words, titles, name markers), the English
families in ``archiver.prose_en`` (anonymous sources in ``archiver.prose_anonymous``)
and the other languages in ``archiver.prose_intl`` (Arabic in ``archiver.prose_ar``,
Russian, Ukrainian and Persian in ``archiver.prose_ru_uk_fa``).

Cost, and why no NLP library. Measured on one core (CPython 3.11, best of several
runs) on the 100 KB text of ``benchmarks/common.py``'s ``article_page``, where every
dozenth word is "said", "reported", "sources", "agency" or "officials", and on the 18
English corpus articles (5 KB of text each on average):

* spaCy 3.8 from PyPI (scratch virtualenv): its blank English tokenizer alone takes
  100-150 ms per 100 KB, over a hundred times this reader's whole cost, before any tagger,
  parser or entity model; and the trained pipelines are not on PyPI (they download from
  GitHub at install or run time), which the project rules out. blingfire's sentence
  splitter alone takes 2.6 ms per 100 KB. So: no NLP dependency.
* This reader, English: 1.9 ms per synthetic 100 KB page (1.1 ms of it finding the
  cues: 22 literal searches, 0.03-0.13 ms each), 0.5-0.9 ms per corpus page;
  ``language=None``: 2.0 ms on the synthetic page. Before the verbs beyond "said", the
  qualifier, trade and "reportedly" cues (2026-11-24) it was 0.6 ms and 0.22 ms; the
  added recall (gate: 0.33 to 0.72) is worth a fraction of a millisecond per article.

What makes it cheap: each cue is a regex that starts with a literal, which CPython's
``re`` finds at ~0.5 ns a character (a leading character class, ``\\b`` or ``re.I`` made
the same search 20-50 times slower, and ``in`` tests were slower than the regex); verbs
whose subject comes first ("X said") are searched in the reversed text, where a gate
right after the reversed verb (possessive quantifiers, and word lists grouped by first
letter, since ``re`` tries alternatives one by one) keeps "Volker said", "two officials
said" or ", said" and drops "minister said" without leaving C; "according to", "as
saying" and "citing" share one reversed cue ("gni..."), and so do the "-ed" verbs
("de..."); verbs whose subject is far from them ("people familiar with X said", "an AP
journalist in the area reported") are found from the words before them instead. Only cue hits reach Python,
which reads one sentence of at most ``MAX_SENTENCE_CHARS`` around each. With no language
tag, the first ``SNIFF_CHARS`` of the text pick the sets to run by their function words
(all of them when none shows). Every regex is bounded (no nested unbounded quantifiers),
lines longer than ``MAX_LINE_CHARS`` are skipped and at most ``MAX_CUES`` cues are read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .credits import MAX_EVIDENCE_CHARS
from .parties import PRESS, Registry, registry
from .prose_ar import ARABIC_CUES
from .prose_en import ENGLISH_CUES
from .prose_intl import OTHER_CUES
from .prose_names import NOT_SUBJECTS
from .prose_reader import Claim, Cue, Reader, Sentence
from .prose_ru_uk_fa import RU_UK_FA_CUES

#: Most cues read in one text: real articles have tens, so this only bounds hostile input.
MAX_CUES = 400

_LANGUAGES = ("en", "fr", "es", "de", "pt", "it", "ar", "ru", "uk", "fa")
_CUES: dict[str, tuple[Cue, ...]] = {"en": ENGLISH_CUES, **OTHER_CUES, "ar": ARABIC_CUES,
                                   **RU_UK_FA_CUES}


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
            "es", "de", "pt", "it", "ar", "ru", "uk", "fa"; other languages get none), or
            None to try those the text shows.
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
    reader = Reader(text, outlet, parties or registry())
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
        shown += ("ar", "fa")
    if _CYRILLIC_LETTER.search(sample):
        shown += ("ru", "uk")
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
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_AFTER_QUOTATION = re.compile(r"[,?!][\"”’]\s*s?he\s*$")


def _cue_hits(reader: Reader, languages: tuple[str, ...]) -> list[tuple[int, int, Cue]]:
    """Every cue of ``languages`` in the text, in text order, at most ``MAX_CUES``."""
    hits: list[tuple[int, int, Cue]] = []
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
                # "He said", "With said" at a paragraph start: no one to name, no need to
                # read; but '..." she said' continues the person named before the quotation
                before = text[max(0, start - 12) : start]
                word = before.rsplit(None, 1)[-1:]
                if (
                    word
                    and word[0].casefold() in NOT_SUBJECTS
                    and not text[end + 1 : end + 2].isupper()
                    and not (word[0] in ("he", "she") and _AFTER_QUOTATION.search(before))
                ):
                    continue
                hits.append((start, end, cue))
    hits.sort(key=lambda hit: hit[0])
    return hits[:MAX_CUES]


def _emit(
    reader: Reader,
    claim: Claim,
    sentence: Sentence,
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
    if source["kind"] == "person":
        reader.speakers.append((offset, source))
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
