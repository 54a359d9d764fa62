"""Offline verification of WARC and ARC files: structure, digests and provenance.

``verify_paths(paths)`` re-reads every record of every file (``warcread``), runs the
checks of ``warccheck`` on it (digests, structure, provenance documents) and returns
a ``VerificationReport``. A failed check is data in the report, never an exception;
an exception (``WarcError``) means the verification could not run.

Large gzip files are cut into spans at gzip members that start records and, with the
other files, checked in parallel processes (one per CPU): the work is CPU-bound
(inflating, hashing SHA-256 and BLAKE3 twice over, parsing), and threads would
serialise on the GIL. Checks that need the whole file (the links between a
provenance document and the records it names) run once its spans are merged.

* ARC has no digests: its records are parsed and the report says so.
* ``.open`` files: complete records are verified; an unfinished final record is a
  warning, not a problem (the file is being written, or recovery will trim it).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import schemas
from .errors import WarcError
from .warccheck import DAMAGE_KINDS, FileCheck, Notice, Problem
from .warcread import WarcReader
from .warcspans import split_offsets

__all__ = ["DAMAGE_KINDS", "FileSummary", "Notice", "Problem", "VerificationReport",
           "find_warc_files", "verify_paths"]

SCHEMA_VERSION = "1"
#: File names a directory is searched for.
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz", ".open")
#: Large gzip files are checked in spans of about this size, in parallel processes:
#: small enough that the CPUs finish together (a span is about 0.05 s of work), large
#: enough that handing it to a forked process (about a millisecond) is noise.
SPAN_BYTES = 2 << 20
#: Below this much in all, starting processes costs more than it saves.
PARALLEL_MIN_BYTES = 4 << 20
#: The progress callback is called at most once per this many bytes read.
PROGRESS_STEP = 1 << 20



@dataclass(frozen=True, slots=True, kw_only=True)
class FileSummary:
    """What was read and checked in one file."""

    path: str
    format: str  # "warc", "arc" or "unknown"
    version: str | None  # of the first record, e.g. "WARC/1.1", "ARC/1.0"
    compression: str  # "gzip" or "none"
    open: bool  # a .open file (being written, or left by a crash)
    bytes: int
    records: int
    digests_checked: int
    digests_passed: int
    digests_not_checked: int  # present but not checkable: revisit/segment payloads, unknown


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationReport:
    """The outcome of a verification: ok when there is no problem."""

    files: tuple[FileSummary, ...] = ()
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Notice, ...] = ()
    notes: tuple[Notice, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def with_problems(self, extra: Iterable[Problem]) -> VerificationReport:
        """A copy with ``extra`` problems appended (e.g. the catalog's)."""
        return replace(self, problems=(*self.problems, *extra))

    def problems_in(self, path: str) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.file == path)

    def to_document(self) -> dict[str, Any]:
        """The report as JSON data matching ``schemas/verification.schema.json``."""
        problems_per_file = Counter(problem.file for problem in self.problems)
        warnings_per_file = Counter(notice.file for notice in self.warnings)
        files = []
        for summary in self.files:
            problems = problems_per_file[summary.path]
            files.append({
                "path": summary.path, "format": summary.format, "version": summary.version,
                "compression": summary.compression, "open": summary.open,
                "bytes": summary.bytes, "records": summary.records,
                "digests": {"checked": summary.digests_checked,
                            "passed": summary.digests_passed,
                            "failed": summary.digests_checked - summary.digests_passed,
                            "not_checked": summary.digests_not_checked},
                "problems": problems,
                "warnings": warnings_per_file[summary.path],
                "ok": problems == 0,
            })
        document = {
            "schema_version": SCHEMA_VERSION,
            "ok": self.ok,
            "summary": {
                "files": len(self.files),
                "records": sum(summary.records for summary in self.files),
                "bytes": sum(summary.bytes for summary in self.files),
                "digests_checked": sum(summary.digests_checked for summary in self.files),
                "digests_passed": sum(summary.digests_passed for summary in self.files),
                "digests_not_checked": sum(s.digests_not_checked for s in self.files),
                "problems": len(self.problems),
                "warnings": len(self.warnings),
            },
            "files": files,
            "problems": [_fields(problem) for problem in self.problems],
            "warnings": [_fields(notice) for notice in self.warnings],
            "notes": [_fields(notice) for notice in self.notes],
        }
        schemas.validate(document, "verification")
        return document


def _fields(item: Problem | Notice) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}


# --- entry point -----------------------------------------------------------------------


