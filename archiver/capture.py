"""Capturing URLs: fetch -> extract -> provenance -> WARC records -> catalog.

A capture is acknowledged (returned) only after its records are fsynced to the WARC
file and its catalog row is committed. A failed capture writes nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, ids, parties
from .catalog import CaptureRow, Catalog, StoredResponse
from .errors import ArchiverError
from .extract import PageFacts, empty_facts, extract_page
from .fetch import Exchange, Fetcher
from .hashing import DigestPair, canonical_json
from .home import ArchiveHome
from .httpmsg import DecodeLimitError, content_decode, payload_of
from .limits import Limits
from .netpolicy import NetworkPolicy
from .provenance import Agent, ExchangeIds, build
from .recovery import recover
from .warc import RecordSpec, WarcWriter, warc_date

if TYPE_CHECKING:
    from .fingerprint import Fingerprint

DEFAULT_USER_AGENT = f"Mozilla/5.0 (compatible; archiver/{__version__})"
#: Decoded (gunzipped, unbrotlied) bodies larger than this are not extracted: a
#: 100 KB gzip bomb inflates to 100 MB, and no news article needs more than this.
DEFAULT_DECODE_CAP = 32 * 1024 * 1024
DEFAULT_WORKERS = 8
#: Extraction of one page (trafilatura, htmldate) may take this long in a worker
#: process; real news pages take 10-40 ms, so only a hostile page gets near it.
EXTRACT_TIMEOUT = 60.0
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureSettings:
    """What the user chose for a capture run."""

    outlet: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    limits: Limits = field(default_factory=Limits)
    policy: NetworkPolicy = field(default_factory=NetworkPolicy)
    ca_bundle: Path | None = None
    decode_cap: int = DEFAULT_DECODE_CAP
    #: "full" (trafilatura, best text) or "fast" (resiliparse, ~3x cheaper per page).
    text_mode: str = "full"
    #: User party-registry files merged over the packaged one (archiver.parties).
    parties: tuple[Path, ...] = ()
    #: Ask with If-None-Match / If-Modified-Since from the archive's newest capture of
    #: the URL; a 304 becomes a server-not-modified revisit.
    revalidate: bool = False

    def options_document(self) -> dict:
        """The options as recorded in the provenance ``agent.options``."""
        return {
            "outlet": self.outlet,
            "timeout": self.limits.timeout,
            "max_bytes": self.limits.max_bytes,
            "max_redirects": self.limits.max_redirects,
            "allow_private": self.policy.allow_private,
            "allowed_networks": [str(n) for n in self.policy.allowed_networks],
            "ca_bundle": self.ca_bundle is not None,
            "decode_cap": self.decode_cap,
            "extract": self.text_mode,
            "parties": [path.name for path in self.parties],
            "revalidate": self.revalidate,
        }


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def ssl_context_for(ca_bundle: Path | None) -> ssl.SSLContext:
    """A verifying TLS context: the system trust store, or only ``ca_bundle``."""
    try:
        return ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
    except (OSError, ssl.SSLError) as exc:
        raise ArchiverError(f"cannot read CA bundle {ca_bundle}: {exc}") from exc


@dataclass(kw_only=True)
class Capturer:
    """Captures URLs into the archive at ``home``. Use as a context manager."""

    home: ArchiveHome
    settings: CaptureSettings = field(default_factory=CaptureSettings)
    clock: Callable[[], datetime] = utc_now
    new_capture_id: Callable[[datetime], str] = ids.capture_id
    new_record_id: Callable[[], str] = ids.record_id
    host: str = field(default_factory=socket.gethostname)
    platform: str = field(default_factory=platform.platform)
    fetcher: Fetcher | None = None

    def __post_init__(self) -> None:
        parties.use_files(self.settings.parties)  # a bad file fails here, before any capture
        self._resources = ExitStack()  # released in close(), last in, first out
        if self.fetcher is None:
            self.fetcher = Fetcher(policy=self.settings.policy, limits=self.settings.limits,
                                   user_agent=self.settings.user_agent,
                                   ssl_context=ssl_context_for(self.settings.ca_bundle))
            self._resources.callback(self.fetcher.close)
        self._resources.enter_context(self.home.shared())
        self.catalog: Catalog = self.home.open_catalog()
        self.recovered = recover(self.home, self.catalog)
        self.writer = WarcWriter(
            directory=self.home.warc_dir, host=self.host, clock=self.clock,
            new_record_id=self.new_record_id,
            warcinfo_fields=[("software", f"archiver/{__version__}"), ("hostname", self.host),
                             ("http-header-user-agent", self.settings.user_agent)],
        )
        self._extract_pool: ProcessPoolExecutor | None = None
        self.agent = Agent(version=__version__, user_agent=self.settings.user_agent,
                           host=self.host, platform=self.platform,
                           options=self.settings.options_document())

    def __enter__(self) -> Capturer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._extract_pool is not None:
            self._extract_pool.shutdown(cancel_futures=True)
        self.writer.close()
        self.catalog.close()
        self._resources.close()

    def capture(self, url: str) -> CaptureRow:
        """Capture one URL; CaptureError (nothing written) when it fails."""
        started = self.clock()
        held = self.catalog.latest_response(url) if self.settings.revalidate else None
        exchanges = self.fetcher.fetch(url, conditional=_validators(held))
        completed = self.clock()
        final = exchanges[-1]
        payloads = [payload_of(exchange.response, exchange.head) for exchange in exchanges]
        payload = payloads[-1]
        digest = DigestPair(payload)
        if held is not None and final.status == 304 and len(exchanges) == 1:
            revisit = Revisit(NOT_MODIFIED, held)
            extracted = Extracted(self._facts_of(held), [
                f"not modified since capture {held.capture_id}: its article facts stand"])
        else:
            extracted = self._facts(final, payload)
            revisit = self._identical(final, digest.sha256)
        facts = extracted.facts
        capture_id = self.new_capture_id(started)
        date = warc_date(started)
        hop_ids = [ExchangeIds(request=self.new_record_id(), response=self.new_record_id())
                   for _ in exchanges]
        conversion_id = self.new_record_id() if _keeps_text(facts, revisit) else None
        document = build(
            capture_id=capture_id, url=exchanges[0].url, exchanges=exchanges, ids=hop_ids,
            captured_at=date, completed_at=warc_date(completed), agent=self.agent, facts=facts,
            payload={"bytes": len(payload), "payload_sha256": digest.sha256,
                     "payload_blake3": digest.blake3},
            revisit=revisit.to_document() if revisit else None, conversion_id=conversion_id,
            notes=extracted.notes,
        )
        specs = self._record_specs(capture_id, date, exchanges, payloads, hop_ids, document,
                                   revisit)
        if conversion_id is not None:
            specs.insert(-1, _conversion_spec(conversion_id, date, final.url,
                                              hop_ids[-1].response, facts.text, capture_id))
        written = self.writer.write_capture(specs)
        self.catalog.add(document, written, text=facts.text if conversion_id else None,
                         fingerprint=extracted.fingerprint)
        return CaptureRow.from_document(document, written)

    def _identical(self, final: Exchange, payload_sha256: str) -> Revisit | None:
        """A revisit of the newest earlier response of this URL with the same payload."""
        if final.truncated or not 200 <= final.status < 300:
            return None
        held = self.catalog.original_response(final.url, payload_sha256)
        return Revisit(IDENTICAL_PAYLOAD, held) if held is not None else None

    def _facts_of(self, held: StoredResponse) -> PageFacts:
        """The facts of an earlier capture, for a 304 that says nothing has changed."""
        document = held.provenance
        return PageFacts(outlet=document["outlet"], article=document["article"],
                         attribution=document["attribution"],
                         text=self.catalog.article_text(held.capture_id) or "")

    def capture_many(
        self, urls: Iterable[str], *, workers: int = DEFAULT_WORKERS
    ) -> Iterator[tuple[str, CaptureRow | ArchiverError]]:
        """Capture concurrently; yields ``(url, row or error)`` as each one finishes.

        Fetching and writing run in threads; extraction, which is CPU-bound, runs in
        one worker process per core so a batch uses every core.
        """
        if self._extract_pool is None:
            self._extract_pool = _process_pool(self.settings.parties)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="archiver-capture") as pool:
            futures = {pool.submit(self.capture, url): url for url in urls}
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result()
                except ArchiverError as exc:
                    yield futures[future], exc

    def _facts(self, final: Exchange, payload: bytes) -> Extracted:
        """The page's facts, notes on what could not be done, the text's fingerprint."""
        nothing = empty_facts(final.url, outlet_name=self.settings.outlet)
        content_type = final.head.get("content-type")
        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        if media_type not in HTML_TYPES and not (not media_type and payload.lstrip()[:1] == b"<"):
            return Extracted(nothing)
        try:
            html = content_decode(payload, final.head.get("content-encoding"),
                                  max_bytes=self.settings.decode_cap)
        except DecodeLimitError as exc:
            return Extracted(nothing, [f"article facts not extracted: {exc}"])
        arguments = {"url": final.url, "content_type": content_type,
                     "outlet_name": self.settings.outlet, "text_mode": self.settings.text_mode}
        if self._extract_pool is None:
            return extract(html, **arguments)
        try:
            return self._extract_pool.submit(extract, html, **arguments).result(
                timeout=EXTRACT_TIMEOUT)
        except FutureTimeout:
            reason = f"extraction took longer than {EXTRACT_TIMEOUT:g}s"
        except BrokenProcessPool:
            self._extract_pool = _process_pool(self.settings.parties)
            reason = "the extraction worker died"
        return Extracted(nothing, [f"article facts not extracted: {reason}"])

    def _record_specs(self, capture_id, date, exchanges, payloads, hop_ids, document,
                      revisit: Revisit | None) -> list[RecordSpec]:
        tag = ("Archiver-Capture-ID", capture_id)
        specs = []
        for exchange, payload, hop in zip(exchanges, payloads, hop_ids, strict=True):
            target = ("WARC-Target-URI", exchange.url)
            request_head_end = exchange.request.find(b"\r\n\r\n") + 4
            specs.append(RecordSpec(
                type="request", record_id=hop.request, date=date,
                content_type="application/http;msgtype=request", block=exchange.request,
                payload=exchange.request[request_head_end:],
                fields=[target, ("WARC-Concurrent-To", hop.response), tag],
            ))
            response_fields = [target, ("WARC-IP-Address", exchange.peer_ip),
                               ("WARC-Concurrent-To", hop.request)]
            if exchange.truncated:
                response_fields.append(("WARC-Truncated", exchange.truncated))
            if revisit is not None and exchange is exchanges[-1]:
                specs.append(revisit.spec(hop.response, date, exchange, payload,
                                          [*response_fields, tag]))
                continue
            specs.append(RecordSpec(
                type="response", record_id=hop.response, date=date,
                content_type="application/http;msgtype=response", block=exchange.response,
                payload=payload,
                fields=[*response_fields, tag],
            ))
        final_response = hop_ids[-1].response
        specs.append(RecordSpec(
            type="metadata", record_id=self.new_record_id(), date=date,
            content_type="application/json", block=canonical_json(document),
            fields=[("WARC-Target-URI", exchanges[-1].url), ("WARC-Refers-To", final_response),
                    ("WARC-Concurrent-To", final_response), tag],
        ))
        return specs


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction gives a capture."""

    facts: PageFacts
    notes: list[str] = field(default_factory=list)
    #: Of the article text, for republication tracing (None: no text).
    fingerprint: Fingerprint | None = None


