"""Human views of ``archiver trace``: lineage trees and the matches of one capture.

Pure functions over the trace document (schemas/trace), returning text for the CLI.
"""

from __future__ import annotations

from typing import Any

#: Characters of a shared passage quoted in the human view.
QUOTE_CHARS = 90


def render_trace(document: dict[str, Any]) -> str:
    """One capture: what was traced, its lineage tree, then each match in detail."""
    query = document["query"]
    matches = document["matches"]
    lines = [f"Trace of {query['capture_id']}  {_outlet(query)}  {query['url']}",
             f"  {_dates(query)}; {query['shingles']:,} shingles",
             f"  {len(matches)} match{'' if len(matches) == 1 else 'es'} at other URLs "
             f"(at least {document['method']['min_containment']:.0%} of the shorter text "
             "shared)"]
    if not matches:
        return "\n".join(lines)
    lines += ["", "Lineage", *render_tree(document["clusters"][0], mark=query["capture_id"])]
    lines += ["", "Matches"]
    for match in matches:
        direction = match["direction"]
        credit = "credited" if match["credited"] else "UNCREDITED"
        lines += [
            f"  {match['capture_id']}  {direction['value']}  similarity "
            f"{match['similarity']:.2f}  containment {match['containment']:.2f}  "
            f"{match['reuse']}  {credit}",
            f"    {_outlet(match)}  {match['url']}",
            f"    {_dates(match)}",
            f"    order ({direction['decided_by']}): {direction['explanation']}",
        ]
        if match["credit"]:
            lines.append(f"    credit ({match['credit']['how']}): "
                         f"{_quote(match['credit']['evidence'])}")
        for passage in match["shared_passages"]:
            lines.append(f"    shared {passage['words']} words "
                         f"[here {passage['query']['start']}-{passage['query']['end']}, "
                         f"there {passage['match']['start']}-{passage['match']['end']}]: "
                         f"{_quote(passage['text'])}")
    return "\n".join(lines)


def render_clusters(document: dict[str, Any]) -> str:
    """The whole archive: every cluster as a tree, largest first."""
    found = document["clusters"]
    captures = sum(cluster["size"] for cluster in found)
    lines = [f"{len(found)} cluster{'' if len(found) == 1 else 's'} of republished text, "
             f"{captures} captures (of {document['captures']['indexed']} traced)"]
    for number, cluster in enumerate(found, 1):
        lines += ["", f"Cluster {number} ({cluster['size']} captures)", *render_tree(cluster)]
    return "\n".join(lines)


def render_tree(cluster: dict[str, Any], *, mark: str | None = None) -> list[str]:
    """The lineage as a tree: roots (the origin first), each copy under its parent."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    for member in cluster["members"]:
        children.setdefault(member["parent"], []).append(member)
    lines: list[str] = []

    def walk(member: dict[str, Any], prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└─ " if last else "├─ ")
        lines.append(f"  {prefix}{branch}{_member_line(member, mark)}")
        kids = children.get(member["capture_id"], [])
        below = prefix if top else prefix + ("   " if last else "│  ")
        for index, kid in enumerate(kids):
            walk(kid, below, index == len(kids) - 1, False)

    for root in children.get(None, []):
        walk(root, "", True, True)
    return lines


def _member_line(member: dict[str, Any], mark: str | None) -> str:
    if member["role"] == "copy":
        credit = "credited" if member["credit"] else "UNCREDITED"
        kind = "REWRITE" if member["reuse"] == "rewrite" else member["reuse"]
        label = f"copy ({kind}, {credit}, similarity {member['similarity']:.2f})"
    else:
        label = member["role"]
    traced = "  ← traced" if member["capture_id"] == mark else ""
    return (f"{label}  {_outlet(member)}  {_when(member)}  {member['url']}  "
            f"[{member['capture_id']}]{traced}")


def _outlet(story: dict[str, Any]) -> str:
    return story["outlet"]["name"] or story["outlet"]["domain"]


def _when(story: dict[str, Any]) -> str:
    if story["published_at"]:
        return f"claims {story['published_at']}"
    return f"captured {story['captured_at']}"


def _dates(story: dict[str, Any]) -> str:
    claimed = (f"published {story['published_at']}" if story["published_at"]
               else "no publication time claimed")
    title = f"\"{story['title']}\"  " if story["title"] else ""
    return f"{title}{claimed}; captured {story['captured_at']}"


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return f"\"{flat[:QUOTE_CHARS]}{'…' if len(flat) > QUOTE_CHARS else ''}\""
