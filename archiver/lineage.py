"""Who came first, who credits whom: the lineage of one story across outlets.

``archiver.republication`` finds which captures share text; this module says what the
sharing means, for two captures (``compare``) and for a group of them (``Cluster``):

* **Order.** Each capture has an *earliest known time*: the publication time its page
  claims, else our capture time (a capture proves the text existed then; it says
  nothing about how long before). A claim later than our own capture of the page is
  impossible and is set aside. The earlier capture is the source; ``decided_by`` says
  what was compared: ``published_at`` (two claims), ``captured_at`` (two capture
  times, also used when both claims fall on one day and so cannot order the pages),
  or ``published_at_and_captured_at`` (one claim against the other's capture time).
* **Credit.** The later text credits the earlier when one of its attribution links
  (issue 3: bylines, credit lines, prose) names the earlier outlet or a news agency the
  earlier capture credits, or failing that when its text names the earlier outlet
  (name, domain, or the domain's distinctive word) or that agency.
* **Reuse.** From the share of each text found in the other: ``verbatim`` (both at
  least ``CARRIED``), ``embedded`` (the source is carried whole inside a longer copy),
  ``excerpt`` (the copy is a cut of the source) or ``rewrite`` (neither is carried
  whole: reworded, or only passages shared).

``Cluster`` arranges captures into a tree: the origin first, every other capture under
the earlier capture it shares most with. ``graphml`` and ``gexf`` serialise clusters
for Gephi.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from .attribution import name_key
from .fingerprint import Overlap
from .parties import registry

#: Share of a text that counts as carried whole by another (the rest: a headline, a
#: lead, a credit line or a trimmed ending, which copies change most).
CARRIED = 0.8
#: A claim without a time zone could be in any zone from UTC-12 to UTC+14.
_ZONE_SPREAD = timedelta(hours=14)
#: Longest evidence sentence kept for a credit found in the text.
MAX_CREDIT_EVIDENCE = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Story:
    """A capture as lineage sees it: who published what, claimed when, captured when."""

    capture_id: str
    url: str
    outlet: dict[str, Any]  # name (or None) and domain
    title: str | None
    published_at: str | None  # as the page claims it
    captured_at: str
    links: tuple[dict[str, Any], ...]  # the capture's attribution links

    @property
    def outlet_name(self) -> str:
        return self.outlet.get("name") or self.outlet["domain"]

    def earliest(self) -> tuple[datetime, datetime, bool]:
        """(earliest, latest) possible publication instant, and whether a claim gave it."""
        captured = _instant(self.captured_at)
        claim = _claim(self.published_at)
        if claim is not None and claim[0] <= captured:
            return claim[0], min(claim[1], captured), True
        return captured, captured, False

    def summary(self) -> dict[str, Any]:
        return {"capture_id": self.capture_id, "url": self.url,
                "outlet": {"name": self.outlet.get("name"), "domain": self.outlet["domain"]},
                "title": self.title, "published_at": self.published_at,
                "captured_at": self.captured_at}


@dataclass(frozen=True, slots=True)
class Order:
    """Which of two stories came first, and on what evidence."""

    first: Story | None  # None: the evidence cannot order them
    decided_by: str  # published_at, captured_at, published_at_and_captured_at or none
    explanation: str


def order(a: Story, b: Story) -> Order:
    """Which of ``a`` and ``b`` was published first (see the module docstring)."""
    a_lo, a_hi, a_claimed = a.earliest()
    b_lo, b_hi, b_claimed = b.earliest()
    decided_by = {(True, True): "published_at", (False, False): "captured_at"}.get(
        (a_claimed, b_claimed), "published_at_and_captured_at")
    if a_hi < b_lo or b_hi < a_lo:
        first, second = (a, b) if a_hi < b_lo else (b, a)
        return Order(first, decided_by, f"{_when(first)}, before {_when(second)}")
    captured_a, captured_b = _instant(a.captured_at), _instant(b.captured_at)
    if captured_a == captured_b:
        return Order(None, "none", "neither claimed times nor capture times order them "
                                   f"(both captured at {a.captured_at})")
    first, second = (a, b) if captured_a < captured_b else (b, a)
    return Order(first, "captured_at", f"the claimed times cannot order them; captured "
                                       f"{first.captured_at}, before {second.captured_at}")


def _when(story: Story) -> str:
    claimed = story.earliest()[2]
    return (f"{story.outlet_name} claims publication at {story.published_at}" if claimed
            else f"{story.outlet_name} was captured at {story.captured_at}")


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _claim(value: str | None) -> tuple[datetime, datetime] | None:
    """The interval a claimed publication time stands for (a day, a zoneless time)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(value) == 10:  # a date alone: that day, in any time zone
        start = moment.replace(tzinfo=timezone.utc)
        return start - _ZONE_SPREAD, start + timedelta(days=1) + _ZONE_SPREAD
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
        return moment - _ZONE_SPREAD, moment + _ZONE_SPREAD
    return moment, moment


