"""Lone UTF-16 surrogates: what JSON escapes and undecodable bytes can make of text.

``"\\ud800"`` in JSON, or the byte 0xff in a command-line argument, becomes a Python
string holding half a UTF-16 pair: no character, with no UTF-8, so no document archiver
writes can hold it and printing it fails. Where it comes from decides what to do: page
facts replace it (U+FFFD), reports print it escaped, and the catalog, which archiver
writes as UTF-8, calls it damage.
"""

from __future__ import annotations

import re

#: An escape of half a UTF-16 pair (a whole pair is legal JSON, a lone half no text).
ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def replaced(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def escaped(text: str) -> str:
    """``text`` as UTF-8 can carry it: a lone surrogate is shown as its escape, which
    inside a JSON string is that same escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
