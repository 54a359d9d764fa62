"""Scoring attribution links against hand labels: the helper behind the attribution gate.

Not a test module: ``tests/test_attribution_gate.py`` imports it. Labels live in
``tests/attribution_labels/<stem>.json``, one file per page of
``../shared/corpus/news-html``: ``page``, ``language``, ``outlet`` (as a reader names
it), ``links`` and ``notes`` (what a reviewer should know, including doubts). A label
link has the shape of ``$defs/link`` in ``schemas/provenance.schema.json`` without
``method``, except that ``via`` may be the string ``"@outlet"``: the page's own outlet.

How the pages were labelled (by reading the article text and the page, independently
of what the extractor outputs):

* bylines (``byline``), agency and outlet credits and datelines (``credit``), picture
  credits (``photo_credit``), republication (``republished_from``), and everyone the
  article attributes information or statements to, in direct or reported speech
  (``said``, ``told``, ``according_to``, ``reported``, ``statement``, ``speech``);
* one link per (source, via) for statements, however often the source is quoted, but
  a byline, a credit and a picture credit of the same party are separate links;
* a plain "X said" is via ``"@outlet"``, also in a wire story the outlet republishes;
  only a named relayer ("X told AFP", "sagte er dem NDR", "Y reported that X") gives
  another via, and that relayer gets its own link via the outlet;
* "Photographer/AGENCY" and "AGENCY via Getty" credits are chains: the agency via the
  outlet, the photographer via the agency (AFP via Getty Images);
* an unnamed spokesperson or official of a named organisation is the organisation;
  unnamed people ("sources", "analysts", "a doctor on the scene") are ``anonymous``;
* not labelled: the outlet itself (its own staff, datelines and copyright), people
  merely mentioned, editors, related-article teasers, galleries about other stories,
  documents with no speaker.

Matching rules (a predicted link and a label link match when source and via both match):

* relation and kind are ignored; agreement on them is reported on the matched pairs;
* names compare after Unicode folding (NFKD, accents and joiners dropped), casefold,
  punctuation removed and a leading "the" dropped;
* a name the agency registry resolves compares by the agency it resolves to, so
  "AFP" == "Agence France-Presse" (two different agencies never match);
* a labelled person matches a predicted name whose words are a subset of the label's,
  or a superset ("Putin" and "Vladimir Putin"), unless the prediction is an agency
  or outlet;
* an anonymous labelled source matches any anonymous predicted source (with the same via);
* ``"@outlet"`` matches a predicted via that is the page's outlet, the ``outlet``
  object ``extract_page`` returns (same domain, same name, or the registry agency whose
  site the outlet's domain is); a labelled via naming the outlet counts as ``"@outlet"``.

Each predicted link matches at most one label and each label at most one prediction;
among the possible pairings the largest is taken (augmenting paths), preferring pairs
that agree on the relation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archiver.parties import registry

OUTLET = "@outlet"
#: Party kinds of ``$defs/party`` that a label may use.
KINDS = frozenset(
    {
        "outlet",
        "news_agency",
        "person",
        "organization",
        "government",
        "anonymous",
        "press_release",
        "social_media",
    }
)
#: Predicted kinds that never take part in the person word-subset rule.
_NOT_PEOPLE = frozenset({"news_agency", "outlet", "anonymous"})
#: Characters that sit inside words and mean nothing for identity (ZWNJ, ZWJ, soft hyphen).
_INVISIBLE = dict.fromkeys(map(ord, "\u200c\u200d\u00ad\u200b\u2060"), None)

Link = Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    """How predicted links compare with labelled links (one page, or several summed)."""

    matched: list[tuple[Link, Link]]  # (predicted, label)
    false_positives: list[Link]  # predicted, matching no label
    false_negatives: list[Link]  # labelled, matched by no prediction

    @property
    def tp(self) -> int:
        return len(self.matched)

    @property
    def fp(self) -> int:
        return len(self.false_positives)

    @property
    def fn(self) -> int:
        return len(self.false_negatives)

    @property
    def precision(self) -> float:
        """Share of predicted links that are labelled; 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of labelled links that were predicted; 1.0 when nothing is labelled."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def relation_agreement(self) -> float | None:
        """Share of matched pairs with the same relation; None without matches."""
        if not self.matched:
            return None
        return sum(p["relation"] == g["relation"] for p, g in self.matched) / self.tp

    @property
    def kind_agreement(self) -> float | None:
        """Share of matched pairs whose sources have the same kind; None without matches."""
        if not self.matched:
            return None
        return sum(p["source"]["kind"] == g["source"]["kind"] for p, g in self.matched) / self.tp

    def __add__(self, other: Score) -> Score:
        return Score(
            matched=self.matched + other.matched,
            false_positives=self.false_positives + other.false_positives,
            false_negatives=self.false_negatives + other.false_negatives,
        )


EMPTY = Score(matched=[], false_positives=[], false_negatives=[])


def total(scores: Iterable[Score]) -> Score:
    """The micro-averaged sum of several scores."""
    return sum(scores, EMPTY)


# --- names and parties --------------------------------------------------------------


