"""The catalog is derived from the WARC files and gives the same answers when rebuilt."""

from __future__ import annotations

from tests.helpers import json_lines, run_cli

ALLOW = ("--allow-network", "127.0.0.1/32")


def capture_examples(home, site):
    pages = ["/", "/world/2026/11/ceasefire-talks.html", "/science/2026/11/reef-survey.html"]
    result = run_cli(home, "capture", *ALLOW, "--json", *[site.url(p) for p in pages])
    assert result.exit_code == 0, result.stderr
    return json_lines(result.stdout)


def test_rebuild_gives_the_same_answers(tmp_path, site):
    """list --json and show --json are identical before and after `catalog rebuild`."""
    captured = capture_examples(tmp_path, site)
    before_list = run_cli(tmp_path, "list", "--json").stdout
    before_show = [run_cli(tmp_path, "show", c["capture_id"], "--json").stdout for c in captured]
    (tmp_path / "catalog.sqlite3").unlink()
    result = run_cli(tmp_path, "catalog", "rebuild")
    assert result.exit_code == 0, result.stderr
    assert "3 captures" in result.stderr
    assert run_cli(tmp_path, "list", "--json").stdout == before_list
    assert [run_cli(tmp_path, "show", c["capture_id"], "--json").stdout for c in captured] == before_show


def test_list_filters_by_url(tmp_path, site):
    """--url matches the URL as asked, the final URL or the canonical URL."""
    captured = capture_examples(tmp_path, site)
    url = captured[1]["url"]
    lines = json_lines(run_cli(tmp_path, "list", "--url", url, "--json").stdout)
    assert [line["capture_id"] for line in lines] == [captured[1]["capture_id"]]


def test_show_accepts_a_unique_prefix_and_explains_unknown_ids(tmp_path, site):
    """A unique id prefix is enough; an unknown id is a one-line error with exit 2."""
    captured = capture_examples(tmp_path, site)
    full = captured[0]["capture_id"]
    shown = run_cli(tmp_path, "show", full[:20])
    assert shown.exit_code == 0 and full in shown.stdout
    missing = run_cli(tmp_path, "show", "zzzzzz")
    assert missing.exit_code == 2
    assert "no capture 'zzzzzz'" in missing.stderr and "archiver list" in missing.stderr


def test_show_human_view_has_the_attribution_tree(tmp_path, site):
    """The readable view names the outlet and shows the wire credit under it."""
    captured = capture_examples(tmp_path, site)
    (ceasefire,) = [c for c in captured if c["url"].endswith("ceasefire-talks.html")]
    text = run_cli(tmp_path, "show", ceasefire["capture_id"]).stdout
    assert "Harbour Gazette" in text
    assert "Agence France-Presse (news_agency) credit" in text
    assert "└─" in text
