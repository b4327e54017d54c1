from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..errors import ResponseShapeError

_new = object.__new__
_FIELDS: frozenset[str] = frozenset(
    (
        "message",
        "data",
    )
)


T = TypeVar("T", bound="CancelEventResponse200")


@_attrs_define
class CancelEventResponse200:
    message: str
    data: Event
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Build from a parsed JSON object, checking every field against the spec.

        Raises ResponseShapeError (a ValueError) naming the field's path when a field has the
        wrong JSON type or a required one is missing. Fields the spec does not list are kept in
        additional_properties, and enum values it does not list become UNKNOWN members.
        """
        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise ResponseShapeError.wrong_type("$", "object", src_dict)
        # Built field by field: attrs' __init__ would only store the values checked here.
        _d, _self = src_dict, _new(cls)
        try:
            message = _d["message"]
            data = _d["data"]
        except KeyError as _missing:
            raise ResponseShapeError.missing_field(_missing.args[0]) from None

        if not isinstance(message, str):
            raise ResponseShapeError.wrong_type("message", "string", message)
        _self.message = message

        try:
            _self.data = _Event_from_dict(data)
        except ResponseShapeError as _error:
            raise _error.at("data")

        _self.additional_properties = (
            {}
            if len(_d) == 2
            else {_key: _value for _key, _value in _d.items() if _key not in _FIELDS}
        )
        return _self

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# Imported once the class exists: models may refer to each other, and each module's class is
# defined before it imports the others (a function-level import costs every call).
from ..models.event import Event

_Event_from_dict = Event.from_dict
