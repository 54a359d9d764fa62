"""The prose pattern family of Arabic.

"وفقا لـ X" / "بحسب X" (according to X), "ذكرت وكالة X" (agency X reported), "نقلت
وكالة X عن Y" (agency X quoted Y), "قال X لوكالة Y" (X told agency Y), and anonymous
sources ("مصادر مطلعة"). Without capital letters a name cannot be told from a title,
so a source is read only when it is anonymous, a government or an organisation.
``ARABIC_CUES`` holds the cues, all led by a literal and searched forward (see
``archiver.prose`` on why).
"""

from __future__ import annotations

import re
from typing import Any

from .parties import AGENCIES, PRESS
from .prose_intl import ANON_OTHER, said_anonymous
from .prose_reader import OUTLET_KINDS, Claim, Cue, Reader, Sentence, forward_cue

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


def _arabic_press(reader: Reader, np: str, position: int) -> dict[str, Any] | None:
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
        return reader.last_press(position, AGENCIES if "الوكالة" in np else OUTLET_KINDS)
    return None


def _arabic_party(text: str) -> dict[str, Any] | None:
    """Anonymous sources, a government or an organisation in an Arabic phrase (no persons:
    without capitals a name cannot be told from a title)."""
    text = re.split(
        r"[،,.؛:]|\s(?:إن|أن|بأن|في|على|لوكالة|لصحيفة|لقناة)\s", " " + text.strip() + " "
    )[0].strip()
    if not text or len(text) > 80:
        return None
    anonymous = ANON_OTHER.search(text)
    if anonymous and anonymous.group("ar"):
        return {"name": anonymous.group(0), "kind": "anonymous"}
    if spokesman := re.match(r"(?:ال)?متحدث(?:ة)?\s+(?:ال)?(?:رسمي\s+)?باسم\s+(?P<np>.+)", text):
        text = spokesman.group("np")
    if _ARABIC_GOVERNMENT.search(text):
        return {"name": text, "kind": "government"}
    if _ARABIC_ORGANIZATION.search(text):
        return {"name": text, "kind": "organization"}
    return None


def _arabic(reader: Reader, sentence: Sentence, start: int, end: int) -> list[Claim]:
    """ "وفقا لـ X", "بحسب X", "نقلت وكالة X عن Y", "ذكرت وكالة X", "قال X لوكالة Y"."""
    cue = sentence.line[start:end]
    after = sentence.after(end)
    position = sentence.offset + end
    if cue in ("وفق", "حسب"):
        np = re.sub(r"^[اًٍ]*\s*(?:لـ\s*|ل)?", "", after)
        party = _arabic_press(reader, np[:60], position) or _arabic_party(np)
        return [Claim(party, "according_to", "according")] if party else []
    if cue in ("ذكرت", "أفادت", "أوردت"):
        party = _arabic_press(reader, re.split(r"[،,.]|\s(?:أن|إن)\s", after)[0][:60], position)
        return [Claim(party, "reported", "reported")] if party else []
    if cue == "نقلت":  # نقلت وكالة X عن Y
        parts = re.match(r"\s*(?P<via>[^،,.]{2,60}?)\s+عن\s+(?P<src>[^،,.]{2,80})", after)
        if not parts:
            return []
        via = _arabic_press(reader, parts.group("via"), position)
        source = _arabic_party(parts.group("src"))
        return [Claim(source, "said", "quoted", via)] if via and source else []
    told = re.search(
        r"(?:قال|قالت|صرح|صرحت|أكد|أكدت|أوضح|أوضحت|أضاف|أضافت)\s+(?P<src>[^،,.]{2,80}?)\s*$",
        sentence.before(start),
    )
    via_match = _ARABIC_VIA.match(sentence.line[start : sentence.stop])
    if not told or not via_match:
        return []
    via = _arabic_press(reader, via_match.group("np"), position)
    source = _arabic_party(told.group("src"))
    return [Claim(source, "told", "agency", via)] if via and source else []


ARABIC_CUES: tuple[Cue, ...] = (
    forward_cue("وفق", _arabic),
    forward_cue("حسب", _arabic),
    forward_cue("نقلت", _arabic),
    forward_cue("ذكرت", _arabic),
    forward_cue("أفادت", _arabic),
    forward_cue("ل", _arabic, r"(?=(?:وكالة|صحيفة|قناة)\s)"),
    forward_cue("مص", said_anonymous, r"(?=(?:ادر|در)\s)"),
)