def extract(html: bytes, **arguments) -> Extracted:
    """A page's facts and its text's fingerprint: an extraction worker's job."""
    from .fingerprint import fingerprint  # here: numpy and datasketch load in ~0.5 s

    facts = extract_page(html, **arguments)
    return Extracted(facts, [], fingerprint(facts.text) if facts.text else None)


#: WARC 1.1 section 6.7 revisit profiles.
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@dataclass(frozen=True, slots=True)
class Revisit:
    """This capture's final response repeats ``held``: same payload, or a 304."""

    profile: str
    held: StoredResponse

    def to_document(self) -> dict:
        """``content.revisit`` of the provenance document."""
        return {"profile": self.profile.rsplit("/", 1)[1],
                "refers_to_capture": self.held.capture_id,
                "refers_to_record": self.held.record_id,
                "refers_to_target_uri": self.held.target_uri,
                "refers_to_date": self.held.date}

    def spec(self, record_id: str, date: str, exchange: Exchange, payload: bytes,
             fields: list[tuple[str, str]]) -> RecordSpec:
        """The revisit record. An identical payload is not stored again: the block is
        the response head, the payload digest still that of the payload received. A
        304 is stored whole: it is all the server sent."""
        identical = self.profile == IDENTICAL_PAYLOAD
        head_end = exchange.response.find(b"\r\n\r\n") + 4
        return RecordSpec(
            type="revisit", record_id=record_id, date=date,
            content_type="application/http;msgtype=response",
            block=exchange.response[:head_end] if identical else exchange.response,
            payload=payload if identical else None,
            fields=[*fields, ("WARC-Profile", self.profile),
                    ("WARC-Refers-To", self.held.record_id),
                    ("WARC-Refers-To-Target-URI", self.held.target_uri),
                    ("WARC-Refers-To-Date", self.held.date)],
        )


