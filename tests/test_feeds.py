"""Feeds, sitemaps and URL lists are read into entries; hostile XML is refused."""

from __future__ import annotations

import gzip
import time
from datetime import datetime, timedelta, timezone

import pytest

from archiver.errors import ArchiverError
from archiver.feeds import (
    FeedEntry,
    FeedError,
    FeedLimits,
    FeedRefused,
    gunzip,
    parse_date,
    parse_feed,
)
from archiver.sitemapindex import gather

UTC = timezone.utc
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


RSS2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">
  <channel>
    <title>Daily Planet: World</title>
    <link>https://planet.example/world/</link>
    <atom:link rel="self" href="https://planet.example/world/rss.xml"/>
    <item>
      <title>  Ceasefire talks
        resume in Geneva </title>
      <link>/world/2026/11/ceasefire-talks.html</link>
      <guid isPermaLink="false">planet-12345</guid>
      <pubDate>Tue, 03 Nov 2026 14:05:00 +0100</pubDate>
    </item>
    <item>
      <title>Reef survey finds bleaching</title>
      <guid>https://planet.example/science/2026/11/reef-survey.html</guid>
      <pubDate>Tue, 03 Nov 2026 09:00:00 EST</pubDate>
      <atom:updated>2026-11-03T16:30:00Z</atom:updated>
    </item>
    <item>
      <title>Through a redirector</title>
      <link>https://feedproxy.example/~r/planet/abc</link>
      <feedburner:origLink>https://planet.example/world/2026/11/harbour.html</feedburner:origLink>
      <dc:date>2026-11-02T08:00:00+00:00</dc:date>
    </item>
    <item><title>A guid that is an id</title><guid>98765</guid></item>
    <item><title>Script</title><link>javascript:alert(1)</link></item>
    <item><title>Mail</title><link>mailto:desk@planet.example</link></item>
    <item>
      <title>Again, with a fragment</title>
      <link>https://planet.example/world/2026/11/ceasefire-talks.html#comments</link>
    </item>
    <item><title>Bad date</title><link>briefing.html</link><pubDate>yesterday-ish</pubDate></item>
  </channel>
</rss>
"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://gazette.example/rss">
    <title>Gazette</title>
    <items><rdf:Seq><rdf:li rdf:resource="https://gazette.example/a/1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://gazette.example/a/1">
    <title>Council votes on budget</title>
    <link>https://gazette.example/a/1</link>
    <dc:date>2026-11-03T10:15:00+02:00</dc:date>
  </item>
  <item rdf:about="https://gazette.example/a/2">
    <title>Only an rdf:about</title>
  </item>
</rdf:RDF>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://wire.example/news/">
  <title>Wire</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2026-11-03T18:00:00Z</updated>
  <entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Floods in <b>Valencia</b></div></title>
    <link rel="self" href="/api/entries/1"/>
    <link rel="alternate" type="application/pdf" href="floods.pdf"/>
    <link href="floods.html" xml:base="2026/11/"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <published>2026-11-03T07:00:00.5-05:00</published>
    <updated>2026-11-03T09:30:00-05:00</updated>
  </entry>
  <entry>
    <title>Linked only by its id</title>
    <id>https://wire.example/news/2026/11/by-id.html</id>
    <updated>2026-11-02</updated>
  </entry>
  <entry>
    <title>Élections: résultats</title>
    <link rel="alternate" href="https://wire.example/news/2026/11/élections.html"/>
    <updated>not a date</updated>
  </entry>
</feed>
""".encode()

SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="{SITEMAP_NS}" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://planet.example/world/2026/11/ceasefire-talks.html</loc>
    <lastmod>2026-11-03T15:00:00+01:00</lastmod>
    <image:image><image:loc>https://cdn.planet.example/talks.jpg</image:loc></image:image>
  </url>
  <url><loc> https://planet.example/science/2026/11/reef-survey.html </loc><lastmod>2026-11-02</lastmod></url>
  <url><loc>/relative/page.html</loc></url>
  <url><loc>ftp://planet.example/file.txt</loc></url>
  <url><loc>https://planet.example/world/2026/11/ceasefire-talks.html</loc></url>
  <url><loc>https://planet.example/bad-lastmod.html</loc><lastmod>2026-13-45</lastmod></url>
</urlset>
""".encode()

