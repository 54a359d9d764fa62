"""A news site on loopback whose articles change between captures (tests of edits and watch).

``Newsroom`` serves article pages built from a few paragraphs and page claims, with
page chrome around them (navigation, ads, a related-links box) that a test may change
on its own. Pages carry an ETag and honour If-None-Match, as news CDNs do, so a
revalidating recapture of an unchanged page gets a 304. ``feed`` and ``sitemap`` list
the articles.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from archiver.testing import LoopbackSite

QUAKE = [
    ("ANTAKYA (AFP) - At least 12 people were killed and 1,200 injured when the quake struck "
     "before dawn, officials said."),
    "The interior minister said “we are doing everything we can” in a televised speech.",
    "Rescue teams from three provinces arrived on Tuesday.",
    "Damage was put at $170 million, or 12.5% of the regional budget.",
    "Schools will stay closed until Friday, the governor's office said in a statement.",
]
#: The issue's stealth edit: figures changed, a sentence removed and one added.
QUAKE_EDITED = [
    ("ANTAKYA (AFP) - At least 15 people were killed and 1,500 injured when the quake struck "
     "before dawn, officials said."),
    "The interior minister said “we are doing everything we can” in a televised speech.",
    "Damage was put at $180 million, or 13% of the regional budget.",
    "Aftershocks continued through the night, keeping thousands of families outdoors.",
    "Schools will stay closed until Friday, the governor's office said in a statement.",
]
UPDATE_NOTE = "Update: This article has been updated with the latest casualty figures."
MODIFIED = "2026-01-02T02:00:00+00:00"


@dataclass
class Article:
    """One article page and everything a test may change on it."""

    path: str
    title: str
    paragraphs: list[str]
    modified: str | None = MODIFIED
    published: str = "2026-01-02T01:00:00+00:00"
    author: str = "Ayşe Demir"
    ad: str = "Advertisement: Visit the Harbour Boat Show"
    related: list[str] = field(default_factory=lambda: ["Storm floods Lisbon waterfront"])
    status: int = 200

    def html(self, base_url: str) -> bytes:
        canonical = base_url + self.path
        claims = {"@context": "https://schema.org", "@type": "NewsArticle",
                  "headline": self.title, "datePublished": self.published,
                  "author": [{"@type": "Person", "name": self.author}], "url": canonical}
        if self.modified:
            claims["dateModified"] = self.modified
        body = "\n".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs)
        related = "".join(f"<li><a href='/related/{n}.html'>{html.escape(r)}</a></li>"
                          for n, r in enumerate(self.related))
        page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(self.title)} | The Harbour Gazette</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="The Harbour Gazette">
<script type="application/ld+json">{json.dumps(claims)}</script></head>
<body><header><nav><a href="/">Home</a> <a href="/world/">World</a></nav></header>
<div class="ad-slot">{html.escape(self.ad)}</div>
<main><article><h1>{html.escape(self.title)}</h1>
<p class="byline">By {html.escape(self.author)}</p>
<div class="story-body">{body}</div></article>
<aside class="related-articles"><h2>Related articles</h2><ul>{related}</ul></aside></main>
<footer><p>© 2026 Harbour Gazette Media Ltd.</p></footer></body></html>"""
        return page.encode("utf-8")


class Newsroom:
    """A ``LoopbackSite`` serving ``articles`` (path -> Article), a feed and a sitemap.

    ``hits`` counts requests per path, ``not_modified`` the 304s sent, and
    ``max_concurrent`` the most requests that were in progress at once. A request
    for a path in ``holds`` waits until that event is set (at most a minute).
    """

    def __init__(self) -> None:
        self.site = LoopbackSite()
        self.articles: dict[str, Article] = {}
        self.hits: dict[str, int] = {}
        self.not_modified = 0
        self.max_concurrent = 0
        self.holds: dict[str, threading.Event] = {}
        self._running = 0
        self._lock = threading.Lock()

    def __enter__(self) -> Newsroom:
        self.site.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for hold in self.holds.values():
            hold.set()
        self.site.__exit__(*exc)

    def url(self, path: str) -> str:
        return self.site.url(path)

    def add(self, article: Article) -> Article:
        self.articles[article.path] = article
        self.site.routes[article.path] = lambda handler: self._serve_article(handler, article.path)
        return article

    def document(self, path: str, body: bytes, content_type: str) -> None:
        """Serve ``body`` at ``path`` (a feed, a sitemap, anything)."""

        def send(handler: BaseHTTPRequestHandler) -> None:
            self._send(handler, 200, body, content_type)

        self.site.routes[path] = send

    def feed(self, path: str, paths: list[str]) -> str:
        """An RSS feed of the articles at ``paths``, served at ``path``; its URL."""
        items = "".join(f"<item><title>{html.escape(self.articles[p].title)}</title>"
                        f"<link>{self.url(p)}</link></item>" for p in paths)
        body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>'
                f"{items}</channel></rss>").encode()
        self.document(path, body, "application/rss+xml")
        return self.url(path)

    def sitemap(self, path: str, entries: list[tuple[str, str | None]]) -> str:
        """A sitemap of (article path, lastmod) served at ``path``; its URL."""
        urls = "".join(f"<url><loc>{self.url(p)}</loc>"
                       + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>"
                       for p, lastmod in entries)
        body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">{urls}</urlset>').encode()
        self.document(path, body, "application/xml")
        return self.url(path)

    def _serve_article(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            self._running += 1
            self.max_concurrent = max(self.max_concurrent, self._running)
        try:
            if path in self.holds:
                self.holds[path].wait(timeout=60)
            article = self.articles[path]
            body = article.html(self.site.base_url)
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if article.status == 200 and handler.headers.get("If-None-Match") == etag:
                with self._lock:
                    self.not_modified += 1
                self._send(handler, 304, b"", None, etag=etag)
                return
            self._send(handler, article.status, body, "text/html; charset=utf-8", etag=etag)
        finally:
            with self._lock:
                self._running -= 1

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes,
              content_type: str | None, *, etag: str | None = None) -> None:
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        if etag:
            handler.send_header("ETag", etag)
        if status != 304:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
