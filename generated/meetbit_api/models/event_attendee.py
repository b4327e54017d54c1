from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

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
        d = dict(src_dict)
        email = d.pop("email")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        status = EventAttendeeStatus(d.pop("status"))

        is_organizer = d.pop("is_organizer")

        def _parse_customer_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        customer_id = _parse_customer_id(d.pop("customer_id"))

        def _parse_calendar_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        calendar_id = _parse_calendar_id(d.pop("calendar_id"))

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
