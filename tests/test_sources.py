"""`archiver sources`: agencies and kinds of source per outlet, over the archive."""

from __future__ import annotations

import json

from archiver import schemas
from tests.helpers import json_lines, run_cli

ALLOW = ("--allow-network", "127.0.0.1/32")
PAGES = ["/", "/world/2026/11/ceasefire-talks.html", "/science/2026/11/reef-survey.html"]


def test_sources_counts_agencies_and_kinds_per_outlet(tmp_path, site):
    """Counts are articles per outlet, consistent with each capture's own links."""
    result = run_cli(tmp_path, "capture", *ALLOW, "--json", *[site.url(p) for p in PAGES])
    assert result.exit_code == 0, result.stderr
    captured = json_lines(result.stdout)
    documents = [json.loads(run_cli(tmp_path, "show", c["capture_id"], "--json").stdout)
                 for c in captured]
    result = run_cli(tmp_path, "sources", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    schemas.validate(summary, "sources")
    for outlet in summary["outlets"]:
        mine = [d for d in documents if (d["outlet"]["name"] or d["outlet"]["domain"])
                == outlet["outlet"]]
        assert outlet["articles"] == len(mine)
        expected = {}
        for document in mine:
            for name in {p["name"] for link in document["attribution"]
                         for p in (link["source"], link["via"]) if p["kind"] == "news_agency"}:
                expected[name] = expected.get(name, 0) + 1
        assert {a["name"]: a["articles"] for a in outlet["agencies"]} == expected
    assert any(outlet["agencies"] for outlet in summary["outlets"])  # the examples credit AFP


def test_sources_filters_by_outlet_and_reads_for_people(tmp_path, site):
    """--outlet keeps one outlet; the human view names it; an unknown one gives none."""
    run_cli(tmp_path, "capture", *ALLOW, *[site.url(p) for p in PAGES])
    outlet = json.loads(run_cli(tmp_path, "sources", "--json").stdout)["outlets"][0]["outlet"]
    shown = run_cli(tmp_path, "sources", "--outlet", outlet.upper())
    assert shown.exit_code == 0 and shown.stdout.startswith(outlet)
    assert "agencies" in shown.stdout
    none = json.loads(run_cli(tmp_path, "sources", "--outlet", "No Such Outlet", "--json").stdout)
    assert none["outlets"] == []


def test_an_article_counts_once_and_an_error_page_not_at_all(tmp_path, site):
    """Captured three times (as watch does while it is young), an article weighs as much
    as one captured once, as its newest capture says; a 404 is no article."""
    article = site.url(PAGES[1])
    for _ in range(3):
        assert run_cli(tmp_path, "capture", *ALLOW, article).exit_code == 0
    run_cli(tmp_path, "capture", *ALLOW, site.url("/no-such-page.html"))
    summary = json.loads(run_cli(tmp_path, "sources", "--json").stdout)
    schemas.validate(summary, "sources")
    (outlet,) = summary["outlets"]
    assert outlet["articles"] == 1
    assert all(count["articles"] == 1 for key in ("agencies", "kinds", "relations")
               for count in outlet[key])
    assert "(1 article)" in run_cli(tmp_path, "sources").stdout
