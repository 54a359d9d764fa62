"""The JSON Schemas in ``schemas/`` are the contract for every JSON document we write.

Every capture validates its provenance document, and every verify re-validates each
one, so validation is on the hot path. fastjsonschema (the schema compiled to Python)
answers "valid?" about 9x faster than jsonschema; jsonschema stays the authority: it
re-checks every rejection and writes the messages. tests/test_schemas.py checks that
the two agree on our schemas.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastjsonschema

from .errors import SchemaError

_SOURCE_TREE = Path(__file__).resolve().parent.parent / "schemas"


def _schema_dir() -> Path:
    """schemas/ of a source checkout, else the copy the wheel carries in archiver/schemas."""
    if _SOURCE_TREE.is_dir():
        return _SOURCE_TREE
    return Path(str(resources.files("archiver") / "schemas"))


@cache
def load(name: str) -> dict[str, Any]:
    """The schema ``schemas/<name>.schema.json``."""
    path = _schema_dir() / f"{name}.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _validator(name: str):
    from jsonschema import Draft202012Validator  # only needed to explain a rejection

    schema = load(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def _fast_check(name: str):
    # A copy: compile() rewrites every relative $ref to an absolute URL in place, and
    # jsonschema would then try to fetch those URLs over the network.
    return fastjsonschema.compile(copy.deepcopy(load(name)))


def prepare(name: str) -> None:
    """Compile schema ``name``'s fast validator now (e.g. before forking workers)."""
    _fast_check(name)


def problems(document: Any, name: str) -> list[str]:
    """Every way ``document`` fails schema ``name``, as ``path: message`` strings."""
    try:
        _fast_check(name)(document)
        return []
    except fastjsonschema.JsonSchemaException:
        pass  # jsonschema decides, and says why
    found = []
    for error in sorted(_validator(name).iter_errors(document), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        found.append(f"{where}: {error.message}")
    return found


def validate(document: Any, name: str) -> None:
    """Raise SchemaError unless ``document`` matches schema ``name``."""
    errors = problems(document, name)
    if errors:
        raise SchemaError(name, errors)
