"""Reading the archive: list, show, verify, catalog rebuild, sources."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import ArchiverError
from ..files import read_evidence_file
from ..home import ArchiveHome
from ..render import (
    Progress,
    render_capture_line,
    render_rebuild,
    render_show,
    render_sources,
    render_verification,
)
from .base import cli, emit_json, pass_home

if TYPE_CHECKING:
    from ..signednote import GivenCheckpoint

DERIVED_NOTE = ("Found after capture by 'archiver trace' and kept in the catalog; not part "
                "of the capture's WARC records.")


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
        derived = catalog.republished_links(row.capture_id)
    if as_json:
        document = row.provenance
        if derived:  # found after capture ('archiver trace'), never in the WARC records
            document = {**document, "derived": {"note": DERIVED_NOTE, "attribution": derived}}
        emit_json(document, "provenance")
    else:
        click.echo(render_show(row, derived))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--checkpoint", "checkpoints", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A signed checkpoint kept from elsewhere (published by the archive, or "
                   "a witness's copy): the log must extend it. Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the verification report as JSON.")
@pass_home
def verify(home: ArchiveHome, paths, checkpoints, as_json) -> None:
    """Re-check every record's digests, structure and provenance, offline.

    With no PATH, verifies the whole archive and checks that the catalog agrees with
    the WARC files, and that the transparency log, its checkpoints and time-stamps
    hold. A .wacz PATH is verified as an evidence bundle, with nothing but the bundle
    (see 'archiver export'). Exit status 0 when everything verifies, 1 when anything
    does not.

    With --checkpoint NOTE, the log (of the archive, or of each bundle) must also
    extend a checkpoint you hold from elsewhere: it must verify with the log's key, and
    the log must not have been rolled back or rewritten since it was signed.

    \b
    Example:
      archiver verify
      archiver verify some-crawl.warc.gz --json
      archiver verify story.wacz --checkpoint published-1024.note
    """
    given = [_given_checkpoint(path) for path in checkpoints]
    if any(path.suffix.lower() == ".wacz" for path in paths):
        from .evidence import verify_bundles

        verify_bundles(list(paths), as_json, given)
    if paths and given:
        raise click.UsageError("--checkpoint checks the archive's log (give no PATH) or a "
                               ".wacz bundle's; WARC files have no log")

    progress = Progress(total=None, label="verified", unit="MB")

    def on_progress(done: int, total: int) -> None:
        progress.update(done / 1e6, total=total / 1e6)

    if paths:  # WARC files alone: the catalog and log checkers are not even loaded
        from ..verify import verify_paths

        report = verify_paths(list(paths), progress=on_progress)
    else:
        from ..catalogcheck import verify_archive

        report = verify_archive(home, progress=on_progress, given=given)
    progress.done()
    if as_json:
        emit_json(report.to_document(), "verification")
    else:
        click.echo(render_verification(report))
    sys.exit(0 if report.ok else 1)


def _given_checkpoint(path: Path) -> GivenCheckpoint:
    from ..signednote import GivenCheckpoint  # cryptography: not for every verify's start-up

    try:
        return GivenCheckpoint(label=str(path), note=read_evidence_file(path))
    except OSError as exc:
        raise ArchiverError(f"cannot read the checkpoint {path}: {exc.strerror or exc}; give "
                            "the signed note file (a few lines of text)") from None


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
    from ..rebuild import rebuild_catalog

    result = rebuild_catalog(home)
    click.echo(f"catalog rebuilt from {len(home.warc_files())} WARC files: {result.captures} "
               "captures", err=True)
    for line in render_rebuild(result):
        click.echo(line, err=True)


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
    from ..sources import summarise, to_document

    with home.open_catalog() as catalog:
        summaries = summarise(catalog.captures(), outlet=outlet)
    if as_json:
        emit_json(to_document(summaries), "sources")
    else:
        click.echo(render_sources(summaries))
