"""Small helpers shared by tests: running the CLI and reading back our WARC files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from warcio.archiveiterator import ArchiveIterator

from archiver.cli import cli


def run_cli(home: Path, *args: str) -> Result:
    """Run ``archiver --home HOME ARGS`` in-process; stdout and stderr kept apart."""
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def warc_records(home: Path) -> list[tuple[dict, bytes]]:
    """(headers, raw block) of every record in the archive's WARC files, in order."""
    found = []
    for path in sorted((home / "warcs").iterdir()):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, no_record_parse=True):
                headers = dict(record.rec_headers.headers)
                found.append((headers, record.raw_stream.read()))
    return found
