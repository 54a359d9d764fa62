"""Evidence files: written atomically, whole or not at all, never over another file; read
back only when they are regular files of a sane size.

A key, a checkpoint or a time-stamp token is evidence: once written it is never replaced.
The bytes go to a temporary file in the same directory, which is synced and then
hard-linked to its name; link(2), unlike rename(2), fails when the name exists. A
crash leaves at most an unused temporary file, never a partial file under the name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import ArchiverError

#: Keys, notes and time-stamp documents are a few KiB; a file far larger is not ours.
MAX_EVIDENCE_FILE_BYTES = 16 << 20


def write_new_file(path: Path, data: bytes, *, mode: int = 0o644) -> bool:
    """Write ``data`` to the new file ``path``; returns False if it already holds ``data``.

    Raises:
        ArchiverError: ``path`` exists with other content, or cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(path):
        if _same(path, data):
            return False
        raise ArchiverError(f"{path} already exists; refusing to replace it (its content differs)")
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(temporary, flags, mode)
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(temporary, path)
    except FileExistsError:
        if _same(path, data):
            return False
        raise ArchiverError(f"{path} already exists; refusing to replace it (its content "
                            "differs)") from None
    except OSError as exc:
        raise ArchiverError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    fsync_directory(path.parent)
    return True


def read_evidence_file(path: Path, limit: int = MAX_EVIDENCE_FILE_BYTES) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes. An archive folder
    someone hands us may hold a FIFO where a note should be (reading it would wait for a
    writer forever), a device, or a file of gigabytes: each raises OSError, which callers
    already treat as an unreadable file (FileNotFoundError when there is none)."""
    with open_regular_file(path) as (file, _):
        data = file.read(limit + 1)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
    return data


@contextlib.contextmanager
def open_regular_file(
    path: Path, *, follow_symlinks: bool = True
) -> Iterator[tuple[BinaryIO, os.stat_result]]:
    """``path`` open for reading, with its stat, if it is a regular file; else OSError.
    O_NONBLOCK: opening a FIFO would otherwise wait for a writer. Without
    ``follow_symlinks`` a symbolic link is refused (ELOOP), so the file checked is the
    file read."""
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | (0 if follow_symlinks else os.O_NOFOLLOW)
    fd = os.open(path, flags)
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    with os.fdopen(fd, "rb") as file:
        yield file, status


def fsync_directory(directory: Path) -> None:
    """Make a directory entry just created, renamed or linked in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False
