"""``evidence/report.html``: an evidence bundle explained to a reader who is not a tool.

One self-contained page (inline style, no script, no external resource, every value
escaped) that answers the Berkeley Protocol's questions about each capture (who
captured it, when, with what, and whether it was altered), says exactly what the
bundle proves and what it does not, and how to check it without trusting us. It is
built from the same documents the bundle carries, so it never claims more than they
hold; the verifier (``archiver verify BUNDLE.wacz``) is what checks them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from . import __version__
from .catalog import CaptureRow
from .keys import fingerprint
from .signednote import parse_checkpoint, parse_note, parse_verifier_key

__all__ = ["bundle_report"]

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b}
h1,h2,h3{line-height:1.2}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4;width:13rem}code,.mono{font-family:ui-monospace,monospace;
font-size:13px;overflow-wrap:anywhere}.no{color:#8a1c1c}.ok{color:#1c5e20}
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;font-size:13px}
"""

#: The four questions, what the bundle offers on each, and the limit of that answer.
_CLAIMS = (
    ("Who captured it?",
     "The log key below signed the checkpoint that includes every capture, and the WACZ "
     "key signed the whole bundle. The provenance document names the machine, tool, "
     "version and options.",
     "A key names an archive, not a person. It means something only to a reader who "
     "got its fingerprint from a channel the archive does not control (a publication, a "
     "letter, a witness). Whoever holds the private key can sign anything."),
    ("When?",
     "Each capture's time is its WARC-Date, the moment our client began the exchange. "
     "An RFC 3161 time-stamp, where there is one, shows that the checkpoint (so every "
     "capture it includes) or the capture's leaf existed no later than the authority's "
     "time.",
     "Without a time-stamp the time is our own clock's claim. A time-stamp is an upper "
     "bound, never a lower one, and rests on the time-stamping authority's root."),
    ("With what?",
     "The tool, its version, the user agent, the options, the peer IP address and, for "
     "HTTPS, the TLS version, cipher and the server's certificate chain, as recorded in "
     "the provenance document.",
     "These are what our software recorded about itself and the connection."),
    ("Was it altered?",
     "Every record carries SHA-256 and BLAKE3 digests of the exact bytes received; the "
     "log leaf commits to those digests; the inclusion proof ties the leaf to the signed "
     "checkpoint; earlier checkpoints are proved to be prefixes of it. Changing, removing "
     "or reordering a record, a leaf or a proof breaks a check.",
     "Only against checkpoints the reader already holds from elsewhere (check one with "
     "'archiver verify BUNDLE --checkpoint NOTE'): before a checkpoint left the archive, "
     "the archive could have rebuilt its log."),
)

_LIMIT = ("This bundle proves what our client received, when, and which archive key "
          "vouches for it. It does not prove what the server meant to send, that it sent "
          "the same bytes to anyone else, or that the page is true: a server, or anything "
          "between it and us when TLS is not used, can send different bytes to different "
          "clients.")


def bundle_report(rows: Sequence[CaptureRow], evidence: dict[str, Any], *,
                  originals: Sequence[str], wacz_key: str, created: datetime) -> str:
    """The report page for the captures ``rows`` and their ``evidence``
    (``evidence.capture_evidence``); ``originals`` were added for their revisits."""
    checkpoint = parse_checkpoint(parse_note(evidence["checkpoint"]).text)
    proofs = {proof["capture_id"]: proof for proof in evidence["proofs"]}
    stamp = evidence["checkpoint_timestamp"]
    moment = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = [
        "<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Evidence bundle: {len(rows)} captures</title>",
        f"<style>{_STYLE}</style>", "</head>", "<body>",
        "<h1>Evidence bundle</h1>",
        f"<p>Made by archiver {escape(__version__)} on {escape(moment)}: {len(rows)} "
        f"capture{'s' if len(rows) != 1 else ''}, included in the log "
        f"<code>{escape(checkpoint.origin)}</code> at size {checkpoint.size}"
        + (f", time-stamped {escape(stamp['tsa_time'])} by {escape(stamp['tsa_url'])}"
           if stamp else " (the checkpoint is not time-stamped)") + ".</p>",
        "<h2>What this bundle can prove, and what it cannot</h2>",
        f"<p><strong>{escape(_LIMIT)}</strong></p>",
        "<table><tr><th>Question</th><th>What answers it here</th><th>Its limit</th></tr>",
        *(f"<tr><td>{escape(q)}</td><td>{escape(a)}</td><td>{escape(limit)}</td></tr>"
          for q, a, limit in _CLAIMS),
        "</table>",
        *_keys_section(evidence["verifier_key"], wacz_key),
        *_checkpoint_section(checkpoint, evidence),
        "<h2>Captures</h2>",
    ]
    for row in rows:
        parts += _capture_section(row, proofs[row.capture_id],
                                  evidence["capture_timestamps"].get(row.capture_id),
                                  original=row.capture_id in originals)
    parts += _how_to_check(), "</body>", "</html>"
    return "\n".join(parts) + "\n"


