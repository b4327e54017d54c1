"""From parsed flags to a call: values checked against the spec, then given to the client.

Flags give JSON-shaped values (a str, an int, a dict from `--reminder '{"minutes": 10}'`);
the generated code wants a model where the spec has an object. Which model comes from the
generated function's and body model's annotations, so no operation is named here, and the
dict becomes one through the model's own generated `from_dict`.
"""

from __future__ import annotations

import importlib
import typing
from typing import TYPE_CHECKING, Any

from meetbit._errors import InvalidRequestError

if TYPE_CHECKING:
    import argparse

    from meetbit_api.operations import Field, Operation

    from meetbit._client import Client


def values(arguments: argparse.Namespace, flags: dict[str, Field]) -> list[tuple[str, Field, Any]]:
    """The fields given, in the operation's order, checked against the spec's limits."""
    from meetbit._schema import compile_check

    given: list[tuple[str, Field, Any]] = []
    for flag, item in flags.items():
        dest = f"field:{flag}"
        if hasattr(arguments, dest):
            value = getattr(arguments, dest)
            compile_check(item.schema, python=True)(value, f"--{flag}")
            given.append((flag, item, value))
    return given


def invoke(client: Client, operation: Operation, given: list[tuple[str, Field, Any]]) -> Any:
    """Call `client.<tag>.<operation>(path..., **others)` with the flags' values."""
    typed = [(item, _as_models(operation, flag, item, value)) for flag, item, value in given]
    method = getattr(getattr(client, operation.tag), operation.name)
    path = [value for item, value in typed if item.location == "path"]
    keywords = {item.argument: value for item, value in typed if item.location != "path"}
    return method(*path, **keywords)


def _annotations(operation: Operation, location: str) -> dict[str, Any]:
    """The types of an operation's parameters (`location` "path"/"query") or body fields."""
    models = importlib.import_module("meetbit_api.models")
    if location == "body":
        if operation.body_model is None:
            return {}
        owner: Any = getattr(models, operation.body_model)
    else:
        owner = importlib.import_module(operation.module).sync_detailed
    # The generated modules import the models they only annotate with under TYPE_CHECKING:
    # resolve those names in the models package.
    return typing.get_type_hints(owner, localns=vars(models))


def _as_models(operation: Operation, flag: str, item: Field, value: Any) -> Any:
    hint = _annotations(operation, "body" if item.location == "body" else "query").get(
        item.python_name
    )
    try:
        return _as_type(hint, value)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise InvalidRequestError(f"--{flag}: {error}") from None


def _as_type(hint: Any, value: Any) -> Any:
    if value is None:
        return value
    # Raw enum values need nothing here: the client converts them for the generated code.
    for kind in typing.get_args(hint) or (hint,):
        if isinstance(value, dict) and hasattr(kind, "from_dict"):
            return kind.from_dict(value)
        if isinstance(value, list) and typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            return [_as_type(item, element) for element in value]
    return value
