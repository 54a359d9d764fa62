"""The versions of one article over time: its history, and which two captures to diff.

``article_history(catalog, url)`` gathers every capture of the article at ``url``
(``archiver.identity`` decides what "the article" is) and says, for each, whether its
text, title, byline or dates differ from the previous capture that had article text.
``choose_pair`` picks the two captures ``archiver diff`` compares and ``diff_entries``
compares them with ``archiver.textdiff``, on the article text stored at capture time
(``Catalog.article_text``), never re-extracted: the text compared is the one whose
hash the provenance record holds, and that is checked.

**Versions.** A version is a distinct article text (by ``text_blake3``), numbered in
order of first appearance, so a text that comes back after an edit is reverted keeps
its number (v1, v2, v1). A capture without article text (an error page, a 304 without
an earlier capture, a failed extraction) is no version and is not compared.

**Changes are exact.** History compares hashes and claims: one changed character is
"text changed". Whether that change is substantive (or furniture, or typography) is
what ``archiver diff`` tells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .catalog import CaptureRow, Catalog
from .errors import ArchiverError, CatalogError
from .textdiff import ArticleDiff, Version, diff_versions, field_changes
from .textextract import text_blake3

__all__ = ["CHANGE_FIELDS", "ArticleHistory", "HistoryEntry", "NotEnoughVersions",
           "article_history", "choose_pair", "diff_entries"]

#: What history reports as changed, in this order ("authors" is the byline).
CHANGE_FIELDS = ("text", "title", "authors", "published_at", "modified_at", "canonical_url")


class NotEnoughVersions(ArchiverError):
    """The article has fewer than two versions to compare."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryEntry:
    """One capture of the article, and what changed since the previous one with text."""

    row: CaptureRow
    version: int | None  # the number of its text; None: no article text
    changes: dict[str, bool] | None  # CHANGE_FIELDS -> changed; None: first version or no text

    @property
    def revisit(self) -> dict[str, Any] | None:
        """``content.revisit`` of the provenance record: the payload was not stored again."""
        return self.row.provenance["content"].get("revisit")

    def to_document(self) -> dict[str, Any]:
        row = self.row
        revisit = self.revisit
        return {
            "capture_id": row.capture_id, "captured_at": row.captured_at, "url": row.url,
            "final_url": row.final_url, "status": row.status, "title": row.title,
            "text_blake3": row.text_blake3, "version": self.version,
            "revisit": None if revisit is None else {
                "profile": revisit["profile"], "refers_to_capture": revisit["refers_to_capture"]},
            "changes": self.changes,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleHistory:
    """Every capture of one article, oldest first."""

    url: str  # as the user gave it
    article_url: str  # the newest capture's canonical URL, else its final URL
    entries: tuple[HistoryEntry, ...]

    @property
    def versions(self) -> int:
        return max((e.version for e in self.entries if e.version is not None), default=0)

    def to_document(self) -> dict[str, Any]:
        """The JSON document (``schemas/history.schema.json``)."""
        return {"schema_version": "1", "url": self.url, "article_url": self.article_url,
                "captures": len(self.entries), "versions": self.versions,
                "entries": [entry.to_document() for entry in self.entries]}


def article_history(catalog: Catalog, url: str) -> ArticleHistory:
    """The history of the article at ``url``; CatalogError when it was never captured."""
    rows = catalog.article_captures(url)
    if not rows:
        raise CatalogError(f"no capture of {url} in {catalog.path.parent} "
                           f"(capture it first: archiver capture {url})")
    numbers: dict[str, int] = {}
    entries = []
    previous: Version | None = None
    for row in rows:
        if row.text_blake3 is None:
            entries.append(HistoryEntry(row=row, version=None, changes=None))
            continue
        version = _claims(row)
        changes = None
        if previous is not None:
            changed = {change.field for change in field_changes(previous, version)}
            changes = {name: name in changed for name in CHANGE_FIELDS}
            changes["text"] = version.text != previous.text
        number = numbers.setdefault(row.text_blake3, len(numbers) + 1)
        entries.append(HistoryEntry(row=row, version=number, changes=changes))
        previous = version
    newest = rows[-1].provenance
    return ArticleHistory(url=url, entries=tuple(entries),
                          article_url=newest["article"].get("canonical_url") or newest["final_url"])


def choose_pair(history: ArticleHistory, *, from_id: str | None = None,
                to_id: str | None = None) -> tuple[HistoryEntry, HistoryEntry]:
    """The two captures to compare.

    By default the last two versions whose text differs: the last capture of the older
    text and the first capture of the newer, which bracket the moment of the edit as
    tightly as the archive can. ``from_id`` alone compares that capture with the newest
    capture with text; ``to_id`` alone compares it with the capture with text just
    before it. Ids may be unique prefixes; they must be captures of this article.

    Raises:
        NotEnoughVersions: there are not two versions (or captures) to compare.
        CatalogError: an id is unknown, ambiguous, or of another article.
    """
    texts = [entry for entry in history.entries if entry.version is not None]
    old = _find(history, from_id) if from_id else None
    new = _find(history, to_id) if to_id else None
    if old is not None and new is not None:
        return old, new
    if old is not None:
        if not texts or texts[-1] is old:
            raise NotEnoughVersions(f"no capture of {history.article_url} with article text "
                                    f"after {old.row.capture_id} to compare it with")
        return old, texts[-1]
    if new is not None:
        before = [e for e in texts if e.row.captured_at < new.row.captured_at]
        if not before:
            raise NotEnoughVersions(f"no capture of {history.article_url} with article text "
                                    f"before {new.row.capture_id} to compare it with")
        return before[-1], new
    for older, newer in reversed(list(zip(texts, texts[1:], strict=False))):
        if older.row.text_blake3 != newer.row.text_blake3:
            return older, newer
    captures = len(history.entries)
    raise NotEnoughVersions(
        f"{history.article_url} has {history.versions} version(s) of its text in {captures} "
        f"capture(s): nothing to compare ('archiver history' lists them; --from and --to "
        "compare two captures anyway)")


def diff_entries(catalog: Catalog, old: HistoryEntry, new: HistoryEntry) -> ArticleDiff:
    """The article diff between two captures, on the texts stored when they were made."""
    return diff_versions(_claims(old.row, text=stored_text(catalog, old.row)),
                         _claims(new.row, text=stored_text(catalog, new.row)))


def stored_text(catalog: Catalog, row: CaptureRow) -> str:
    """The article text of a capture ("" when it has none), checked against its hash."""
    if row.text_blake3 is None:
        return ""
    text = catalog.article_text(row.capture_id)
    if text is None:
        raise CatalogError(
            f"the article text of capture {row.capture_id} is not in the catalog "
            "('archiver catalog rebuild' restores it from the WARC files' conversion records)")
    if text_blake3(text) != row.text_blake3:
        raise CatalogError(f"the stored article text of capture {row.capture_id} does not "
                           f"match its {row.text_blake3} (run 'archiver verify')")
    return text


def _claims(row: CaptureRow, *, text: str | None = None) -> Version:
    """The capture's claims; the text hash stands in for the text unless it is given."""
    return Version.from_provenance(row.provenance,
                                   text=text if text is not None else row.text_blake3 or "")


def _find(history: ArticleHistory, capture_id: str) -> HistoryEntry:
    prefix = capture_id.lower()
    found = [e for e in history.entries if e.row.capture_id.startswith(prefix)]
    if len(found) == 1:
        return found[0]
    if found:
        raise CatalogError(f"capture id prefix {capture_id!r} is ambiguous: give more characters")
    raise CatalogError(f"capture {capture_id!r} is not a capture of {history.article_url} "
                       f"(see 'archiver history {history.url}')")
