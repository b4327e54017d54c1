"""Every operation of the spec against the fake and through the CLI, as a JSON report.

Importable (the tests call `exercise()` on the installed spec) and runnable as a script
(`python tests/exercise_operations.py`), so a test can run it in a subprocess whose
PYTHONPATH puts a package generated from another spec first. Nothing here names an
operation: a spec with more operations is covered with no edit.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

import httpx
import meetbit
from meetbit._cli import main
from meetbit._cli.parser import flags
from meetbit._schema import bounds, compile_check, integer_range
from meetbit.testing import FakeMeetBit, example
from meetbit_api.operations import OPERATIONS, Operation


def kebab(name: str) -> str:
    """A spec name as the CLI spells it: `eventTypeId` and `event_type_id` -> `event-type-id`."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name)
    return re.sub(r"[^0-9A-Za-z]+", "-", words).strip("-").lower()


def flag_text(value: Any) -> str:
    if value is None:
        return "null"  # the CLI's spelling of JSON null
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def invalid_value(schema: Mapping[str, Any]) -> Any:
    """A value that breaks one of the schema's limits, or None if it has none we can break."""
    if "enum" in schema:
        return "not-a-member" if schema.get("type") == "string" else 987654
    minimum, _, maximum, _ = bounds(schema)  # as meetbit._schema reads them (3.0 and 3.1)
    if schema.get("type") == "integer" and (minimum, maximum) != (None, None):
        low, high = integer_range(schema)
        return low - 1 if minimum is not None else high + 1
    if schema.get("type") == "string" and "maxLength" in schema:
        return "x" * (schema["maxLength"] + 1)
    if schema.get("type") == "string" and schema.get("minLength", 0) > 0:
        return ""
    return None


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv, stdin=io.StringIO())
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


class Exercise:
    def __init__(self) -> None:
        self.fake = FakeMeetBit()
        self.headers = {
            "X-Access-Key-Id": self.fake.access_key_id,
            "X-Access-Key-Secret": self.fake.access_key_secret,
        }

    def values(self, operation: Operation) -> list[Any]:
        """A valid wire value for every field, with the resource its path names stored."""
        values = [example(f.schema, complete=True) for f in operation.fields]
        self.store(operation, values)
        return values

    def store(self, operation: Operation, values: list[Any]) -> None:
        """Store the resource the operation's path names (again, after a DELETE took it)."""
        path = {
            f.name: v for f, v in zip(operation.fields, values, strict=True) if f.location == "path"
        }
        with contextlib.suppress(LookupError):  # an operation that returns no resource
            key = [path.get(name, 1) for name in self.fake.key_of(operation.name)]
            self.fake.add_resource(operation.name, *key)

    def send(self, operation: Operation, values: list[Any]) -> httpx.Response:
        path = operation.path
        pairs = list(zip(operation.fields, values, strict=True))
        for item, value in pairs:
            if item.location == "path":
                path = path.replace("{" + item.name + "}", str(value))
        query = {f.name: flag_text(v) for f, v in pairs if f.location == "query"}
        headers = {f.name: flag_text(v) for f, v in pairs if f.location == "header"}
        cookies = {f.name: flag_text(v) for f, v in pairs if f.location == "cookie"}
        body: Any = {f.name: v for f, v in pairs if f.location == "body"}
        has_body = operation.body_model is not None or bool(body)
        for item, value in pairs:
            if item.location == "payload":  # the whole body
                body, has_body = value, True
        with httpx.Client(
            transport=self.fake.transport(), base_url="http://fake", cookies=cookies
        ) as raw:
            return raw.request(
                operation.method,
                "/api/public/v2.0" + path,
                params=query,
                json=body if has_body else None,
                headers={**self.headers, **headers},
            )

    def argv(self, operation: Operation, values: list[Any], base_url: str) -> list[str]:
        argv = [kebab(operation.tag), kebab(operation.name)]
        flag_of = {id(item): flag for flag, item in flags(operation).items()}
        for item, value in zip(operation.fields, values, strict=True):
            for one in value if isinstance(value, list) else [value]:
                argv += [f"--{flag_of[id(item)]}", flag_text(one)]
        return [*argv, "--base-url", base_url, "--json"]

    def report(self, operation: Operation, base_url: str) -> dict[str, Any]:
        values = self.values(operation)
        response = self.send(operation, values)
        success = operation.responses.get(str(operation.success_status))
        problem = None
        if success is not None and success.schema and response.content:
            try:
                compile_check(success.schema, python=False)(response.json(), "answer")
            except meetbit.InvalidRequestError as error:  # reported: the test fails on it
                problem = str(error)
        scripted = []
        for status in (404, 429, 500):
            self.fake.fail_next(status, f"scripted {status}", operation=operation.name)
            scripted.append(self.send(operation, values).status_code)
        self.store(operation, values)
        sent = len(self.fake.requests)
        code, out, err = run_cli(self.argv(operation, values, base_url))
        violations = {}
        for index, item in enumerate(operation.fields):
            bad = invalid_value(item.schema)
            if bad is None:
                continue
            broken = [*values[:index], bad, *values[index + 1 :]]
            raw = self.send(operation, broken)
            before = len(self.fake.requests)
            cli_code, _, cli_err = run_cli(self.argv(operation, broken, base_url))
            violations[item.name] = {
                "fake": raw.status_code,
                "fake_says": raw.text,
                "cli": cli_code,
                "cli_says": cli_err,
                "cli_sent": len(self.fake.requests) - before,
            }
        return {
            "status": response.status_code,
            "expected": operation.success_status,
            "schema_problem": problem,
            "scripted": scripted,
            "cli": code,
            "cli_out": json.loads(out) if code == 0 and out.strip() else out,
            "cli_err": err,
            "cli_sent": len(self.fake.requests) - sent,
            "recorded_operation": self.fake.requests[-1].operation,
            "violations": violations,
        }


def exercise(operations: Mapping[str, Operation] = OPERATIONS) -> dict[str, dict[str, Any]]:
    """A report per operation: the fake's answer, scripted failures, the CLI, each violation."""
    ours = Exercise()
    saved = {
        name: os.environ.get(name)
        for name in ("MEETBIT_ACCESS_KEY_ID", "MEETBIT_ACCESS_KEY_SECRET")
    }
    os.environ["MEETBIT_ACCESS_KEY_ID"] = ours.fake.access_key_id
    os.environ["MEETBIT_ACCESS_KEY_SECRET"] = ours.fake.access_key_secret
    try:
        with ours.fake.serve() as base_url:
            return {name: ours.report(op, base_url) for name, op in operations.items()}
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


if __name__ == "__main__":
    json.dump(exercise(), sys.stdout, indent=1, default=str)
