"""The command line: parses arguments, calls the library, renders results.

Exit codes (like diff/cmp): 0 ok or verified; 1 evidence did not verify, or some
captures failed; 2 usage error or could not run. Data goes to stdout, diagnostics
and progress to stderr.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import click

from .. import __version__, schemas, surrogates
from ..errors import ArchiverError
from ..home import ArchiveHome
from ..limits import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Limits
from ..netpolicy import NetworkPolicy, parse_networks

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
    click.echo(surrogates.escaped(json.dumps(document, ensure_ascii=False, sort_keys=True)))


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


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureChoices:
    """What the shared capture options (``capture_options``) say."""

    allow_private: bool
    allow_networks: tuple[str, ...]
    timeout: float
    max_bytes: int
    user_agent: str | None
    ca_bundle: Path | None
    text_mode: str
    party_files: tuple[Path, ...]

    def settings(self, home: ArchiveHome, **more):
        """The CaptureSettings these choices make; ``more`` adds fields (outlet, ...)."""
        from ..capture import DEFAULT_USER_AGENT, CaptureSettings

        try:
            networks = parse_networks(list(self.allow_networks))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--allow-network") from None
        return CaptureSettings(
            user_agent=self.user_agent or DEFAULT_USER_AGENT,
            limits=Limits(timeout=self.timeout, max_bytes=self.max_bytes),
            policy=NetworkPolicy(allow_private=self.allow_private, allowed_networks=networks),
            ca_bundle=self.ca_bundle, text_mode=self.text_mode,
            parties=(*home.party_files(), *self.party_files), **more)


def header_value(value: str | None) -> str | None:
    """An option sent as an HTTP header value: visible ASCII and spaces only."""
    if value is not None and not (value.isascii() and value.isprintable()):
        raise click.BadParameter(f"{value!r} cannot be sent in an HTTP header: use printable "
                                 "ASCII")
    return value


def text_value(value: str | None) -> str | None:
    """An option kept in provenance documents: text that UTF-8 can hold (the shell can
    pass bytes that are not UTF-8, which Python keeps as lone surrogates)."""
    if value is not None and surrogates.escaped(value) != value:
        raise click.BadParameter(f"{surrogates.escaped(value)!r} is not valid UTF-8 text")
    return value


_CAPTURE_OPTIONS = (
    click.option("--allow-private", is_flag=True,
                 help="Allow private, loopback, link-local and reserved addresses."),
    click.option("--allow-network", "allow_networks", multiple=True, metavar="CIDR",
                 help="Allow non-public addresses in this range only (repeatable)."),
    click.option("--timeout", type=click.FloatRange(min=0, min_open=True),
                 default=DEFAULT_TIMEOUT, show_default=True,
                 help="Wall-clock seconds for one capture, redirects included."),
    click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES,
                 show_default=True,
                 help="Cut a response at this many bytes (WARC-Truncated: length)."),
    click.option("--user-agent", callback=lambda ctx, param, value: header_value(value),
                 help="User-Agent header to send."),
    click.option("--ca-bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                 help="Trust only the CA certificates in this PEM file (for a private CA)."),
    click.option("--extract", "text_mode", type=click.Choice(["full", "fast"]), default="full",
                 show_default=True, help="Article text extractor: full (trafilatura) or fast "
                                         "(resiliparse, for bulk runs)."),
    click.option("--parties", "party_files", multiple=True, metavar="FILE",
                 type=click.Path(dir_okay=False, exists=True, path_type=Path),
                 help="Extra party registry (agencies, outlets) merged over the packaged one "
                      "(repeatable; <home>/parties.json is always merged when present)."),
)


def capture_options(command):
    """The network policy, limits and extraction options of every command that captures
    (capture, watch), handed to the command as one ``choices: CaptureChoices``."""
    names = [field for field in CaptureChoices.__dataclass_fields__]

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        values = {name: kwargs.pop(name) for name in names}
        values["allow_networks"] = tuple(values["allow_networks"])
        values["party_files"] = tuple(values["party_files"])
        return command(*args, choices=CaptureChoices(**values), **kwargs)

    for option in reversed(_CAPTURE_OPTIONS):
        wrapper = option(wrapper)
    return wrapper
