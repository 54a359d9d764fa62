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
from .render import (
    Progress,
    render_capture_line,
    render_checkpoint,
    render_keys,
    render_rebuild,
    render_show,
    render_skew,
    render_sources,
    render_verification,
)

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


def tsa_options(command):
    """--tsa URL and --tsa-ca FILE, shared by capture and checkpoint."""
    command = click.option(
        "--tsa-ca", type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="PEM root certificate(s) to trust for the TSA, stored with each token. Default: "
             "the root the TSA sends, recorded as such.")(command)
    return click.option(
        "--tsa", metavar="URL",
        help="RFC 3161 time-stamping authority to time-stamp with (http or https).")(command)


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
    from .capture import DEFAULT_USER_AGENT, Capturer, CaptureSettings

    tsa_options = _tsa(tsa, tsa_ca)
    if tsa_options is not None:
        from .evidence import CaptureStamper

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


def _tsa(url: str | None, ca_file: Path | None):
    """TsaOptions for --tsa/--tsa-ca, or None."""
    if url is None:
        if ca_file is not None:
            raise click.UsageError("--tsa-ca needs --tsa URL")
        return None
    from .evidence import TsaOptions

    return TsaOptions.from_arguments(url, ca_file)


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
    the WARC files, and that the transparency log, its checkpoints and time-stamps
    hold. Exit status 0 when everything verifies, 1 when anything does not.

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

    result = rebuild_catalog(home)
    click.echo(f"catalog rebuilt from {len(home.warc_files())} WARC files: {result.captures} "
               "captures", err=True)
    for line in render_rebuild(result):
        click.echo(line, err=True)


@cli.group("keys")
def keys_group() -> None:
    """The archive's signing keys, in <home>/keys: the log key and the WACZ key."""


@keys_group.command("init")
@click.option("--name", help="Name of the log key, which is also the log's origin line. Default: "
                             "archiver.invalid/<host>-<random>; better a path under a domain "
                             "you control, e.g. newsroom.example.org/archive.")
@click.option("--json", "as_json", is_flag=True, help="Print the public keys as JSON.")
@pass_home
def keys_init(home: ArchiveHome, name, as_json) -> None:
    """Create the archive's signing keys (Ed25519 for checkpoints, P-384 for WACZ).

    Never replaces a key. The private keys stay in <home>/keys (0700, files 0600) and
    are never printed; publish the verifier key and fingerprints printed here.

    \b
    Example:
      archiver keys init --name newsroom.example.org/archive
    """
    from .evidence import init_keys

    document, created = init_keys(home, name=name)
    if as_json:
        emit_json(document, "keys")
    else:
        click.echo(render_keys(document))
    click.echo(f"created: {', '.join(created)} key(s) in {home.keys_dir}", err=True)


@keys_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print the public keys as JSON.")
@pass_home
def keys_show(home: ArchiveHome, as_json) -> None:
    """Print the archive's public keys and fingerprints (never a private key).

    \b
    Example:
      archiver keys show --json
    """
    from .evidence import keys_document

    document = keys_document(home)
    if as_json:
        emit_json(document, "keys")
    else:
        click.echo(render_keys(document))


@cli.command()
@tsa_options
@click.option("--json", "as_json", is_flag=True, help="Print the checkpoint as JSON.")
@pass_home
def checkpoint(home: ArchiveHome, tsa, tsa_ca, as_json) -> None:
    """Sign a checkpoint of the transparency log (C2SP tlog-checkpoint, signed note).

    It is stored in the catalog and as <home>/checkpoints/<size>.note. A checkpoint
    that would contradict the latest one (the log was rolled back or rewritten) is
    refused with exit status 1. With --tsa, the note is also time-stamped (RFC 3161).

    \b
    Example:
      archiver checkpoint
      archiver checkpoint --tsa https://tsa.example/tsr --tsa-ca tsa-root.pem --json
    """
    from .evidence import CheckpointRefused, make_checkpoint

    options = _tsa(tsa, tsa_ca)
    try:
        outcome = make_checkpoint(home, tsa=options)
    except CheckpointRefused as exc:
        click.echo(f"archiver: {exc}", err=True)
        sys.exit(1)
    if as_json:
        emit_json(outcome.document, "checkpoint")
    else:
        click.echo(outcome.note, nl=False)
    for line in render_checkpoint(outcome.document):
        click.echo(line, err=True)
    if outcome.timestamp_error is not None:
        click.echo(f"archiver: checkpoint {outcome.document['tree_size']} is signed and stored, "
                   f"but its time-stamp failed: {outcome.timestamp_error}", err=True)
        sys.exit(1)


@cli.command()
@click.option("--outlet", help="Only this outlet (name or domain).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_home
def sources(home: ArchiveHome, outlet, as_json) -> None:
    """Summarise whom each outlet relies on: agencies, kinds of source, relations.

    Counts are captures: an article that cites AFP five times counts once.

    \b
    Example:
      archiver sources --outlet "Harbour Gazette"
    """
    from .sources import summarise, to_document

    with home.open_catalog() as catalog:
        summaries = summarise(catalog.captures(), outlet=outlet)
    if as_json:
        emit_json(to_document(summaries), "sources")
    else:
        click.echo(render_sources(summaries))
