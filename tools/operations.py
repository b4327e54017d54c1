"""Write what the spec says about each operation into the generated package, at generation time.

openapi-python-client generates one module per operation, but drops what callers need to
be checked against (maxLength, minimum, pattern, enum...: its issue #726) and offers no
resource-style methods. This step reads the fixed spec and the generator's own parse of it
(so names and type strings are exactly those of the generated functions), and renders two
modules with the generator's Jinja environment and our templates/meetbit/*.jinja:

* ``meetbit_api/operations.py``: one `Operation` per generated endpoint: method, path,
  parameters and body fields with their JSON Schema constraints, documented responses;
* ``meetbit_api/resources.py``: ``client.<tag>.<operation>(...)`` typed methods, sync and
  async, whose docstrings carry the spec's summary, description and limits, and which
  check their arguments inline (`fast_check`) before building the generated request;
* ``meetbit_api/code.py``: the generated modules and models the methods use, imported on
  first use (importing every model with ``import meetbit`` would cost most of its time).

Nothing in overlay/ names an operation: it reads these.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from openapi_python_client import Project
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.properties import ModelProperty

# The JSON Schema keywords a caller can break; everything else is documentation.
CONSTRAINTS = (
    "type",
    "format",
    "nullable",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
)
_MAX_DEPTH = 12  # a self-referencing schema is inlined this deep, then left open


def resolve(document: Any, schema: Any, depth: int = 0) -> dict[str, Any]:
    """Inline $refs and one-element allOf wrappers (how the fix layer wraps refs), recursively."""
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return {}
    if "$ref" in schema:
        target: Any = document
        for step in schema["$ref"].lstrip("#/").split("/"):
            target = target[step.replace("~1", "/").replace("~0", "~")]
        return resolve(document, target, depth + 1)
    schema = dict(schema)
    if len(schema.get("allOf", [])) == 1:
        inner = resolve(document, schema.pop("allOf")[0], depth + 1)
        schema = {**inner, **schema}
    resolved: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            resolved[key] = {name: resolve(document, sub, depth + 1) for name, sub in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            resolved[key] = resolve(document, value, depth + 1)
        elif key in ("anyOf", "oneOf", "allOf"):
            resolved[key] = [resolve(document, sub, depth + 1) for sub in value]
        else:
            resolved[key] = copy.deepcopy(value)
    return resolved


def constraints(schema: dict[str, Any]) -> dict[str, Any]:
    """The parts of a resolved schema a request is checked against (nested for arrays, objects)."""
    kept = {key: schema[key] for key in CONSTRAINTS if key in schema}
    if "items" in schema:
        kept["items"] = constraints(schema["items"])
    if "properties" in schema:
        kept["properties"] = {n: constraints(s) for n, s in schema["properties"].items()}
        kept["required"] = list(schema.get("required", []))
    for key in ("anyOf", "oneOf"):
        if key in schema:
            kept[key] = [constraints(sub) for sub in schema[key]]
    return kept


def describe_limits(schema: dict[str, Any]) -> str:
    """The constraints of a schema as a phrase for a docstring or --help."""
    parts: list[str] = []
    kind = schema.get("type")
    if kind == "integer" and schema.get("format") in ("int32", "int64"):
        parts.append(f"{schema['format'][3:]}-bit integer")
    if kind == "string" and schema.get("format") in ("date-time", "date"):
        parts.append(f"ISO 8601 {schema['format']}")
    if "minimum" in schema:
        parts.append(f"at least {schema['minimum']}")
    if "exclusiveMinimum" in schema and schema["exclusiveMinimum"] is not False:
        parts.append(f"more than {_bound(schema, 'exclusiveMinimum', 'minimum')}")
    if "maximum" in schema:
        parts.append(f"at most {schema['maximum']}")
    if "exclusiveMaximum" in schema and schema["exclusiveMaximum"] is not False:
        parts.append(f"less than {_bound(schema, 'exclusiveMaximum', 'maximum')}")
    if "minLength" in schema:
        parts.append(f"at least {schema['minLength']} characters")
    if "maxLength" in schema:
        parts.append(f"at most {schema['maxLength']} characters")
    if "pattern" in schema:
        parts.append(f"matching {schema['pattern']}")
    if "enum" in schema:
        parts.append("one of " + ", ".join(str(value) for value in schema["enum"]))
    if "minItems" in schema:
        parts.append(f"at least {schema['minItems']} items")
    if "maxItems" in schema:
        parts.append(f"at most {schema['maxItems']} items")
    if schema.get("nullable"):
        parts.append("may be None")
    return "; ".join(parts)


def _bound(schema: dict[str, Any], key: str, fallback: str) -> Any:
    # OpenAPI 3.0 spells exclusive bounds as a boolean beside minimum/maximum; 3.1 as a number.
    return schema.get(fallback) if schema[key] is True else schema[key]


_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def fast_check(schema: dict[str, Any], name: str, required: bool) -> str | None:
    """A Python expression true only for values `schema` surely accepts, or None.

    The resource methods test it inline, as the cheap common case; when it is false they
    hand the value to the client's full check (meetbit._checks), which raises the precise
    error or accepts what the expression is too simple to see (a non-ASCII string, an int
    subclass). So it may be false for a valid value, never true for an invalid one:
    tests/test_checks.py holds it to the full check. Kinds it does not cover (numbers,
    enums, patterns, date-times, lists, objects) always take the full check.
    """
    if "enum" in schema or "multipleOf" in schema:
        return None
    kind = schema.get("type")
    if kind == "integer":
        low, high = _INT_RANGES.get(schema.get("format", "int64"), _INT_RANGES["int64"])
        for key, exclusive_key, step, pick in (
            ("minimum", "exclusiveMinimum", 1, max),
            ("maximum", "exclusiveMaximum", -1, min),
        ):
            bound, exclusive = schema.get(key), schema.get(exclusive_key, False)
            if exclusive is not True and exclusive is not False:  # OpenAPI 3.1: a number
                bound, exclusive = exclusive, True
            if bound is None:
                continue
            if bound != int(bound):  # a fractional bound: leave it to the full check
                return None
            bound = int(bound) + (step if exclusive else 0)
            if pick is max:
                low = max(low, bound)
            else:
                high = min(high, bound)
        test = f"type({name}) is int and {low} <= {name} <= {high}"
    elif kind == "string" and "pattern" not in schema and "format" not in schema:
        # ASCII text holds no lone surrogate and counts one character per code point.
        test = f"type({name}) is str and {name}.isascii()"
        shortest, longest = schema.get("minLength", 0), schema.get("maxLength")
        if shortest and longest is not None:
            test += f" and {shortest} <= len({name}) <= {longest}"
        elif shortest:
            test += f" and len({name}) >= {shortest}"
        elif longest is not None:
            test += f" and len({name}) <= {longest}"
    elif kind == "boolean":
        test = f"type({name}) is bool"
    else:
        return None
    if schema.get("nullable"):
        test = f"{name} is None or ({test})"
    if not required:
        test = f"{name} is UNSET or ({test})"
    return test


def _enum_class(prop: Any) -> str | None:
    """The generated enum class an argument is annotated with (raw values are converted)."""
    candidates = [prop, *(getattr(prop, "inner_properties", None) or [])]
    for candidate in candidates:
        if type(candidate).__name__ in ("EnumProperty", "LiteralEnumProperty") and hasattr(
            candidate, "class_info"
        ):
            return _text(candidate.class_info.name)
    return None


def _text(value: Any) -> str:
    """The plain text of a generator string (UntrustedString, PythonIdentifier...)."""
    for method in ("get_untrusted_value", "as_unembedded_code"):
        if hasattr(value, method):
            return str(getattr(value, method)())
    return str(value)


def _snake(text: str) -> str:
    return (
        re.sub(r"[^0-9a-zA-Z]+", "_", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text))
        .strip("_")
        .lower()
    )


def _json_body_schema(document: Any, operation: dict[str, Any]) -> dict[str, Any] | None:
    body = operation.get("requestBody")
    if body is None:
        return None
    body = resolve(document, body)
    media = body.get("content", {}).get("application/json")
    return None if media is None else resolve(document, media.get("schema", {}))


def _responses(document: Any, operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for status, response in operation.get("responses", {}).items():
        response = resolve(document, response)
        content = response.get("content", {})
        media_type = next(iter(content), None)
        schema = resolve(document, content[media_type].get("schema", {})) if media_type else None
        found[str(status)] = {
            "description": response.get("description", ""),
            "media_type": media_type,
            "schema": schema,
            "headers": sorted(response.get("headers", {})),
        }
    return found


def _unwrap(schema: dict[str, Any] | None) -> str | None:
    """`data` when the success body is MeetBit's {message, data} envelope and nothing else."""
    if not schema or schema.get("type", "object") != "object":
        return None
    properties = set(schema.get("properties", {}))
    if properties == {"message", "data"} and "data" in schema.get("required", []):
        return "data"
    return None