NEWS_SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="{SITEMAP_NS}" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://planet.example/world/2026/11/harbour.html</loc>
    <news:news>
      <news:publication><news:name>Daily Planet</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-03T06:45:00+00:00</news:publication_date>
      <news:title>Harbour strike enters second week</news:title>
    </news:news>
  </url>
  <url>
    <loc>https://planet.example/world/2026/11/port.html</loc>
    <lastmod>2026-11-03T12:00:00Z</lastmod>
    <news:news>
      <news:publication><news:name>Daily Planet</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-03</news:publication_date>
      <news:title>Port reopens</news:title>
    </news:news>
  </url>
</urlset>
""".encode()


def sitemap_index(*children: tuple[str, str | None]) -> bytes:
    body = "".join(
        f"<sitemap><loc>{loc}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</sitemap>" for loc, lastmod in children)
    return f'<?xml version="1.0"?><sitemapindex xmlns="{SITEMAP_NS}">{body}</sitemapindex>'.encode()


def urlset(*locs: str) -> bytes:
    body = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<urlset xmlns="{SITEMAP_NS}">{body}</urlset>'.encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://evil.example/a</link></item></channel></rss>
"""

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&xxe;</title>
<link>https://evil.example/a</link></item></channel></rss>
"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY % remote SYSTEM "file:///etc/passwd"> %remote;]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.example/</loc></url></urlset>
"""

INTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY site "https://planet.example">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="&site;/a.html"/></entry></feed>
"""


def assert_one_line(error: Exception, source: str) -> str:
    message = str(error)
    assert "\n" not in message and "\r" not in message
    assert source in message
    return message


# -- kinds ---------------------------------------------------------------------------------


def test_rss2_items_resolve_dedupe_and_keep_only_http_urls():
    """RSS 2.0: relative links resolve against the feed URL, fragments go, duplicates and
    non-http(s) links are skipped, and RFC 822 dates are normalised to UTC."""
    feed = parse_feed(RSS2, "https://planet.example/world/rss.xml")
    assert feed.kind == "rss"
    assert feed.sitemaps == ()
    assert [e.url for e in feed.entries] == [
        "https://planet.example/world/2026/11/ceasefire-talks.html",
        "https://planet.example/science/2026/11/reef-survey.html",
        "https://planet.example/world/2026/11/harbour.html",
        "https://planet.example/world/briefing.html",
    ]
    first, second, third, fourth = feed.entries
    assert first.title == "Ceasefire talks resume in Geneva"
    assert first.published == utc(2026, 11, 3, 13, 5)
    assert first.lastmod is None
    assert second.published == utc(2026, 11, 3, 14, 0)  # EST is -0500
    assert second.lastmod == utc(2026, 11, 3, 16, 30)
    assert third.published == utc(2026, 11, 2, 8, 0)  # dc:date; feedburner:origLink wins
    assert fourth.published is None  # an unreadable date is dropped, not an error
    assert feed.skipped == 4  # id-only guid, javascript:, mailto:, the duplicate


def test_rss091_with_the_netscape_doctype_is_read():
    """A DOCTYPE without entity declarations (RSS 0.91's) is harmless and accepted."""
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
            b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel>'
            b"<item><title>Old</title><link>http://old.example/story</link></item></channel></rss>")
    feed = parse_feed(data, "http://old.example/rss")
    assert [e.url for e in feed.entries] == ["http://old.example/story"]


def test_rss1_rdf_items_use_link_then_rdf_about():
    """RSS 1.0 (RDF): the item link, else its rdf:about; dc:date is the published date."""
    feed = parse_feed(RDF, "https://gazette.example/rss")
    assert feed.kind == "rdf"
    assert [(e.url, e.published, e.title) for e in feed.entries] == [
        ("https://gazette.example/a/1", utc(2026, 11, 3, 8, 15), "Council votes on budget"),
        ("https://gazette.example/a/2", None, "Only an rdf:about"),
    ]


def test_atom_entries_use_the_html_alternate_link_and_xml_base():
    """Atom: the alternate HTML link resolved through nested xml:base, then an http id."""
    feed = parse_feed(ATOM, "https://wire.example/atom.xml")
    assert feed.kind == "atom"
    floods, by_id, elections = feed.entries
    assert floods.url == "https://wire.example/news/2026/11/floods.html"
    assert floods.title == "Floods in Valencia"
    assert floods.published == datetime(2026, 11, 3, 12, 0, 0, 500000, tzinfo=UTC)
    assert floods.lastmod == utc(2026, 11, 3, 14, 30)
    assert by_id.url == "https://wire.example/news/2026/11/by-id.html"
    assert by_id.lastmod == utc(2026, 11, 2)
    assert elections.url == "https://wire.example/news/2026/11/%C3%A9lections.html"
    assert elections.lastmod is None