def _table(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table; values are HTML already (escaped by the caller)."""
    return "<table>" + "".join(f"<tr><th>{escape(label)}</th><td>{value}</td></tr>"
                               for label, value in rows) + "</table>"


def _code(text: Any) -> str:
    return f"<code>{escape(str(text))}</code>"


def _keys_section(verifier_key: str, wacz_key: str) -> list[str]:
    verifier = parse_verifier_key(verifier_key)
    return [
        "<h2>Keys</h2>",
        "<p>Compare these fingerprints with those the archive published elsewhere. If they "
        "differ, nothing in this bundle tells you who made it.</p>",
        _table([
            ("Log key (Ed25519)", f"{_code(verifier.name)}: signs the checkpoints"),
            ("Log key fingerprint", _code(fingerprint(verifier.public_key))),
            ("Verifier key", _code(verifier_key)),
            ("WACZ key fingerprint", f"{_code(wacz_key)} (ECDSA P-384, SHA-256 of its DER "
                                     "public key): signs datapackage-digest.json"),
        ]),
    ]


def _checkpoint_section(checkpoint: Any, evidence: dict[str, Any]) -> list[str]:
    stamp = evidence["checkpoint_timestamp"]
    rows = [("Origin", _code(checkpoint.origin)), ("Tree size", str(checkpoint.size)),
            ("Root hash", _code(evidence["proofs"][0]["root_hash"])),
            ("Time-stamp", _stamp(stamp))]
    earlier = [str(item["consistency"]["old_size"]) for item in evidence["earlier"]]
    if earlier:
        rows.append(("Earlier checkpoints", "sizes " + ", ".join(earlier) + ", each with a "
                     "consistency proof to this one"))
    return ["<h2>Log checkpoint</h2>", _table(rows),
            f"<pre>{escape(evidence['checkpoint'])}</pre>"]


def _stamp(stamp: dict[str, Any] | None) -> str:
    if stamp is None:
        return '<span class="no">none</span>'
    root = "given by the archive's operator" if stamp["root_source"] == "tsa-ca" else \
        "as sent by the authority itself: decide whether you trust it"
    return (f"{escape(stamp['tsa_time'])} by {escape(stamp['tsa_url'])} (local clock "
            f"{escape(stamp['local_time'])}; trusted root {escape(root)})")


def _capture_section(row: CaptureRow, proof: dict[str, Any], stamp: dict[str, Any] | None,
                     *, original: bool) -> list[str]:
    doc = row.provenance
    content, agent, network = doc["content"], doc["agent"], doc["network"]
    article = doc["article"]
    rows = [("URL", _code(doc["url"]))]
    rows += [("Redirect", f"{hop['status']} {_code(hop['url'])} → {_code(hop['location'])}")
             for hop in doc["redirects"]]
    rows += [
        ("Final URL", _code(doc["final_url"])),
        ("Captured", f"{escape(doc['captured_at'])} to {escape(doc['completed_at'])} "
                     "(our clock)"),
        ("Response", f"HTTP {content['status']} {escape(content.get('content_type') or '')}, "
                     f"{content['bytes']:,} bytes"
                     + (f", TRUNCATED ({escape(content['truncated'])})"
                        if content.get("truncated") else "")),
        ("Payload SHA-256", _code(content["payload_sha256"])),
        ("Payload BLAKE3", _code(content["payload_blake3"])),
        ("Outlet", escape(doc["outlet"]["name"] or doc["outlet"]["domain"] or "—")),
        ("Title", escape(article.get("title") or "—")),
        ("Authors", escape("; ".join(article.get("authors") or []) or "—")),
        ("Published", escape(article.get("published_at") or "—") + " (as the page claims)"),
        ("Agent", f"{escape(agent['tool'])} {escape(agent['version'])} on "
                  f"{escape(agent['host'])} ({escape(agent['platform'])})"),
        ("User agent", _code(agent["user_agent"])),
        ("Options", _code(json.dumps(agent["options"], sort_keys=True))),
        ("Peer IP", _code(network["peer_ip"])),
        ("TLS", _tls(network.get("tls"))),
        ("Log leaf", f"index {proof['leaf_index']} of {proof['tree_size']}, hash "
                     f"{_code(proof['leaf_hash'])}"),
        ("Leaf time-stamp", _stamp(stamp)),
    ]
    revisit = content.get("revisit")
    if revisit:
        rows.append(("Revisit", f"{escape(revisit['profile'])}: the payload is that of "
                     f"capture {_code(revisit['refers_to_capture'])} (record "
                     f"{_code(revisit['refers_to_record'])}), included in this bundle"))
    records = "<br>".join(f"{escape(record.type)} {_code(record.record_id)}"
                          for record in row.records)
    rows.append(("Records", records))
    title = escape(article.get("title") or doc["final_url"])
    note = " <small>(included because a revisit in this bundle refers to it)</small>" \
        if original else ""
    return [f'<h3 id="{escape(row.capture_id)}">{title}{note}</h3>',
            f"<p>Capture {_code(row.capture_id)}</p>", _table(rows)]


def _tls(tls: dict[str, Any] | None) -> str:
    if not tls:
        return "none (plain HTTP: anything on the path could have changed the bytes)"
    state = '<span class="ok">verified</span>' if tls["verified"] else \
        '<span class="no">NOT verified</span>'
    lines = [f"{escape(tls['version'])} {escape(tls['cipher'])}, chain {state} against the "
             "trust store in force"]
    for pem in tls["certificates"]:
        try:
            cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            lines.append('<span class="no">an unreadable certificate</span>')
            continue
        digest = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
        lines.append(f"{escape(cert.subject.rfc4514_string())} "
                     f"<span class=\"mono\">sha256:{digest}</span>")
    return "<br>".join(lines)


def _how_to_check() -> str:
    return """<h2>How to check this bundle</h2>
<p>With archiver, offline and without the archive: <code>archiver verify BUNDLE.wacz</code>.
It checks the ZIP, the hashes and signature of the WACZ, every WARC record's digests, each
capture's leaf against its records and provenance document, each inclusion proof against
the checkpoint, the checkpoint's signature, the consistency proofs from earlier
checkpoints and the time-stamps, at the time in each token.</p>
<p>Without archiver: <code>wacz validate -f BUNDLE.wacz</code> (py-wacz) checks the package
and <code>warcio check</code> the WARC files in <code>archive/</code>. A checkpoint is a
C2SP signed note (<code>golang.org/x/mod/sumdb/note</code> reads it with
<code>evidence/verifier.key</code>). A time-stamp document holds the token, chain and root:
<code>openssl ts -verify -token_in -in token.der -data checkpoint-N.note -CAfile root.pem
-untrusted chain.pem</code>. An inclusion proof is RFC 9162 §2.1.3.2: the leaf hash is
SHA-256(0x00 ‖ leaf), inner nodes SHA-256(0x01 ‖ left ‖ right).</p>"""
