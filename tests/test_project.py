"""Project hygiene: layering, documented commands, schemas and examples stay valid."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import archiver
from archiver import schemas
from archiver.cli import cli

PACKAGE = Path(archiver.__file__).parent
REPO = PACKAGE.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(("." * node.level) + (node.module or ""))
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_library_never_imports_click_or_the_cli(path):
    """Only cli.py and __main__.py may import click or the CLI; the library stays reusable."""
    if path.name in ("cli.py", "__main__.py"):
        return
    for module in _imports(path):
        assert module.split(".")[0] != "click", f"{path.name} imports click"
        assert module.lstrip(".") != "cli", f"{path.name} imports the CLI"


def test_errors_module_is_a_leaf():
    """errors.py imports nothing from archiver, so every module can use it."""
    assert not [m for m in _imports(PACKAGE / "errors.py") if m.startswith(".")]


def _commands(group, prefix=""):
    for name, command in group.commands.items():
        yield prefix + name, command
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + name + " ")


@pytest.mark.parametrize("name,command", list(_commands(cli)), ids=lambda v: str(v))
def test_every_command_has_help_and_is_in_the_readme(name, command):
    """Each command documents itself and appears in the README."""
    assert command.help, f"{name} has no help"
    assert f"`{name}" in README or f"archiver {name}" in README, f"{name} is not in the README"


def test_readme_first_screen_has_the_two_commands():
    """The README's first screen says what archiver is, then `make demo` and `make test`."""
    first_screen = README.split("\n## ")[0]
    assert "make demo" in first_screen and "make test" in first_screen


@pytest.mark.parametrize("path", sorted((REPO / "schemas").glob("*.schema.json")), ids=lambda p: p.name)
def test_schemas_are_valid_and_closed(path):
    """Every schema is valid 2020-12, closed (no extra properties) and versioned."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["additionalProperties"] is False
    assert "schema_version" in schema["required"]


EXAMPLE_DOCUMENTS = sorted([*(REPO / "examples").glob("*.json"), *(REPO / "examples").glob("*.jsonl")])


def test_there_are_example_documents():
    """examples/ holds at least a provenance document, capture lines and a report."""
    names = {p.name.split(".")[0] for p in EXAMPLE_DOCUMENTS}
    assert {"provenance", "capture", "verification"} <= names


@pytest.mark.parametrize("path", EXAMPLE_DOCUMENTS, ids=lambda p: p.name)
def test_examples_validate(path):
    """examples/<name>.json(l) validates against schemas/<name>.schema.json (living docs)."""
    name = path.name.split(".")[0]
    text = path.read_text(encoding="utf-8")
    documents = [json.loads(line) for line in text.splitlines() if line.strip()] \
        if path.suffix == ".jsonl" else [json.loads(text)]
    for document in documents:
        schemas.validate(document, name)