def _validators(held: StoredResponse | None) -> list[tuple[str, str]]:
    """Conditional request headers from what the archive holds of a URL."""
    if held is None:
        return []
    content = held.provenance["content"]
    headers = []
    if content.get("etag"):
        headers.append(("If-None-Match", content["etag"]))
    if content.get("last_modified"):
        headers.append(("If-Modified-Since", content["last_modified"]))
    return headers


def _keeps_text(facts: PageFacts, revisit: Revisit | None) -> bool:
    """Whether this capture stores its article text: it has one, and no earlier capture
    it repeats holds the same text already."""
    if not facts.text:
        return False
    return revisit is None or \
        revisit.held.provenance["article"]["text_blake3"] != facts.article["text_blake3"]


def _conversion_spec(record_id: str, date: str, target_uri: str, response_id: str, text: str,
                     capture_id: str) -> RecordSpec:
    """The article text as extracted, a WARC conversion record of the final response;
    its payload BLAKE3 is the provenance's ``article.text_blake3``."""
    block = text.encode("utf-8")
    return RecordSpec(
        type="conversion", record_id=record_id, date=date,
        content_type="text/plain; charset=utf-8", block=block, payload=block,
        fields=[("WARC-Target-URI", target_uri), ("WARC-Refers-To", response_id),
                ("Archiver-Capture-ID", capture_id)],
    )


def _process_pool(party_files: tuple[Path, ...]) -> ProcessPoolExecutor:
    # forkserver: forking a process that runs threads can copy held locks.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        # The server imports the extractors (and compiles the prose patterns, ~0.5 s)
        # once, while the first pages are fetched; each worker forked from it starts
        # with them loaded, and the capturing process never loads them.
        context.set_forkserver_preload(["archiver.extract", "archiver.prose",
                                        "archiver.fingerprint"])
    return ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context,
                               initializer=parties.use_files, initargs=(party_files,))
