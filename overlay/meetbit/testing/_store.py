"""The resource store: which objects the spec's operations return, kept by their keys.

A payload that is an object is a resource kind, known by its set of properties. Its key
is the path parameters of the operations that address one (the longest such path, in
path order; the last is its own id). A kind that no path addresses one of is keyed by the
listing's path parameters and its `id` (Eloquent's key); a kind no path or list reaches
is a singleton (key `()`), made on first use. A tag's kind is the one most of its
operations return; every operation's own kind is reachable by the operation's name.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from meetbit._errors import InvalidRequestError
from meetbit._schema import compile_check, merged

from ._examples import example, fits, realistic, timestamp
from ._routes import Invalid, Route

# Framework vocabulary (Laravel's), not the spec's: Eloquent's key and the timestamp a
# write touches.
OWN_ID = "id"
UPDATED_AT = "updated_at"


@dataclass
class Kind:
    """A resource kind: the objects with one set of properties, and where they are stored."""

    schema: Mapping[str, Any]
    tag: str
    key: tuple[str, ...] = ()
    """The path parameters addressing one resource, in path order; the last is its own id."""
    key_schemas: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    listings: set[str] = field(default_factory=set)
    """The paths that list this kind (a POST there creates one, as Laravel's `store`)."""
    stored: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)

    @property
    def own(self) -> str | None:
        """The property the resource's own id is stored in, if the schema has one."""
        properties = self.schema.get("properties", {})
        if self.key and self.key[-1] in properties:
            return self.key[-1]
        return OWN_ID if OWN_ID in properties else None


def _properties(schema: Mapping[str, Any] | None) -> frozenset[str] | None:
    if not schema or schema.get("type", "object") != "object" or not schema.get("properties"):
        return None
    return frozenset(schema["properties"])


