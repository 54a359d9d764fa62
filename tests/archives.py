"""Archives with a log, keys, checkpoints and time-stamps, built once and copied per test."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from archiver.capture import Capturer, CaptureSettings
from archiver.catalog import CaptureRow
from archiver.evidence import TsaOptions, init_keys, make_checkpoint, stamp_capture
from archiver.home import ArchiveHome
from archiver.netpolicy import NetworkPolicy

PAGES = ["/", "/world/2026/11/ceasefire-talks.html", "/science/2026/11/reef-survey.html",
         "/world/2026/11/storm-lisbon.html", "/business/2026/11/port-authority-budget.html"]
KEY_NAME = "archive.example/log"
SETTINGS = CaptureSettings(policy=NetworkPolicy(allow_private=True), text_mode="fast")


def capture(home: ArchiveHome, urls: list[str]) -> list[CaptureRow]:
    """Capture ``urls`` in this process (no extraction workers: quick)."""
    with Capturer(home=home, settings=SETTINGS) as capturer:
        return [capturer.capture(url) for url in urls]


def build_evidence_archive(folder: Path, site, tsa) -> dict:
    """Keys; 3 captures; checkpoint 3; 2 captures, the last time-stamped; checkpoint 5
    time-stamped. Returns what was made."""
    home = ArchiveHome(folder)
    init_keys(home, name=KEY_NAME)
    first = capture(home, [site.url(p) for p in PAGES[:3]])
    make_checkpoint(home)
    second = capture(home, [site.url(p) for p in PAGES[3:]])
    options = TsaOptions.from_arguments(tsa.url, tsa.root_pem)
    with home.open_catalog() as catalog:
        stamp_capture(home, catalog, second[-1].capture_id, options)
    make_checkpoint(home, tsa=options)
    return {"home": home, "rows": first + second}


def copy_archive(source: Path, target: Path) -> ArchiveHome:
    """A private copy of an archive (modes kept: the key directory stays 0700)."""
    shutil.copytree(source, target, symlinks=True)
    return ArchiveHome(target)


def sql(home: ArchiveHome, *statements: tuple) -> list:
    """Run statements on the archive's catalog with plain sqlite3 (as a tamperer would)."""
    db = sqlite3.connect(home.catalog_path)
    try:
        results = [db.execute(*statement).fetchall() for statement in statements]
        db.commit()
        return results
    finally:
        db.close()
