"""archiver trace: republication of captured articles across URLs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from ..errors import ArchiverError
from ..home import ArchiveHome
from ..render import Progress
from .base import cli, emit_json, pass_home


@cli.command()
@click.argument("target", required=False, metavar="[ID|URL]")
@click.option("--all", "whole", is_flag=True, help="Every cluster of the archive.")
@click.option("--json", "as_json", is_flag=True, help="Print the trace document as JSON.")
@click.option("--graphml", type=click.Path(dir_okay=False, path_type=Path),
              help="With --all: also write the lineage graph as GraphML (Gephi, networkx).")
@click.option("--gexf", type=click.Path(dir_okay=False, path_type=Path),
              help="With --all: also write the lineage graph as GEXF (Gephi).")
@pass_home
def trace(home: ArchiveHome, target, whole, as_json, graphml, gexf) -> None:
    """Find where a captured article's text reappears at other URLs.

    Lists captures at other URLs sharing at least half of the shorter text, with the
    measured similarity and containment, which came first (from claimed publication
    times, else capture times), whether the later one credits the earlier, and the
    longest shared passages. Copies gain a derived 'republished' link in 'archiver
    show'. ID|URL is a capture id (or unique prefix), or a URL whose latest capture
    is traced.

    \b
    Example:
      archiver trace 01jd3k
      archiver trace --all --gexf lineage.gexf
    """
    from ..lineage import gexf as gexf_bytes
    from ..lineage import graphml as graphml_bytes
    from ..republication import Tracer, to_document
    from ..traceview import render_clusters, render_trace

    if whole == (target is not None):
        raise click.UsageError("give a capture ID or URL, or --all")
    if (graphml or gexf) and not whole:
        raise click.UsageError("--graphml and --gexf need --all")
    with home.open_catalog() as catalog:
        with _progress("fingerprinted", "captures") as progress:
            tracer = Tracer(catalog, progress=progress)
        if whole:
            with _progress("traced", "texts") as progress:
                traced, found = None, tracer.trace_all(progress=progress)
        else:
            traced = tracer.trace(_capture_id(catalog, target))
            found = [traced.lineage] if traced.lineage else []
        document = to_document(traced, found, tracer)
    for path, writer in ((graphml, graphml_bytes), (gexf, gexf_bytes)):
        if path is not None:
            _write(path, writer(found))
    if as_json:
        emit_json(document, "trace")
    else:
        click.echo(render_clusters(document) if whole else render_trace(document))


def _capture_id(catalog, target: str) -> str:
    """The capture id for ID|URL: a URL means its latest capture."""
    if "://" not in target:
        return target
    rows = list(catalog.captures(url=target))
    if not rows:
        raise ArchiverError(f"no capture of {target} in the archive (capture it first: "
                            f"archiver capture {target})")
    return rows[-1].capture_id


@contextmanager
def _progress(label: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    """A (done, total) callback drawing a progress line on stderr while it is in use."""
    progress = Progress(total=None, label=label, unit=unit)
    yield lambda done, total: progress.update(done, total=total)
    progress.done()


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ArchiverError(f"cannot write {path}: {exc.strerror}") from None
    click.echo(f"wrote {path}", err=True)
