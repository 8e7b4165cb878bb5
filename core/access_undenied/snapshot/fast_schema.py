"""A fast yes/no check of a document against the snapshot schema.

jsonschema walks tens of thousands of roles ten times slower than `json.load`
reads them. This compiles the keywords the snapshot schema uses into plain
predicates; a document they reject is validated again by jsonschema, which names
the field. A keyword it does not know is an error, never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Predicate = Callable[[Any], bool]

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "number": (int, float),
}

# Keywords that only describe; they never reject a value.
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$defs"})


class SchemaCompiler:
    """Compiles one schema (with its `$defs`) into predicates."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root
        self._refs: dict[str, Predicate] = {}

    def compile(self, schema: Mapping[str, Any]) -> Predicate:
        """A predicate true exactly when the value satisfies `schema`."""
        checks = [
            self._keyword(name, value, schema)
            for name, value in schema.items()
            if name not in ANNOTATIONS
        ]
        present = [check for check in checks if check is not None]
        if len(present) == 1:
            return present[0]

        def check_all(value: Any) -> bool:
            # A plain loop: `all()` over a generator costs a third more here.
            for check in present:  # noqa: SIM110
                if not check(value):
                    return False
            return True

        return check_all

    def _keyword(
        self, name: str, value: Any, schema: Mapping[str, Any]
    ) -> Predicate | None:
        builder = KEYWORDS.get(name)
        if builder is None:
            raise ValueError(f"schema keyword {name!r} is not supported here")
        return builder(self, value, schema)

    def ref(self, pointer: str) -> Predicate:
        """The predicate of a local `#/$defs/...` reference, compiled once."""
        if pointer not in self._refs:
            self._refs[pointer] = lambda value: self._refs[pointer](value)
            target: Any = self._root
            for part in pointer.lstrip("#/").split("/"):
                target = target[part]
            self._refs[pointer] = self.compile(target)
        return self._refs[pointer]


def compile_type(_: SchemaCompiler, value: Any, __: Any) -> Predicate:
    names = [value] if isinstance(value, str) else list(value)
    # Exact types: a bool is not a number, as JSON Schema has it.
    types = frozenset(t for name in names for t in JSON_TYPES.get(name, ()))
    if "integer" not in names:
        return lambda v: type(v) in types
    return lambda v: type(v) in types or is_integer(v)


def is_integer(value: Any) -> bool:
    """JSON Schema's integer: an int, or a float with no fraction (1.0)."""
    if type(value) is float:
        return value.is_integer()
    return type(value) is int


def json_equal(left: Any, right: Any) -> bool:
    """JSON equality: 1 equals 1.0, but true is not 1."""
    numbers = (int, float)
    if type(left) in numbers and type(right) in numbers:
        return bool(left == right)
    return type(left) is type(right) and bool(left == right)


def compile_required(_: SchemaCompiler, value: Any, __: Any) -> Predicate:
    keys = frozenset(value)
    return lambda v: type(v) is not dict or keys.issubset(v.keys())


def compile_properties(compiler: SchemaCompiler, value: Any, __: Any) -> Predicate:
    checks = [(key, compiler.compile(sub)) for key, sub in value.items()]

    def check(v: Any) -> bool:
        if type(v) is not dict:
            return True
        for key, predicate in checks:
            if key in v and not predicate(v[key]):
                return False
        return True

    return check


def compile_additional(compiler: SchemaCompiler, value: Any, schema: Any) -> Predicate:
    known = frozenset(schema.get("properties", ()))
    if value is False:
        return lambda v: type(v) is not dict or known.issuperset(v.keys())
    predicate = compiler.compile(value)
    return lambda v: (
        type(v) is not dict
        or all(predicate(item) for key, item in v.items() if key not in known)
    )


def compile_property_names(compiler: SchemaCompiler, value: Any, _: Any) -> Predicate:
    predicate = compiler.compile(value)
    return lambda v: type(v) is not dict or all(map(predicate, v))


def compile_items(compiler: SchemaCompiler, value: Any, _: Any) -> Predicate:
    predicate = compiler.compile(value)
    return lambda v: type(v) is not list or all(map(predicate, v))


def compile_pattern(_: SchemaCompiler, value: Any, __: Any) -> Predicate:
    search = re.compile(value).search
    return lambda v: type(v) is not str or search(v) is not None


def compile_min_length(_: SchemaCompiler, value: Any, __: Any) -> Predicate:
    return lambda v: type(v) is not str or len(v) >= value


def compile_const(_: SchemaCompiler, value: Any, __: Any) -> Predicate:
    return lambda v: json_equal(v, value)


def compile_enum(_: SchemaCompiler, value: Any, __: Any) -> Predicate:
    allowed = list(value)
    return lambda v: any(json_equal(v, item) for item in allowed)


def compile_ref(compiler: SchemaCompiler, value: Any, _: Any) -> Predicate:
    return compiler.ref(value)


KEYWORDS: dict[str, Callable[[SchemaCompiler, Any, Any], Predicate | None]] = {
    "type": compile_type,
    "required": compile_required,
    "properties": compile_properties,
    "additionalProperties": compile_additional,
    "propertyNames": compile_property_names,
    "items": compile_items,
    "pattern": compile_pattern,
    "minLength": compile_min_length,
    "const": compile_const,
    "enum": compile_enum,
    "$ref": compile_ref,
}


def compile_schema(schema: Mapping[str, Any]) -> Predicate:
    """The predicate of a whole schema document."""
    return SchemaCompiler(schema).compile(schema)