def test_sitemap_urls_and_lastmod():
    """A urlset gives its <loc>s (not nested image locs) with lastmod in UTC."""
    feed = parse_feed(SITEMAP, "https://planet.example/sitemap.xml")
    assert feed.kind == "sitemap"
    assert [(e.url, e.lastmod) for e in feed.entries] == [
        ("https://planet.example/world/2026/11/ceasefire-talks.html", utc(2026, 11, 3, 14, 0)),
        ("https://planet.example/science/2026/11/reef-survey.html", utc(2026, 11, 2)),
        ("https://planet.example/relative/page.html", None),
        ("https://planet.example/bad-lastmod.html", None),
    ]
    assert feed.skipped == 2  # ftp: and the duplicate


def test_news_sitemap_gives_publication_date_and_title():
    """Google News sitemaps: news:publication_date is published, news:title the title."""
    feed = parse_feed(NEWS_SITEMAP, "https://planet.example/news-sitemap.xml")
    assert [(e.url, e.published, e.title, e.lastmod) for e in feed.entries] == [
        ("https://planet.example/world/2026/11/harbour.html", utc(2026, 11, 3, 6, 45),
         "Harbour strike enters second week", None),
        ("https://planet.example/world/2026/11/port.html", utc(2026, 11, 3), "Port reopens",
         utc(2026, 11, 3, 12)),
    ]


def test_sitemap_index_returns_child_sitemaps_apart():
    """A sitemap index lists child sitemaps for the caller to fetch, not articles."""
    data = sitemap_index(("https://planet.example/sitemaps/2026-11.xml", "2026-11-03"),
                         ("sitemaps/2026-10.xml.gz", None))
    feed = parse_feed(data, "https://planet.example/sitemap_index.xml")
    assert feed.kind == "sitemapindex"
    assert feed.entries == ()
    assert [(s.url, s.lastmod) for s in feed.sitemaps] == [
        ("https://planet.example/sitemaps/2026-11.xml", utc(2026, 11, 3)),
        ("https://planet.example/sitemaps/2026-10.xml.gz", None),
    ]


def test_sitemap_index_depth_is_limited():
    """An index reached through more indexes than max_depth is refused by name."""
    data = sitemap_index(("https://a.example/deeper.xml", None))
    limits = FeedLimits(max_depth=2)
    assert parse_feed(data, "https://a.example/i1.xml", limits=limits, depth=1).sitemaps
    with pytest.raises(FeedError, match="nested more than 2 deep") as caught:
        parse_feed(data, "https://a.example/i2.xml", limits=limits, depth=2)
    assert_one_line(caught.value, "https://a.example/i2.xml")


def test_kind_comes_from_the_content_not_the_name():
    """A sitemap named .rss is a sitemap; a .xml.gz already decompressed still parses."""
    assert parse_feed(SITEMAP, "https://planet.example/feed.rss").kind == "sitemap"
    assert parse_feed(RSS2, "https://planet.example/sitemap.xml.gz").kind == "rss"
    assert parse_feed(b"https://planet.example/a\n", "https://planet.example/feed.xml").kind == "urllist"


def test_gzip_sitemaps_are_decompressed_whatever_their_name():
    """Gzip is recognised by its magic bytes; several members are joined."""
    single = parse_feed(gzip.compress(SITEMAP), "https://planet.example/sitemap.xml.gz")
    assert single.kind == "sitemap" and len(single.entries) == 4
    half = len(NEWS_SITEMAP) // 2
    members = gzip.compress(NEWS_SITEMAP[:half]) + gzip.compress(NEWS_SITEMAP[half:])
    assert len(parse_feed(members, "https://planet.example/news").entries) == 2


def test_gzip_bomb_and_truncated_gzip_are_clear_errors():
    """Decompression stops at the cap, and a cut gzip file is named as such."""
    bomb = gzip.compress(b"<urlset>" + b" " * (4 * 1024 * 1024) + b"</urlset>")
    assert len(bomb) < 10_000
    with pytest.raises(FeedError, match="decompresses to more than 1048576 bytes") as caught:
        parse_feed(bomb, "https://planet.example/bomb.xml.gz", limits=FeedLimits(max_bytes=1 << 20))
    assert_one_line(caught.value, "https://planet.example/bomb.xml.gz")
    with pytest.raises(FeedError, match="truncated"):
        gunzip(gzip.compress(SITEMAP)[:-20], "https://planet.example/cut.xml.gz")
    with pytest.raises(FeedError, match="not valid gzip"):
        gunzip(b"\x1f\x8b" + b"\x00" * 30, "https://planet.example/junk.gz")


