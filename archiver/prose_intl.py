"""The prose pattern families of French, Spanish, Portuguese, Italian and German.

Statements made to a named agency ("a indiqué à l'AFP", "dijo a EFE", "sagte der
Nachrichtenagentur dpa"), "according to" forms ("selon", "según", "laut", "zufolge",
"segundo", "secondo"), reports ("rapporte l'AFP", "berichtete die Nachrichtenagentur
dpa"), quotations ("cité par"), anonymous sources ("de source proche du dossier",
"aus Regierungskreisen", "analistas"; ``ANON_OTHER`` also reads the Arabic ones for
``archiver.prose_ar``) and reporting verbs with no relayer (``_said_other``: "«...»,
explica Marcelo Leppe", "Francisco Navarro, glaciólogo de ..., explica que", "disse o
ministro do Exterior, Mohammad Javad Zarif", "Das Ministerium erklärte auf Anfrage",
"sagte er dem NDR" continuing the last speaker).
``OTHER_CUES`` holds each language's cues, all led by a literal and searched forward.
Arabic is in ``archiver.prose_ar``.
"""

from __future__ import annotations

import re
from typing import Any

from .parties import PRESS
from .prose_anonymous import MAX_ANONYMOUS_CHARS, anonymous_source
from .prose_names import (
    ACRONYM,
    GOVERNMENT_WORDS,
    PRONOUNS,
    UPPER,
    is_title,
    name_markers,
    run_after,
    run_before,
)
from .prose_reader import (
    Claim,
    Cue,
    Reader,
    Sentence,
    forward_cue,
    noun_phrase,
    party_named,
    person_like,
    person_named,
    press_phrase,
)

# --- other languages ------------------------------------------------------------------

