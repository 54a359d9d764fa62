"""The JSON Schemas in ``schemas/`` are the contract for every JSON document we write.

Every capture validates its provenance document, and every verify re-validates each
one, so validation is on the hot path. jsonschema-rs (a Rust validator) answers
"valid?" in about 7 µs for a provenance document, where fastjsonschema took 100 µs
and jsonschema about 1 ms; jsonschema stays the authority: it re-checks every
rejection and writes the messages. tests/test_schemas.py checks that the two agree on
every example document and hundreds of mutations of each.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SchemaError

if TYPE_CHECKING:
    import jsonschema_rs

_SOURCE_TREE = Path(__file__).resolve().parent.parent / "schemas"


def _schema_dir() -> Path:
    """schemas/ of a source checkout, else the copy the wheel carries in archiver/schemas."""
    if _SOURCE_TREE.is_dir():
        return _SOURCE_TREE
    from importlib import resources

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
def _fast_check(name: str) -> jsonschema_rs.Draft202012Validator:
    import jsonschema_rs  # here: loading it takes ~25 ms, which most commands never need

    return jsonschema_rs.Draft202012Validator(load(name))


def prepare(name: str) -> None:
    """Compile schema ``name``'s fast validator now (e.g. before forking workers)."""
    _fast_check(name)


def accepts(document: Any, name: str) -> bool:
    """Whether ``document`` matches schema ``name`` (the fast validator's answer)."""
    try:
        return _fast_check(name).is_valid(document)
    except UnicodeEncodeError:  # a lone surrogate (from a JSON escape) is no UTF-8 for Rust
        return _validator(name).is_valid(document)


def problems(document: Any, name: str) -> list[str]:
    """Every way ``document`` fails schema ``name``, as ``path: message`` strings."""
    if accepts(document, name):
        return []
    found = []  # jsonschema decides, and says why
    for error in sorted(_validator(name).iter_errors(document), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        found.append(f"{where}: {error.message}")
    return found


def validate(document: Any, name: str) -> None:
    """Raise SchemaError unless ``document`` matches schema ``name``."""
    errors = problems(document, name)
    if errors:
        raise SchemaError(name, errors)
