"""The terminal views of an article's edits: ``render_diff`` and ``render_history``.

``render_diff``: field changes, the classification and verdict of an
``archiver.textdiff.ArticleDiff``, then each changed paragraph with its edits inline
and one paragraph of context either side. ``render_history``: one line per capture of
an ``archiver.edits.ArticleHistory``. Page text never reaches the terminal raw:
control characters are escaped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .textdiff import ArticleDiff, short_quote

if TYPE_CHECKING:
    from .edits import ArticleHistory

__all__ = ["render_diff", "render_history"]

#: Characters of a context paragraph shown around a change by ``render_diff``.
RENDER_CONTEXT_CHARS = 160
_FIELD_LABELS = {"title": "Title", "authors": "Authors", "published_at": "Published",
                 "modified_at": "Modified", "canonical_url": "Canonical"}
_STYLE = {"delete": "\x1b[9;31m", "insert": "\x1b[32m", "context": "\x1b[2m", "bold": "\x1b[1m",
          "alert": "\x1b[1;31m", "ok": "\x1b[1;32m"}
_RESET = "\x1b[0m"
_MARKERS = {"delete": ("[-", "-]"), "insert": ("{+", "+}")}
#: Control characters (C0 but tab, C1, DEL): page text must not drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _safe(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` instead of sent to the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _clip(text: str, *, keep_end: bool) -> str:
    """A context line cut to about ``RENDER_CONTEXT_CHARS`` at a word boundary."""
    if len(text) <= RENDER_CONTEXT_CHARS:
        return text
    if keep_end:
        tail = text[-RENDER_CONTEXT_CHARS:]
        return "…" + tail[tail.find(" ") + 1:] if " " in tail else "…" + tail
    head = text[:RENDER_CONTEXT_CHARS]
    return (head[:head.rfind(" ")] if " " in head else head) + "…"


def _paint(text: str, kind: str, color: bool) -> str:
    if not text:
        return ""
    text = _safe(text)
    if color:
        return f"{_STYLE[kind]}{text}{_RESET}"
    opening, closing = _MARKERS.get(kind, ("", ""))
    return f"{opening}{text}{closing}"


def _split_ws(text: str) -> tuple[str, str]:
    body = text.rstrip()
    return body, text[len(body):]


def _display_lines(diff: ArticleDiff, color: bool) -> list[tuple[bool, str]]:
    """(changed?, rendered line) for the whole article, edits inline."""
    lines: list[tuple[bool, str]] = [(False, "")]

    def emit(text: str, kind: str | None) -> None:
        for n, piece in enumerate(_LINE_BREAK.split(text)):
            if n:
                lines.append((False, ""))
            changed, line = lines[-1]
            styled = _paint(piece, kind, color) if kind else _safe(piece)
            lines[-1] = (changed or bool(kind and piece.strip()), line + styled)

    ops = diff.operations
    for index, op in enumerate(ops):
        old_body, old_ws = _split_ws(op.old.text)
        new_body, new_ws = _split_ws(op.new.text)
        following = ops[index + 1].op if index + 1 < len(ops) else None
        if op.op == "equal":
            emit(new_body, None)
            emit(old_ws if following == "delete" else new_ws, None)
            continue
        emit(old_body, "delete")
        emit(new_body, "insert")
        emit(old_ws if op.op == "delete" else new_ws, None)
    return lines


def render_diff(diff: ArticleDiff, *, color: bool) -> str:
    """A readable diff: field changes, the classification, then the changed paragraphs.

    With ``color`` removed words are red and struck through and added words green (ANSI);
    without, they read ``[-removed-]`` and ``{+added+}``. Each changed paragraph comes
    with the paragraph before and after it (shortened) as context.
    """
    c = diff.classification

    def bold(text: str) -> str:
        return f"{_STYLE['bold']}{text}{_RESET}" if color else text

    def row(label: str, value: str) -> str:
        return f"  {label:<11}{value}"

    old, new = diff.old, diff.new
    lines = [bold(_safe(f"Diff {old.capture_id} → {new.capture_id}")),
             row("From", _safe(f"{old.captured_at}  {old.url}")),
             row("To", _safe(f"{new.captured_at}  {new.url}"))]
    if diff.fields:
        lines.append(bold("Fields"))
        for f in diff.fields:
            before = "; ".join(f.before) if isinstance(f.before, list) else f.before
            after = "; ".join(f.after) if isinstance(f.after, list) else f.after
            lines.append(row(_FIELD_LABELS[f.field], f"{_paint(before or '—', 'delete', color)} → "
                                      f"{_paint(after or '—', 'insert', color)}"))
    verdict = "STEALTH EDIT" if diff.stealth_edit else "not a stealth edit"
    if color:
        verdict = _paint(verdict, "alert" if diff.stealth_edit else "ok", color)
    lines += [bold("Edit"), row("Verdict", f"{verdict}: {_safe(diff.stealth_reason)}")]
    if c.text_changed:
        lines.append(row("Text", f"{diff.words_added} words added, {diff.words_removed} "
                                 f"removed, similarity {diff.similarity:.3f}"))
    for f in c.figures_changed:
        lines.append(row("Figure", _safe(f"{f.before or '—'} → {f.after or '—'}  "
                                         f"({f.before_context or '—'} → "
                                         f"{f.after_context or '—'})")))
    for q in c.quotes_changed:
        shown = {"changed": f"{short_quote(q.before or '')} → {short_quote(q.after or '')}",
                 "removed": f"removed {short_quote(q.before or '')}",
                 "added": f"added {short_quote(q.after or '')}"}[q.change]
        lines.append(row("Quote", _safe(shown)))
    if c.paragraphs_added or c.paragraphs_removed:
        lines.append(row("Paragraphs", f"{len(c.paragraphs_added)} added, "
                                       f"{len(c.paragraphs_removed)} removed"))
    for note in c.correction_notes:
        lines.append(row("Note", _safe(f"added {short_quote(note)}")))
    for furniture in c.furniture_changed:
        lines.append(row("Furniture", _safe(short_quote(furniture))))
    if c.text_changed:
        lines += [bold("Changes"), *_hunks(_display_lines(diff, color), color)]
    return "\n".join(lines)


def _hunks(display: list[tuple[bool, str]], color: bool) -> list[str]:
    """The changed lines, each with one line of context either side, gaps marked ⋮."""
    changed = [n for n, (is_changed, _) in enumerate(display) if is_changed]
    shown: list[str] = []
    last = -1
    for n in changed:
        lo, hi = max(n - 1, 0), min(n + 1, len(display) - 1)
        if last >= 0 and lo > last + 1:
            shown.append("  ⋮")
        for m in range(max(lo, last + 1), hi + 1):
            is_changed, text = display[m]
            if not is_changed:
                text = _clip(text, keep_end=m < n)
                text = f"{_STYLE['context']}{text}{_RESET}" if color and text else text
            shown.append(f"  {text}")
        last = max(last, hi)
    return shown


_CHANGE_LABELS = {"text": "text", "title": "title", "authors": "byline",
                  "published_at": "published", "modified_at": "modified",
                  "canonical_url": "canonical"}


def render_history(history: ArticleHistory) -> str:
    """``<id>  <time>  <status>  v<n>  <text hash>  <what changed>`` per capture."""
    captures, versions = len(history.entries), history.versions
    lines = [_safe(f"{history.article_url}  ({captures} capture{'s' * (captures != 1)}, "
                   f"{versions} version{'s' * (versions != 1)} of the text)")]
    for entry in history.entries:
        row = entry.row
        version = f"v{entry.version}" if entry.version is not None else "—"
        digest = row.text_blake3.removeprefix("blake3:")[:12] if row.text_blake3 else "no text"
        if entry.changes is None:
            what = "first version" if entry.version == 1 else ""
        else:
            changed = [_CHANGE_LABELS[name] for name, flag in entry.changes.items() if flag]
            what = ("changed: " + ", ".join(changed)) if changed else "unchanged"
        if entry.revisit is not None:
            what += f" (revisit: {entry.revisit['profile']})"
        lines.append(f"  {row.capture_id}  {row.captured_at}  {row.status:>3}  {version:<4}"
                     f"{digest:<14}{what}".rstrip())
    return "\n".join(lines)
