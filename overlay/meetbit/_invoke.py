"""What the generated resource methods need from the overlay: full checks, and parsing.

The methods (``meetbit_api.resources``) check their arguments inline and build the
generated request themselves; they come here for the precise error of a value their
inline check did not pass, and to parse a success body. `meetbit_api.operations` says
what each operation takes and answers; nothing here names one. A call fails where it
fails: bad input before anything is sent (`InvalidRequestError`), the transport and the
response hook for what came back, parsing for the body (only `MalformedResponseError`).
"""

from __future__ import annotations

import functools
import json
import sys
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from meetbit._errors import InvalidRequestError, MalformedResponseError, MeetBitError, malformed

if TYPE_CHECKING:
    from types import ModuleType

    import httpx

    from meetbit._schema import Check

# What a failed parse of a body can raise inside the generated models and json: nothing
# else runs while a body is parsed, so these mean "the body is not what the spec says".
_PARSE_FAILURES = (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)


# The operation metadata and the checks are imported here, on the first argument an inline
# check did not pass: a client that never meets one never loads them.


@functools.cache
def _full_check(operation: str, argument: str) -> tuple[bool, Check]:
    from meetbit_api.operations import OPERATIONS

    from meetbit._schema import compile_check

    for field in OPERATIONS[operation].fields:
        if field.argument == argument:
            return field.required, compile_check(field.schema, python=True)
    raise KeyError(f"{operation} takes no argument {argument}")


def check_argument(operation: str, argument: str, value: object) -> None:
    """The full check of an argument the resource method's inline check did not pass.

    Raises InvalidRequestError naming the argument, the limit and the size; returns for a
    value that is valid but beyond the inline check (a non-ASCII string, an enum member).
    """
    from meetbit_api.types import UNSET

    required, check = _full_check(operation, argument)
    if value is UNSET:
        if required:
            raise InvalidRequestError(f"{argument} is required")
        return
    check(value, argument)


def built(
    client: httpx.Client | httpx.AsyncClient,
    code: ModuleType,
    path: tuple[Any, ...],
    keywords: dict[str, Any],
) -> httpx.Request:
    """The httpx request of a generated module for these (checked) arguments; nothing is sent.

    What the checks cannot see (a value JSON cannot encode inside a free-form object, a
    model field of the wrong type) fails here, as bad input, before anything is sent.
    """
    try:
        arguments = code._get_kwargs(*path, **keywords)
    except (TypeError, ValueError, AttributeError) as error:
        raise InvalidRequestError(f"{code.__name__.rpartition('.')[2]}: {error}") from None
    url = arguments["url"]
    if "/." in url:
        arguments["url"] = _without_dot_segments(url)
    try:
        return client.build_request(**arguments)
    except (TypeError, ValueError, AttributeError) as error:
        raise InvalidRequestError(f"{code.__name__.rpartition('.')[2]}: {error}") from None


def _without_dot_segments(url: str) -> str:
    """A path value "." or ".." as one segment (%2E, %2E%2E), not a step up the path.

    The generated code percent-encodes each path value (a "/" cannot split it), but "." and
    ".." stay as they are, and URL normalisation would resolve them away: DELETE
    /calendars/work/events/.. would become DELETE /calendars/work. The path templates have
    no dot segments of their own, so every one is a value.
    """
    path, mark, query = url.partition("?")
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if segment in (".", ".."):
            segments[index] = segment.replace(".", "%2E")
    return "/".join(segments) + mark + query


def parsed(code: ModuleType, client: Any, response: httpx.Response, unwrap: str | None) -> Any:
    """The generated module's parsed success body, or its `unwrap` field ("data")."""
    body = parsed_any(code, client, response)
    return body if unwrap is None or body is None else getattr(body, unwrap)


def _where(response: httpx.Response) -> str:
    return f"{response.request.method} {response.request.url.path}"


def _malformed(where: str, error: BaseException, response: httpx.Response) -> MeetBitError:
    from meetbit_api.errors import ResponseShapeError

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
    from meetbit_api.operations import OPERATIONS

    operation = OPERATIONS[name]
    path = [f.argument for f in operation.fields if f.location == "path"]
    others = [f.argument for f in operation.fields if f.location != "path" and f.required]
    new = f"client.{operation.tag}.{name}"

    def call(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"client.{name}() is deprecated and will be removed in 1.0: use {new}() "
            f"(path parameters positional, the rest as keywords)",
            DeprecationWarning,
            stacklevel=2,
        )
        if len(args) > len(path) + len(others):
            raise TypeError(f"{name}() takes {len(path) + len(others)} positional arguments")
        kwargs.update(zip(others, args[len(path) :], strict=False))
        return getattr(getattr(client, operation.tag), name)(*args[: len(path)], **kwargs)

    call.__name__ = name
    call.__doc__ = f"Deprecated: use {new}()."
    return call


def request_for(function: Callable[..., Any], arguments: Mapping[str, Any]) -> tuple[Any, Any]:
    """For `call()`: the generated module of `function`, and its request for these arguments."""
    module = sys.modules[function.__module__]
    try:
        request = module._get_kwargs(**arguments)
    except TypeError as error:
        raise InvalidRequestError(f"{module.__name__}: {error}") from None
    if "/." in request["url"]:
        request["url"] = _without_dot_segments(request["url"])
    return module, request


def parsed_any(module: ModuleType, client: Any, response: httpx.Response) -> Any:
    """The generated module's parsed success body (the whole envelope), or the MeetBitError."""
    try:
        parsed = module._parse_response(client=client, response=response)
    except Exception as error:
        # Imported on failure only: the generated errors stay unloaded on the success path.
        from meetbit_api.errors import UnexpectedStatus

        if isinstance(error, UnexpectedStatus):
            parsed = None
        elif isinstance(error, _PARSE_FAILURES):
            raise _malformed(_where(response), error, response) from error
        else:
            raise
    # None is also what the generated code answers for a status the spec does not document;
    # a documented success without a body (204, 205, an empty 200) is a None to return.
    if parsed is None and not _documented(module.__name__, response.status_code):
        raise MalformedResponseError(
            f"{_where(response)}: status {response.status_code} is not one the API documents",
            response,
        )
    return parsed


@functools.cache
def _statuses(module: str) -> frozenset[str]:
    from meetbit_api.operations import OPERATIONS

    for operation in OPERATIONS.values():
        if operation.module == module:
            return frozenset(operation.responses)
    return frozenset()


def _documented(module: str, status: int) -> bool:
    documented = _statuses(module)
    return str(status) in documented or f"{status // 100}XX" in documented
