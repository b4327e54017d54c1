"""Running an operation: check its arguments against the spec, call the generated code, parse.

`meetbit_api.operations` says what each operation takes and answers; nothing here names
one. A call is split where failures differ: building the request (bad input: nothing is
sent), sending it (the transport and the response hook raise the MeetBitError of what came
back), and parsing a success body (only failures there are `MalformedResponseError`).
"""

from __future__ import annotations

import contextlib
import enum
import functools
import importlib
import json
import sys
import typing
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from meetbit_api.errors import ResponseShapeError
from meetbit_api.operations import OPERATIONS, Operation
from meetbit_api.types import UNSET

from meetbit._checks import Check, compile_check
from meetbit._errors import InvalidRequestError, MalformedResponseError, MeetBitError, malformed

if TYPE_CHECKING:
    from types import ModuleType

    import httpx

# What a failed parse of a body can raise inside the generated models and json: nothing
# else runs while a body is parsed, so these mean "the body is not what the spec says".
_PARSE_FAILURES = (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)


@dataclass(frozen=True)
class _Plan:
    """How `_invoke` runs one operation: its generated module, body model and compiled checks."""

    operation: Operation
    module: ModuleType
    body_model: Callable[..., Any] | None
    checks: tuple[tuple[str, bool, Check], ...]
    path: tuple[str, ...]
    query: tuple[tuple[str, str], ...]
    body: tuple[tuple[str, str], ...]
    enums: Mapping[str, type[enum.Enum]]
    """Arguments the generated code takes as enum members; a raw value is converted."""


def _enum_arguments(operation: Operation, *functions: Any) -> dict[str, type[enum.Enum]]:
    """Which arguments the generated function or body model annotate with an enum class."""
    hints: dict[str, Any] = {}
    models = vars(importlib.import_module("meetbit_api.models"))  # names models import lazily
    for function in functions:
        if function is not None:
            with contextlib.suppress(Exception):  # an unresolvable hint: no conversion
                hints.update(typing.get_type_hints(function, localns=models))
    found = {}
    for field in operation.fields:
        hint = hints.get(field.python_name)
        for candidate in typing.get_args(hint) or (hint,):
            if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
                found[field.argument] = candidate
    return found


@functools.cache
def plan_for(name: str) -> _Plan:
    # Built on first use, not with `import meetbit`: the models are most of the import
    # time of the generated package.
    operation = OPERATIONS[name]
    module = importlib.import_module(operation.module)
    body_model = None
    if operation.body_model is not None:
        body_model = getattr(importlib.import_module("meetbit_api.models"), operation.body_model)
    fields = operation.fields
    return _Plan(
        operation,
        module,
        body_model,
        tuple((f.argument, f.required, compile_check(f.schema, python=True)) for f in fields),
        tuple(f.argument for f in fields if f.location == "path"),
        tuple((f.argument, f.python_name) for f in fields if f.location == "query"),
        tuple((f.argument, f.python_name) for f in fields if f.location == "body"),
        _enum_arguments(operation, module._get_kwargs, body_model),
    )


def build_request(plan: _Plan, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Check the arguments against the spec and build the generated request; nothing is sent."""
    for argument, required, check in plan.checks:
        value = arguments.get(argument, UNSET)
        if value is UNSET:
            if required:
                raise InvalidRequestError(f"{argument} is required")
            continue
        check(value, argument)
        kind = plan.enums.get(argument)
        if kind is not None and not isinstance(value, kind) and value is not None:
            arguments = {**arguments, argument: kind(value)}  # checked: a listed value
    keywords = {name: arguments[argument] for argument, name in plan.query if argument in arguments}
    if plan.body_model is not None:
        keywords["body"] = plan.body_model(
            **{name: arguments[argument] for argument, name in plan.body if argument in arguments}
        )
    try:
        request: dict[str, Any] = plan.module._get_kwargs(
            *[arguments[argument] for argument in plan.path], **keywords
        )
    except (TypeError, ValueError) as error:  # a value the checks let through but JSON cannot take
        raise InvalidRequestError(f"{plan.operation.name}: {error}") from None
    return request


def parsed(plan: _Plan, client: Any, response: httpx.Response) -> Any:
    body = parsed_any(plan.module, client, response)
    return body if plan.operation.unwrap is None else getattr(body, plan.operation.unwrap)


def _where(response: httpx.Response) -> str:
    return f"{response.request.method} {response.request.url.path}"


def _malformed(where: str, error: BaseException, response: httpx.Response) -> MeetBitError:
    if isinstance(error, json.JSONDecodeError):
        problem = f"the body is not JSON ({error.msg} at line {error.lineno} column {error.colno})"
    elif isinstance(error, RecursionError):
        problem = "the body is nested too deeply to parse"
    elif isinstance(error, ResponseShapeError):
        problem = str(error)  # the field's path and what is wrong; never the value
    else:
        problem = f"{type(error).__name__}: {error}"
    return malformed(where, problem, response)


def deprecated(client: Any, name: str) -> Callable[..., Any]:
    """The 0.1 method `client.<operation>(path..., other...)`, resolved from the metadata."""
    operation = OPERATIONS[name]
    path = [f.argument for f in operation.fields if f.location == "path"]
    others = [f.argument for f in operation.fields if f.location != "path" and f.required]
    positional = path + others
    new = f"client.{operation.tag}.{name}"

    def call(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"client.{name}() is deprecated and will be removed in 1.0: use {new}() "
            f"(path parameters positional, the rest as keywords)",
            DeprecationWarning,
            stacklevel=2,
        )
        if len(args) > len(positional):
            raise TypeError(f"{name}() takes {len(positional)} positional arguments")
        return client._invoke(name, **dict(zip(positional, args, strict=False)), **kwargs)

    call.__name__ = name
    call.__doc__ = f"Deprecated: use {new}()."
    return call


def request_for(function: Callable[..., Any], arguments: Mapping[str, Any]) -> tuple[Any, Any]:
    """For `call()`: the generated module of `function`, and its request for these arguments."""
    module = sys.modules[function.__module__]
    try:
        return module, module._get_kwargs(**arguments)
    except TypeError as error:
        raise InvalidRequestError(f"{module.__name__}: {error}") from None


def parsed_any(module: ModuleType, client: Any, response: httpx.Response) -> Any:
    """The generated module's parsed success body (the whole envelope), or the MeetBitError."""
    try:
        parsed = module._parse_response(client=client, response=response)
    except _PARSE_FAILURES as error:
        raise _malformed(_where(response), error, response) from error
    if parsed is None or isinstance(parsed, str):
        raise MalformedResponseError(
            f"{_where(response)}: status {response.status_code} is not one the API documents",
            response,
        )
    return parsed
