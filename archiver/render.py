"""Human-readable views of captures and reports, and a progress line for stderr.

Pure functions returning strings (the CLI prints them), except ``Progress``, which
draws on stderr only when stderr is a terminal.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # the verifier is imported only by the commands that verify
    from .bundlecheck import BundleReport
    from .catalog import CaptureRow
    from .export import ExportResult
    from .rebuild import RebuildResult
    from .sources import OutletSources
    from .verify import VerificationReport

#: Redraw the progress line at most this often; terminals are slow.
PROGRESS_INTERVAL = 0.2


class Progress:
    """A one-line progress counter on stderr, drawn only for a terminal."""

    def __init__(self, *, total: float | None, label: str, unit: str = "",
                 stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = 0.0
        self._shown = False

    def update(self, done: float, *, total: float | None = None, failed: int = 0) -> None:
        if total is not None:
            self.total = total
        now = time.monotonic()
        if not self.enabled or now - self._last < PROGRESS_INTERVAL:
            return
        self._last = now
        amount = f"{done:,.0f}" + (f"/{self.total:,.0f}" if self.total else "")
        extra = f", {failed} failed" if failed else ""
        self.stream.write(f"\r{self.label} {amount} {self.unit}{extra}".rstrip() + "  ")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
            self._last = 0.0

    def done(self) -> None:
        self.clear()


def render_capture_line(row: CaptureRow) -> str:
    """``<id>  <status>  <captured_at>  <url>  <title>`` on one line."""
    title = f"  {row.title}" if row.title else ""
    return f"{row.capture_id}  {row.status}  {row.captured_at}  {row.final_url}{title}"


def _field(label: str, value: Any, source: str | None = None) -> str:
    shown = "—" if value in (None, "", []) else value
    if isinstance(shown, list):
        shown = "; ".join(shown)
    return f"  {label:<11}{shown}" + (f"  [{source}]" if source and source != "none" else "")


def render_show(row: CaptureRow, derived: Sequence[dict[str, Any]] = ()) -> str:
    """A readable summary of one capture's provenance document, then the ``derived``
    attribution links found after capture (``archiver trace``), marked as such."""
    doc = row.provenance
    article, content, outlet = doc["article"], doc["content"], doc["outlet"]
    sources = article.get("sources", {})
    size = f"{content['bytes']:,} bytes"
    if content.get("truncated"):
        size += f", TRUNCATED ({content['truncated']})"
    lines = [
        f"Capture {doc['capture_id']}",
        _field("URL", doc["url"]),
    ]
    if doc["final_url"] != doc["url"]:
        lines.append(_field("Final URL", doc["final_url"]))
    for hop in doc["redirects"]:
        lines.append(_field("Redirect", f"{hop['status']} {hop['url']} → {hop['location']}"))
    lines += [
        _field("Captured", f"{doc['captured_at']} → {doc['completed_at']}"),
        _field("Status", f"{content['status']} {content.get('content_type') or ''}".rstrip()),
        _field("Payload", size),
        _field("Outlet", f"{outlet['name'] or '—'} ({outlet['domain']})", outlet["source"]),
        _field("Title", article["title"], sources.get("title")),
        _field("Authors", article["authors"], sources.get("authors")),
        _field("Published", article["published_at"], sources.get("published_at")),
        _field("Modified", article["modified_at"], sources.get("modified_at")),
        _field("Canonical", article["canonical_url"], sources.get("canonical_url")),
        _field("Language", article["language"], sources.get("language")),
        _field("Text", f"{article['text_chars']:,} characters, {article['text_blake3']}"
               if article["text_blake3"] else None, article.get("extractor")),
    ]
    network = doc["network"]
    peer = f"{network['peer_ip']}"
    tls = network.get("tls")
    if tls:
        verified = "verified" if tls["verified"] else "NOT verified"
        peer += f", {tls['version']} {tls['cipher']}, {len(tls['certificates'])} certificates, {verified}"
    lines.append(_field("Network", peer))
    lines.append(_field("SHA-256", content["payload_sha256"]))
    lines.append(_field("BLAKE3", content["payload_blake3"]))
    lines.append("  Records")
    for record in row.records:
        lines.append(f"    {record.type:<11}{record.record_id}  {record.file} @ {record.offset}")
    lines += ["  Attribution", *render_attribution(outlet["name"] or outlet["domain"], doc["attribution"])]
    if derived:
        lines.append("  Derived after capture (archiver trace; not in the WARC records)")
        lines += [f"    {link['relation']} from {link['source']['name']} [{link['method']}]: "
                  f"{link['evidence']}" for link in derived]
    for note in doc.get("notes", []):
        lines.append(f"  Note: {note}")
    return "\n".join(lines)


def render_attribution(root: str, links: list[dict[str, Any]]) -> list[str]:
    """The attribution chain as a tree: the outlet at the root, sources under their relayer."""
    children: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        children.setdefault(link["via"]["name"], []).append(link)
    lines = [f"    {root}"]
    if not links:
        return [*lines, "    (nothing declared)"]

    def walk(name: str, prefix: str, seen: frozenset[str]) -> None:
        kids = children.get(name, [])
        for index, link in enumerate(kids):
            last = index == len(kids) - 1
            source = link["source"]
            label = f"{source['name']} ({source['kind']}) {link['relation']} [{link['method']}]"
            lines.append(f"    {prefix}{'└─ ' if last else '├─ '}{label}")
            if source["name"] not in seen:
                walk(source["name"], prefix + ("   " if last else "│  "), seen | {source["name"]})

    walk(root, "", frozenset({root}))
    attached = {root} | {link["source"]["name"] for link in links}
    for via in children:  # relayers the tree did not reach from the outlet
        if via not in attached:
            lines.append(f"    {via}")
            walk(via, "", frozenset({via}))
    return lines


def render_verification(report: VerificationReport) -> str:
    """One line per file, then every problem and warning, then a verdict."""
    lines = []
    for summary in report.files:
        problems = len(report.problems_in(summary.path))
        state = "FAIL" if problems else "ok  "
        kind = summary.version or summary.format
        digests = (f"{summary.digests_passed}/{summary.digests_checked} digests"
                   if summary.digests_checked else "no digests to check")
        extra = ", still open" if summary.open else ""
        lines.append(f"{state} {summary.path}  {kind}, {summary.records} records, {digests}{extra}")
    for problem in report.problems:
        where = f" @ {problem.offset}" if problem.offset is not None else ""
        record = f" {problem.record_id}" if problem.record_id else ""
        lines.append(f"  problem: {problem.file}{where}{record}: {problem.message}")
    for notice in report.warnings:
        where = f" @ {notice.offset}" if notice.offset is not None else ""
        lines.append(f"  warning: {notice.file}{where}: {notice.message}")
    for notice in report.notes:
        if notice.kind in ("log", "log-key", "timestamp-root", "given-checkpoint"):
            lines.append(f"  {notice.message}")
    records = sum(s.records for s in report.files)
    checked = sum(s.digests_checked for s in report.files)
    if report.ok:
        lines.append(f"verified: {len(report.files)} files, {records} records, {checked} digests")
    else:
        lines.append(f"NOT verified: {len(report.problems)} problem(s) in "
                     f"{len({p.file for p in report.problems})} file(s)")
    return "\n".join(lines)


def render_keys(document: dict[str, Any]) -> str:
    """The archive's public keys (schemas/keys) as readable lines."""
    lines = []
    log_key, wacz_key = document["log_key"], document["wacz_key"]
    if log_key:
        lines += ["log key (Ed25519, signs checkpoints)",
                  f"  origin        {log_key['name']}",
                  f"  verifier key  {log_key['verifier_key']}",
                  f"  fingerprint   {log_key['fingerprint']}"]
    if wacz_key:
        lines += ["WACZ key (ECDSA P-384, signs bundles)",
                  f"  fingerprint   {wacz_key['fingerprint']}",
                  f"  public key    {wacz_key['public_key']}"]
    lines.append(f"in {document['directory']} (private keys are never printed)")
    return "\n".join(lines)


