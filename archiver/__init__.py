"""archiver: capture news articles into verifiable WARC/1.1 files with provenance."""

from __future__ import annotations

#: The one place the version lives (pyproject.toml reads it from here).
__version__ = "0.1.0"
