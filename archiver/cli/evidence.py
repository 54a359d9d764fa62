"""The evidence layer: keys, checkpoints."""

from __future__ import annotations

import sys

import click

from ..home import ArchiveHome
from ..render import render_checkpoint, render_keys
from .base import cli, emit_json, pass_home, tsa_arguments, tsa_options


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
