"""archiver capture: the capture command."""

from __future__ import annotations

import sys

import click

from ..errors import ArchiverError
from ..home import ArchiveHome
from ..render import Progress, render_capture_line, render_skew
from .base import (
    CaptureChoices,
    capture_options,
    cli,
    emit_json,
    pass_home,
    text_value,
    tsa_arguments,
    tsa_options,
)


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("-i", "--input-file", type=click.File("r", encoding="utf-8"),
              help="Read URLs from FILE, one per line ('-' for stdin; # starts a comment).")
@click.option("--outlet", callback=lambda ctx, param, value: text_value(value),
              help="Name of the outlet, overriding what the page says.")
@capture_options
@click.option("--revalidate", is_flag=True,
              help="Ask the server whether each URL changed since its newest capture "
                   "(If-None-Match / If-Modified-Since); a 304 is stored as a revisit.")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Captures to run at once.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per capture.")
@tsa_options
@pass_home
def capture(home: ArchiveHome, urls, input_file, outlet, choices: CaptureChoices, revalidate,
            workers, as_json, tsa, tsa_ca) -> None:
    """Capture URLS into the archive: exact request/response bytes, digests, provenance.

    A URL already in the archive gets a new capture; when its payload is unchanged the
    response is stored as a revisit record that refers to the earlier one.

    Each capture appends a leaf to the archive's transparency log. With --tsa, the
    leaf is also time-stamped; a TSA failure keeps the capture and is reported.

    \b
    Example:
      archiver capture https://example.com/news/story.html
      archiver capture -i urls.txt --json
    """
    from ..capture import Capturer

    tsa_options = tsa_arguments(tsa, tsa_ca)
    if tsa_options is not None:
        from ..evidence import CaptureStamper

        stamper = CaptureStamper(home, tsa_options)
    else:
        stamper = None

    targets = list(urls)
    if input_file is not None:
        targets += [line.strip() for line in input_file
                    if line.strip() and not line.lstrip().startswith("#")]
    if not targets:
        raise click.UsageError("give at least one URL, or -i FILE")
    settings = choices.settings(home, outlet=outlet, revalidate=revalidate)
    captured = failed = unstamped = 0
    with Capturer(home=home, settings=settings) as capturer:
        for line in capturer.recovered:
            click.echo(f"recovered: {line}", err=True)
        progress = Progress(total=len(targets), label="captured")
        for _url, result in capturer.capture_many(targets, workers=workers):
            if isinstance(result, ArchiverError):
                failed += 1
                progress.clear()
                click.echo(f"archiver: {result}", err=True)
            else:
                captured += 1
                progress.clear()
                if as_json:
                    emit_json(result.summary(), "capture")
                else:
                    click.echo(render_capture_line(result))
                if stamper is not None:
                    unstamped += not _stamp_capture(capturer.catalog, result, stamper)
            progress.update(captured + failed, failed=failed)
        progress.done()
    if failed and not captured:
        sys.exit(2)
    if failed or unstamped:
        sys.exit(1)


def _stamp_capture(catalog, row, stamper) -> bool:
    """Time-stamp one capture's leaf; on failure say so (the capture is kept)."""
    try:
        document = stamper.stamp(catalog, row.capture_id)
    except ArchiverError as exc:
        click.echo(f"archiver: capture {row.capture_id} of {row.url} is kept, but its "
                   f"time-stamp failed: {exc}", err=True)
        return False
    if document["skew_flagged"]:
        click.echo(f"archiver: warning: {render_skew(document)} (capture {row.capture_id})",
                   err=True)
    return True