#: Object pronouns and demonstratives that start Romance and German clauses ("Lo ha detto").
_CLITICS = frozenset("lo la le gli ce cela ceci ça esto eso ello isso isto das dies".split())
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
    exterior exteriores estrangeiros
    esteri lavoro istruzione gesundheit inneres verteidigung finanzen""".split()
)
#: Common nouns that German capitalises but that name nobody ("Bericht", "Angaben").
_GERMAN_NOUN = re.compile(r"(?:ung|heit|keit|schaft|tion|amt|ium|icht|aben|ahlen)$")


def _foreign_party(reader: Reader, np: str, *, lone: bool = False) -> dict[str, Any] | None:
    """The party a French, Spanish, German, Portuguese or Italian noun phrase names."""
    bare = _ARTICLES.sub("", np.strip())
    if not bare:
        return None
    if bare[0].islower() and bare.split()[0].casefold() in GOVERNMENT_WORDS:
        name = " ".join(bare.split()[:6])  # "ministère de l'Intérieur", "police"
        return {"name": name, "kind": "government"}
    if bare[0].islower():  # "le ministre de la Santé Olivier Véran"
        title = _LOWER_TITLES.match(bare)
        if not title:
            return None
        runs = re.findall(
            r"["
            + UPPER
            + r"][\w’'-]*(?:\s+(?:(?:de|da|del|van|von|di|le|la)\s+)?["
            + UPPER
            + r"][\w’'-]*)*",
            bare[title.end() :],
        )
        run = runs[-1].split() if runs else []
        while run and run[0].casefold() in _DEPARTMENTS:
            run.pop(0)
        party = party_named(reader, run, False, lone=True)
        return party if party and party["kind"] == "person" else None
    run, _ = run_after(bare)
    if not run or len(run) > 5:
        return None
    name = " ".join(run)
    marked = name_markers(name)
    if "government" in marked:
        return {"name": name, "kind": "government"}
    if "organization" in marked or ACRONYM.fullmatch(name):
        return {"name": name, "kind": "organization"}
    titled = [i for i, t in enumerate(run) if is_title(t)]
    person = run[titled[-1] + 1 :] if titled else run
    if len(person) == 1:
        return person_named(reader, person, lone=lone or bool(titled))
    if len(person) <= 3 and person_like(person) and not _GERMAN_NOUN.search(person[-1]):
        return {"name": " ".join(person), "kind": "person"}
    return None


def _foreign_np(
    reader: Reader, after: str, position: int, relation: str, family: str
) -> list[Claim]:
    """A claim for the party named after "selon", "según", "laut", "segundo", "secondo"."""
    np = noun_phrase(after)
    if document := _DOCUMENT.match(np):  # "le dernier rapport du Forum économique mondial"
        np = np[document.end() :]
    party = press_phrase(reader, np, position) or _institution(np) or _foreign_party(reader, np)
    return [Claim(party, relation, family)] if party else []


#: A report or study and the preposition before its author: "le dernier rapport du",
#: "un estudio de la", "o relatório do".
_DOCUMENT = re.compile(
    r"(?:(?:le|la|l['’]|un|une|el|o|a|il|lo)\s*)?(?:(?:dernier|derni[eè]re|nouveau|nouvelle|"
    r"r[ée]cent|[úu]ltim[oa]|nuev[oa]|nov[oa])\s+)?(?:rapport|[ée]tude|enqu[êe]te|bilan|"
    r"communiqu[ée]|sondage|informe|estudio|encuesta|comunicado|relat[óo]rio|estudo|pesquisa|"
    r"rapporto|studio|indagine)\s+(?:(?:annuel|anual|annuale)\s+)?"
    r"(?:du|de\s+la|de\s+l['’]|des|de|del|de\s+los|do|da|dos|della|dell['’]|dei)\s*",
    re.IGNORECASE,
)
#: An institution named by a capitalised head noun and lower-case words ("Forum
#: économique mondial", "Organisation mondiale de la santé"), up to a verb or clause.
_INSTITUTION = re.compile(
    r"(?P<name>[" + UPPER + r"][\w’'-]+(?:\s+(?:de|du|des|la|le|l['’]|pour|del|do|da|della|"
    r"per|para)?\s*[\w’'-]+){1,5}?)\s*(?:$|\(|,|\s(?:qui|que|publi\w*|sur|en|dans|a|est)\b)"
)


def _institution(np: str) -> dict[str, Any] | None:
    """An organisation whose name is a head noun of ``name_markers`` then lower-case words."""
    bare = _ARTICLES.sub("", np.strip())
    match = _INSTITUTION.match(bare)
    if match is None or "organization" not in name_markers(bare.split()[0]):
        return None
    return {"name": match.group("name"), "kind": "organization"}


def _subject_before(reader: Reader, before: str) -> dict[str, Any] | None:
    """Who speaks when a Romance or German clause ends right before its verb."""
    clause = _AUXILIARIES.sub("", before).rstrip()
    source = _anonymous_any(clause[-120:])
    if source is None and clause.endswith(","):
        # "El ministro de Exteriores, José Manuel Albares, dijo": the name is the
        # apposition; "Jean Dupont, porte-parole du gouvernement, a déclaré": before it
        head, _, apposition = clause[:-1].rpartition(",")
        run, the = run_after(apposition)
        if run and len(run) == len(apposition.split()) and not any(map(is_title, run)):
            source = party_named(reader, run, the, lone=True)
        elif head and "," not in head:
            run, the = run_before(head.rstrip())
            source = party_named(reader, run, the, lone=True)
    elif source is None:
        run, the = run_before(clause)
        if run and run[0].casefold() not in _CLITICS:
            source = party_named(reader, run, the, lone=True)
    return source


#: Adverbials between an inverted verb and its subject ("lamenta, por su parte, Iris").
_INVERSION_FILLER = re.compile(
    r"^\s*,?\s*(?:(?:por\s+su\s+parte|en\s+cambio|a\s+su\s+vez|de\s+su\s+lado|pour\s+sa\s+part|"
    r"quant\s+à\s+lui|par\s+ailleurs|por\s+sua\s+vez|da\s+parte\s+sua|invece|dagegen)\s*,?\s*)?"
)
#: What follows a verb whose subject came first: "explica que", "disse:", "erklärte, dass".
_CLAUSE_FOLLOWS = re.compile(r"\s*(?:que\b|che\b|:|,\s*(?:dass|que|che)\b|\s*auf\s+Anfrage\b)")


def _said_other(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "«...», explica Marcelo Leppe", "X, glaciólogo de la UPM, explica que", "disse o
    ministro X", "Das Ministerium erklärte auf Anfrage": reporting verbs with no relayer."""
    before = sentence.before(start)
    after = sentence.after(end)
    source = None
    quoted = re.search(r"[”\"»“]\s*,?\s*(?:—\s*)?$", before)
    if before.rstrip().endswith(",") and not quoted:
        # "Tobias Lindner, Sprecher der Grünen, nennt": an apposition, subject first
        source = _subject_before(reader, before)
    if source is None and (quoted or before.rstrip().endswith(",")):  # inverted
        rest = after[_INVERSION_FILLER.match(after).end() :]
        np = noun_phrase(rest)
        apposition = rest[len(np) :]
        if np[:1].islower() and apposition.startswith(","):
            # "disse o ministro do Exterior, Mohammad Javad Zarif": the name follows
            run, _ = run_after(apposition[1:])
            source = person_named(reader, run, lone=False) if len(run) >= 2 else None
        source = source or _foreign_party(reader, np) or _organization_np(np)
        if source is None and quoted and not np.strip(" ."):
            source = reader.speaker(sentence.offset + start)  # «...», cuenta.: the same voice
    if source is None and before.strip() and _CLAUSE_FOLLOWS.match(after):
        source = _subject_before(reader, before)  # "Francisco Navarro explica que"
    relation = "statement" if source and source["kind"] != "person" else "said"
    return [Claim(source, relation, "said")] if source else []


