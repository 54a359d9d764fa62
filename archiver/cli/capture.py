"""archiver capture: the capture command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ArchiverError
from ..home import ArchiveHome
from ..limits import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Limits
from ..netpolicy import NetworkPolicy, parse_networks
from ..render import Progress, render_capture_line, render_skew
from .base import cli, emit_json, pass_home, tsa_arguments, tsa_options


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("-i", "--input-file", type=click.File("r", encoding="utf-8"),
              help="Read URLs from FILE, one per line ('-' for stdin; # starts a comment).")
@click.option("--outlet", help="Name of the outlet, overriding what the page says.")
@click.option("--allow-private", is_flag=True,
              help="Allow private, loopback, link-local and reserved addresses.")
@click.option("--allow-network", "allow_networks", multiple=True, metavar="CIDR",
              help="Allow non-public addresses in this range only (repeatable).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
              show_default=True, help="Wall-clock seconds for one capture, redirects included.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES,
              show_default=True, help="Cut a response at this many bytes (WARC-Truncated: length).")
@click.option("--user-agent", help="User-Agent header to send.")
@click.option("--ca-bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Trust only the CA certificates in this PEM file (for a private CA).")
@click.option("--extract", "text_mode", type=click.Choice(["full", "fast"]), default="full",
              show_default=True,
              help="Article text extractor: full (trafilatura) or fast (resiliparse, for bulk runs).")
@click.option("--parties", "party_files", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Extra party registry (agencies, outlets) merged over the packaged one "
                   "(repeatable; <home>/parties.json is always merged when present).")
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Captures to run at once.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per capture.")
@tsa_options
@pass_home
def capture(home: ArchiveHome, urls, input_file, outlet, allow_private, allow_networks, timeout,
            max_bytes, user_agent, ca_bundle, text_mode, party_files, workers, as_json, tsa,
            tsa_ca) -> None:
    """Capture URLS into the archive: exact request/response bytes, digests, provenance.

    Each capture appends a leaf to the archive's transparency log. With --tsa, the
    leaf is also time-stamped; a TSA failure keeps the capture and is reported.

    \b
    Example:
      archiver capture https://example.com/news/story.html
      archiver capture -i urls.txt --json
    """
    from ..capture import DEFAULT_USER_AGENT, Capturer, CaptureSettings

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
    try:
        networks = parse_networks(list(allow_networks))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--allow-network") from None
    settings = CaptureSettings(
        outlet=outlet,
        user_agent=user_agent or DEFAULT_USER_AGENT,
        limits=Limits(timeout=timeout, max_bytes=max_bytes),
        policy=NetworkPolicy(allow_private=allow_private, allowed_networks=networks),
        ca_bundle=ca_bundle,
        text_mode=text_mode,
        parties=(*home.party_files(), *party_files),
    )
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
