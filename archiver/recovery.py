"""Crash recovery: make ``.open`` files left by a dead writer whole again.

A writer appends one capture per write and fsyncs it before acknowledging it, so a
crash can only leave an unfinished capture at the end of the ``.open`` file. Recovery
cuts the file back to the end of its last complete capture, renames it, and indexes
captures that were written but not yet in the catalog. A file whose writer is alive
holds an flock and is left alone; a file damaged before its tail is left for
``archiver verify`` to report rather than cut.
"""

from __future__ import annotations

import fcntl
import os

from .catalog import Catalog
from .home import ArchiveHome
from .rebuild import index_warc
from .warc import OPEN_SUFFIX
from .warcspans import complete_prefix


def recover(home: ArchiveHome, catalog: Catalog) -> list[str]:
    """Recover every abandoned ``.open`` file; returns one line per file saying what was done."""
    done = []
    for path in home.warc_files():
        if not path.name.endswith(OPEN_SUFFIX):
            continue
        with open(path, "r+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live writer holds it
            prefix = complete_prefix(path)
            if not prefix.only_tail_damage:
                done.append(f"{path.name}: damaged before its end; left as it is "
                            "(run 'archiver verify' to see where)")
                continue
            cut = prefix.size - prefix.capture_end
            handle.truncate(prefix.capture_end)
            handle.flush()
            os.fsync(handle.fileno())
            closed = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
            os.rename(path, closed)
        added = index_warc(closed, catalog)
        what = f"cut {cut} bytes of an unfinished capture" if cut else "nothing to cut"
        done.append(f"{path.name}: {what}; closed as {closed.name}"
                    + (f"; {added} capture(s) added to the catalog" if added else ""))
    return done
