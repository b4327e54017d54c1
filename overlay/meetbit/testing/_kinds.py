"""Resource kinds: which objects the spec's operations return, and the paths that address them.

A payload that is an object is a resource kind, known by its set of properties, when it
has an identity: an `id` (Eloquent's key) or a property named after a path parameter of a
route that returns it, or when a route lists it. An object without one that a route with
path parameters returns (`{"status": "success"}`, a token pair) is computed, not stored:
it is answered afresh each time, as a Laravel action answers plain JSON. A kind no path
reaches is a singleton (key `()`), made on first use.

Routes address resources as Laravel's route model binding does. A *member route* of a
kind returns one of it from a path with parameters (`/x/{id}`, `/x/{id}/cancel`); its
path parameters, in path order, are an *address* (the last is the resource's own id).
A kind reached by several member routes (`/schedules/{scheduleId}` and
`/orgs/{orgId}/users/{userId}/schedules/{scheduleId}`) keeps each resource under the
address it was stored or created by (`_store`). Its key (`key_of`) is its longest
address. A kind only listed is keyed by the listing's path parameters and its `id`. A
route whose own answer is computed binds the kind one of whose member routes its path
extends (`/x/{id}/refresh`). A tag's kind is the one most of its operations return;
every operation's own kind (or the kind it binds) is reachable by the operation's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from meetbit._schema import json_type

from ._routes import Route

# Framework vocabulary (Laravel's), not the spec's: Eloquent's key.
OWN_ID = "id"

Key = tuple[Any, ...]
Address = tuple[str, ...]


@dataclass
class Kind:
    """A resource kind: the objects with one set of properties, and where they are stored."""

    schema: Mapping[str, Any]
    tag: str
    key: Address = ()
    """The longest address: path parameters in path order; the last is its own id."""
    addresses: list[Address] = field(default_factory=list)
    """Every address a member route or a listing gives it, longest first."""
    key_schemas: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    listings: set[str] = field(default_factory=set)
    """The paths that list this kind (a POST there creates one, as Laravel's `store`)."""
    stored: dict[Key, dict[str, Any]] = field(default_factory=dict)
    names: dict[Key, Address] = field(default_factory=dict)
    """The address of a stored key that is not `key` (stored through a shorter route)."""

    def address(self, key: Key) -> dict[str, Any]:
        """A stored key's values by path parameter name."""
        return dict(zip(self.names.get(key, self.key), key, strict=False))

    def own(self, names: Address) -> str | None:
        """The property a resource stored at `names` keeps its own id in, if any."""
        properties = self.schema.get("properties", {})
        if names and names[-1] in properties:
            return names[-1]
        return OWN_ID if OWN_ID in properties else None

    def matching(self, params: Mapping[str, Any]) -> list[Key]:
        """The stored keys whose address agrees with every value of `params` it names."""
        found = []
        for key in self.stored:
            address = self.address(key)
            if all(address[name] == value for name, value in params.items() if name in address):
                found.append(key)
        return found


def _properties(schema: Mapping[str, Any] | None) -> frozenset[str] | None:
    if not schema or json_type(schema) != "object" or not schema.get("properties"):
        return None
    return frozenset(schema["properties"])


def _names(route: Route) -> Address:
    return tuple(f.name for f in route.path_fields)


class Kinds:
    """The kinds the routes return, and how each operation and tag reaches them."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self.all: dict[frozenset[str], Kind] = {}
        self.by_operation: dict[str, Kind] = {}
        """The stored kind each operation answers with."""
        self.bound: dict[str, tuple[Kind, Address]] = {}
        """For an operation answered afresh: the kind its path binds, and that address."""
        self.by_tag: dict[str, Kind] = {}
        self.member: dict[str, Address] = {}
        """The operations that address one resource of their kind: their address."""
        self._learn(routes)

    def _learn(self, routes: Sequence[Route]) -> None:
        for route in routes:
            properties = _properties(route.item)
            if properties is None or route.item is None:
                continue
            operation = route.operation
            kind = self.all.setdefault(properties, Kind(schema=route.item, tag=operation.tag))
            self.by_operation[operation.name] = kind
            if route.listing:
                kind.listings.add(operation.path)
        self._unify(routes)
        self._keep_identified(routes)
        self._key(routes)
        self._bind(routes)
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
                    for properties, kind in list(self.all.items()):
                        if kind is small:
                            self.all[properties] = large
                    listed = self.by_operation[listing.operation.name]

    def _keep_identified(self, routes: Sequence[Route]) -> None:
        """Forget unlisted kinds without an identity that a path with parameters returns."""
        reaching: dict[int, list[Route]] = {}
        for route in routes:
            kind = self.by_operation.get(route.operation.name)
            if kind is not None:
                reaching.setdefault(id(kind), []).append(route)
        for name, kind in list(self.by_operation.items()):
            properties = kind.schema.get("properties", {})
            found = reaching[id(kind)]
            named = OWN_ID in properties or any(
                f.name in properties for route in found for f in route.path_fields
            )
            # A listed kind is a collection a test fills, identity or not (keyed by `id`).
            if not named and not kind.listings and any(route.path_fields for route in found):
                del self.by_operation[name]

    def _key(self, routes: Sequence[Route]) -> None:
        candidates: list[tuple[Route, Kind]] = []
        for route in routes:
            kind = self.by_operation.get(route.operation.name)
            if kind is None or route.listing or not route.path_fields:
                continue
            if route.operation.method == "POST" and route.operation.path in kind.listings:
                continue
            candidates.append((route, kind))
        for route, kind in candidates:
            if len(route.path_fields) > len(kind.key):
                kind.key = _names(route)
        # A resource's own id: the last parameter of a path ending in one, or of its key.
        own: dict[int, set[str]] = {}
        for route, kind in candidates:
            ids = own.setdefault(id(kind), {kind.key[-1]})
            if route.operation.path.endswith("}"):
                ids.add(route.path_fields[-1].name)
        for route, kind in candidates:
            names = _names(route)
            if names[-1] in own[id(kind)] and not self.creates(route, kind):
                self.member[route.operation.name] = names
                self._add_address(kind, route, names)
        for route in routes:
            listed = self.by_operation.get(route.operation.name)
            if listed is not None and route.listing and not listed.key:
                listed.key = (*_names(route), OWN_ID)
                self._add_address(listed, route, listed.key)
                listed.key_schemas[OWN_ID] = [listed.schema["properties"].get(OWN_ID, {})]
        for kind in self.all.values():
            if not kind.addresses:
                kind.addresses.append(kind.key)
            kind.addresses.sort(key=len, reverse=True)

    @staticmethod
    def _add_address(kind: Kind, route: Route, address: Address) -> None:
        if address not in kind.addresses:
            kind.addresses.append(address)
        for item in route.path_fields:
            schemas = kind.key_schemas.setdefault(item.name, [])
            if item.schema not in schemas:
                schemas.append(item.schema)

    def _bind(self, routes: Sequence[Route]) -> None:
        """Route model binding for answers computed afresh: the kind the path extends."""
        members = [
            (route.operation.path, self.by_operation[route.operation.name], address)
            for route in routes
            if (address := self.member.get(route.operation.name)) is not None
        ]
        members.sort(key=lambda member: -len(member[0]))
        for route in routes:
            path = route.operation.path
            if route.operation.name in self.by_operation or not route.path_fields:
                continue
            for member_path, kind, address in members:
                if path == member_path or path.startswith(member_path + "/"):
                    self.bound[route.operation.name] = (kind, address)
                    break

    @staticmethod
    def creates(route: Route, kind: Kind) -> bool:
        """A POST where the kind is listed, or whose path lacks the kind's own id."""
        if route.operation.method != "POST":
            return False
        if route.operation.path in kind.listings:
            return True
        return bool(kind.key) and kind.key[-1] not in _names(route)

    def kind(self, name: str) -> Kind:
        """The kind an operation returns (or binds), or a tag's (most of its operations')."""
        by_operation = self.by_operation.get(name) or self.bound.get(name, (None, ()))[0]
        by_tag = self.by_tag.get(name)
        if by_operation is not None and by_tag is not None and by_operation is not by_tag:
            raise LookupError(f"{name!r} is both an operation and a tag of another resource")
        found = by_operation or by_tag
        if found is None:
            known = ", ".join(sorted({*self.by_operation, *self.bound, *self.by_tag}))
            raise LookupError(
                f"no operation of the spec returns {name!r} resources; known: {known}"
            )
        return found

    def key_of(self, name: str) -> Address:
        """The address `add_resource(name, ...)` takes first: the operation's, or the key."""
        return self.candidates(name, self.kind(name))[0]

    def candidates(self, name: str, kind: Kind) -> list[Address]:
        own = self.member.get(name) or self.bound.get(name, (None, None))[1]
        first = [own] if own is not None and own in kind.addresses else []
        return list(dict.fromkeys([*first, kind.key, *kind.addresses]))
