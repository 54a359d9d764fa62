"""The provenance document of one capture (schemas/provenance.schema.json).

It says what our client sent and received, when, from which address, and what the
page claims about itself (outlet, article facts, attribution), each claim with the
source that decided it. It is validated before it is written into the metadata
record, and it is stored as canonical JSON so its bytes hash the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import schemas
from .extract import PageFacts
from .fetch import Exchange

SCHEMA_VERSION = "1"


@dataclass(frozen=True, slots=True, kw_only=True)
class Agent:
    """Who captured: the tool, its version, and where it ran."""

    version: str
    user_agent: str
    host: str
    platform: str
    options: dict[str, Any]

    def to_document(self) -> dict[str, Any]:
        return {"tool": "archiver", "version": self.version, "user_agent": self.user_agent,
                "host": self.host, "platform": self.platform, "options": self.options}


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeIds:
    """The record ids given to one exchange's request and response records."""

    request: str
    response: str


def build(
    *,
    capture_id: str,
    url: str,
    exchanges: Sequence[Exchange],
    ids: Sequence[ExchangeIds],
    captured_at: str,
    completed_at: str,
    agent: Agent,
    facts: PageFacts,
    payload: dict[str, Any],
    revisit: dict[str, Any] | None = None,
    conversion_id: str | None = None,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """Assemble and validate the document; SchemaError if it does not match.

    ``revisit`` (``content.revisit``) makes the final response record a revisit;
    ``conversion_id`` names the record holding the extracted article text.
    """
    final = exchanges[-1]
    redirects = []
    for exchange, hop_ids in zip(exchanges[:-1], ids[:-1], strict=True):
        hop = {"url": exchange.url, "status": exchange.status,
               "location": exchange.head.get("location") or "", "peer_ip": exchange.peer_ip,
               "request_record_id": hop_ids.request, "response_record_id": hop_ids.response}
        if exchange.tls is not None:
            hop["tls"] = exchange.tls.to_document()
        redirects.append(hop)
    network: dict[str, Any] = {"peer_ip": final.peer_ip}
    if final.tls is not None:
        network["tls"] = final.tls.to_document()
    records = []
    for exchange, hop_ids in zip(exchanges, ids, strict=True):
        records.append({"type": "request", "record_id": hop_ids.request, "target_uri": exchange.url})
        records.append({"type": "revisit" if revisit and exchange is final else "response",
                        "record_id": hop_ids.response, "target_uri": exchange.url})
    if conversion_id is not None:
        records.append({"type": "conversion", "record_id": conversion_id, "target_uri": final.url})
    document = {
        "schema_version": SCHEMA_VERSION,
        "capture_id": capture_id,
        "url": url,
        "final_url": final.url,
        "redirects": redirects,
        "captured_at": captured_at,
        "completed_at": completed_at,
        "agent": agent.to_document(),
        "network": network,
        "records": records,
        "outlet": facts.outlet,
        "article": facts.article,
        "content": {
            "status": final.status,
            "content_type": final.head.get("content-type"),
            "content_encoding": final.head.get("content-encoding"),
            "truncated": final.truncated,
            "etag": final.head.get("etag"),
            "last_modified": final.head.get("last-modified"),
            **payload,
            **({"revisit": revisit} if revisit else {}),
        },
        "attribution": facts.attribution,
    }
    if notes:
        document["notes"] = list(notes)
    schemas.validate(document, "provenance")
    return document
