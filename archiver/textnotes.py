"""Paragraphs that speak about the article rather than report: notes and page furniture.

``note_paragraphs`` finds correction, update and editor's notes ("Update:", "Updated
at 10:32", "An earlier version of this article ...") in English, French, Spanish,
German, Italian and Portuguese (``NOTE_PATTERNS``, also matched against headlines);
``furniture_paragraphs`` finds crossheads (a short paragraph in capitals, or of at most
``CROSSHEAD_MAX_WORDS`` words with no sentence punctuation and no figure) and credit
lines ("Reporting by ...; Editing by ...", "... contributed reporting"), which
templates and desks set, not reporters. ``archiver.textdiff`` uses both for its
stealth-edit verdict.
"""

from __future__ import annotations

import bisect
import re

from .textalign import Tokens, comparison_key

__all__ = ["CREDIT_MAX_WORDS", "CROSSHEAD_MAX_WORDS", "NOTE_PATTERNS", "furniture_paragraphs",
           "note_paragraphs"]

#: Longest crosshead without capitals, in words ("A disappointing night for Netflix").
CROSSHEAD_MAX_WORDS = 8
#: Longest credit line, in words (Reuters' credits name up to about ten people).
CREDIT_MAX_WORDS = 40

_LEAD = r"^[\s*\[(«\"“„>•·|–—-]*"  # bullets, brackets, dashes before a label
#: A correction, update or editor's note, matched case-insensitively at the start of
#: every paragraph (and in the headline), and anywhere for the third group. The first group
#: are labels that open a paragraph and need a colon or dash ("Update:", "UPDATE 2-");
#: the second, dated labels at a paragraph's start ("Updated at 10:32", "Mis à jour le");
#: the third, sentences anywhere ("An earlier version of this article ...").
_NOTE_SOURCE = (
    _LEAD + r"(?:corrections?|updated?|clarification|editor['’]?s['’]? note|note to readers"
    r"|rectificatif|correctif|précision|erratum|mise à jour|note de la rédaction"
    r"|corrección|aclaración|fe de erratas|actualización|nota del editor"
    r"|nota de la redacción|korrektur|berichtigung|klarstellung|aktualisierung"
    r"|anmerkung der redaktion|korrekturhinweis|correzione|rettifica|precisazione"
    r"|aggiornamento|nota della redazione|errata corrige|correção|errata|esclarecimento"
    r"|atualização|nota do editor|nota da redação)\s*\d*\s*[:\-–—)\]]"
    r"|" + _LEAD + r"(?:(?:last\s+)?updated\s+(?:at|on|\d)|(?:zuletzt\s+)?aktualisiert"
    r"(?:\s+(?:am|um|\d)|:)|mise? à jour\s+(?:le|à|\d)|dernière mise à jour"
    r"|actualizado(?:\s+(?:el|a las|\d)|:)|última actualización"
    r"|aggiornato(?:\s+(?:il|alle|\d)|:)|ultimo aggiornamento"
    r"|atualizado(?:\s+(?:em|às|\d)|:)|última atualização)"
    r"|\b(?:this (?:article|story|post|report|piece) (?:has been|was) (?:updated|corrected"
    r"|amended)|an? (?:earlier|previous) version of this"
    r"|cet article a été (?:mis à jour|modifié|corrigé|actualisé)"
    r"|une (?:précédente|première) version de cet article"
    r"|este artículo (?:ha sido|fue) (?:actualizado|corregido|modificado)"
    r"|una versión anterior de (?:este|esta)"
    r"|dieser (?:artikel|beitrag|text) wurde (?:aktualisiert|korrigiert|ergänzt|geändert)"
    r"|in einer früheren version"
    r"|questo articolo è stato (?:aggiornato|corretto|modificato)"
    r"|una (?:precedente|versione precedente) (?:versione )?di questo articolo"
    r"|est[ea] (?:texto|artigo|reportagem|matéria) foi (?:atualizad|corrigid)[oa]"
    r"|uma versão anterior d(?:est)?[ea])"
)
NOTE_PATTERNS = re.compile(_NOTE_SOURCE.replace(" ", r"\s+"), re.IGNORECASE | re.MULTILINE)


_CREDIT = re.compile(
    r"^[\s(\[]*(?:with\s+)?(?:additional\s+|further\s+)?(?:reporting|writing|editing"
    r"|compiled|research|graphics|production|fact[- ]checking|translation|translated)"
    r"(?:\s+and\s+\w+)?\s+by\b"
    r"|\bcontributed\s+(?:reporting|to\s+this\s+(?:report|story|article))\b",
    re.IGNORECASE)
_SENTENCE_PUNCTUATION = re.compile(r"[.!?:;,。؟।]$|[.!?]['’\"”)]$")
_DIGIT = re.compile(r"\d")


def furniture_paragraphs(tokens: Tokens) -> set[int]:
    """Indexes of the paragraphs that are crossheads or credit lines (module docstring)."""
    found = set()
    for index, (lo, hi, _, _) in enumerate(tokens.paragraphs):
        words = tokens.word_count(lo, hi)
        text = tokens.paragraph_text(index).strip()
        cased = [c for c in text if c.isalpha() and c.lower() != c.upper()]
        crosshead = not _SENTENCE_PUNCTUATION.search(text) and not _DIGIT.search(text) and (
            words <= CROSSHEAD_MAX_WORDS
            or (cased and all(c.isupper() for c in cased) and words <= 2 * CROSSHEAD_MAX_WORDS))
        if crosshead or (words <= CREDIT_MAX_WORDS and _CREDIT.search(text)):
            found.add(index)
    return found


def note_paragraphs(tokens: Tokens) -> dict[str, str]:
    """Comparison key -> original text of every paragraph that is a correction/update note."""
    notes = {}
    starts = [start for _, _, start, _ in tokens.paragraphs]
    for match in NOTE_PATTERNS.finditer(tokens.text):
        index = bisect.bisect_right(starts, match.end() - 1) - 1
        if index >= 0:
            text = tokens.paragraph_text(index)
            notes[comparison_key(text) or ""] = text
    return notes
