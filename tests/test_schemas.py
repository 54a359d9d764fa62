"""The fast validator and jsonschema agree on our schemas, so the fast path is safe."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import fastjsonschema
import pytest

from archiver import schemas
from archiver.errors import SchemaError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _mutations(document):
    """The document with one field at a time replaced by something invalid."""
    yield {**document, "unexpected": 1}
    yield {key: value for key, value in document.items() if key != "schema_version"}
    for key, value in document.items():
        for wrong in ("not-a-valid-value", 12345, None, [], {"x": 1}):
            if wrong != value:
                yield {**document, key: wrong}
        if isinstance(value, dict):
            for inner in value:
                changed = copy.deepcopy(document)
                changed[key][inner] = {"nested": "object"}
                yield changed


def _documents():
    yield "provenance", json.loads((EXAMPLES / "provenance.json").read_text())
    yield "verification", json.loads((EXAMPLES / "verification.json").read_text())
    for line in (EXAMPLES / "capture.jsonl").read_text().splitlines():
        yield "capture", json.loads(line)


@pytest.mark.parametrize("name,document", list(_documents()), ids=lambda v: str(v)[:20])
def test_fast_validator_agrees_with_jsonschema(name, document):
    """On every example and hundreds of one-field mutations, both validators agree."""
    # fastjsonschema.compile rewrites its argument's $refs: give it a copy of the cached schema.
    fast = fastjsonschema.compile(copy.deepcopy(schemas.load(name)))
    for candidate in [document, *_mutations(document)]:
        try:
            fast(candidate)
            fast_ok = True
        except fastjsonschema.JsonSchemaException:
            fast_ok = False
        assert fast_ok == _jsonschema_accepts(candidate, name), candidate


def _jsonschema_accepts(document, name) -> bool:
    return schemas._validator(name).is_valid(document)


def test_validate_names_what_is_wrong():
    """A rejected document raises SchemaError with jsonschema's path and message."""
    document = json.loads((EXAMPLES / "provenance.json").read_text())
    document["content"]["truncated"] = "maybe"
    with pytest.raises(SchemaError, match="content/truncated"):
        schemas.validate(document, "provenance")


def test_validating_leaves_the_loaded_schema_unchanged():
    """Compiling the fast validator must not rewrite the schema others resolve refs in."""
    for name in ("provenance", "capture", "verification"):
        before = copy.deepcopy(schemas.load(name))
        schemas._fast_check.cache_clear()
        schemas._fast_check(name)
        assert schemas.load(name) == before