def test_plain_url_list_with_comments_and_relative_urls():
    """A text list: one URL per line, # comments and blanks ignored, relative URLs resolved."""
    text = ("\ufeff# articles to watch\n\nhttps://planet.example/a.html\n  /b.html  \n"
            "not a url at all\nhttps://planet.example/a.html\nftp://x.example/\n").encode()
    feed = parse_feed(text, "https://planet.example/list.txt")
    assert feed.kind == "urllist"
    assert [e.url for e in feed.entries] == ["https://planet.example/a.html",
                                             "https://planet.example/b.html"]
    assert feed.skipped == 3


def test_a_text_with_no_urls_is_not_a_source():
    """Text with no http(s) URL at all is an error, not an empty feed."""
    with pytest.raises(FeedError, match="no http"):
        parse_feed(b"hello\nworld\n# a comment\n", "https://planet.example/readme.txt")
    with pytest.raises(FeedError, match="binary"):
        parse_feed(b"\x89PNG\r\n\x1a\n\x00\x00", "https://planet.example/logo.png")
    with pytest.raises(FeedError, match="empty"):
        parse_feed(b"  \n", "https://planet.example/empty")


def test_legacy_encodings_are_decoded():
    """windows-1252 (expat) and Shift_JIS (re-encoded for expat) titles come through."""
    cp1252 = ('<?xml version="1.0" encoding="windows-1252"?><rss><channel><item>'
              "<title>Caf\u00e9 \u201cquote\u201d</title><link>https://a.example/1</link>"
              "</item></channel></rss>").encode("cp1252")
    assert parse_feed(cp1252, "https://a.example/rss").entries[0].title == "Caf\u00e9 \u201cquote\u201d"
    sjis = ('<?xml version="1.0" encoding="Shift_JIS"?><rss><channel><item>'
            "<title>\u6771\u4eac\u306e\u30cb\u30e5\u30fc\u30b9</title><link>https://jp.example/1</link>"
            "</item></channel></rss>").encode("shift_jis")
    assert parse_feed(sjis, "https://jp.example/rss").entries[0].title == "\u6771\u4eac\u306e\u30cb\u30e5\u30fc\u30b9"


@pytest.mark.parametrize("encoding", ["no-such-codec", "idna", "punycode"])
def test_an_encoding_expat_cannot_map_is_a_clear_error(encoding):
    """expat asks Python for an encoding it lacks: one that does not exist, or a Python
    codec that is no character encoding, is named, not a traceback."""
    document = (f'<?xml version="1.0" encoding="{encoding}"?><rss><channel><item>'
                "<link>https://a.example/1</link></item></channel></rss>").encode()
    with pytest.raises(FeedError, match="unsupported character encoding") as caught:
        parse_feed(document, "https://a.example/rss")
    assert_one_line(caught.value, "https://a.example/rss")


# -- errors and hostile input ----------------------------------------------------------------


def test_malformed_feed_names_the_source_and_the_place():
    """A broken feed gives one line naming the source, the problem, line and column."""
    broken = b'<?xml version="1.0"?>\n<rss><channel>\n<item><title>x</title>\n</channel></rss>'
    with pytest.raises(FeedError) as caught:
        parse_feed(broken, "https://planet.example/broken.xml")
    message = assert_one_line(caught.value, "https://planet.example/broken.xml")
    assert "not well-formed XML: mismatched tag at line 4" in message
    assert not isinstance(caught.value, FeedRefused)
    assert isinstance(caught.value, ArchiverError)


def test_an_html_page_is_not_a_feed():
    """An HTML page, well-formed or not, is named as such."""
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(b"<html><body><p>hi</p></body></html>", "https://planet.example/")
    with pytest.raises(FeedError, match="HTML page"):
        parse_feed(b"<!DOCTYPE html>\n<head><meta charset=utf-8></head>", "https://planet.example/")
    with pytest.raises(FeedError, match="root element <svg>"):
        parse_feed(b'<svg xmlns="http://www.w3.org/2000/svg"/>', "https://planet.example/x")


