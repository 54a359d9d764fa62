"""Edits over time: history, diff, watch."""

from __future__ import annotations

import sys

import click

from ..home import ArchiveHome
from .base import CaptureChoices, capture_options, cli, emit_json, pass_home


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@pass_home
def history(home: ArchiveHome, url, as_json) -> None:
    """List every capture of the article at URL, oldest first, and what changed.

    URL may be the article's canonical or final URL, with or without tracking
    parameters, or a URL that redirected to it. For each capture: time, status, the
    version of its text, its text hash, whether it is a revisit, and whether the
    text, title, byline or dates differ from the previous capture with text.

    \b
    Example:
      archiver history https://example.com/news/story.html
    """
    from ..diffview import render_history
    from ..edits import article_history

    with home.open_catalog() as catalog:
        found = article_history(catalog, url)
    if as_json:
        emit_json(found.to_document(), "history")
    else:
        click.echo(render_history(found))


@cli.command()
@click.argument("url")
@click.option("--from", "from_id", metavar="ID", help="The older capture (an id or unique prefix).")
@click.option("--to", "to_id", metavar="ID", help="The newer capture (an id or unique prefix).")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@click.option("--color/--no-color", default=None,
              help="Colour the diff (default: when stdout is a terminal).")
@pass_home
def diff(home: ArchiveHome, url, from_id, to_id, as_json, color) -> None:
    """Show what changed in the article at URL between two captures.

    By default the last two versions whose text differs are compared: the last
    capture of the older text and the first of the newer. Shows the word diff of the
    article text (never the page around it), the changed title, byline, dates and
    canonical URL, the kind of edit (figures, quotes, paragraphs, headline, byline,
    correction notes) and whether it is a stealth edit: the text changed but the page
    shows no correction or update note and its claimed modification date did not move.

    Exit status 0 when a diff is shown, a stealth edit included (it is a finding, not
    a failure); 2 when the article has fewer than two versions to compare.

    \b
    Example:
      archiver diff https://example.com/news/story.html
      archiver diff https://example.com/news/story.html --from 01jd3k --to 01jd9x --json
    """
    from ..diffview import render_diff
    from ..edits import article_history, choose_pair, diff_entries

    with home.open_catalog() as catalog:
        old, new = choose_pair(article_history(catalog, url), from_id=from_id, to_id=to_id)
        result = diff_entries(catalog, old, new)
    if as_json:
        emit_json(result.to_document(), "diff")
    else:
        click.echo(render_diff(result, color=sys.stdout.isatty() if color is None else color))


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--once", is_flag=True, help="Do one pass and exit.")
@click.option("--interval", type=click.FloatRange(min=1), default=300.0, show_default=True,
              help="Seconds between passes.")
@click.option("--per-host", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Requests at once to one host.")
@click.option("--delay", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="Seconds between request starts to one host.")
@click.option("--workers", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Captures at once, all hosts together.")
@click.option("--max-captures", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Captures per pass; the rest wait for the next pass, most urgent first.")
@capture_options
@pass_home
def watch(home: ArchiveHome, sources, once, interval, per_host, delay, workers, max_captures,
          choices: CaptureChoices) -> None:
    """Watch feeds, sitemaps or URL lists: capture new articles, recapture known ones.

    SOURCE is an RSS/Atom feed, a sitemap (news sitemaps and sitemap indexes too) or
    a file of article URLs, one per line. New articles are captured at once; known
    ones are recaptured on a decaying schedule (every 15 minutes while an article is
    young and changing, down to weekly, stopping after a year of quiet), sooner when
    a source's lastmod moves. Recaptures ask the server whether the page changed; a
    304 is stored as a revisit. Of a sitemap index, only the child sitemaps whose
    lastmod moved (or that have none, or failed last time) are fetched, conditionally.
    Every request, sitemap or article, keeps to --per-host and --delay. The state is kept in <home>/watch.sqlite3, so a
    stopped watch resumes where it was.

    Exit status (with --once): 0 when everything went, 1 when a source or a capture
    failed, 2 when no source could be read.

    \b
    Example:
      archiver watch https://example.com/rss.xml https://example.com/news-sitemap.xml
      archiver watch urls.txt --once
    """
    from ..watch import Watcher, WatchOptions

    options = WatchOptions(per_host=per_host, delay=delay, workers=workers,
                           max_captures=max_captures)
    passes = []

    def show(event) -> None:
        if event.kind == "captured":
            row = event.row
            click.echo(f"{event.detail:<9} {row.capture_id}  {row.status}  {event.subject}",
                       err=True)
        elif event.kind in ("source-error", "failed"):
            click.echo(f"archiver: {event.detail}", err=True)
        else:
            shown = event.detail or "not modified since the last poll"
            click.echo(f"source    {event.subject}: {shown}", err=True)

    def report(summary) -> None:
        passes.append(summary)
        due = summary.next_due.isoformat() if summary.next_due else "nothing"
        children = ""
        if summary.sitemaps_read or summary.sitemaps_unchanged or summary.sitemaps_failed:
            children = (f"child sitemaps: {summary.sitemaps_read} read, "
                        f"{summary.sitemaps_unchanged} unchanged, "
                        f"{summary.sitemaps_failed} failed; ")
        click.echo(f"pass: {summary.new_urls} new articles, {summary.captured} captures "
                   f"({summary.changed} new or changed, {summary.revisits} revisits), "
                   f"{summary.failed} failed; {children}next due: {due}", err=True)

    with Watcher(home=home, sources=sources, settings=choices.settings(home),
                 options=options, on_event=show) as watcher:
        for line in watcher.capturer.recovered:
            click.echo(f"recovered: {line}", err=True)
        try:
            watcher.run(once=once, interval=interval, on_pass=report)
        except KeyboardInterrupt:
            click.echo("stopped; 'archiver watch' resumes from the saved state", err=True)
            return
    last = passes[-1]
    if last.unreadable_sources == last.sources and not last.captured:
        sys.exit(2)
    if last.source_errors or last.failed:
        sys.exit(1)
