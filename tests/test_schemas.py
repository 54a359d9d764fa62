"""The fast validator and jsonschema agree on our schemas, so the fast path is safe."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from archiver import schemas
from archiver.errors import SchemaError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _mutations(document, depth: int = 2):
    """The document with one field at a time replaced by something invalid, down to
    ``depth`` levels of objects (a list of objects: its first one)."""
    yield {**document, "unexpected": 1}
    yield {key: value for key, value in document.items() if key != "schema_version"}
    for key, value in document.items():
        for wrong in ("not-a-valid-value", 12345, None, [], {"x": 1}):
            if wrong != value:
                yield {**document, key: wrong}
        if depth > 1 and isinstance(value, dict):
            for inner in _mutations(value, depth - 1):
                yield {**document, key: inner}
        if depth > 1 and isinstance(value, list) and value and isinstance(value[0], dict):
            for inner in _mutations(value[0], depth - 1):
                yield {**document, key: [inner, *value[1:]]}


def _documents():
    """Every example document, with the schema it is named after."""
    for path in sorted([*EXAMPLES.glob("*.json"), *EXAMPLES.glob("*.jsonl")]):
        name = path.name.split(".", 1)[0]
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines() if path.suffix == ".jsonl" else [text]):
            if line.strip():
                yield pytest.param(name, json.loads(line), id=f"{path.name}:{number}")


@pytest.mark.parametrize("name,document", list(_documents()))
def test_fast_validator_agrees_with_jsonschema(name, document):
    """On every example and hundreds of mutations of each, both validators agree."""
    assert schemas.accepts(document, name)
    disagreements = [candidate for candidate in _mutations(document)
                     if schemas.accepts(candidate, name) != _jsonschema_accepts(candidate, name)]
    assert not disagreements, disagreements[0]


def _jsonschema_accepts(document, name) -> bool:
    return schemas._validator(name).is_valid(document)


def test_validate_names_what_is_wrong():
    """A rejected document raises SchemaError with jsonschema's path and message."""
    document = json.loads((EXAMPLES / "provenance.json").read_text())
    document["content"]["truncated"] = "maybe"
    with pytest.raises(SchemaError, match="content/truncated"):
        schemas.validate(document, "provenance")


def test_lone_surrogate_is_a_string_like_any_other():
    """json.loads makes "\\ud800" half a UTF-16 pair, which the fast validator cannot
    take in; jsonschema decides instead, either way."""
    document = json.loads((EXAMPLES / "provenance.json").read_text())
    document["url"] = "\ud800"
    assert schemas.problems(document, "provenance") == []
    document["content"]["truncated"] = "\udc00"
    assert not schemas.accepts(document, "provenance")
    with pytest.raises(SchemaError, match="content/truncated"):
        schemas.validate(document, "provenance")


def test_validating_leaves_the_loaded_schema_unchanged():
    """Building the fast validator must not change the schema jsonschema resolves in."""
    for name in ("provenance", "capture", "verification"):
        before = copy.deepcopy(schemas.load(name))
        schemas._fast_check.cache_clear()
        schemas._fast_check(name)
        assert schemas.load(name) == before