def test_billion_laughs_is_refused_at_once():
    """Entity declarations are refused before any expansion: quickly, in one line."""
    started = time.monotonic()
    with pytest.raises(FeedRefused) as caught:
        parse_feed(BILLION_LAUGHS, "https://evil.example/lol.xml")
    assert time.monotonic() - started < 1
    message = assert_one_line(caught.value, "https://evil.example/lol.xml")
    assert message.startswith("refused https://evil.example/lol.xml:")
    assert "entity 'lol'" in message


@pytest.mark.parametrize("document", [XXE, XXE_PARAMETER], ids=["general", "parameter"])
def test_external_entities_are_refused_and_nothing_is_read(document):
    """An XXE feed pointing at /etc/passwd is refused; the file never reaches the result."""
    with pytest.raises(FeedRefused) as caught:
        parse_feed(document, "https://evil.example/xxe.xml")
    message = assert_one_line(caught.value, "https://evil.example/xxe.xml")
    assert "root:" not in message


def test_internal_entities_are_refused_too():
    """A DTD that defines even a harmless entity is refused: expansion is never run."""
    with pytest.raises(FeedRefused, match="entity 'site'"):
        parse_feed(INTERNAL_ENTITY, "https://evil.example/atom.xml")


def test_external_dtd_is_never_fetched():
    """A DOCTYPE naming a remote DTD is not loaded; its undefined entity is just an error."""
    data = (b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">'
            b"<rss><channel><item><title>&evil;</title></item></channel></rss>")
    with pytest.raises(FeedError, match="undefined entity"):
        parse_feed(data, "https://evil.example/dtd.xml")


def test_oversize_documents_are_refused():
    """More bytes than max_bytes is an error before parsing."""
    with pytest.raises(FeedError, match="more than 1000 bytes"):
        parse_feed(SITEMAP + b" " * 1000, "https://planet.example/big.xml",
                   limits=FeedLimits(max_bytes=1000))


def test_entries_past_the_cap_are_dropped_and_flagged():
    """At most max_entries entries are read (50,000 by default, as the protocol says)."""
    data = urlset(*[f"https://planet.example/a/{i}" for i in range(10)])
    feed = parse_feed(data, "https://planet.example/s.xml", limits=FeedLimits(max_entries=4))
    assert [e.url for e in feed.entries] == [f"https://planet.example/a/{i}" for i in range(4)]
    assert feed.truncated
    text = "\n".join(f"https://planet.example/t/{i}" for i in range(10)).encode()
    assert parse_feed(text, "list", limits=FeedLimits(max_entries=3)).truncated
    assert FeedLimits().max_entries == 50_000


def test_an_entry_stuffed_with_elements_is_refused():
    """One entry with thousands of elements is a hostile document, not a feed."""
    data = (f'<urlset xmlns="{SITEMAP_NS}"><url><loc>https://a.example/</loc>'
            + "<x/>" * 5000 + "</url></urlset>").encode()
    with pytest.raises(FeedError, match="more than 1000 elements"):
        parse_feed(data, "https://a.example/s.xml")


def test_a_large_sitemap_is_read_in_bounded_time():
    """A full 50,000-URL sitemap parses; the whole document is not kept in memory."""
    data = urlset(*[f"https://planet.example/a/{i}" for i in range(50_000)])
    started = time.monotonic()
    feed = parse_feed(data, "https://planet.example/big.xml")
    assert len(feed.entries) == 50_000 and not feed.truncated
    assert time.monotonic() - started < 20


# -- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Tue, 03 Nov 2026 14:05:00 +0100", utc(2026, 11, 3, 13, 5)),
    ("Tue, 03 Nov 2026 14:05:00 GMT", utc(2026, 11, 3, 14, 5)),
    ("3 Nov 2026 14:05 PST", utc(2026, 11, 3, 22, 5)),
    ("Tue, 03 Nov 26 14:05:00 +0000", utc(2026, 11, 3, 14, 5)),
    ("Tue, 03 Nov 2026 14:05:00 +0000 (UTC)", utc(2026, 11, 3, 14, 5)),
    ("Tue, 03 Nov 2026 14:05:00 CEST", utc(2026, 11, 3, 12, 5)),
    ("Tue, 03 Nov 2026 14:05:00", utc(2026, 11, 3, 14, 5)),
    ("2026-11-03T14:05:00Z", utc(2026, 11, 3, 14, 5)),
    ("2026-11-03T14:05:00.123456789+05:30", datetime(2026, 11, 3, 8, 35, 0, 123456, tzinfo=UTC)),
    ("2026-11-03T14:05+0200", utc(2026, 11, 3, 12, 5)),
    ("2026-11-03 14:05:00", utc(2026, 11, 3, 14, 5)),
    ("2026-11-03", utc(2026, 11, 3)),
    ("2026-11", utc(2026, 11, 1)),
    ("2026", utc(2026, 1, 1)),
    ("Tue, 03 Nov 2026 14:05:00 XYZT", None),
    ("2026-02-30", None),
    ("2026-11-03T25:00:00Z", None),
    ("2026-11-03T10:00:00+99:00", None),
    ("31 Foo 2026", None),
    ("yesterday", None),
    ("", None),
    (None, None),
])
def test_dates_from_feeds(text, expected):
    """RFC 822 and W3C/RFC 3339 dates become aware UTC datetimes; nonsense becomes None."""
    parsed = parse_date(text)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() == timedelta(0)