def _field(prop: Any, location: str, schema: dict[str, Any], required: bool) -> dict[str, Any]:
    return {
        "name": _text(prop.name),
        "python_name": str(prop.python_name),
        "argument": str(prop.python_name),
        "location": location,
        "prop": prop,
        "required": required,
        "schema": constraints(schema),
        "description": schema.get("description") or "",
        "limits": describe_limits(schema),
        "enum_class": _enum_class(prop),
    }


def collect(document: Any, data: GeneratorData) -> list[dict[str, Any]]:
    """One dict per generated endpoint, in the generator's order (tags, then the spec's order)."""
    operations = []
    for tag, collection in data.endpoint_collections_by_tag.items():
        for endpoint in collection.endpoints:
            path_item = document["paths"][_text(endpoint.path)]
            operation = path_item[endpoint.method.lower()]
            declared = {
                (p["in"], p["name"]): p
                for p in (resolve(document, raw) for raw in path_item.get("parameters", []))
            }
            declared.update(
                {
                    (p["in"], p["name"]): p
                    for p in (resolve(document, raw) for raw in operation.get("parameters", []))
                }
            )
            fields = []
            for location, props in (
                ("path", endpoint.path_parameters),
                ("query", endpoint.query_parameters),
            ):
                for prop in props:
                    parameter = declared[(location, _text(prop.name))]
                    schema = {
                        **resolve(document, parameter.get("schema", {})),
                        "description": parameter.get("description", ""),
                    }
                    fields.append(_field(prop, location, schema, bool(parameter.get("required"))))
            body_model = None
            body_schema = _json_body_schema(document, operation)
            json_bodies = [
                b for b in endpoint.bodies if _text(b.content_type) == "application/json"
            ]
            if body_schema is not None and json_bodies:
                model = json_bodies[0].prop
                if isinstance(model, ModelProperty):
                    body_model = str(model.class_info.name)
                    required = set(body_schema.get("required", []))
                    for prop in model.required_properties + model.optional_properties:
                        schema = body_schema.get("properties", {}).get(_text(prop.name), {})
                        fields.append(_field(prop, "body", schema, _text(prop.name) in required))
            _name_body_arguments(fields)
            responses = _responses(document, operation)
            successes = sorted(s for s in responses if s.startswith("2"))
            success = successes[0] if successes else None
            success_schema = responses[success]["schema"] if success else None
            operations.append(
                {
                    "name": str(endpoint.name),
                    "tag": str(tag),
                    "method": endpoint.method.upper(),
                    "path": _text(endpoint.path),
                    "summary": str(operation.get("summary", "") or ""),
                    "description": str(operation.get("description", "") or "").strip(),
                    "fields": fields,
                    "body_model": body_model,
                    "success_status": int(success) if success else None,
                    "unwrap": _unwrap(success_schema),
                    "responses": responses,
                    "endpoint": endpoint,
                    "returns": _return_type(endpoint, success, _unwrap(success_schema)),
                    "imports": _imports(endpoint, fields),
                }
            )
    return operations


