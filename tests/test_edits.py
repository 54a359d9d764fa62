"""Edits over time, end to end: article identity, `archiver history`, `archiver diff`.

A loopback news site (tests/newsroom.py) changes one article between captures, as the
issue asks: unchanged, figures changed with dateModified untouched, the same edit with
an "Update:" note, only the page chrome changed. The real re-captures of
``../shared/corpus/edits`` are served the same way, one version after the other.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from archiver.catalog import Catalog
from archiver.identity import capture_keys, strip_tracking, url_key
from tests.helpers import json_lines, run_cli, warc_records
from tests.newsroom import QUAKE, QUAKE_EDITED, UPDATE_NOTE, Article, Newsroom

PATH = "/world/2026/01/quake.html"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(name="room")
def _room():
    """The loopback newsroom with the quake article at PATH."""
    with Newsroom() as room:
        room.add(Article(path=PATH, title="Quake kills 12 in southern Turkey",
                         paragraphs=list(QUAKE)))
        yield room


def capture(home, url: str) -> dict:
    """Capture ``url`` through the CLI; its capture line."""
    result = run_cli(home, "capture", "--allow-private", "--json", url)
    assert result.exit_code == 0, result.stderr
    (line,) = json_lines(result.output)
    return line


def history(home, url: str) -> dict:
    result = run_cli(home, "history", "--json", url)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.output)


def diff(home, url: str, *options: str) -> dict:
    result = run_cli(home, "diff", "--json", url, *options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.output)


# --- the four changes of the issue ------------------------------------------------------------


def test_an_unchanged_recapture_is_one_revisit(tmp_path, room):
    """The same page twice: the second response is a revisit, one version, nothing to diff."""
    first = capture(tmp_path, room.url(PATH))
    second = capture(tmp_path, room.url(PATH))
    revisits = [h for h, _ in warc_records(tmp_path) if h["WARC-Type"] == "revisit"]
    assert len(revisits) == 1
    found = history(tmp_path, room.url(PATH))
    assert [e["capture_id"] for e in found["entries"]] == [first["capture_id"],
                                                           second["capture_id"]]
    assert found["versions"] == 1
    assert found["entries"][0]["changes"] is None
    assert found["entries"][1]["revisit"] == {"profile": "identical-payload-digest",
                                              "refers_to_capture": first["capture_id"]}
    assert not any(found["entries"][1]["changes"].values())
    result = run_cli(tmp_path, "diff", room.url(PATH))
    assert result.exit_code == 2
    assert "1 version(s) of its text in 2 capture(s)" in result.stderr


def test_changed_figures_without_note_or_date_are_a_stealth_edit(tmp_path, room):
    """Figures changed, a sentence removed and one added, dateModified untouched: stealth."""
    capture(tmp_path, room.url(PATH))
    room.articles[PATH].paragraphs = list(QUAKE_EDITED)
    capture(tmp_path, room.url(PATH))
    document = diff(tmp_path, room.url(PATH))
    assert document["stealth_edit"] is True
    figures = [(f["before"], f["after"]) for f in document["classification"]["figures_changed"]]
    assert ("12", "15") in figures and ("1,200", "1,500") in figures
    assert ("$170 million", "$180 million") in figures
    assert document["classification"]["paragraphs_added"]["count"] == 1
    assert document["classification"]["paragraphs_removed"]["count"] == 1
    shown = run_cli(tmp_path, "diff", "--no-color", room.url(PATH))
    assert shown.exit_code == 0
    assert "STEALTH EDIT" in shown.output
    assert "Figure     12 → 15" in shown.output
    assert "[-Rescue teams from three provinces arrived on Tuesday.-]" in shown.output
    entries = history(tmp_path, room.url(PATH))["entries"]
    assert entries[1]["changes"] == {"text": True, "title": False, "authors": False,
                                     "published_at": False, "modified_at": False,
                                     "canonical_url": False}


def test_the_same_edit_with_an_update_note_is_not_stealth(tmp_path, room):
    """The edit plus an "Update:" paragraph discloses itself."""
    capture(tmp_path, room.url(PATH))
    room.articles[PATH].paragraphs = [*QUAKE_EDITED, UPDATE_NOTE]
    capture(tmp_path, room.url(PATH))
    document = diff(tmp_path, room.url(PATH))
    assert document["stealth_edit"] is False
    assert document["classification"]["correction_notes"] == [UPDATE_NOTE]


def test_a_new_ad_and_related_box_are_no_article_change(tmp_path, room):
    """Only the page chrome changed: a new payload, the same article text, nothing to diff."""
    first = capture(tmp_path, room.url(PATH))
    article = room.articles[PATH]
    article.ad = "Advertisement: Winter sale at Harbour Outfitters, 40% off"
    article.related = ["Ferry strike called off", "Port budget approved", "Reef survey"]
    second = capture(tmp_path, room.url(PATH))
    assert first["payload_sha256"] != second["payload_sha256"]
    assert first["text_blake3"] == second["text_blake3"]
    entries = history(tmp_path, room.url(PATH))["entries"]
    assert entries[1]["revisit"] is None and not any(entries[1]["changes"].values())
    assert run_cli(tmp_path, "diff", room.url(PATH)).exit_code == 2


def test_a_headline_and_byline_change_show_in_history_and_diff(tmp_path, room):
    """Title and byline edits are field changes; the text can stay the same."""
    capture(tmp_path, room.url(PATH))
    article = room.articles[PATH]
    article.title, article.author = "Quake kills 15 in southern Turkey", "Ayşe Demir and Can Ak"
    article.paragraphs = list(QUAKE_EDITED)
    capture(tmp_path, room.url(PATH))
    changes = history(tmp_path, room.url(PATH))["entries"][1]["changes"]
    assert changes["title"] and changes["authors"] and changes["text"]
    classification = diff(tmp_path, room.url(PATH))["classification"]
    assert classification["headline_changed"] and classification["byline_changed"]


# --- choosing what to compare ---------------------------------------------------------------


def test_default_pair_brackets_the_latest_edit_and_from_to_choose_others(tmp_path, room):
    """v1, v1, v2, v2: the default compares the 2nd and 3rd; --from/--to pick any two."""
    ids = [capture(tmp_path, room.url(PATH))["capture_id"]]
    room.articles[PATH].ad = "Advertisement: something else"
    ids.append(capture(tmp_path, room.url(PATH))["capture_id"])
    room.articles[PATH].paragraphs = list(QUAKE_EDITED)
    ids.append(capture(tmp_path, room.url(PATH))["capture_id"])
    ids.append(capture(tmp_path, room.url(PATH))["capture_id"])
    document = diff(tmp_path, room.url(PATH))
    assert (document["from"]["capture_id"], document["to"]["capture_id"]) == (ids[1], ids[2])
    chosen = diff(tmp_path, room.url(PATH), "--from", ids[0][:20], "--to", ids[3])
    assert (chosen["from"]["capture_id"], chosen["to"]["capture_id"]) == (ids[0], ids[3])
    assert diff(tmp_path, room.url(PATH), "--from", ids[0])["to"]["capture_id"] == ids[3]
    assert diff(tmp_path, room.url(PATH), "--to", ids[3])["from"]["capture_id"] == ids[2]
    same = diff(tmp_path, room.url(PATH), "--from", ids[2], "--to", ids[3])
    assert not same["classification"]["text_changed"] and not same["stealth_edit"]
    versions = [e["version"] for e in history(tmp_path, room.url(PATH))["entries"]]
    assert versions == [1, 1, 2, 2]


def test_a_reverted_text_keeps_its_version_number(tmp_path, room):
    """Edit then revert: versions 1, 2, 1."""
    capture(tmp_path, room.url(PATH))
    room.articles[PATH].paragraphs = list(QUAKE_EDITED)
    capture(tmp_path, room.url(PATH))
    room.articles[PATH].paragraphs = list(QUAKE)
    capture(tmp_path, room.url(PATH))
    found = history(tmp_path, room.url(PATH))
    assert [e["version"] for e in found["entries"]] == [1, 2, 1] and found["versions"] == 2


def test_clear_errors_for_unknown_articles_and_captures(tmp_path, room):
    """Never captured, an id of another article, a bad URL: exit 2 with a one-line reason."""
    never = run_cli(tmp_path, "history", room.url("/never.html"))
    assert never.exit_code == 2 and "no capture of" in never.stderr
    capture(tmp_path, room.url(PATH))
    room.add(Article(path="/other.html", title="Other", paragraphs=["Something else."]))
    other = capture(tmp_path, room.url("/other.html"))["capture_id"]
    stranger = run_cli(tmp_path, "diff", room.url(PATH), "--from", other)
    assert stranger.exit_code == 2 and "is not a capture of" in stranger.stderr
    bad = run_cli(tmp_path, "history", "ftp://example.com/x")
    assert bad.exit_code == 2 and "not an http(s) URL" in bad.stderr
    for result in (never, stranger, bad):
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_human_history_lists_every_capture(tmp_path, room):
    """One line per capture with its version, status and what changed."""
    capture(tmp_path, room.url(PATH))
    capture(tmp_path, room.url(PATH))
    room.articles[PATH].paragraphs = list(QUAKE_EDITED)
    capture(tmp_path, room.url(PATH))
    lines = run_cli(tmp_path, "history", room.url(PATH)).output.splitlines()
    assert "(3 captures, 2 versions of the text)" in lines[0]
    assert "first version" in lines[1] and " 200  v1 " in lines[1]
    assert "unchanged (revisit: identical-payload-digest)" in lines[2]
    assert lines[3].endswith("changed: text") and " v2 " in lines[3]


# --- article identity --------------------------------------------------------------------


def test_tracking_parameters_and_redirects_do_not_split_an_article(tmp_path, room):
    """Captures through a tracked link and a redirect are one article, whichever URL asks."""

    def redirect(handler):
        handler.send_response(301)
        handler.send_header("Location", PATH + "?utm_source=newsletter&fbclid=abc")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    room.site.routes["/s/q12"] = redirect
    capture(tmp_path, room.url(PATH + "?utm_medium=social&gclid=x#comments"))
    capture(tmp_path, room.url("/s/q12"))
    room.articles[PATH].paragraphs = list(QUAKE_EDITED)
    capture(tmp_path, room.url(PATH))
    for asked in (PATH, PATH + "?utm_campaign=x", "/s/q12"):
        found = history(tmp_path, room.url(asked))
        assert found["captures"] == 3 and found["versions"] == 2, asked
        assert found["article_url"] == room.url(PATH)
    assert diff(tmp_path, room.url("/s/q12"))["stealth_edit"] is True


def test_url_keys():
    """Scheme, default port, fragment and tracking parameters do not matter; the rest does."""
    key = url_key("https://Example.com/a?id=3")
    assert url_key("http://example.com:80/a?utm_source=x&id=3&fbclid=y#top") == key
    assert url_key("https://example.com/a?id=4") != key
    assert url_key("https://example.com/a/") != url_key("https://example.com/a")
    assert strip_tracking("https://x.example/p?q=a%20b&UTM_Medium=e&mc_cid=1") == (
        "https://x.example/p?q=a%20b")
    assert url_key("mailto:someone@example.com") is None


@pytest.mark.parametrize(("canonical", "article"), [
    ("https://www.gazette.example/world/quake.html", "//www.gazette.example/world/quake.html"),
    ("https://amp.gazette.example/world/quake", "//amp.gazette.example/world/quake"),
    ("https://www.wire.example/story/123", "//m.gazette.example/world/quake.html"),
    ("https://www.gazette.example/", "//m.gazette.example/world/quake.html"),
    (None, "//m.gazette.example/world/quake.html"),
])
def test_the_canonical_url_names_the_article_unless_it_cannot_be_trusted(canonical, article):
    """Same-site canonical URLs group; another site's or the home page fall back to the final URL."""
    document = {"url": "https://m.gazette.example/world/quake.html?utm_source=x",
                "final_url": "https://m.gazette.example/world/quake.html",
                "article": {"canonical_url": canonical}}
    assert capture_keys(document).article == article


