"""The evidence layer: keys, checkpoints, evidence bundles (export, and verify's bundle path)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import surrogates
from ..home import ArchiveHome
from ..render import Progress, render_bundle, render_checkpoint, render_export, render_keys
from .base import cli, emit_json, pass_home, tsa_arguments, tsa_options

if TYPE_CHECKING:
    from ..signednote import GivenCheckpoint


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
    from ..evidence import init_keys

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
    from ..evidence import keys_document

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
    from ..evidence import CheckpointRefused, make_checkpoint

    options = tsa_arguments(tsa, tsa_ca)
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


@cli.command("export")
@click.argument("capture_ids", nargs=-1)
@click.option("--wacz", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The bundle to write (refused if it exists).")
@click.option("--url", help="Every capture of this URL (as asked, final, or canonical).")
@click.option("--all", "everything", is_flag=True, help="Every capture in the archive.")
@tsa_options
@click.option("--json", "as_json", is_flag=True,
              help="Print what was written as JSON (schemas/export.schema.json).")
@pass_home
def export(home: ArchiveHome, capture_ids, out, url, everything, tsa, tsa_ca, as_json) -> None:
    """Write captures and what proves them to a signed WACZ evidence bundle.

    Choose captures by id (a unique prefix is enough), with --url, or with --all. The
    bundle holds every record of each capture (and the original of each revisit), their
    provenance documents, log inclusion proofs, the signed checkpoint (one is signed
    first if the latest does not cover them), time-stamps, the public keys and
    evidence/report.html. Check it anywhere with 'archiver verify OUT.wacz'.

    \b
    Example:
      archiver export --wacz story.wacz --url https://news.example/story.html
      archiver export --wacz all.wacz --all --tsa https://tsa.example/tsr
      archiver export --wacz all.wacz --all --json
    """
    from ..evidence import CheckpointRefused
    from ..export import export_bundle, select_captures

    options = tsa_arguments(tsa, tsa_ca)
    with home.open_catalog() as catalog:
        rows = select_captures(catalog, capture_ids=capture_ids, url=url,
                               everything=everything)
    try:
        result = export_bundle(home, out, rows, tsa=options,
                               progress=lambda line: click.echo(line, err=True))
    except CheckpointRefused as exc:
        click.echo(f"archiver: {exc}", err=True)
        sys.exit(1)
    if as_json:
        emit_json(result.to_document(), "export")
    else:
        click.echo(render_export(result))
    if result.timestamp_error is not None:
        click.echo(f"archiver: the bundle is written, but the checkpoint's time-stamp "
                   f"failed: {result.timestamp_error}", err=True)
        sys.exit(1)


def verify_bundles(paths: list[Path], as_json: bool, given: list[GivenCheckpoint]) -> None:
    """``archiver verify`` for WACZ bundles: a report each; exit 0 when all verify."""
    from ..bundlecheck import verify_bundle

    if any(path.suffix.lower() != ".wacz" for path in paths):
        raise click.UsageError("give WACZ bundles or WARC files to verify, not both at once")
    ok = True
    for path in paths:
        progress = Progress(total=None, label=f"verified {path.name}", unit="MB")
        report = verify_bundle(path, progress=lambda done, total: progress.update(
            done / 1e6, total=total / 1e6), given=given)
        progress.done()
        if as_json:
            emit_json(report.to_document(), "verification")
        else:
            click.echo(surrogates.escaped(render_bundle(report)))
        ok = ok and report.ok
    sys.exit(0 if ok else 1)
