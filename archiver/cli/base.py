"""The command line: parses arguments, calls the library, renders results.

Exit codes (like diff/cmp): 0 ok or verified; 1 evidence did not verify, or some
captures failed; 2 usage error or could not run. Data goes to stdout, diagnostics
and progress to stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import __version__, schemas
from ..errors import ArchiverError
from ..home import ArchiveHome

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


def tsa_arguments(url: str | None, ca_file: Path | None):
    """TsaOptions for --tsa/--tsa-ca, or None."""
    if url is None:
        if ca_file is not None:
            raise click.UsageError("--tsa-ca needs --tsa URL")
        return None
    from ..evidence import TsaOptions

    return TsaOptions.from_arguments(url, ca_file)
