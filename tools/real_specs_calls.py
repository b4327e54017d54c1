"""Call every generated method once, sync and async, against Prism and the fake (real_specs.py).

Usage (inside a scratch copy whose generated/ and overlay/ are on PYTHONPATH):
    python real_specs_calls.py FIXED_SPEC.json [PRISM_BASE_URL]

Prints one JSON line: {"imports": bool, "methods": {name: {step: "ok" | what failed}}}.
A step's failure is "TRACEBACK <type>: <message>" when an exception that is not a
meetbit.MeetBitError escaped the call (what a user would see as a raw traceback).
Arguments are the required ones, each a value its schema accepts (enum: the first member;
pattern: one hypothesis draws; a model: built with from_dict). As a test would arrange it,
the fake first stores a resource at the path each call addresses (`add_resource`, where the
fake can tell the tag's kind); nothing is seeded for Prism, which invents every answer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import inspect
import json
import re
import sys
import uuid
import warnings
from pathlib import Path
from typing import Any


def _schema_rules() -> Any:
    """meetbit._schema's rules; loaded by path, so an older checkout (--project) can be measured."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "overlay/meetbit/_schema.py"
    spec = importlib.util.spec_from_file_location("_real_specs_schema", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_schema = _schema_rules()


def sample(schema: dict[str, Any]) -> Any:
    """A value `schema` accepts, as JSON-ish Python data."""
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return sample(schema[key][0])
    kind = schema.get("type")
    if kind == "integer":
        low, high = _schema.integer_range(schema)
        return min(max(low, 1), high)
    if kind == "number":
        low, exclusive, high, _ = _schema.bounds(schema)
        value = 1 if low is None else low + (1 if exclusive else 0)
        return value if high is None or value <= high else high
    if kind == "boolean":
        return True
    if kind == "array":
        return [sample(schema.get("items", {}))] * max(1, schema.get("minItems", 1))
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: sample(properties.get(name, {})) for name in schema.get("required", [])}
    if kind == "string" or kind is None:
        form = schema.get("format")
        if form == "date-time":
            return datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
        if form == "date":
            return datetime.date(2024, 5, 6)
        if form == "uuid":
            return uuid.UUID(int=1)
        if form == "email":
            return "someone@example.com"
        if "pattern" in schema:
            from hypothesis import strategies

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pattern = re.compile(_schema.python_pattern(schema["pattern"]), re.ASCII)
                return strategies.from_regex(pattern, fullmatch=True).example()
        return "x" * max(1, schema.get("minLength", 1))
    return "x"


def _model(annotation: str, value: Any) -> Any:
    import meetbit_api.models as models

    for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", annotation):
        model = getattr(models, name, None)
        if model is not None and hasattr(model, "from_dict"):
            if isinstance(value, list):
                return [model.from_dict(item) for item in value]
            if isinstance(value, dict):
                return model.from_dict(value)
    return value


def arguments(method: Any, operation: Any) -> tuple[list[Any], dict[str, Any]]:
    parameters = inspect.signature(method).parameters
    path, keywords = [], {}
    for field in operation.fields:
        if not field.required:
            continue
        value = sample(dict(field.schema))
        annotation = str(parameters[field.argument].annotation)
        value = _model(annotation, value)
        if field.location == "path":
            path.append(value)
        else:
            keywords[field.argument] = value
    return path, keywords


def security(document: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    for scheme in schemes.values():
        kind = scheme.get("type")
        if str(scheme.get("name", "")).lower().startswith("x-access-key-"):
            continue  # the client's own credentials, which it sends itself
        if kind == "apiKey" and scheme.get("in") == "header":
            headers[scheme["name"]] = "real-specs"
        elif kind == "apiKey" and scheme.get("in") == "cookie":
            cookies[scheme["name"]] = "real-specs"
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            headers["Authorization"] = "Basic " + base64.b64encode(b"real:specs").decode()
        elif kind in ("http", "oauth2", "openIdConnect"):
            headers.setdefault("Authorization", "Bearer real-specs")
    return headers, cookies


def seed(fake: Any, operation: Any, path: list[Any]) -> None:
    """Store a resource where the call will look for one (ignored where the fake cannot)."""
    if not path:
        return
    # A tag whose kind the fake cannot tell gets no seed: the call shows what it answers.
    with contextlib.suppress(Exception):
        fake.add_resource(operation.tag, *path)


def outcome(error: BaseException) -> str:
    import meetbit

    text = " ".join(str(error).split())[:300]
    if isinstance(error, meetbit.MeetBitError):
        return f"{type(error).__name__}: {text}"
    return f"TRACEBACK {type(error).__name__}: {text}"


def main(argv: list[str]) -> None:
    document = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    base_url = argv[1] if len(argv) > 1 else None
    try:
        import meetbit
        from meetbit.testing import FakeMeetBit
        from meetbit_api.operations import OPERATIONS
    except Exception as error:
        print(json.dumps({"imports": False, "methods": {}, "error": repr(error)}))
        return
    headers, cookies = security(document)
    methods: dict[str, dict[str, str]] = {}
    fake = FakeMeetBit()
    clients: dict[str, Any] = {"fake_sync": fake.client(max_retries=0)}
    if base_url:
        clients["prism_sync"] = meetbit.Client(
            base_url=base_url, access_key_id="real", access_key_secret="specs",  # noqa: S106 - Prism checks no key
            headers=headers, cookies=cookies, max_retries=0,
        )  # fmt: skip
    for name, operation in OPERATIONS.items():
        results = methods.setdefault(name, {})
        seed(
            fake,
            operation,
            arguments(getattr(getattr(clients["fake_sync"], operation.tag), name), operation)[0],
        )
        for step, client in clients.items():
            method = getattr(getattr(client, operation.tag), name)
            try:
                path, keywords = arguments(method, operation)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    method(*path, **keywords)
                results[step] = "ok"
            except Exception as error:
                results[step] = outcome(error)

    async def run_async() -> None:
        clients = {"fake_async": fake.async_client(max_retries=0)}
        if base_url:
            clients["prism_async"] = meetbit.AsyncClient(
                base_url=base_url, access_key_id="real", access_key_secret="specs",  # noqa: S106 - Prism checks no key
                headers=headers, cookies=cookies, max_retries=0,
            )  # fmt: skip
        for name, operation in OPERATIONS.items():
            for step, client in clients.items():
                method = getattr(getattr(client, operation.tag), name)
                try:
                    path, keywords = arguments(method, operation)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", DeprecationWarning)
                        await method(*path, **keywords)
                    methods[name][step] = "ok"
                except Exception as error:
                    methods[name][step] = outcome(error)

    asyncio.run(run_async())
    print(json.dumps({"imports": True, "methods": methods}))


if __name__ == "__main__":
    main(sys.argv[1:])
