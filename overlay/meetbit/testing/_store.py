"""The resource store: the resources a test or the operations made, kept by their addresses.

What kinds there are, and which paths address them, is `_kinds`. A resource is kept under
the address it was stored or created by; a route finds the one whose own id and shared
path parameters equal its values, and a route answered afresh needs the resource its
path binds (404 if missing; a DELETE removes it), as Laravel's route model binding does.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from meetbit._errors import InvalidRequestError
from meetbit._schema import accepts, compile_check, merged

from ._examples import example, realistic, timestamp
from ._kinds import Address, Key, Kind, Kinds
from ._routes import Invalid, Route

# Framework vocabulary (Laravel's), not the spec's: the timestamp a write touches.
UPDATED_AT = "updated_at"


class Store:
    """The resources stored of each kind the routes return."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self.kinds = Kinds(routes)

    # --- arranging ----------------------------------------------------------------------------

    def add(
        self, name: str, kind: Kind, key: Sequence[Any], fields: dict[str, Any], *, check: bool
    ) -> dict[str, Any]:
        candidates = self.kinds.candidates(name, kind)
        for names in candidates:
            rest = names[len(key) :]
            if len(key) <= len(names) and all(part in fields for part in rest):
                break
        else:
            raise TypeError(
                f"add_resource({name!r}) takes the values of "
                + " or ".join(", ".join(names) or "no path parameter" for names in candidates)
            )
        values = (*key, *(fields.pop(part) for part in rest))
        resource = {**self.new(kind, values, names), **fields}
        if check:
            self._check(name, kind, dict(zip(names, values, strict=True)), resource)
        self._put(kind, values, names, resource)
        return copy.deepcopy(resource)

    @staticmethod
    def _put(kind: Kind, key: Key, names: Address, resource: dict[str, Any]) -> None:
        kind.stored[key] = resource
        if names != kind.key:
            kind.names[key] = names
        else:
            kind.names.pop(key, None)

    @staticmethod
    def _check(name: str, kind: Kind, key: Mapping[str, Any], resource: dict[str, Any]) -> None:
        """Refuse what MeetBit could never send: the spec's schema, and no unknown names."""
        hint = " (fake.unchecked() stores it anyway, for tests of malformed answers)"
        for part, value in key.items():
            if not any(accepts(schema, value) for schema in kind.key_schemas.get(part, [{}])):
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

    def new(self, kind: Kind, key: Key, names: Address | None = None) -> dict[str, Any]:
        """A complete resource of `kind` with realistic values and its key stored in it."""
        names = kind.key if names is None else names
        named = dict(zip(names, key, strict=True))
        own = kind.own(names)
        if own is not None and key:
            named[own] = key[-1]
        # A stored resource exists: a nullable payload schema still describes an object.
        resource = realistic({**kind.schema, "nullable": False}, named)
        if not isinstance(resource, dict):
            return {}
        # Plain text says which resource it is ("Title 345"), where the schema allows it.
        for name, schema in kind.schema.get("properties", {}).items():
            schema = merged(schema)
            plain = schema.get("type") == "string" and not {"format", "enum"} & set(schema)
            text = f"{name.replace('_', ' ').capitalize()} {key[-1] if key else 1}"
            if plain and isinstance(resource.get(name), str) and accepts(schema, text):
                resource[name] = text
        return resource

    # --- answering ----------------------------------------------------------------------------

    def find(self, kind: Kind, own: str, params: Mapping[str, Any]) -> Key | None:
        """The stored key whose own id is `params[own]` and whose scope agrees with `params`."""
        return next(
            (key for key in kind.matching(params) if own in kind.address(key)),
            None,
        )

    def one(self, route: Route, kind: Kind, params: Mapping[str, Any]) -> Key | None:
        """The key of the resource `route` addresses, made when it creates one; 404 if none.

        None for a route that names no one resource of the kind and finds none in its
        scope (`/schedules/default`): the caller answers a fresh one.
        """
        if not kind.key:
            if () not in kind.stored:
                self._put(kind, (), (), self.new(kind, ()))
            return ()
        if self.kinds.creates(route, kind):
            names = (*(n for n in kind.key[:-1] if n in params), kind.key[-1])
            made = (*(params[n] for n in names[:-1]), self._next_id(kind))
            self._put(kind, made, names, self.new(kind, made, names))
            return made
        address = self.kinds.member.get(route.operation.name)
        if address is None:
            return next(iter(kind.matching(params)), None)
        found = self.find(kind, address[-1], params)
        if found is None:
            raise Invalid(404, "unknown resource")
        return found

    def bound_key(self, route: Route, params: Mapping[str, Any]) -> tuple[Kind, Key] | None:
        """The resource a route answered afresh binds (404 if missing), or None if none."""
        bound = self.kinds.bound.get(route.operation.name)
        if bound is None:
            return None
        kind, address = bound
        key = self.find(kind, address[-1], params)
        if key is None:
            raise Invalid(404, "unknown resource")
        return kind, key

    @staticmethod
    def _next_id(kind: Kind) -> Any:
        number = 1 + max((k[-1] for k in kind.stored if isinstance(k[-1], int)), default=0)
        schemas = kind.key_schemas.get(kind.key[-1], [{}])
        return str(number) if all(s.get("type") == "string" for s in schemas) else number

    @staticmethod
    def write(route: Route, kind: Kind, resource: dict[str, Any], body: Mapping[str, Any]) -> None:
        """What a write does: the body's fields, the `<verb>ed_*` properties, `updated_at`.

        A body field is copied where the resource's property of that name accepts the value
        (a create form's `triggers: "x"` is not the resource's list). An operation named
        with a verb fills the resource's null properties named after its past tense
        (`cancel_x` sets `canceled_*`): `..._at` now, others the first value their schema
        allows (who did it is the fake's key).
        """
        operation = route.operation
        properties = kind.schema.get("properties", {})
        for item in operation.fields:
            if item.location != "body" or item.name not in body or item.name not in resource:
                continue
            if accepts(properties.get(item.name, {}), body[item.name]):
                resource[item.name] = copy.deepcopy(body[item.name])
        verb = operation.name.split("_", 1)[0]
        done = verb + ("d" if verb.endswith("e") else "ed") + "_"
        for name, schema in properties.items():
            if name.startswith(done) and resource.get(name) is None:
                schema = merged(schema)
                is_moment = schema.get("format") == "date-time"
                resource[name] = (
                    timestamp() if is_moment else example({**schema, "nullable": False})
                )
        if UPDATED_AT in resource:
            resource[UPDATED_AT] = timestamp()
