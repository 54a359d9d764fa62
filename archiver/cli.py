"""The command line: parses arguments, calls the library, renders results.

Exit codes (like diff/cmp): 0 ok or verified; 1 evidence did not verify, or some
captures failed; 2 usage error or could not run. Data goes to stdout, diagnostics
and progress to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__, schemas
from .errors import ArchiverError
from .home import ArchiveHome
from .limits import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Limits
from .netpolicy import NetworkPolicy, parse_networks
from .render import Progress, render_capture_line, render_show, render_verification

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


class Trouble(click.ClickException):
    """Could not run: exit status 2."""

    exit_code = 2


class ArchiverGroup(click.Group):
    """Translates library errors into one-line messages, once."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ArchiverError as exc:
            raise Trouble(str(exc)) from exc


def emit_json(document: dict, schema: str) -> None:
    """Validate a document against its schema, then print it as one JSON line."""
    schemas.validate(document, schema)
    click.echo(json.dumps(document, ensure_ascii=False, sort_keys=True))


@click.group(cls=ArchiverGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="ARCHIVER_HOME",
              default="archive", show_default=True,
              help="Archive folder (WARC files and catalog). Also $ARCHIVER_HOME.")
@click.version_option(__version__, prog_name="archiver")
@click.pass_context
def cli(ctx: click.Context, home: Path) -> None:
    """Capture news articles into verifiable WARC files with provenance."""
    ctx.obj = ArchiveHome(home)


pass_home = click.make_pass_decorator(ArchiveHome)


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
@click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Captures to run at once.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per capture.")
@pass_home
def capture(home: ArchiveHome, urls, input_file, outlet, allow_private, allow_networks, timeout,
            max_bytes, user_agent, ca_bundle, text_mode, workers, as_json) -> None:
    """Capture URLS into the archive: exact request/response bytes, digests, provenance.

    \b
    Example:
      archiver capture https://example.com/news/story.html
      archiver capture -i urls.txt --json
    """
    from .capture import DEFAULT_USER_AGENT, Capturer, CaptureSettings

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
    )
    captured = failed = 0
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
            progress.update(captured + failed, failed=failed)
        progress.done()
    if failed and not captured:
        sys.exit(2)
    if failed:
        sys.exit(1)


@cli.command("list")
@click.option("--url", help="Only captures of this URL (as asked, final, or canonical).")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per capture.")
@pass_home
def list_(home: ArchiveHome, url, as_json) -> None:
    """List the captures in the archive, oldest first.

    \b
    Example:
      archiver list --url https://example.com/news/story.html
    """
    with home.open_catalog() as catalog:
        for row in catalog.captures(url=url):
            if as_json:
                emit_json(row.summary(), "capture")
            else:
                click.echo(render_capture_line(row))


@cli.command()
@click.argument("capture_id")
@click.option("--json", "as_json", is_flag=True, help="Print the provenance document.")
@pass_home
def show(home: ArchiveHome, capture_id, as_json) -> None:
    """Show one capture's provenance (a unique id prefix is enough).

    \b
    Example:
      archiver show 01jd3k --json
    """
    with home.open_catalog() as catalog:
        row = catalog.get(capture_id)
    if as_json:
        emit_json(row.provenance, "provenance")
    else:
        click.echo(render_show(row))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the verification report as JSON.")
@pass_home
def verify(home: ArchiveHome, paths, as_json) -> None:
    """Re-check every record's digests, structure and provenance, offline.

    With no PATH, verifies the whole archive and checks that the catalog agrees with
    the WARC files. Exit status 0 when everything verifies, 1 when anything does not.

    \b
    Example:
      archiver verify
      archiver verify some-crawl.warc.gz --json
    """
    from .catalogcheck import verify_archive
    from .verify import verify_paths

    progress = Progress(total=None, label="verified", unit="MB")

    def on_progress(done: int, total: int) -> None:
        progress.update(done / 1e6, total=total / 1e6)

    if paths:
        report = verify_paths(list(paths), progress=on_progress)
    else:
        report = verify_archive(home, progress=on_progress)
    progress.done()
    if as_json:
        emit_json(report.to_document(), "verification")
    else:
        click.echo(render_verification(report))
    sys.exit(0 if report.ok else 1)


@cli.group()
def catalog() -> None:
    """Maintain the catalog (derived from the WARC files)."""


@catalog.command()
@pass_home
def rebuild(home: ArchiveHome) -> None:
    """Rebuild the catalog from the WARC files alone.

    \b
    Example:
      archiver catalog rebuild
    """
    from .rebuild import rebuild_catalog

    count = rebuild_catalog(home)
    click.echo(f"catalog rebuilt from {len(home.warc_files())} WARC files: {count} captures",
               err=True)
