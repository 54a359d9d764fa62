"""`verify --checkpoint NOTE`: an archive's or a bundle's log checked against a signed
checkpoint kept from elsewhere (the copy an archive published, a witness's)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from archiver import schemas
from archiver.evidence import init_keys, make_checkpoint
from archiver.home import ArchiveHome
from archiver.testing import LoopbackSite
from tests.archives import KEY_NAME, PAGES, capture, copy_archive
from tests.conftest import EXAMPLES
from tests.helpers import json_lines, run_cli


@pytest.fixture(name="logs", scope="module")
def _logs(tmp_path_factory):
    """Checkpoint 3 published; the archive grows to checkpoint 4; a fork of it signs a
    different checkpoint 4; an older copy stays at 3 leaves; a bundle of checkpoint 4."""
    root = tmp_path_factory.mktemp("given")
    with LoopbackSite(EXAMPLES / "site") as site:
        home = ArchiveHome(root / "home")
        init_keys(home, name=KEY_NAME)
        capture(home, [site.url(p) for p in PAGES[:3]])
        make_checkpoint(home)
        shutil.copy(home.checkpoints_dir / "3.note", root / "published-3.note")
        old = copy_archive(home.path, root / "old")
        fork = copy_archive(home.path, root / "fork")
        capture(home, [site.url(PAGES[3])])
        make_checkpoint(home)
        capture(fork, [site.url(PAGES[4])])
        make_checkpoint(fork)
        shutil.copy(fork.checkpoints_dir / "4.note", root / "fork-4.note")
        newer = copy_archive(home.path, root / "newer")
        capture(newer, [site.url(PAGES[4])])
        make_checkpoint(newer)
    assert run_cli(home.path, "export", "--wacz", str(root / "bundle.wacz"), "--all").exit_code == 0
    stranger = ArchiveHome(root / "stranger")
    init_keys(stranger, name=KEY_NAME)  # the same log name, another key
    capture(stranger, [])
    make_checkpoint(stranger)
    return {"root": root, "home": home.path, "old": old.path, "bundle": root / "bundle.wacz",
            "published": root / "published-3.note", "fork": root / "fork-4.note",
            "latest": home.checkpoints_dir / "4.note",
            "newer": newer.checkpoints_dir / "5.note",
            "stranger": stranger.checkpoints_dir / "0.note"}


def verify(home: Path, *args: str):
    result = run_cli(home, "verify", "--json", *args)
    document = json_lines(result.stdout)[0]
    schemas.validate(document, "verification")
    return result.exit_code, document


def kinds(document: dict) -> set[str]:
    return {problem["kind"] for problem in document["problems"]}


def given_notes(document: dict) -> list[str]:
    return [note["message"] for note in document["notes"] if note["kind"] == "given-checkpoint"]


def test_the_archive_extends_a_checkpoint_it_published(logs):
    code, document = verify(logs["home"], "--checkpoint", str(logs["published"]))
    assert code == 0, document["problems"]
    (note,) = given_notes(document)
    assert "(3 leaves" in note and "the log of 4 leaves extends it" in note


def test_a_forked_log_contradicts_the_checkpoint_of_its_twin(logs):
    """Same key, same first 3 leaves, a different 4th: the held note exposes the fork."""
    code, document = verify(logs["home"], "--checkpoint", str(logs["fork"]))
    assert code == 1
    assert kinds(document) == {"checkpoint-inconsistent"}
    assert not given_notes(document)


def test_a_rolled_back_archive_is_caught_by_a_later_checkpoint(logs):
    """The archive as it was at 3 leaves, shown to someone holding checkpoint 4."""
    code, document = verify(logs["old"], "--checkpoint", str(logs["latest"]))
    assert code == 1
    assert kinds(document) == {"checkpoint-rollback"}


def test_a_checkpoint_signed_by_another_key_does_not_verify(logs):
    code, document = verify(logs["home"], "--checkpoint", str(logs["stranger"]))
    assert code == 1
    assert kinds(document) == {"checkpoint-invalid"}


def test_a_bundle_extends_the_published_checkpoint(logs):
    """The bundle carries checkpoint 3 with its consistency proof to 4: the held copy of
    3 is checked against it, and so is 4 itself."""
    for note, says in ((logs["published"], "proved a prefix of its latest (4 leaves)"),
                       (logs["latest"], "its latest")):
        code, document = verify(logs["home"], str(logs["bundle"]), "--checkpoint", str(note))
        assert code == 0, document["problems"]
        (message,) = given_notes(document)
        assert message.endswith(says)


@pytest.mark.parametrize(("note", "kind", "says"), [
    ("fork", "checkpoint-inconsistent", "forked or rewritten"),
    ("newer", "checkpoint-not-covered", "newer than the bundle's latest checkpoint (4 leaves)"),
    ("stranger", "checkpoint-invalid", "does not verify with the bundle's verifier key"),
])
def test_a_bundle_that_cannot_show_it_extends_a_checkpoint_fails(logs, note, kind, says):
    code, document = verify(logs["home"], str(logs["bundle"]), "--checkpoint",
                            str(logs[note]))
    assert code == 1
    problems = [p for p in document["problems"] if p["kind"] == kind]
    assert len(problems) == 1 and says in problems[0]["message"]
    assert str(logs[note]) in problems[0]["message"]


def test_warc_files_have_no_log_to_check(logs):
    warc = next((logs["home"] / "warcs").iterdir())
    result = run_cli(logs["home"], "verify", str(warc), "--checkpoint", str(logs["published"]))
    assert result.exit_code == 2
    assert "WARC files have no log" in result.stderr


def test_a_note_that_is_not_a_regular_file_is_refused_without_waiting(logs, tmp_path):
    fifo = tmp_path / "published.note"
    os.mkfifo(fifo)
    result = run_cli(logs["home"], "verify", "--checkpoint", str(fifo))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: cannot read the checkpoint {fifo}: not a regular file; give the signed "
        "note file (a few lines of text)"]
