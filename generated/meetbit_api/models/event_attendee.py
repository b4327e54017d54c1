from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..errors import ResponseShapeError
from ..models.event_attendee_status import EventAttendeeStatus

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
        d = dict(src_dict)
        try:
            email = d.pop("email")
            name = d.pop("name")
            _status = d.pop("status")
            is_organizer = d.pop("is_organizer")
            customer_id = d.pop("customer_id")
            calendar_id = d.pop("calendar_id")
        except KeyError as missing:
            raise ResponseShapeError.missing_field(missing.args[0]) from None

        if not isinstance(email, str):
            raise ResponseShapeError.wrong_type("email", "string", email)

        if not isinstance(name, str) and name is not None:
            raise ResponseShapeError.wrong_type("name", "string or null", name)

        if type(_status) is not int:
            raise ResponseShapeError.wrong_type(
                "status", "integer", _status, enum="EventAttendeeStatus"
            )
        status = EventAttendeeStatus(_status)

        if not isinstance(is_organizer, bool):
            raise ResponseShapeError.wrong_type("is_organizer", "boolean", is_organizer)

        if type(customer_id) is not int and customer_id is not None:
            raise ResponseShapeError.wrong_type(
                "customer_id", "integer or null", customer_id
            )

        if type(calendar_id) is not int and calendar_id is not None:
            raise ResponseShapeError.wrong_type(
                "calendar_id", "integer or null", calendar_id
            )

        event_attendee = cls(
            email=email,
            name=name,
            status=status,
            is_organizer=is_organizer,
            customer_id=customer_id,
            calendar_id=calendar_id,
        )

        event_attendee.additional_properties = d
        return event_attendee

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