# -- gathering through a sitemap index ---------------------------------------------------------


def test_gather_follows_an_index_newest_first_and_keeps_going_after_a_bad_child():
    """Children are fetched newest first; a broken one is reported, cycles are not followed."""
    docs = {
        "https://p.example/index.xml": sitemap_index(
            ("https://p.example/old.xml", "2020-01-01"),
            ("https://p.example/new.xml", "2026-11-03"),
            ("https://p.example/broken.xml", "2026-11-02"),
            ("https://p.example/index.xml", None),  # itself: a cycle
            ("https://p.example/nested.xml", "2026-11-01")),
        "https://p.example/new.xml": urlset("https://p.example/n1", "https://p.example/shared"),
        "https://p.example/old.xml": urlset("https://p.example/o1", "https://p.example/shared"),
        "https://p.example/broken.xml": b"<urlset><url><loc>x</url></urlset>",
        "https://p.example/nested.xml": sitemap_index(("https://p.example/deep.xml", None)),
        "https://p.example/deep.xml": gzip.compress(urlset("https://p.example/d1")),
    }
    fetched = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return docs[url]

    result = gather("https://p.example/index.xml", fetch)
    assert result.kind == "sitemapindex"
    assert fetched == ["https://p.example/index.xml", "https://p.example/new.xml",
                       "https://p.example/broken.xml", "https://p.example/nested.xml",
                       "https://p.example/old.xml", "https://p.example/deep.xml"]
    assert [e.url for e in result.entries] == ["https://p.example/n1", "https://p.example/shared",
                                               "https://p.example/o1", "https://p.example/d1"]
    assert len(result.errors) == 1
    assert "https://p.example/broken.xml" in str(result.errors[0])
    assert result.documents == tuple(fetched)


def test_gather_honours_follow_and_the_sitemap_cap():
    """``follow`` skips children (e.g. old ones) and at most max_sitemaps are fetched."""
    docs = {"https://p.example/i.xml": sitemap_index(*[(f"https://p.example/{m}.xml", f"2026-{m:02d}-01")
                                                      for m in range(1, 7)])}
    docs.update({f"https://p.example/{m}.xml": urlset(f"https://p.example/a{m}") for m in range(1, 7)})
    since = utc(2026, 3, 1)
    result = gather("https://p.example/i.xml", docs.__getitem__,
                    follow=lambda child: child.lastmod is not None and child.lastmod >= since,
                    limits=FeedLimits(max_sitemaps=2))
    assert [e.url for e in result.entries] == ["https://p.example/a6", "https://p.example/a5"]
    assert result.truncated


def test_gather_collects_fetch_errors_of_children_but_raises_for_the_source():
    """A child that cannot be fetched is an error in the result; the source itself raises."""
    def fetch(url: str) -> bytes:
        if url.endswith("index.xml"):
            return sitemap_index(("https://p.example/gone.xml", None))
        raise ArchiverError(f"capture of {url} failed: HTTP 404")

    result = gather("https://p.example/index.xml", fetch)
    assert result.entries == () and "gone.xml" in str(result.errors[0])
    with pytest.raises(FeedError):
        gather("https://p.example/feed", lambda url: b"<rss><channel>")


def test_feed_entry_is_a_frozen_value():
    """Entries compare by value and cannot be changed by accident."""
    entry = FeedEntry(url="https://a.example/")
    assert entry == FeedEntry(url="https://a.example/", lastmod=None)
    with pytest.raises(AttributeError):
        entry.url = "https://b.example/"  # type: ignore[misc]
