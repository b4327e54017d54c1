from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..errors import ResponseShapeError

if TYPE_CHECKING:
    from ..models.event import Event


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
        from ..models.event import Event

        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise ResponseShapeError.wrong_type("$", "object", src_dict)
        d = dict(src_dict)
        try:
            message = d.pop("message")
            _data = d.pop("data")
        except KeyError as missing:
            raise ResponseShapeError.missing_field(missing.args[0]) from None

        if not isinstance(message, str):
            raise ResponseShapeError.wrong_type("message", "string", message)

        try:
            data = Event.from_dict(_data)
        except ResponseShapeError as _shape_error:
            raise _shape_error.at("data")

        cancel_event_response_200 = cls(
            message=message,
            data=data,
        )

        cancel_event_response_200.additional_properties = d
        return cancel_event_response_200

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
