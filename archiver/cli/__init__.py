"""The command line: archiver/cli/base.py holds the group; each module adds its commands."""

from . import archive, capture, evidence  # noqa: F401  (importing registers the commands)
from .base import cli

__all__ = ["cli"]