# --- credit ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Credit:
    """How a later text credits the earlier one."""

    party: str  # the outlet or agency named
    how: str  # link (an attribution link), agency-link, phrase or agency-phrase
    evidence: str
    offset: int | None = None  # in the later text, when the evidence comes from it

    def to_document(self) -> dict[str, Any]:
        found = {"party": self.party, "how": self.how, "evidence": self.evidence}
        if self.offset is not None:
            found["offset"] = self.offset
        return found


def credit(later: Story, later_text: str, earlier: Story) -> Credit | None:
    """The credit the later text gives the earlier outlet or its agency, or None."""
    agencies = {name_key(link["source"]["name"]): link["source"]["name"]
                for link in earlier.links if link["source"]["kind"] == "news_agency"}
    for link in later.links:
        source = link["source"]
        if _is_outlet(source, earlier.outlet):
            return Credit(source["name"], "link", link["evidence"], link.get("offset"))
    for link in later.links:
        source = link["source"]
        if source["kind"] == "news_agency" and name_key(source["name"]) in agencies:
            return Credit(source["name"], "agency-link", link["evidence"], link.get("offset"))
    if found := _outlet_pattern(earlier.outlet).search(later_text):
        return Credit(earlier.outlet_name, "phrase", _sentence(later_text, found.start()),
                      found.start())
    if agencies:
        for party, offset in registry().find(later_text):
            if name_key(party["name"]) in agencies:
                return Credit(party["name"], "agency-phrase", _sentence(later_text, offset),
                              offset)
    return None


def _is_outlet(party: dict[str, Any], outlet: dict[str, Any]) -> bool:
    if party.get("domain") and _site(party["domain"]) == _site(outlet["domain"]):
        return True
    names = {name_key(n) for n in (outlet.get("name"), outlet["domain"]) if n} - {""}
    key = name_key(party["name"])
    return any(key == name or key.startswith(name + " ") or name.startswith(key + " ")
               for name in names)


def _site(domain: str) -> str:
    host = urlsplit("http://" + domain).hostname or domain
    return host.removeprefix("www.")


def _outlet_pattern(outlet: dict[str, Any]) -> re.Pattern[str]:
    """The outlet's name (word endings may vary: "Deutscher"/"Deutsche"), its domain,
    or its domain's first label when that is a distinctive word ("jagdverband")."""
    forms = []
    domain = _site(outlet["domain"])
    forms.append(re.escape(domain))
    label = domain.split(".")[0]
    if len(label) >= 5 and label.isalpha():
        forms.append(_word_form(label))
    name = outlet.get("name")
    if name and name_key(name) != label:
        words = re.findall(r"\w+", name)
        if words and sum(len(w) for w in words) >= 4:
            forms.append(r"\s+".join(_word_form(w) for w in words))
    return re.compile(r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)", re.I)


def _word_form(word: str) -> str:
    """A word whose last two letters may change or be followed by up to two more."""
    if len(word) < 6:
        return re.escape(word)
    return re.escape(word[:-2]) + r"\w{0,4}"