def render_skew(stamp: dict[str, Any]) -> str:
    """One line on a time-stamp whose TSA time and local time differ by over 10 minutes."""
    return (f"the TSA's time {stamp['tsa_time']} and this machine's {stamp['local_time']} "
            f"differ by {abs(stamp['skew_seconds']):.0f} s (over 10 minutes): check the clocks")


def render_checkpoint(document: dict[str, Any]) -> list[str]:
    """What ``archiver checkpoint`` says on stderr about the checkpoint it made or kept."""
    size = document["tree_size"]
    if document["new"]:
        lines = [f"checkpoint of {size} leaves signed by {document['key']['verifier_key']}, "
                 f"written to {document['file']}"]
    else:
        lines = [f"the log has not grown since checkpoint {size}; it stands ({document['file']})"]
    stamp = document["timestamp"]
    if stamp:
        lines.append(f"time-stamped by {stamp['tsa_url']} at {stamp['tsa_time']} (local clock "
                     f"{stamp['local_time']}): {stamp['file']}")
        if stamp["skew_flagged"]:
            lines.append(f"warning: {render_skew(stamp)}")
    return lines


def render_rebuild(result: RebuildResult) -> list[str]:
    """What ``catalog rebuild`` says about the log, checkpoints and time-stamps it kept."""
    lines = []
    if result.old_catalog_problem is None:
        lines.append(f"log: {result.leaves_copied} leaves copied from the old catalog, "
                     f"{result.leaves_added} appended for captures only the WARC files had")
    elif result.leaves_added:
        lines.append(f"the old catalog's log could not be read ({result.old_catalog_problem}):"
                     " the log was re-derived from the WARC files in WARC order "
                     f"({result.leaves_added} leaves), so checkpoints signed before may no "
                     "longer match it")
    if result.checkpoints_from_files:
        lines.append(f"{result.checkpoints_from_files} checkpoint(s) read back from their files")
    if result.stale_checkpoints:
        sizes = ", ".join(str(size) for size in result.stale_checkpoints)
        lines.append(f"warning: checkpoint(s) of size {sizes} do not match the rebuilt log "
                     "('archiver verify' reports them)")
    return lines