def _name_body_arguments(fields: list[dict[str, Any]]) -> None:
    """Body fields become keywords beside the parameters; one that shadows a parameter is body_X.

    With its name final, each field gets its signature and its inline check.
    """
    taken = {f["argument"] for f in fields if f["location"] != "body"}
    for field in fields:
        if field["location"] == "body" and field["argument"] in taken:
            field["argument"] = f"body_{field['argument']}"
        field["fast_check"] = fast_check(field["schema"], field["argument"], field["required"])
        code = _text(field["prop"].to_string())
        field["signature"] = field["argument"] + code[len(field["python_name"]) :]


def _return_type(endpoint: Any, success: str | None, unwrap: str | None) -> str:
    for response in endpoint.responses:
        if success is not None and response.status_code.pattern == success:
            prop = response.prop
            if unwrap and isinstance(prop, ModelProperty):
                for inner in prop.required_properties + prop.optional_properties:
                    if _text(inner.name) == unwrap:
                        return _text(inner.get_type_string())
            return _text(prop.get_type_string())
    return "None"


def _imports(endpoint: Any, fields: list[dict[str, Any]]) -> set[str]:
    """Imports of the generated classes the signatures name (for TYPE_CHECKING)."""
    props = [field["prop"] for field in fields]
    for response in endpoint.responses:
        props.append(response.prop)
        if isinstance(response.prop, ModelProperty):
            props += response.prop.required_properties + response.prop.optional_properties
    imports: set[str] = set()
    while props:
        prop = props.pop()
        info = getattr(prop, "class_info", None)
        if info is not None:
            imports.add(f"from .models.{_text(info.module_name)} import {_text(info.name)}")
        props += getattr(prop, "inner_properties", None) or []
        if getattr(prop, "inner_property", None) is not None:
            props.append(prop.inner_property)
    return imports