def _organization_np(np: str) -> dict[str, Any] | None:
    """ "la Aemet", "l'OMS": an organisation named by an article and a capitalised name."""
    bare = _ARTICLES.sub("", np.strip())
    if bare and bare != np.strip() and re.fullmatch(rf"[{UPPER}][\w-]+", bare):
        return {"name": bare, "kind": "organization"}
    return None


def _told_agency(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "X a indiqué à l'AFP", "dijo a EFE", "disse à Reuters", "ha detto all'ANSA"."""
    via = press_phrase(reader, noun_phrase(sentence.after(end)), sentence.offset + end)
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
        source = _subject_before(reader, before[: len(before) - len(before[-140:]) + verb.start()])
    if source is None:  # "Lo ha detto all'ANSA il sindaco Beppe Sala"
        rest = sentence.after(end).lstrip()
        press = _PRESS_WORD.match(rest)
        source = _foreign_party(reader, rest[press.end() :], lone=True) if press else None
    return [Claim(source, "told", "agency", via)] if source else []


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
ANON_OTHER = re.compile(
    r"(?P<np>(?:une?\s+|des\s+|una?s?\s+|unos\s+|las\s+|umas?\s+|dos\s+|duas\s+|due\s+)?"
    r"(?:sources?|fuentes?|fontes?|fonti)\s+"
    rf"(?:(?:{_ANON_QUALIFIER})(?:\s+{_ANON_CLAUSE})?|{_ANON_CLAUSE})"
    r"(?=[,;.]|\s+(?:que|qui|ont|a|han|ha|dijo|dijeron|señalaron|indicaron|confirmaron|"
    r"disseram|hanno|citées|citadas|consultadas|ouvidas)\b|$))"
    r"|(?P<circles>aus\s+(?:[\w-]+)?[Kk]reisen(?:\s+(?:der|des)\s+[^,;.]{2,40}?)?(?=[,;.]|\s|$))"
    # "De acordo com analistas", "selon des experts": unnamed people by their trade
    r"|(?P<trade>(?:des\s+|los\s+|les\s+|os\s+|gli\s+|algunos\s+|alguns\s+|certains\s+)?"
    r"(?:analistas|analystes|analisti|Analysten|expertos|especialistas|experts|esperti|"
    r"Experten|observadores|observateurs|osservatori|Beobachter)(?=[,;.]|$))"
    r"|(?P<ar>مصادر\s+(?:مطلعة|أمنية|دبلوماسية|طبية|عسكرية|حكومية|رسمية|فلسطينية|إسرائيلية|"
    r"مقربة\s+من\s+\S+(?:\s+\S+)?)|مصدر\s+(?:مطلع|أمني|دبلوماسي|طبي|عسكري|حكومي|رسمي|مسؤول|"
    r"مقرب\s+من\s+\S+(?:\s+\S+)?))",
    re.IGNORECASE,
)
_NOT_CIRCLES = re.compile(r"(?i)\b(?:land|stadt|wahl|verwaltungs)kreisen")


def _anonymous_any(text: str) -> dict[str, Any] | None:
    """An anonymous source in any language read here ("source proche du dossier", "مصدر مطلع")."""
    match = ANON_OTHER.search(text)
    if not match:
        return anonymous_source(text)
    if match.group("circles") and _NOT_CIRCLES.search(match.group(0)):
        return None
    name = re.sub(r"(?i)^de\s+", "", match.group(0).strip())
    if match.group("np") or match.group("circles") or match.group("trade"):
        name = name[0].lower() + name[1:]  # "Fuentes cercanas a ..." at a sentence start
    return {"name": name[:MAX_ANONYMOUS_CHARS], "kind": "anonymous"}


def said_anonymous(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "de source proche du dossier", "fuentes cercanas a", "aus Regierungskreisen", "مصادر مطلعة"."""
    window = sentence.line[max(sentence.begin, start - 40) : min(sentence.stop, end + 100)]
    party = _anonymous_any(window) if ANON_OTHER.search(window) else None
    if party is None:
        return []
    relayed = re.search(
        r"(?:consultad[oa]s|citad[oa]s|cit[ée]e?s?|ouvidas|citate)\s+(?:por|par|pel[oa]|dall['’]|da)"
        r"\s+(?P<np>[^,;.]{2,60})",
        sentence.line[start : sentence.stop],
    )
    via = (
        press_phrase(reader, noun_phrase(relayed.group("np")), sentence.offset + end)
        if relayed
        else None
    )
    return [Claim(party, "said", "anonymous", via)]


def _according_other(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
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
    if ANON_OTHER.match(after.lstrip()):
        party = _anonymous_any(after.lstrip()[:160])
        return [Claim(party, "according_to", "according")] if party else []
    return _foreign_np(reader, after, sentence.offset + end, "according_to", "according")


def _reported_other(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "rapporte l'AFP", "informó EFE", "berichtete die Nachrichtenagentur dpa"."""
    party = press_phrase(reader, noun_phrase(sentence.after(end)), sentence.offset + end)
    if party is None:  # "wie die Nachrichtenagentur Ansa berichtete"
        clause = re.search(
            r"\b(?:wie|comme|como|come)\s+(?P<np>[^,;]{2,80})$", sentence.before(start).rstrip()
        )
        if clause:
            found = [p for p, _ in reader.parties.find(clause.group("np"), kinds=PRESS)]
            party = (
                found[0]
                if found
                else press_phrase(reader, clause.group("np"), sentence.offset + start)
            )
    return [Claim(party, "reported", "reported")] if party else []


def _cited_by(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "X, cité par l'AFP", "X, citado por EFE", "X, citato dall'ANSA"."""
    after = sentence.after(end)
    by = re.match(r"\w*\s+(?:par|por|pel[oa]|dall['’]|dalla|da|von)\s*", after)
    if not by:
        return []
    via = press_phrase(reader, noun_phrase(after[by.end() :]), sentence.offset + end)
    before = sentence.before(start).rstrip(" ,")
    run, the = run_before(before)
    source = party_named(reader, run, the, lone=True) if run else _anonymous_any(before[-100:])
    return [Claim(source, "said", "quoted", via)] if source and via else []


def _german_said(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "sagte Lindner", "sagte Innenminister X der Nachrichtenagentur dpa"."""
    after = sentence.after(end)
    words = after.split()
    if not words or words[0] in ("der", "die", "das", "ein", "eine"):
        return []
    pronoun = words[0].casefold() in PRONOUNS
    if pronoun and words[0] not in ("er", "sie"):
        return []
    to = re.search(r"\s(?:dem|der|den)\s+(?P<np>[^,;.]{2,60})", after[:120])
    via = press_phrase(reader, noun_phrase(to.group("np")), sentence.offset + end) if to else None
    if pronoun:  # "sagte er dem NDR": the person quoted just before
        speaker = reader.speaker(sentence.offset + start)
        relation = "told" if via else "said"
        return [Claim(speaker, relation, "agency" if via else "said", via)] if speaker else []
    run, _ = run_after(after[: to.start()] if to else after)
    titled = [i for i, t in enumerate(run) if is_title(t)]
    person = run[titled[-1] + 1 :] if titled else run
    if not person_like(person[:3]) or _GERMAN_NOUN.search(person[-1]):
        return []
    source = person_named(reader, person[:3], lone=bool(via) or bool(titled))
    if source is None:
        return []
    return [Claim(source, "told" if via else "said", "agency" if via else "said", via)]


_ANNOUNCER = re.compile(r"n?\s+(?P<np>[^,;.:!?\"„“]{2,80}?)\s+mit\b")
#: Generic nouns before an organisation's name ("die Organisation Künstler helfen Künstlern").
_ORGANIZATION_NOUN = re.compile(
    r"^(?:Organisation|Initiative|Stiftung|Verein|Firma|Gruppe|Plattform|Hilfsorganisation)\s+"
    rf"(?=[{UPPER}])"
)


def _teilte_mit(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "Das teilte die Organisation Künstler helfen Künstlern mit", "teilte die Polizei mit"."""
    announcer = _ANNOUNCER.match(sentence.after(end))
    if announcer is None:
        return []
    np = _ARTICLES.sub("", announcer.group("np"))
    if is_title(np.split()[0]):
        return []  # "ein Konzern-Sprecher": whose, the sentence does not say
    if generic := _ORGANIZATION_NOUN.match(np):
        party = {"name": np[generic.end() :], "kind": "organization"}
    else:
        party = press_phrase(reader, np, sentence.offset + end) or _foreign_party(reader, np)
    return [Claim(party, "statement", "said")] if party else []


def _zufolge(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "Regierungskreisen zufolge", "der Polizei zufolge", "dem Sender NDR zufolge"."""
    before = sentence.before(start).rstrip()
    circles = re.search(r"(?:[\w-]+)?[Kk]reisen(?:\s+(?:der|des)\s+[^,;.]{2,40}?)?$", before)
    if circles and not _NOT_CIRCLES.search(circles.group(0)):
        return [
            Claim(
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
    party = press_phrase(reader, np, sentence.offset + start) or _foreign_party(reader, np)
    return [Claim(party, "according_to", "according")] if party else []


# --- cues ---------------------------------------------------------------------------


def _verbs(verbs: str) -> tuple[Cue, ...]:
    """``_said_other`` cues for each verb form (separate literals keep each search fast)."""
    return tuple(
        forward_cue(verb, _said_other, r"\b", r"(?<=\W" + verb + ")") for verb in verbs.split()
    )


#: Reporting verbs read by ``_said_other`` (third person, present and past).
_SAYING = {
    "fr": "dit explique affirme rappelle souligne ajoute estime précise déclare indique "
    "assure confie poursuit raconte prévient insiste déclaré expliqué affirmé précisé",
    "es": "dijo dice explica explicó afirma afirmó asegura aseguró señala señaló añade añadió "
    "agrega agregó opina lamenta cuenta contó sostiene sostuvo advierte advirtió indica "
    "comenta comentó apunta apuntó subraya recuerda declaró manifestó reconoce cree",
    "pt": "disse diz afirmou afirma explicou explica declarou acrescentou contou garantiu "
    "ressaltou destacou alertou avalia",
    "it": "dice detto spiega spiegato afferma affermato aggiunge aggiunto sottolinea "
    "racconta osserva dichiarato dichiara conferma precisa",
    "de": "sagte erklärte erklärt betonte sagt meinte warnte warnt nennt fordert kritisiert",
}
OTHER_CUES: dict[str, tuple[Cue, ...]] = {
    "fr": (
        *_verbs(_SAYING["fr"]),
        forward_cue("elon ", _according_other),
        forward_cue("après ", _according_other, r"(?<=[dD]['’]après )"),
        forward_cue("à ", _told_agency, rf"(?=l['’]|la |le |[{UPPER}])"),
        forward_cue("au ", _told_agency, rf"(?=quotidien|journal|site|[{UPPER}])"),
        forward_cue("rapport", _reported_other, r"(?= )", r"(?:e|é|ent|ait)"),
        forward_cue("cité", _cited_by),
        forward_cue("source ", said_anonymous, r"(?<=de source )"),
        forward_cue(
            "sources ",
            said_anonymous,
            r"(?=proches|bien|s[ée]curitaires|diplomatiques|"
            r"gouvernementales|militaires|polici|judiciaires|qui )",
        ),
    ),
    "es": (
        *_verbs(_SAYING["es"]),
        forward_cue("egún ", _according_other),
        forward_cue("cuerdo con ", _according_other, r"(?<=[dD]e acuerdo con )"),
        forward_cue(" a ", _told_agency, rf"(?=la |el |este |[{UPPER}])"),
        forward_cue(" al ", _told_agency, rf"(?=diario|peri[oó]dico|canal|[{UPPER}])"),
        forward_cue("inform", _reported_other, r"(?= )", r"(?:ó|aron)"),
        forward_cue("citad", _cited_by),
        forward_cue("uente", said_anonymous, r"(?<=[Ff]uente)(?=s? )"),
    ),
    "pt": (
        *_verbs(_SAYING["pt"]),
        forward_cue("egundo ", _according_other),
        forward_cue("cordo com ", _according_other, r"(?<=[dD]e acordo com )"),
        forward_cue(" à ", _told_agency, rf"(?=agência |[{UPPER}])"),
        forward_cue(" ao ", _told_agency, rf"(?=jornal |site |canal |[{UPPER}])"),
        forward_cue("informou", _reported_other),
        forward_cue("onte", said_anonymous, r"(?<=[Ff]onte)(?=s? )"),
    ),
    "it": (
        *_verbs(_SAYING["it"]),
        forward_cue("econdo ", _according_other),
        forward_cue(" all", _told_agency, rf"(?=['’][{UPPER}]|['’]agenzia|a [{UPPER}])"),
        forward_cue(" ad ", _told_agency, rf"(?=[{UPPER}])"),
        forward_cue("rifer", _reported_other, r"(?= )", r"(?:isce|iscono)"),
        forward_cue("citat", _cited_by),
        forward_cue("onti ", said_anonymous, r"(?<=[Ff]onti )"),
    ),
    "de": (
        *_verbs(_SAYING["de"]),
        forward_cue("aut ", _according_other),
        forward_cue(
            "Angaben ",
            _according_other,
            r"(?<=[nN]ach Angaben )(?!von\s+(?:ihm|ihr|ihnen)|eigenen)",
        ),
        forward_cue("zufolge", _zufolge),
        forward_cue("teilte", _teilte_mit, r"(?=n?\s)"),
        forward_cue("sagte", _german_said, r"(?= )", "n?"),
        forward_cue("berichtete", _reported_other, r"\b", "n?"),
        forward_cue("meldete", _reported_other, r"\b", "n?"),
        forward_cue("reisen", said_anonymous, r"(?<=[Kk]reisen)"),
    ),
}