def render_sources(summaries: list[OutletSources]) -> str:
    """``archiver sources``: per outlet, the agencies and kinds of source it relies on."""
    if not summaries:
        return "no articles"
    lines = []
    for summary in summaries:
        lines.append(f"{summary.outlet}  ({summary.articles} article"
                     f"{'' if summary.articles == 1 else 's'})")
        for label, counts in (("agencies", summary.agencies), ("sources", summary.kinds),
                              ("relations", summary.relations)):
            shown = ", ".join(f"{name} {count}" for name, count in counts.most_common())
            lines.append(f"  {label:<10} {shown or '-'}")
    return "\n".join(lines)


def render_export(result: ExportResult) -> str:
    """What ``archiver export`` wrote, and the fingerprints to publish beside it."""
    originals = f" (+{len(result.originals)} originals of revisits)" if result.originals else ""
    signed = "signed for it" if result.checkpoint_signed else "the latest"
    return "\n".join([
        f"wrote {result.path}: {len(result.captures)} captures{originals}, {result.bytes:,} bytes",
        f"  checkpoint        {result.checkpoint_size} leaves ({signed})",
        f"  log key           {result.log_key_fingerprint}",
        f"  WACZ key          {result.wacz_key_fingerprint}",
        f"  datapackage.json  {result.datapackage_hash}",
    ])


def render_bundle(report: BundleReport) -> str:
    """The bundle, its signature and evidence, then the WARC entries and the verdict."""
    wacz, evidence = report.wacz, report.evidence
    lines = [f"{report.path}: WACZ {wacz.wacz_version or '?'}, {wacz.entries} entries, "
             f"{wacz.resources_checked} hashes checked"]
    signature = wacz.signature
    if signature is None:
        lines.append("  not signed")
    else:
        state = "verifies" if signature.verified else "does NOT verify"
        who = f"domain {signature.domain}" if signature.domain else "an anonymous key"
        lines.append(f"  signed by {who} ({signature.form}, {signature.encoding or '?'}): "
                     f"{state}; key {signature.key_fingerprint}")
        if signature.timestamp:
            lines.append(f"  signature time-stamped {signature.timestamp}")
    if evidence is None:
        lines.append("  no archiver evidence: who captured it and when cannot be checked")
    else:
        if evidence.checkpoint_size is not None:
            stamp = f", time-stamped {evidence.checkpoint_timestamp}" \
                if evidence.checkpoint_timestamp else ", not time-stamped"
            lines.append(f"  checkpoint of {evidence.origin}: {evidence.checkpoint_size} "
                         f"leaves, root {evidence.root_hash}{stamp}")
        earlier = ", ".join(str(size) for size in evidence.earlier_checkpoints)
        if earlier:
            lines.append(f"  extends the earlier checkpoint(s) {earlier}")
        lines.append("  keys (compare them with those the archive published):")
        lines.append(f"  log key fingerprint   {evidence.log_key_fingerprint}")
        lines.append(f"  WACZ key fingerprint  {evidence.wacz_key_fingerprint}")
        for capture in evidence.captures:
            state = "proved" if capture.proved else "NOT proved"
            stamp = f", time-stamped {capture.timestamp}" if capture.timestamp else ""
            lines.append(f"  {state:<10} {capture.capture_id}  leaf {capture.leaf_index}  "
                         f"{capture.captured_at}  {capture.url}{stamp}")
    lines.append(render_verification(report.records))
    return "\n".join(lines)