def _py(value: Any) -> str:
    """A Python literal for JSON data (json.dumps, with Python's spelling of constants)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return re.sub(
        r'("(?:[^"\\]|\\.)*")|\b(true|false|null)\b',
        lambda m: m[1] or {"true": "True", "false": "False", "null": "None"}[m[2]],
        text,
    )


def render(fixed_spec: Path, config_path: Path, templates: Path, package: Path) -> list[Path]:
    """Write operations.py and resources.py into `package`; return the files written."""
    document = json.loads(fixed_spec.read_text(encoding="utf-8"))
    config = Config.from_sources(
        ConfigFile.load_from_path(config_path), MetaType.NONE, fixed_spec, "utf-8", True, None
    )
    data = GeneratorData.from_dict(document, config=config)
    if not isinstance(data, GeneratorData):
        raise SystemExit(f"openapi-python-client cannot parse {fixed_spec}: {data.detail}")
    project = Project(openapi=data, config=config, custom_template_path=templates)
    project.env.filters["py"] = _py
    project.env.filters["snake"] = _snake
    operations = collect(document, data)
    # What the resource methods take from `meetbit_api.code` besides operation modules.
    models = sorted(
        {op["body_model"] for op in operations if op["body_model"]}
        | {f["enum_class"] for op in operations for f in op["fields"] if f["enum_class"]}
    )
    written = []
    for name in ("operations.py", "resources.py", "code.py"):
        template = project.env.get_template(f"meetbit/{name}.jinja")
        target = package / name
        target.write_text(
            template.render(operations=operations, models=models, api_title=_text(data.title)),
            encoding="utf-8",
        )
        written.append(target)
    return written