def test_rebuild_and_older_catalogs_keep_article_identity(tmp_path, room):
    """The keys are derived: a rebuild, or a catalog made before them, gives them back."""
    capture(tmp_path, room.url(PATH + "?utm_source=x"))
    room.articles[PATH].paragraphs = list(QUAKE_EDITED)
    capture(tmp_path, room.url(PATH))
    assert run_cli(tmp_path, "catalog", "rebuild").exit_code == 0
    assert history(tmp_path, room.url(PATH))["captures"] == 2
    assert diff(tmp_path, room.url(PATH))["stealth_edit"] is True
    with sqlite3.connect(tmp_path / "catalog.sqlite3") as db:
        db.execute("DROP TABLE article_keys")
    Catalog(tmp_path / "catalog.sqlite3").close()
    assert history(tmp_path, room.url(PATH))["captures"] == 2


# --- real re-captures ------------------------------------------------------------------------

#: Similarity floors, as in tests/test_textdiff.py (measured there, with a margin).
CORPUS_CASES = [
    pytest.param("reuters-parasite-sag-2020", 0.95, id="reuters"),
    pytest.param("womencantalksports-top10-2014", 0.98, id="womencantalksports"),
]


def serve_versions(room: Newsroom, tmp_path, folder, path: str = "/article.html") -> list[str]:
    """Capture each version of a corpus case at one loopback URL, in order; capture ids."""
    meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    ids = []
    for version in meta["versions"]:
        room.document(path, (folder / version["file"]).read_bytes(), "text/html; charset=utf-8")
        ids.append(capture(tmp_path, room.url(path))["capture_id"])
    return ids