def _sentence(text: str, offset: int) -> str:
    """The sentence of ``text`` around ``offset``, at most MAX_CREDIT_EVIDENCE characters."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start:] if end < 0 else text[start:end]
    at = offset - start
    begin = 0
    for boundary in _SENTENCE_END.finditer(line, 0, at):
        begin = boundary.end()
    stop = _SENTENCE_END.search(line, at)
    sentence = line[begin:stop.start() if stop else len(line)]
    return sentence[:MAX_CREDIT_EVIDENCE].rstrip()


# --- one pair -------------------------------------------------------------------------


def reuse_kind(source_share: float, copy_share: float) -> str:
    """verbatim, embedded, excerpt or rewrite, from the share of each text in the other."""
    if source_share >= CARRIED and copy_share >= CARRIED:
        return "verbatim"
    if source_share >= CARRIED:
        return "embedded"
    if copy_share >= CARRIED:
        return "excerpt"
    return "rewrite"


@dataclass(frozen=True, slots=True)
class Edge:
    """Two stories that share text: which is the source, how much, and the credit."""

    source: Story
    copy: Story
    overlap: Overlap  # a = source, b = copy
    order: Order
    credit: Credit | None

    @property
    def reuse(self) -> str:
        return reuse_kind(self.overlap.coverage_a, self.overlap.coverage_b)

    def to_document(self) -> dict[str, Any]:
        return {
            "source": self.source.capture_id,
            "copy": self.copy.capture_id,
            "similarity": round(self.overlap.similarity, 4),
            "containment": round(self.overlap.containment, 4),
            "reuse": self.reuse,
            "decided_by": self.order.decided_by,
            "credited": self.credit is not None,
        }


def compare(a: Story, b: Story, shared: Overlap, texts: tuple[str, str]) -> Edge:
    """The edge between ``a`` and ``b`` (``shared``: a's and b's shingles, in that order).

    When the evidence cannot order them, ``a`` stands as the source and the edge's
    ``order.first`` is None.
    """
    found = order(a, b)
    if found.first is b:
        b_then_a = Overlap(shared.shared, shared.b, shared.a)
        return Edge(b, a, b_then_a, found, credit(a, texts[0], b))
    return Edge(a, b, shared, found, credit(b, texts[1], a))


# --- many stories ---------------------------------------------------------------------


@dataclass(slots=True)
class Cluster:
    """Stories linked by shared text, as a tree: the origin, then copies of copies.

    Each copy hangs under the earlier story it shares most with. Orders decided on
    different evidence need not chain (a bare date against a time, then capture
    times), so a parent that would close a loop is passed over for the next best.
    """

    stories: list[Story]
    edges: list[Edge]
    parent: dict[str, Edge] = field(default_factory=dict)  # copy id -> edge from its parent
    origin: Story = field(init=False)  # the earliest story that is no copy in the cluster

    def __post_init__(self) -> None:
        self.stories.sort(key=lambda s: (s.earliest()[0], s.captured_at, s.capture_id))
        rank = {s.capture_id: i for i, s in enumerate(self.stories)}
        for edge in sorted(self.edges, key=lambda e: (-e.overlap.similarity,
                                                      rank[e.source.capture_id])):
            copy = edge.copy.capture_id
            if edge.order.first is None or copy in self.parent:
                continue
            if copy not in self._ancestry(edge.source.capture_id):
                self.parent[copy] = edge
        self.origin = next(s for s in self.stories if s.capture_id not in self.parent)

    def _ancestry(self, capture_id: str) -> set[str]:
        """The story and every story above it in the tree."""
        found = {capture_id}
        while (edge := self.parent.get(capture_id)) is not None:
            capture_id = edge.source.capture_id
            found.add(capture_id)
        return found

    def to_document(self) -> dict[str, Any]:
        members = []
        for story in self.stories:
            edge = self.parent.get(story.capture_id)
            member = {**story.summary(), "role": _role(self, story), "parent": None}
            if edge is not None:
                member.update(parent=edge.source.capture_id, reuse=edge.reuse,
                              similarity=round(edge.overlap.similarity, 4),
                              containment=round(edge.overlap.containment, 4),
                              decided_by=edge.order.decided_by,
                              credit=edge.credit.to_document() if edge.credit else None)
            members.append(member)
        return {"origin": self.origin.capture_id, "size": len(self.stories),
                "members": members, "edges": [edge.to_document() for edge in self.edges]}


def _role(cluster: Cluster, story: Story) -> str:
    if story is cluster.origin:
        return "origin"
    return "copy" if story.capture_id in cluster.parent else "early"


def clusters(edges: Iterable[Edge]) -> list[Cluster]:
    """Connected groups of stories, largest first (ties: earliest origin first)."""
    edges = list(edges)
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    stories: dict[str, Story] = {}
    for edge in edges:
        stories[edge.source.capture_id] = edge.source
        stories[edge.copy.capture_id] = edge.copy
        parent[root(edge.source.capture_id)] = root(edge.copy.capture_id)
    groups: dict[str, tuple[list[Story], list[Edge]]] = {}
    for key, story in stories.items():
        groups.setdefault(root(key), ([], []))[0].append(story)
    for edge in edges:
        groups[root(edge.source.capture_id)][1].append(edge)
    found = [Cluster(members, links) for members, links in groups.values()]
    return sorted(found, key=lambda c: (-len(c.stories), c.origin.earliest()[0]))


# --- graph files for Gephi ------------------------------------------------------------

_NODE_FIELDS = ("label", "outlet", "url", "title", "published_at", "captured_at", "cluster",
                "role")
_EDGE_FIELDS = (("similarity", "double"), ("containment", "double"), ("reuse", "string"),
                ("decided_by", "string"), ("credited", "boolean"))


def _graph_rows(found: Sequence[Cluster]):
    for number, cluster in enumerate(found, 1):
        for story in cluster.stories:
            yield "node", story.capture_id, {
                "label": f"{story.outlet_name}: {story.title or story.url}",
                "outlet": story.outlet_name, "url": story.url, "title": story.title or "",
                "published_at": story.published_at or "", "captured_at": story.captured_at,
                "cluster": str(number), "role": _role(cluster, story)}
        for edge in cluster.edges:
            document = edge.to_document()
            yield "edge", (edge.source.capture_id, edge.copy.capture_id), {
                name: str(document[name]).lower() if kind == "boolean" else str(document[name])
                for name, kind in _EDGE_FIELDS}


def graphml(found: Sequence[Cluster]) -> bytes:
    """The clusters as a directed GraphML graph (source -> copy), for Gephi or networkx."""
    ns = "http://graphml.graphdrawing.org/xmlns"
    root = ET.Element("graphml", xmlns=ns)
    for name in _NODE_FIELDS:
        ET.SubElement(root, "key", id=f"n_{name}", attrib={"for": "node", "attr.name": name,
                                                          "attr.type": "string"})
    for name, kind in _EDGE_FIELDS:
        ET.SubElement(root, "key", id=f"e_{name}", attrib={"for": "edge", "attr.name": name,
                                                          "attr.type": kind})
    graph = ET.SubElement(root, "graph", id="lineage", edgedefault="directed")
    for kind, key, values in _graph_rows(found):
        if kind == "node":
            element = ET.SubElement(graph, "node", id=key)
        else:
            element = ET.SubElement(graph, "edge", source=key[0], target=key[1])
        for name, value in values.items():
            ET.SubElement(element, "data", key=f"{kind[0]}_{name}").text = value
    return _serialise(root)


def gexf(found: Sequence[Cluster]) -> bytes:
    """The clusters as a directed GEXF 1.3 graph (source -> copy), Gephi's own format."""
    root = ET.Element("gexf", xmlns="http://gexf.net/1.3", version="1.3")
    graph = ET.SubElement(root, "graph", defaultedgetype="directed", mode="static")
    node_attributes = ET.SubElement(graph, "attributes", attrib={"class": "node"})
    for index, name in enumerate(_NODE_FIELDS[1:]):
        ET.SubElement(node_attributes, "attribute", id=str(index), title=name, type="string")
    edge_attributes = ET.SubElement(graph, "attributes", attrib={"class": "edge"})
    for index, (name, kind) in enumerate(_EDGE_FIELDS):
        ET.SubElement(edge_attributes, "attribute", id=str(index), title=name, type=kind)
    nodes = ET.SubElement(graph, "nodes")
    edges = ET.SubElement(graph, "edges")
    for kind, key, values in _graph_rows(found):
        if kind == "node":
            element = ET.SubElement(nodes, "node", id=key, label=values.pop("label"))
        else:
            element = ET.SubElement(edges, "edge", id=f"{key[0]}-{key[1]}", source=key[0],
                                    target=key[1], weight=values["similarity"])
        holder = ET.SubElement(element, "attvalues")
        for index, value in enumerate(values.values()):
            ET.SubElement(holder, "attvalue", attrib={"for": str(index), "value": value})
    return _serialise(root)


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