def find_warc_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files to verify: each file given, and WARC/ARC/.open files under each folder."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and p.name.endswith(WARC_SUFFIXES)))
        elif path.is_file():
            found.append(path)
        else:
            raise WarcError("no such file or directory", path=str(path))
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def verify_paths(paths: Iterable[str | os.PathLike[str]], *,
                 progress: Callable[[int, int], None] | None = None) -> VerificationReport:
    """Verify every WARC/ARC file in ``paths`` (files or folders, searched recursively).

    Large gzip files are cut into spans at record boundaries and, with the other files,
    checked in parallel processes (one per CPU). ``progress(bytes_done, bytes_total)``
    is called as spans are done. Raises ``WarcError`` when a path does not exist or a
    file cannot be read.
    """
    paths = list(paths)
    files = find_warc_files(paths)
    warnings: list[Notice] = []
    if not files:
        shown = ", ".join(str(p) for p in paths) or "(no paths)"
        warnings.append(Notice(file=shown, offset=None, record_id=None, kind="no-files",
                               message=f"no WARC or ARC files found in {shown}"))
    try:
        spans = [span for path in files for span in _spans(path)]
        checks = _run(spans, progress)
    except OSError as exc:
        raise WarcError(f"cannot read: {exc.strerror or exc}",
                        path=exc.filename and str(exc.filename)) from exc
    by_file: dict[Path, list[FileCheck]] = {}
    for (path, _, _), check in zip(spans, checks, strict=True):
        by_file.setdefault(path, []).append(check)
    summaries: list[FileSummary] = []
    problems: list[Problem] = []
    notes: list[Notice] = []
    for path in files:
        whole, *later = by_file[path]
        for part in later:
            whole.merge(part)
        whole.conclude()
        summaries.append(FileSummary(
            path=whole.path, format=whole.format or "unknown", version=whole.version,
            compression=whole.compression, open=whole.is_open, bytes=whole.size,
            records=whole.records, digests_checked=whole.checked,
            digests_passed=whole.passed, digests_not_checked=whole.not_checked))
        problems += whole.problems
        warnings += whole.warnings
        notes += whole.notes
    return VerificationReport(files=tuple(summaries), problems=tuple(problems),
                              warnings=tuple(warnings), notes=tuple(notes))


Span = tuple[Path, int, int | None]  # file, start, end (None: the end of the file)


def _spans(path: Path) -> list[Span]:
    """``path`` cut into spans of about SPAN_BYTES, at gzip members that start records."""
    parts = path.stat().st_size // SPAN_BYTES
    offsets = split_offsets(path, parts) if parts >= 2 else [0]
    return [(path, start, end) for start, end in zip(offsets, [*offsets[1:], None],
                                                     strict=True)]


def _check_span(span: Span, progress: Callable[[int], None] | None = None) -> FileCheck:
    """Check the records of one span (run in a worker process, or here)."""
    path, start, end = span
    check = FileCheck(path=str(path), is_open=path.name.endswith(".open"))
    with WarcReader(path, start=start, end=end) as reader:
        reported = start

        def tick() -> None:
            nonlocal reported
            if progress is not None and reader.position - reported >= PROGRESS_STEP:
                progress(reader.position - reported)
                reported = reader.position

        check.read(reader, tick)
        if progress is not None:
            progress((end if end is not None else reader.size) - reported)
    return check


def _run(spans: list[Span], progress: Callable[[int, int], None] | None) -> list[FileCheck]:
    """Check every span, in parallel processes when there is enough to share."""
    sizes = [(end if end is not None else path.stat().st_size) - start
             for path, start, end in spans]
    total = sum(sizes)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    workers = min(os.cpu_count() or 1, len(spans))
    if workers < 2 or total < PARALLEL_MIN_BYTES:
        return [_check_span(span, advance) for span in spans]
    # fork is fast, and safe while this process runs a single thread (the CLI).
    method = "fork" if threading.active_count() == 1 else "forkserver"
    if method == "fork":
        schemas.prepare("provenance")  # compiled once here, inherited by every worker
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
    except (OSError, NotImplementedError):  # no process support here: one at a time
        return [_check_span(span, advance) for span in spans]
    with pool:
        futures = {pool.submit(_check_span, span): size
                   for span, size in zip(spans, sizes, strict=True)}
        try:
            for future in as_completed(futures):
                future.result()  # raises what the worker raised
                advance(futures[future])
        except BrokenProcessPool as exc:
            raise WarcError(f"a verification worker process died ({exc})") from exc
        return [future.result() for future in futures]
