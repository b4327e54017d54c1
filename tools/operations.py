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

import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

from openapi_python_client import Project
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.properties import ModelProperty


def _overlay_module(name: str) -> Any:
    """A stdlib-only module of the overlay, loaded by its path: the generator applies the
    client's own rules (meetbit._schema, meetbit._errors) without importing the client."""
    key = f"_meetbit_{name}"
    if key not in sys.modules:
        path = Path(__file__).resolve().parent.parent / f"overlay/meetbit/{name}.py"
        spec = importlib.util.spec_from_file_location(key, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


schema_rules = _overlay_module("_schema")
resolve = schema_rules.resolve
describe_limits = schema_rules.describe_limits

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
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class OperationRefused(Exception):
    """Operations the generator cannot make into working methods: one line each, with why."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


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


def fast_check(schema: dict[str, Any], name: str, required: bool) -> str | None:
    """A Python expression true only for values `schema` surely accepts, or None.

    The resource methods test it inline, as the cheap common case; when it is false they
    hand the value to the client's full check (meetbit._schema), which raises the precise
    error or accepts what the expression is too simple to see (a non-ASCII string, an int
    subclass). So it may be false for a valid value, never true for an invalid one:
    tests/test_checks.py holds it to the full check. Kinds it does not cover (numbers,
    enums, patterns, date-times, lists, objects) always take the full check.
    """
    if "enum" in schema or "multipleOf" in schema:
        return None
    kind = schema.get("type")
    if kind == "integer":
        low, high = schema_rules.integer_range(schema)
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
    if schema_rules.allows_null(schema):
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


def refuse_unencodable(document: Any) -> None:
    """Refuse spec text that UTF-8 cannot encode: no generated file could hold it.

    A lone surrogate (a JSON spec's "\\ud800") is the only such text; one line per place, as
    the JSONPath a fix-layer action would target.
    """
    found: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, str):
            if not node.isascii():
                try:
                    node.encode("utf-8")
                except UnicodeEncodeError:
                    found.append(f"{where}: holds a lone surrogate, which UTF-8 cannot encode")
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(key, where)
                step = f".{key}" if str(key).isidentifier() else f"[{str(key)!r}]"
                walk(value, where + step)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    walk(document, "$")
    if found:
        raise OperationRefused(found)


PARAMETERS = (
    ("path", "path_parameters"),
    ("query", "query_parameters"),
    ("header", "header_parameters"),
    ("cookie", "cookie_parameters"),
)
_CONTROLLER = re.compile(r"[A-Za-z0-9]*Controller_(?:[0-9]+_)*(?P<action>[A-Za-z].*)")


class _Cannot(Exception):
    """Why one operation cannot be generated (OperationRefused collects them)."""


def docstring(value: Any) -> str:
    """Spec text as the inside of a generated triple-quoted docstring: it reads the same in
    help() and can end neither the docstring nor the line it is on (spec text is data)."""
    out = []
    for char in _text(value).replace("\r\n", "\n"):
        if char == "\\" or char == '"':
            out.append("\\" + char)
        elif char != "\n" and unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp", "Cn"):
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return "".join(out)


def _normalised(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def _spec_operations(document: Any) -> dict[tuple[str, str], tuple[str, Any, Any]]:
    found = {}
    for path, item in (document.get("paths") or {}).items():
        item = resolve(document, item) if isinstance(item, dict) else {}
        for method in METHODS:
            if isinstance(item.get(method), dict):
                found[method.upper(), _normalised(str(path))] = (str(path), item, item[method])
    return found


def _body(document: Any, operation: Any, endpoint: Any) -> tuple[Any, dict[str, Any], bool] | None:
    """The request body the methods send (JSON if offered): its generated property, its
    resolved schema, and whether the spec requires it."""
    if not endpoint.bodies:
        return None
    chosen = next(
        (b for b in endpoint.bodies if _text(b.content_type) == "application/json"),
        endpoint.bodies[0],
    )
    body = resolve(document, operation.get("requestBody") or {})
    media = (body.get("content") or {}).get(_text(chosen.content_type)) or {}
    return chosen.prop, media.get("schema") or {}, bool(body.get("required"))


def _responses(document: Any, operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for status, response in (operation.get("responses") or {}).items():
        response = resolve(document, response) if isinstance(response, dict) else {}
        content = response.get("content") or {}
        media_type = next(iter(content), None)
        schema = (content[media_type] or {}).get("schema") if media_type else None
        found[str(status)] = {
            "description": str(response.get("description") or ""),
            "media_type": media_type,
            "schema": schema,
            "headers": sorted(str(name) for name in response.get("headers") or {}),
        }
    return found


def _unwrap(schema: dict[str, Any] | None) -> str | None:
    """`data` when the success body is MeetBit's {message, data} envelope and nothing else."""
    if not schema or schema_rules.json_type(schema) not in ("object", None):
        return None
    properties = set(schema.get("properties", {}))
    if properties == {"message", "data"} and "data" in schema.get("required", []):
        return "data"
    return None


def _patterns(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    found = [schema["pattern"]] if isinstance(schema.get("pattern"), str) else []
    for key in ("items", "additionalProperties"):
        found += _patterns(schema.get(key))
    for sub in (schema.get("properties") or {}).values():
        found += _patterns(sub)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or []:
            found += _patterns(sub)
    return found


def _field(prop: Any, location: str, schema: dict[str, Any], required: bool) -> dict[str, Any]:
    for pattern in _patterns(schema):
        try:
            schema_rules.python_pattern(pattern)
        except schema_rules.UnsupportedPattern as why:
            raise _Cannot(
                f"{location} field {_text(prop.name) or 'body'}: its ECMA-262 pattern has no "
                f"equivalent the client can check ({why})"
            ) from None
    return {
        "name": _text(prop.name),
        "python_name": str(prop.python_name),
        "argument": str(prop.python_name),
        "location": location,
        "prop": prop,
        "required": required,
        "schema": constraints(schema),
        "description": str(schema.get("description") or ""),
        "limits": describe_limits(schema),
        "enum_class": _enum_class(prop),
        "enum_item_class": _enum_class(getattr(prop, "inner_property", None))
        if type(prop).__name__ == "ListProperty"
        else None,
    }


def _parameters(document: Any, item: Any, operation: Any, endpoint: Any) -> list[dict[str, Any]]:
    declared = {}
    for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        parameter = resolve(document, raw)
        if isinstance(parameter, dict) and "in" in parameter and "name" in parameter:
            declared[parameter["in"], str(parameter["name"])] = parameter
    fields = []
    for location, attribute in PARAMETERS:
        for prop in getattr(endpoint, attribute):
            parameter = declared.get((location, _text(prop.name)))
            if parameter is None:
                raise _Cannot(
                    f"the generator's {location} parameter {_text(prop.name)} is not declared"
                )
            schema = {
                **(parameter.get("schema") or {}),
                "description": parameter.get("description") or "",
            }
            required = bool(parameter.get("required")) or location == "path"
            fields.append(_field(prop, location, schema, required))
    return fields


def _body_fields(
    document: Any, operation: Any, endpoint: Any
) -> tuple[list[dict[str, Any]], str | None]:
    """Body fields as keywords (a model with properties), or the whole body as `body`."""
    found = _body(document, operation, endpoint)
    if found is None:
        return [], None
    prop, schema, required = found
    properties = (
        (prop.required_properties + prop.optional_properties)
        if isinstance(prop, ModelProperty)
        else []
    )
    if properties:
        names = set(schema.get("required", []))
        fields = [
            _field(
                p,
                "body",
                (schema.get("properties") or {}).get(_text(p.name), {}),
                _text(p.name) in names,
            )
            for p in properties
        ]
        return fields, str(prop.class_info.name)
    whole = _field(prop, "payload", schema, required)
    whole.update(name="", python_name="body", argument="body")
    whole["signature_code"] = "body: " + _text(prop.get_type_string())
    if not required:
        whole["signature_code"] = "body: " + _text(prop.get_type_string()) + " | Unset = UNSET"
    return [whole], None


def _successes(endpoint: Any) -> list[Any]:
    return [
        response
        for response in endpoint.responses
        if response.status_code.range is not None and 200 <= response.status_code.range[0] <= 299
    ]


def _operation(document: Any, tag: str, endpoint: Any, item: Any, operation: Any) -> dict[str, Any]:
    fields = _parameters(document, item, operation, endpoint)
    body_fields, body_model = _body_fields(document, operation, endpoint)
    fields += body_fields
    _name_body_arguments(fields)
    responses = _responses(document, operation)
    successes = _successes(endpoint)
    if not successes:
        raise _Cannot("no 2xx response is documented, so a success cannot be told from a failure")
    statuses = sorted(s for s in responses if s[:1] == "2")
    success = statuses[0] if statuses else None
    success_schema = resolve(document, responses[success]["schema"]) if success else None
    unwrap = _unwrap(success_schema) if len(successes) == 1 else None
    returns = _return_type(successes, unwrap)
    return {
        "tag": str(tag),
        "method": endpoint.method.upper(),
        "summary": str(operation.get("summary") or ""),
        "description": str(operation.get("description") or "").strip(),
        "deprecated": bool(operation.get("deprecated")),
        "fields": fields,
        "body_model": body_model,
        "success_status": int(success) if success and success.isdigit() else None,
        "unwrap": unwrap,
        "responses": responses,
        "endpoint": endpoint,
        "returns": returns,
        "paginated": _pagination(success_schema, successes, fields, unwrap),
        "imports": _imports(endpoint, fields),
    }


def _pagination(
    schema: Any, successes: list[Any], fields: list[dict[str, Any]], unwrap: str | None
) -> dict[str, str] | None:
    """Laravel's paginated list: {data: [...], meta/links: {...}} and a `page` query parameter."""
    if unwrap or len(successes) != 1 or not isinstance(schema, dict):
        return None
    properties = schema.get("properties") or {}
    data = properties.get("data") or {}
    pages = [f for f in fields if f["location"] == "query" and f["name"] == "page"]
    if data.get("type") != "array" or not ({"meta", "links"} & properties.keys()) or not pages:
        return None
    if pages[0]["schema"].get("type") != "integer":
        return None
    prop = successes[0].prop
    if not isinstance(prop, ModelProperty):
        return None
    for inner in prop.required_properties + prop.optional_properties:
        if _text(inner.name) == "data" and getattr(inner, "inner_property", None) is not None:
            return {
                "page": pages[0]["argument"],
                "item_type": _text(inner.inner_property.get_type_string(no_optional=True)),
            }
    return None


def _method_names(operations: list[dict[str, Any]]) -> list[str]:
    """Readable, unique method names; returns a note for each name two operations wanted.

    A NestJS operationId (`BookingsController_2024_08_13_cancelBooking`) is named by its
    action (`cancel_booking`). When two operations want the same name, both keep the
    generator's full name (unique per tag), and the tag is appended where even that is not
    unique across tags. The order is the spec's, so the result is deterministic.
    """
    import keyword

    notes = []
    wanted: dict[str, list[dict[str, Any]]] = {}
    for op in operations:
        full = op["module_name"]
        match = _CONTROLLER.fullmatch(op["operation_id"] or "")
        name = _snake(match["action"]) if match else full
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("iter_"):
            name = full
        wanted.setdefault(name, []).append(op)
    taken: set[str] = set()
    for name, ops in wanted.items():
        if len(ops) == 1 and name not in taken:
            ops[0]["name"] = name
            taken.add(name)
            continue
        for op in ops:
            final = op["module_name"]
            if final in taken:
                final = f"{final}_{op['tag']}"
            op["name"] = final
            taken.add(final)
            notes.append(
                f"{op['method']} {op['path']}: method name {name} is wanted by {len(ops)} "
                f"operations; this one is {final}"
            )
    return notes


def collect(document: Any, data: GeneratorData) -> tuple[list[dict[str, Any]], list[str]]:
    """One dict per generated endpoint, in the generator's order (tags, then the spec's order),
    and notes (renamed methods). Raises OperationRefused naming every operation it cannot make."""
    spec = _spec_operations(document)
    operations, refused = [], []
    for tag, collection in data.endpoint_collections_by_tag.items():
        for endpoint in collection.endpoints:
            path, item, operation = spec[endpoint.method.upper(), _normalised(_text(endpoint.path))]
            operation_id = operation.get("operationId")
            try:
                op = _operation(document, tag, endpoint, item, operation)
            except _Cannot as why:
                refused.append(
                    f"{endpoint.method.upper()} {path} ({operation_id or 'no operationId'}): {why}"
                )
                continue
            op.update(path=path, operation_id=operation_id, module_name=str(endpoint.name))
            operations.append(op)
    if refused:
        raise OperationRefused(refused)
    return operations, _method_names(operations)


def _name_body_arguments(fields: list[dict[str, Any]]) -> None:
    """Keyword names for every field, unique; a body field that shadows a parameter is body_X.

    With its name final, each field gets its signature and its inline check. An enum's
    default is left to the server (UNSET): the enum class is only imported for type checkers.
    """
    taken = {f["argument"] for f in fields if f["location"] not in ("body", "payload")}
    for field in fields:
        if field["location"] == "body" and field["argument"] in taken:
            field["argument"] = f"body_{field['argument']}"
        field["fast_check"] = fast_check(field["schema"], field["argument"], field["required"])
        code = field.pop("signature_code", None)
        if code is None:
            code = _text(field["prop"].to_string())
            code = field["argument"] + code[len(field["python_name"]) :]
        if field["enum_class"] and "=" in code:
            code = code.split("=", 1)[0].rstrip() + " = UNSET"
            if "Unset" not in code:
                code = code.replace(" = UNSET", " | Unset = UNSET")
        field["signature"] = code


def _return_type(successes: list[Any], unwrap: str | None) -> str:
    types: list[str] = []
    for response in successes:
        prop = response.prop
        kind = _text(prop.get_type_string())
        if response.source["attribute"] == "None":  # no body (204, or documented without one)
            kind = "None"
        if unwrap and isinstance(prop, ModelProperty):
            for inner in prop.required_properties + prop.optional_properties:
                if _text(inner.name) == unwrap:
                    kind = _text(inner.get_type_string())
        if kind not in types:
            types.append(kind)
    return " | ".join(types) if types else "None"


def _imports(endpoint: Any, fields: list[dict[str, Any]]) -> set[str]:
    """Imports of the generated classes the signatures name (for TYPE_CHECKING)."""
    props = [field["prop"] for field in fields]
    for response in endpoint.responses:
        props.append(response.prop)
        if isinstance(response.prop, ModelProperty):
            props += response.prop.required_properties + response.prop.optional_properties
    imports: set[str] = set()
    seen: set[int] = set()
    while props:
        prop = props.pop()
        if id(prop) in seen:
            continue
        seen.add(id(prop))
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
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (from a JSON spec's "\ud800"): escape all
            text = json.dumps(value, ensure_ascii=True, sort_keys=True)
    return re.sub(
        r'("(?:[^"\\]|\\.)*")|\b(true|false|null)\b',
        lambda m: m[1] or {"true": "True", "false": "False", "null": "None"}[m[2]],
        text,
    )


def load(
    fixed_spec: Path, config_path: Path, templates: Path
) -> tuple[Project, list[dict[str, Any]], list[str], str]:
    """The generator's Jinja environment (with our filters), the operations (`collect`), the
    notes and the API's title: what every template rendered from the spec needs."""
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
    project.env.filters["docstring"] = docstring
    project.env.filters["error_class"] = _error_class
    operations, notes = collect(document, data)
    return project, operations, notes, _text(data.title)


def render(fixed_spec: Path, config_path: Path, templates: Path, package: Path) -> list[Path]:
    """Write operations.py and resources.py into `package`; return the files written."""
    project, operations, notes, title = load(fixed_spec, config_path, templates)
    # What the resource methods take from `meetbit_api.code` besides operation modules.
    models = sorted(
        {op["body_model"] for op in operations if op["body_model"]}
        | {f["enum_class"] for op in operations for f in op["fields"] if f["enum_class"]}
        | {f["enum_item_class"] for op in operations for f in op["fields"] if f["enum_item_class"]}
    )
    written = []
    for name in ("operations.py", "resources.py", "code.py", "pagination.py"):
        template = project.env.get_template(f"meetbit/{name}.jinja")
        target = package / name
        target.write_text(
            template.render(operations=operations, models=models, api_title=title),
            encoding="utf-8",
        )
        written.append(target)
    for note in notes:
        print(f"note: {note}")
    return written


def _error_class(status: str) -> str:
    """The exception a documented error status raises (meetbit._errors decides)."""
    errors = _overlay_module("_errors")
    if not status[:1].isdigit() or not status.isdigit():
        return "meetbit.ApiError"
    return f"meetbit.{errors.error_class(int(status)).__name__}"
