"""Where a WARC file can be cut without cutting a record.

``split_offsets(path, parts)`` finds where a gzip file can be cut into spans that
``WarcReader(path, start=..., end=...)`` reads on their own (verification runs them in
parallel processes). ``complete_prefix(path)`` tells crash recovery how much of a
``.open`` file is whole: the complete records at its start and where its last complete
capture ends. Both only read structure (``archiver.warcread``); digests are the
verifier's job.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .gzipmembers import GZIP_MAGIC, GzipSource
from .warcread import ReadProblem, WarcReader, starts_record


def split_offsets(path: str | os.PathLike[str], parts: int) -> list[int]:
    """Offsets that cut a gzip file into about ``parts`` spans of similar size, each
    starting at a gzip member that starts a record (so each span can be read on its
    own, e.g. in parallel). The first is 0; an uncompressed file is not cut."""
    offsets = [0]
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if parts < 2 or file.read(2) != GZIP_MAGIC:
            return offsets
        for part in range(1, parts):
            wanted = max(size * part // parts, offsets[-1] + 1)
            found = GzipSource(file, wanted, size, starts_record).next_member(wanted)
            if found is None:
                break
            if found > offsets[-1]:
                offsets.append(found)
    return offsets


# --- crash recovery --------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PrefixRecord:
    """A complete record at the start of a file (see ``complete_prefix``)."""

    offset: int
    length: int
    type: str | None
    record_id: str | None
    capture_id: str | None  # the Archiver-Capture-ID header, on records of ours


@dataclass(frozen=True, slots=True, kw_only=True)
class CompletePrefix:
    """How much of a file is whole, for truncating an ``.open`` file after a crash."""

    size: int  # bytes in the file
    #: Complete, undamaged records that own their bytes, from the start of the file up
    #: to the first problem (or record sharing a gzip member).
    records: tuple[PrefixRecord, ...]
    end: int  # where the last of ``records`` ends; 0 when there is none
    #: Where the last complete capture ends: after the last metadata record carrying
    #: Archiver-Capture-ID in ``records``; else after a leading warcinfo; else 0.
    capture_end: int
    #: Every structural problem in the file, including any after the prefix.
    problems: tuple[ReadProblem, ...]

    @property
    def only_tail_damage(self) -> bool:
        """True when every problem is the file ending early: cutting the tail loses
        nothing but an unfinished write. False means damage inside the file."""
        return all(problem.at_end for problem in self.problems)


def complete_prefix(path: str | os.PathLike[str]) -> CompletePrefix:
    """Find the whole records and captures at the start of ``path``.

    Structure only (gzip CRC and lengths, Content-Length, terminators); digests are
    the verifier's job. Crash recovery truncates to ``capture_end`` when
    ``only_tail_damage`` holds.
    """
    records: list[PrefixRecord] = []
    problems: list[ReadProblem] = []
    end = capture_end = 0
    intact = True
    with WarcReader(path) as reader:
        for record in reader:
            record.read_to_end()
            problems.extend(record.problems)
            intact = intact and not reader.problems and record.complete \
                and record.length is not None
            if not intact:
                continue
            header = record.header
            records.append(PrefixRecord(offset=record.offset, length=record.length,
                                        type=header.type, record_id=header.record_id,
                                        capture_id=header.get("Archiver-Capture-ID")))
            end = record.offset + record.length
            if (header.type == "metadata" and "Archiver-Capture-ID" in header) or \
                    (header.type == "warcinfo" and len(records) == 1):
                capture_end = end
        problems.extend(reader.problems)
        size = reader.size
    problems.sort(key=lambda problem: problem.offset)
    return CompletePrefix(size=size, records=tuple(records), end=end,
                          capture_end=capture_end, problems=tuple(problems))
