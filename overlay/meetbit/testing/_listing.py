"""Listing: which stored resources a list operation's query selects, and Laravel's pages.

Filters are read from the spec, never from a list of names: a query parameter is applied
when it names a property of the listed resource (`?x=v`, or `filter[x]=v` as
spatie/laravel-query-builder spells it: equal, or any of a list), or when it is an enum
whose members name states of the resource: a member `m` with nullable properties named
`m_*` selects the resources where one of them is set (`status=canceled` with
`canceled_at`/`canceled_by_id`), and a member naming none selects those in none of the
other members' states. Any other parameter is validated, not applied.

Pages are Laravel's paginator: `page` (from 1) and `per_page` (the parameter's default,
else Laravel's 15); a page past the last is empty.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from meetbit._schema import allows_null, merged

from ._routes import Route

# Framework vocabulary (Laravel's), not the spec's: the paginator's query parameters.
PAGE, PER_PAGE, LARAVEL_PER_PAGE = "page", "per_page", 15
_FILTER = re.compile(r"filter\[([^\]]+)\]")

Test = Callable[[Mapping[str, Any], Any], bool]


def filters(route: Route) -> dict[str, Test]:
    """The query parameters of a listing route that select resources, with their tests."""
    item = route.item or {}
    properties = {name: merged(sub) for name, sub in item.get("properties", {}).items()}
    tests: dict[str, Test] = {}
    for field in route.operation.fields:
        if field.location != "query" or field.name in (PAGE, PER_PAGE):
            continue
        spelled = _FILTER.fullmatch(field.name)
        name = spelled[1] if spelled else field.name
        if name in properties:
            tests[field.name] = _equal(name)
        elif field.schema.get("enum"):
            states = _states(field.schema["enum"], properties)
            if states:
                tests[field.name] = _in_state(states)
    return tests


def _equal(name: str) -> Test:
    def test(resource: Mapping[str, Any], wanted: Any) -> bool:
        value = resource.get(name)
        # True == 1 in Python; a boolean matches only a boolean.
        return any(
            value == one and isinstance(value, bool) == isinstance(one, bool)
            for one in (wanted if isinstance(wanted, list) else [wanted])
        )

    return test


def _states(members: Sequence[Any], properties: Mapping[str, Any]) -> dict[Any, list[str]]:
    """For each member, the nullable properties whose names say the resource is in it."""
    states = {
        member: [
            name
            for name, schema in properties.items()
            if isinstance(member, str) and name.startswith(f"{member}_") and allows_null(schema)
        ]
        for member in members
    }
    return states if any(states.values()) else {}


def _in_state(states: dict[Any, list[str]]) -> Test:
    def state_of(resource: Mapping[str, Any], member: Any) -> bool:
        names = states.get(member, [])
        if names:
            return any(resource.get(name) is not None for name in names)
        return not any(state_of(resource, other) for other in states if states[other])

    def test(resource: Mapping[str, Any], wanted: Any) -> bool:
        members = wanted if isinstance(wanted, list) else [wanted]
        return any(state_of(resource, member) for member in members)

    return test


@dataclass(frozen=True)
class Page:
    """One page of a listing, with what Laravel's paginator says about it."""

    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def last(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int | None:
        return (self.number - 1) * self.per_page + 1 if self.items else None

    @property
    def last_index(self) -> int | None:
        first = self.first_index
        return None if first is None else first + len(self.items) - 1


def paged(route: Route) -> bool:
    """Whether the operation pages: it takes `page`/`per_page`, or answers a paginator."""
    names = {f.name for f in route.operation.fields if f.location == "query"}
    schema = route.success or {}
    return bool({PAGE, PER_PAGE} & names) or any(
        name != route.payload_key and name in _PAGINATOR_WORDS
        for name in _names_beside(schema, route.payload_key)
    )


def page(route: Route, found: list[Any], query: Mapping[str, Any]) -> Page:
    if not paged(route):
        return Page(found, 1, max(1, len(found)), len(found))
    default = next(
        (
            f.schema.get("default")
            for f in route.operation.fields
            if f.location == "query" and f.name == PER_PAGE
        ),
        None,
    )
    per_page = max(
        1, query.get(PER_PAGE) or (default if type(default) is int else LARAVEL_PER_PAGE)
    )
    number = max(1, query.get(PAGE, 1))
    return Page(found[(number - 1) * per_page : number * per_page], number, per_page, len(found))


# The names Laravel's paginators and resource collections put beside `data`.
_PAGINATOR_WORDS = frozenset(
    {"meta", "links", "current_page", "last_page", "per_page", "total", "next_page_url"}
)


def _names_beside(schema: Mapping[str, Any], payload_key: str | None) -> list[str]:
    names = []
    for name, sub in schema.get("properties", {}).items():
        if name == payload_key:
            continue
        names.append(name)
        names += list(merged(sub).get("properties", {}))
    return names