def name_key(name: str) -> str:
    """A name for comparison: folded, casefolded, words only, without a leading "the"."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_INVISIBLE))
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    folded = unicodedata.normalize("NFKC", bare).casefold()
    words = re.findall(r"\w+", folded)
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _agency(name: str) -> str | None:
    party = registry().resolve(name)
    return party["name"] if party else None


def same_party(label: Mapping[str, Any], predicted: Mapping[str, Any]) -> bool:
    """Whether a predicted party is the labelled one, by the rules in the module docstring."""
    if label["kind"] == "anonymous" and predicted.get("kind") == "anonymous":
        return True
    label_agency, predicted_agency = _agency(label["name"]), _agency(predicted["name"])
    if label_agency and predicted_agency:
        return label_agency == predicted_agency
    label_key, predicted_key = name_key(label["name"]), name_key(predicted["name"])
    if not label_key or not predicted_key:
        return False
    if label_key == predicted_key:
        return True
    if label["kind"] == "person" and predicted.get("kind") not in _NOT_PEOPLE:
        label_words, predicted_words = set(label_key.split()), set(predicted_key.split())
        return label_words <= predicted_words or predicted_words <= label_words
    return False


def is_outlet(party: Mapping[str, Any], outlet: Mapping[str, Any]) -> bool:
    """Whether ``party`` is the page's outlet (``outlet`` as ``extract_page`` returns it)."""
    domain = (outlet.get("domain") or "").casefold()
    if domain and (party.get("domain") or "").casefold() == domain:
        return True
    own_names = {name_key(n) for n in (outlet.get("name"), domain) if n} - {""}
    key = name_key(party["name"])
    if key in own_names:
        return True
    own_agency = _site_agency(domain)
    return own_agency is not None and _agency(party["name"]) == own_agency


def _site_agency(domain: str) -> str | None:
    """The registry agency whose site ``domain`` or one of its parent domains is."""
    labels = domain.split(".")
    for start in range(len(labels) - 1):
        party = registry().by_domain(".".join(labels[start:]))
        if party:
            return str(party["name"])
    return None


def _same_via(label_via: Any, predicted_via: Mapping[str, Any], outlet: Mapping[str, Any]) -> bool:
    label_is_outlet = label_via == OUTLET or is_outlet(label_via, outlet)
    if label_is_outlet or is_outlet(predicted_via, outlet):
        return label_is_outlet and is_outlet(predicted_via, outlet)
    return same_party(label_via, predicted_via)


def links_match(label: Link, predicted: Link, outlet: Mapping[str, Any]) -> bool:
    """Whether one predicted link is one labelled link (source and via; relation ignored)."""
    return same_party(label["source"], predicted["source"]) and _same_via(
        label["via"], predicted["via"], outlet
    )


# --- scoring ------------------------------------------------------------------------


def score(predicted: Sequence[Link], labels: Sequence[Link], outlet: Mapping[str, Any]) -> Score:
    """Match predicted links one-to-one against labelled links of one page.

    Args:
        predicted: links in the provenance schema's shape (``facts.attribution``).
        labels: the page's labelled links (``via`` may be ``"@outlet"``).
        outlet: the ``outlet`` object extract_page returned for the page.

    Returns:
        The matched pairs, the unmatched predictions and the unmatched labels.
    """
    candidates: list[list[int]] = []
    for label in labels:
        found = [j for j, link in enumerate(predicted) if links_match(label, link, outlet)]
        # pairs that agree on the relation are tried first
        found.sort(key=lambda j: predicted[j]["relation"] != label["relation"])
        candidates.append(found)
    owner: dict[int, int] = {}  # predicted index -> label index

    def augment(i: int, seen: set[int]) -> bool:
        for j in candidates[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(labels)):
        augment(i, set())
    matched_labels = {i: j for j, i in owner.items()}
    return Score(
        matched=[(predicted[j], labels[i]) for i, j in sorted(matched_labels.items())],
        false_positives=[link for j, link in enumerate(predicted) if j not in owner],
        false_negatives=[label for i, label in enumerate(labels) if i not in matched_labels],
    )


# --- reporting ----------------------------------------------------------------------


def describe(link: Link) -> str:
    """A link on one line: ``source (kind) <- via [relation]``."""
    via = link["via"]
    via_name = via if isinstance(via, str) else via["name"]
    source = link["source"]
    return f"{source['name']} ({source['kind']}) <- {via_name} [{link['relation']}]"


def table(rows: Sequence[tuple[str, str, Score]]) -> str:
    """A per-page and overall table of (page, language, score) rows, English vs others."""

    def line(name: str, part: Score) -> str:
        relation = part.relation_agreement
        agree = "-" if relation is None else f"{relation:.2f}"
        return (
            f"{name[:52]:<52} {part.tp + part.fn:>4} {part.tp + part.fp:>4} {part.tp:>4} "
            f"{part.fp:>4} {part.fn:>4} {part.precision:>6.3f} {part.recall:>6.3f} {agree:>5}"
        )

    counts = "".join(f" {name:>4}" for name in ("lab", "pred", "tp", "fp", "fn"))
    header = f"{'page':<52}{counts} {'prec':>6} {'rec':>6} {'rel':>5}"
    out = [header, "-" * len(header)]
    out += [line(f"{stem} [{language}]", part) for stem, language, part in rows]
    out.append("-" * len(header))
    english = [part for _, language, part in rows if language == "en"]
    others = [part for _, language, part in rows if language != "en"]
    out.append(line(f"English ({len(english)} pages)", total(english)))
    out.append(line(f"other languages ({len(others)} pages)", total(others)))
    out.append(line(f"overall ({len(rows)} pages)", total(part for _, _, part in rows)))
    return "\n".join(out)
