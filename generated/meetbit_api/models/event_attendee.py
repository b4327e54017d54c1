from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..errors import ResponseShapeError
from ..models.event_attendee_status import EventAttendeeStatus

_new = object.__new__
_EventAttendeeStatus_by_value = {member.value: member for member in EventAttendeeStatus}
_FIELDS: frozenset[str] = frozenset(
    (
        "email",
        "name",
        "status",
        "is_organizer",
        "customer_id",
        "calendar_id",
    )
)


T = TypeVar("T", bound="EventAttendee")


@_attrs_define
class EventAttendee:
    email: str
    name: None | str
    status: EventAttendeeStatus
    """ Attendee response status:
    * `0` - NoResponse: invited, has not answered
    * `1` - Confirmed: will attend
    * `2` - NotGoing: declined
    * `3` - Maybe: tentatively attending
     """
    is_organizer: bool
    customer_id: int | None
    calendar_id: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        name: None | str
        name = self.name

        status = self.status.value

        is_organizer = self.is_organizer

        customer_id: int | None
        customer_id = self.customer_id

        calendar_id: int | None
        calendar_id = self.calendar_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "name": name,
                "status": status,
                "is_organizer": is_organizer,
                "customer_id": customer_id,
                "calendar_id": calendar_id,
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
            email = _d["email"]
            name = _d["name"]
            status = _d["status"]
            is_organizer = _d["is_organizer"]
            customer_id = _d["customer_id"]
            calendar_id = _d["calendar_id"]
        except KeyError as _missing:
            raise ResponseShapeError.missing_field(_missing.args[0]) from None

        if not isinstance(email, str):
            raise ResponseShapeError.wrong_type("email", "string", email)
        _self.email = email

        if not isinstance(name, str) and name is not None:
            raise ResponseShapeError.wrong_type("name", "string or null", name)
        _self.name = name

        if type(status) is not int:
            raise ResponseShapeError.wrong_type(
                "status", "integer", status, enum="EventAttendeeStatus"
            )
        _self.status = (
            _EventAttendeeStatus_by_value[status]
            if status in _EventAttendeeStatus_by_value
            else EventAttendeeStatus(status)
        )

        if type(is_organizer) is not bool:
            raise ResponseShapeError.wrong_type("is_organizer", "boolean", is_organizer)
        _self.is_organizer = is_organizer

        if type(customer_id) is not int and customer_id is not None:
            raise ResponseShapeError.wrong_type(
                "customer_id", "integer or null", customer_id
            )
        _self.customer_id = customer_id

        if type(calendar_id) is not int and calendar_id is not None:
            raise ResponseShapeError.wrong_type(
                "calendar_id", "integer or null", calendar_id
            )
        _self.calendar_id = calendar_id

        _self.additional_properties = (
            {}
            if len(_d) == 6
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
