"""Every operation of the spec through meetbit.Client and AsyncClient, as a JSON report.

Like exercise_operations.py (the fake and the CLI), importable and runnable as a script,
so a test can run it against a package generated from another spec; nothing here names an
operation. Per operation it checks: a typed sync method and an awaitable async one, each
limit enforced before sending, a 429 retried, 404 and 500 as typed errors, and a success
body with a field of the wrong type refused as MalformedResponseError naming its path.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
from typing import Any

import httpx
import meetbit
from exercise_operations import Exercise, invalid_value
from meetbit._retry import IDEMPOTENT_METHODS
from meetbit._schema import from_text
from meetbit_api.operations import OPERATIONS, Field, Operation


def python_value(field: Field, wire: Any) -> Any:
    """The value a caller passes for a wire value: date-times as datetime objects."""
    if isinstance(wire, str) and field.schema.get("format") in ("date-time", "date"):
        return from_text(field.schema, wire)  # RFC 3339, as meetbit._schema reads it
    return wire


def corrupt(body: Any) -> tuple[Any, str] | None:
    """The body with its first integer field turned into a string, and that field's path."""
    if isinstance(body, dict):
        for key, value in body.items():
            if type(value) is int:
                return {**body, key: str(value)}, key
            found = corrupt(value)
            if found is not None:
                joiner = "" if found[1].startswith("[") else "."
                return {**body, key: found[0]}, f"{key}{joiner}{found[1]}"
    if isinstance(body, list) and body:
        found = corrupt(body[0])
        if found is not None:
            joiner = "" if found[1].startswith("[") else "."
            return [found[0], *body[1:]], f"[0]{joiner}{found[1]}"
    return None


class ClientExercise(Exercise):
    def arguments(self, operation: Operation) -> dict[str, Any]:
        values = self.values(operation)  # stores the resource the path names
        return {
            f.argument: python_value(f, v) for f, v in zip(operation.fields, values, strict=True)
        }

    def client(self, **settings: Any) -> meetbit.Client:
        return self.fake.client(**settings)

    def call(self, client: Any, operation: Operation, arguments: dict[str, Any]) -> Any:
        path = [arguments[f.argument] for f in operation.fields if f.location == "path"]
        rest = {k: v for k, v in arguments.items() if k not in {
            f.argument for f in operation.fields if f.location == "path"}}  # fmt: skip
        return getattr(getattr(client, operation.tag), operation.name)(*path, **rest)

    def report(self, operation: Operation, base_url: str = "") -> dict[str, Any]:
        arguments = self.arguments(operation)
        result: dict[str, Any] = {}
        with self.client() as client:
            method = getattr(getattr(client, operation.tag), operation.name)
            result["sync_typed"] = inspect.signature(method).return_annotation not in (
                inspect.Signature.empty,
                "Any",
            )
            answer = self.call(client, operation, arguments)
            result["answer_type"] = type(answer).__name__

            before = len(self.fake.requests)
            self.fake.fail_next(429, retry_after=0, operation=operation.name)
            self.call(client, operation, arguments)
            result["retried_429"] = len(self.fake.requests) - before

            errors = {}
            for status in (404, 500):
                # An idempotent request retries a 500 max_retries (2) times before giving up.
                times = 3 if status == 500 and operation.method in IDEMPOTENT_METHODS else 1
                self.fake.fail_next(
                    status, f"scripted {status}", operation=operation.name, times=times
                )
                try:
                    self.call(client, operation, arguments)
                    errors[str(status)] = None
                except meetbit.ApiError as error:
                    errors[str(status)] = [type(error).__name__, error.message]
            result["errors"] = errors

            violations = {}
            for field in operation.fields:
                bad = invalid_value(field.schema)
                if bad is None:
                    continue
                before = len(self.fake.requests)
                try:
                    self.call(client, operation, {**arguments, field.argument: bad})
                    violations[field.argument] = ["accepted", len(self.fake.requests) - before]
                except meetbit.InvalidRequestError as error:
                    violations[field.argument] = [str(error), len(self.fake.requests) - before]
            result["violations"] = violations

        result["strict"] = self.strict(operation, arguments)
        result["async"] = asyncio.run(self.async_call(operation, arguments))
        return result

    def strict(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        def handler(request: httpx.Request) -> httpx.Response:
            answer = self.fake.handle(request)
            corrupted = corrupt(answer.json())
            assert corrupted is not None, "no integer field to corrupt"
            self.corrupted_path = corrupted[1]
            return httpx.Response(answer.status_code, json=corrupted[0])

        with meetbit.Client(
            base_url="https://fake.meetbit.test/api/public/v2.0",
            access_key_id=self.fake.access_key_id,
            access_key_secret=self.fake.access_key_secret,
            transport=httpx.MockTransport(handler),
        ) as client:
            try:
                self.call(client, operation, arguments)
            except meetbit.MalformedResponseError as error:
                return [self.corrupted_path, str(error)]
        return None

    async def async_call(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        async with self.fake.async_client() as client:
            method = getattr(getattr(client, operation.tag), operation.name)
            awaitable = self.call(client, operation, arguments)
            is_coroutine = inspect.iscoroutinefunction(method)
            answer = await awaitable
            return [is_coroutine, type(answer).__name__]


def exercise_client() -> dict[str, dict[str, Any]]:
    ours = ClientExercise()
    return {name: ours.report(operation) for name, operation in OPERATIONS.items()}


if __name__ == "__main__":
    json.dump(exercise_client(), sys.stdout, indent=1, default=str)