class Store:
    """The kinds the routes return, and the resources stored of each."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self.kinds: dict[frozenset[str], Kind] = {}
        self.by_operation: dict[str, Kind] = {}
        self.by_tag: dict[str, Kind] = {}
        self._learn(routes)

    def _learn(self, routes: Sequence[Route]) -> None:
        for route in routes:
            properties = _properties(route.item)
            if properties is None or route.item is None:
                continue
            operation = route.operation
            kind = self.kinds.setdefault(properties, Kind(schema=route.item, tag=operation.tag))
            self.by_operation[operation.name] = kind
            if route.listing:
                kind.listings.add(operation.path)
        self._unify(routes)
        self._key(routes)
        votes: dict[str, list[Kind]] = {}
        for route in routes:
            if route.operation.name in self.by_operation:
                votes.setdefault(route.operation.tag, []).append(
                    self.by_operation[route.operation.name]
                )
        for tag, kinds in votes.items():
            self.by_tag[tag] = max(kinds, key=lambda kind: sum(k is kind for k in kinds))

    def _unify(self, routes: Sequence[Route]) -> None:
        """One kind for a collection and its members (`/x` lists, `/x/{id}` shows one).

        Laravel's resource routes often show more of a member than the list does (counts,
        relations); where one property set holds the other, they are one resource, kept
        with the larger schema.
        """
        for listing in (route for route in routes if route.listing):
            listed = self.by_operation.get(listing.operation.name)
            for member in routes:
                shown = self.by_operation.get(member.operation.name)
                rest = member.operation.path.removeprefix(listing.operation.path + "/")
                one_more = rest != member.operation.path and re.fullmatch(r"\{[^}/]+\}", rest)
                if listed is None or shown is None or shown is listed or not one_more:
                    continue
                small, large = sorted((listed, shown), key=lambda k: len(k.schema["properties"]))
                if set(small.schema["properties"]) <= set(large.schema["properties"]):
                    large.listings |= small.listings
                    for name, kind in list(self.by_operation.items()):
                        if kind is small:
                            self.by_operation[name] = large
                    for properties, kind in list(self.kinds.items()):
                        if kind is small:
                            self.kinds[properties] = large
                    listed = self.by_operation[listing.operation.name]

    def _key(self, routes: Sequence[Route]) -> None:
        for route in routes:
            addressed = self.by_operation.get(route.operation.name)
            if addressed is None or route.listing or self.creates(route, addressed):
                continue
            if len(route.path_fields) > len(addressed.key):
                addressed.key = tuple(f.name for f in route.path_fields)
                addressed.key_schemas = {f.name: f.schema for f in route.path_fields}
        for route in routes:
            listed = self.by_operation.get(route.operation.name)
            if listed is not None and route.listing and not listed.key:
                listed.key = (*(f.name for f in route.path_fields), OWN_ID)
                listed.key_schemas = {f.name: f.schema for f in route.path_fields}
                listed.key_schemas[OWN_ID] = listed.schema["properties"].get(OWN_ID, {})

    @staticmethod
    def creates(route: Route, kind: Kind) -> bool:
        """A POST where the kind is listed, or whose path lacks the kind's own id."""
        if route.operation.method != "POST":
            return False
        if route.operation.path in kind.listings:
            return True
        names = {f.name for f in route.path_fields}
        return bool(kind.key) and kind.key[-1] not in names

    def kind(self, name: str) -> Kind:
        """The kind an operation returns, or a tag's (the one most of its operations return)."""
        by_operation, by_tag = self.by_operation.get(name), self.by_tag.get(name)
        if by_operation is not None and by_tag is not None and by_operation is not by_tag:
            raise LookupError(f"{name!r} is both an operation and a tag of another resource")
        found = by_operation or by_tag
        if found is None:
            known = ", ".join(sorted({*self.by_operation, *self.by_tag}))
            raise LookupError(
                f"no operation of the spec returns {name!r} resources; known: {known}"
            )
        return found

    # --- arranging ----------------------------------------------------------------------------

    def add(
        self, name: str, kind: Kind, key: Sequence[Any], fields: dict[str, Any], *, check: bool
    ) -> dict[str, Any]:
        values = list(key)
        for part in kind.key[len(values) :]:
            if part not in fields:
                raise TypeError(f"add_resource({name!r}) needs {', '.join(kind.key)}")
            values.append(fields.pop(part))
        if len(values) != len(kind.key):
            raise TypeError(f"add_resource({name!r}) takes {len(kind.key)} key values")
        resource = {**self.new(kind, tuple(values)), **fields}
        if check:
            self._check(name, kind, tuple(values), resource)
        kind.stored[tuple(values)] = resource
        return copy.deepcopy(resource)

    @staticmethod
    def _check(name: str, kind: Kind, key: tuple[Any, ...], resource: dict[str, Any]) -> None:
        """Refuse what MeetBit could never send: the spec's schema, and no unknown names."""
        hint = " (fake.unchecked() stores it anyway, for tests of malformed answers)"
        for part, value in zip(kind.key, key, strict=True):
            if not fits(kind.key_schemas.get(part, {}), value):
                raise ValueError(f"add_resource({name!r}): {part}={value!r} is no valid {part}")
        properties = kind.schema.get("properties", {})
        if "additionalProperties" not in kind.schema:
            unknown = sorted(set(resource) - set(properties))
            if unknown:
                raise ValueError(
                    f"add_resource({name!r}): {', '.join(unknown)} is not a field of the "
                    f"resource; it has: {', '.join(properties)}{hint}"
                )
        try:
            compile_check(kind.schema, python=False)(resource, name)
        except InvalidRequestError as error:
            raise ValueError(f"add_resource({name!r}): {error}{hint}") from None

    def new(self, kind: Kind, key: tuple[Any, ...]) -> dict[str, Any]:
        """A complete resource of `kind` with realistic values and its key stored in it."""
        named = dict(zip(kind.key, key, strict=True))
        own = kind.own
        if own is not None and key:
            named[own] = key[-1]
        resource = realistic(kind.schema, named)
        if not isinstance(resource, dict):
            return {}
        # Plain text says which resource it is ("Title 345"), where the schema allows it.
        for name, schema in kind.schema.get("properties", {}).items():
            schema = merged(schema)
            plain = schema.get("type") == "string" and not {"format", "enum"} & set(schema)
            text = f"{name.replace('_', ' ').capitalize()} {key[-1] if key else 1}"
            if plain and isinstance(resource.get(name), str) and fits(schema, text):
                resource[name] = text
        return resource

    # --- answering ----------------------------------------------------------------------------

    def find(self, kind: Kind, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        if not kind.key:
            return () if () in kind.stored else None
        if kind.key[-1] not in params:
            return None  # a path without the resource's own id addresses no one resource
        wanted = [(i, params[name]) for i, name in enumerate(kind.key) if name in params]
        return next(
            (key for key in kind.stored if all(key[i] == value for i, value in wanted)), None
        )

    def one(self, route: Route, kind: Kind, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The key of the resource `route` addresses, made when it creates one; 404 if none."""
        key = self.find(kind, params)
        if key is None and not kind.key:
            key = ()
        elif key is None and self.creates(route, kind):
            own = self._next_id(kind)
            key = (*(params.get(name) for name in kind.key[:-1]), own)
        if key is None:
            raise Invalid(404, "unknown resource")
        if key not in kind.stored:
            kind.stored[key] = self.new(kind, key)
        return key

    @staticmethod
    def _next_id(kind: Kind) -> Any:
        number = 1 + max((k[-1] for k in kind.stored if isinstance(k[-1], int)), default=0)
        schema = kind.key_schemas.get(kind.key[-1], {})
        return str(number) if schema.get("type") == "string" else number

    @staticmethod
    def write(route: Route, kind: Kind, resource: dict[str, Any], body: Mapping[str, Any]) -> None:
        """What a write does: the body's fields, the `<verb>ed_*` properties, `updated_at`.

        An operation named with a verb fills the resource's null properties named after
        its past tense (`cancel_x` sets `canceled_*`): `..._at` now, others the first value
        their schema allows (who did it is the fake's key).
        """
        operation = route.operation
        for item in operation.fields:
            if item.location == "body" and item.name in body and item.name in resource:
                resource[item.name] = copy.deepcopy(body[item.name])
        verb = operation.name.split("_", 1)[0]
        done = verb + ("d" if verb.endswith("e") else "ed") + "_"
        for name, schema in kind.schema.get("properties", {}).items():
            if name.startswith(done) and resource.get(name) is None:
                schema = merged(schema)
                is_moment = schema.get("format") == "date-time"
                resource[name] = (
                    timestamp() if is_moment else example({**schema, "nullable": False})
                )
        if UPDATED_AT in resource:
            resource[UPDATED_AT] = timestamp()
