"""The command line: archiver/cli/base.py holds the group; each module adds its commands."""

# Importing a command module registers its commands on the group.
from . import archive, capture, edits, evidence, republication  # noqa: F401
from .base import cli

__all__ = ["cli"]
