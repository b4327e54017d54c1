"""Call every generated method once, sync and async, against Prism and the fake (real_specs.py).

Usage (inside a scratch copy whose generated/ and overlay/ are on PYTHONPATH):
    python real_specs_calls.py FIXED_SPEC.json [PRISM_BASE_URL]

Prints one JSON line: {"imports": bool, "methods": {name: {step: "ok" | what failed}}}.
A step's failure is "TRACEBACK <type>: <message>" when an exception that is not a
meetbit.MeetBitError escaped the call (what a user would see as a raw traceback).
Arguments are the required ones, each a value its schema accepts (the fake's `example`;
a pattern its candidates miss: one hypothesis draws; a model: built with from_dict). As a
test would arrange it, the fake first stores the resource each call addresses
(`add_resource` by the operation's name, else its tag, before every call: a DELETE
before it took its own); nothing is seeded for Prism, which invents every answer.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import re
import sys
import uuid
import warnings
from pathlib import Path
from typing import Any


def _schema_rules() -> Any:
    """meetbit._schema's rules as the generator loads them (by path, so an older checkout's
    package can be measured with them)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import operations

    return operations.schema_rules


_schema = _schema_rules()


def sample(schema: dict[str, Any]) -> Any:
    """A value `schema` accepts, as the method takes it (a date-time as a datetime...).

    The fake's `example` (a value the client's own checks accept); for a `pattern` its
    candidates miss, one hypothesis draws from the pattern's Python equivalent.
    """
    from meetbit.testing import example

    value = example(schema, complete=True)
    if isinstance(value, str) and "pattern" in schema and not _schema.accepts(schema, value):
        from hypothesis import strategies

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pattern = _schema.compile_pattern(schema["pattern"])
            value = strategies.from_regex(pattern, fullmatch=True).example()
    return python_value(schema, value)


def python_value(schema: dict[str, Any], value: Any) -> Any:
    """JSON `value` as a generated method takes it: RFC 3339 text as datetime/date, UUIDs."""
    if isinstance(value, list):
        return [python_value(schema.get("items", {}), item) for item in value]
    if not isinstance(value, str) or "enum" in schema:
        return value
    form = schema.get("format")
    if form in ("date-time", "date"):
        return _schema.from_text(schema, value)
    if form == "uuid":
        return uuid.UUID(value)
    return value


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
    """Store the resource the call addresses, as a test would (where the fake can tell it).

    By the operation's name (the kind it returns, or the one its path binds), else by its
    tag; a call whose resource cannot be stored shows what the fake answers without it.
    """
    for name in (operation.name, operation.tag):
        try:
            fake.add_resource(name, *path)
            return
        except (LookupError, TypeError, ValueError):
            continue


def outcome(error: BaseException) -> str:
    import meetbit

    text = " ".join(str(error).split())[:300]
    if isinstance(error, meetbit.MeetBitError):
        return f"{type(error).__name__}: {text}"
    return f"TRACEBACK {type(error).__name__}: {text}"


def clients_for(
    meetbit: Any, fake: Any, base_url: str | None, document: Any, *, sync: bool
) -> dict[str, Any]:
    """The clients one mode calls: the fake in process, and Prism when it runs."""
    mode = "sync" if sync else "async"
    clients = {
        f"fake_{mode}": fake.client(max_retries=0) if sync else fake.async_client(max_retries=0)
    }
    if base_url:
        headers, cookies = security(document)
        kind = meetbit.Client if sync else meetbit.AsyncClient
        clients[f"prism_{mode}"] = kind(
            base_url=base_url, access_key_id="real", access_key_secret="specs",  # noqa: S106 - Prism checks no key
            headers=headers, cookies=cookies, max_retries=0,
        )  # fmt: skip
    return clients


def prepared(client: Any, name: str, operation: Any) -> tuple[Any, list[Any], dict[str, Any]]:
    method = getattr(getattr(client, operation.tag), name)
    path, keywords = arguments(method, operation)
    return method, path, keywords


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
    warnings.simplefilter("ignore", DeprecationWarning)  # deprecated operations are called too
    methods: dict[str, dict[str, str]] = {name: {} for name in OPERATIONS}
    fake = FakeMeetBit()
    clients = clients_for(meetbit, fake, base_url, document, sync=True)
    for name, operation in OPERATIONS.items():
        for step, client in clients.items():
            try:
                method, path, keywords = prepared(client, name, operation)
                if step.startswith("fake"):
                    seed(fake, operation, path)
                method(*path, **keywords)
                methods[name][step] = "ok"
            except Exception as error:
                methods[name][step] = outcome(error)

    async def run_async() -> None:
        clients = clients_for(meetbit, fake, base_url, document, sync=False)
        for name, operation in OPERATIONS.items():
            for step, client in clients.items():
                try:
                    method, path, keywords = prepared(client, name, operation)
                    if step.startswith("fake"):
                        seed(fake, operation, path)
                    await method(*path, **keywords)
                    methods[name][step] = "ok"
                except Exception as error:
                    methods[name][step] = outcome(error)

    asyncio.run(run_async())
    print(json.dumps({"imports": True, "methods": methods}))


if __name__ == "__main__":
    main(sys.argv[1:])