@pytest.mark.parametrize(("case", "floor"), CORPUS_CASES)
def test_real_recaptures_are_at_most_a_small_change_and_no_stealth_edit(tmp_path, corpus,
                                                                        case, floor):
    """Markup redone completely between the captures: a small text change, not stealth."""
    with Newsroom() as room:
        serve_versions(room, tmp_path, corpus / "edits" / case)
        result = run_cli(tmp_path, "diff", "--json", room.url("/article.html"))
    if result.exit_code == 2:  # the text is identical: nothing to compare
        assert "1 version(s)" in result.stderr
        return
    document = json.loads(result.output)
    assert document["similarity"] >= floor and not document["stealth_edit"]
    assert not document["classification"]["figures_changed"]


def test_the_wayback_copy_shows_no_banner_as_article_text(tmp_path, corpus):
    """Live page, then its Wayback copy at the same URL: one text, no banner in it."""
    with Newsroom() as room:
        ids = serve_versions(room, tmp_path, corpus / "edits" / "modabot-serkan-cura-2014")
        found = history(tmp_path, room.url("/article.html"))
    assert found["versions"] == 1
    with Catalog(tmp_path / "catalog.sqlite3") as catalog:
        text = catalog.article_text(ids[1])
    assert text
    for banner in ("Wayback Machine", "TIMESTAMPS", "About this capture", "Internet Archive"):
        assert banner.casefold() not in text.casefold()
