from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_canceled_by_type import EventCanceledByType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_attendee import EventAttendee
    from ..models.online_conference import OnlineConference


T = TypeVar("T", bound="Event")


@_attrs_define
class Event:
    id: int | None
    calendar_id: int
    title: str
    start: datetime.datetime
    end: datetime.datetime
    attendees: list[EventAttendee]
    body: None | str | Unset = UNSET
    location: None | str | Unset = UNSET
    cancel_note: None | str | Unset = UNSET
    canceled_by_id: int | None | Unset = UNSET
    canceled_by_type: EventCanceledByType | None | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET
    deleted_at: datetime.datetime | None | Unset = UNSET
    public_id: None | str | Unset = UNSET
    provider_event_id: None | str | Unset = UNSET
    customer_id: int | None | Unset = UNSET
    meeting_link_id: int | None | Unset = UNSET
    online_conference: None | OnlineConference | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.online_conference import OnlineConference

        id: int | None
        id = self.id

        calendar_id = self.calendar_id

        title = self.title

        start = self.start.isoformat()

        end = self.end.isoformat()

        attendees = []
        for attendees_item_data in self.attendees:
            attendees_item = attendees_item_data.to_dict()
            attendees.append(attendees_item)

        body: None | str | Unset
        if isinstance(self.body, Unset):
            body = UNSET
        else:
            body = self.body

        location: None | str | Unset
        if isinstance(self.location, Unset):
            location = UNSET
        else:
            location = self.location

        cancel_note: None | str | Unset
        if isinstance(self.cancel_note, Unset):
            cancel_note = UNSET
        else:
            cancel_note = self.cancel_note

        canceled_by_id: int | None | Unset
        if isinstance(self.canceled_by_id, Unset):
            canceled_by_id = UNSET
        else:
            canceled_by_id = self.canceled_by_id

        canceled_by_type: None | str | Unset
        if isinstance(self.canceled_by_type, Unset):
            canceled_by_type = UNSET
        elif isinstance(self.canceled_by_type, EventCanceledByType):
            canceled_by_type = self.canceled_by_type.value
        else:
            canceled_by_type = self.canceled_by_type

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        deleted_at: None | str | Unset
        if isinstance(self.deleted_at, Unset):
            deleted_at = UNSET
        elif isinstance(self.deleted_at, datetime.datetime):
            deleted_at = self.deleted_at.isoformat()
        else:
            deleted_at = self.deleted_at

        public_id: None | str | Unset
        if isinstance(self.public_id, Unset):
            public_id = UNSET
        else:
            public_id = self.public_id

        provider_event_id: None | str | Unset
        if isinstance(self.provider_event_id, Unset):
            provider_event_id = UNSET
        else:
            provider_event_id = self.provider_event_id

        customer_id: int | None | Unset
        if isinstance(self.customer_id, Unset):
            customer_id = UNSET
        else:
            customer_id = self.customer_id

        meeting_link_id: int | None | Unset
        if isinstance(self.meeting_link_id, Unset):
            meeting_link_id = UNSET
        else:
            meeting_link_id = self.meeting_link_id

        online_conference: dict[str, Any] | None | Unset
        if isinstance(self.online_conference, Unset):
            online_conference = UNSET
        elif isinstance(self.online_conference, OnlineConference):
            online_conference = self.online_conference.to_dict()
        else:
            online_conference = self.online_conference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "calendar_id": calendar_id,
                "title": title,
                "start": start,
                "end": end,
                "attendees": attendees,
            }
        )
        if body is not UNSET:
            field_dict["body"] = body
        if location is not UNSET:
            field_dict["location"] = location
        if cancel_note is not UNSET:
            field_dict["cancel_note"] = cancel_note
        if canceled_by_id is not UNSET:
            field_dict["canceled_by_id"] = canceled_by_id
        if canceled_by_type is not UNSET:
            field_dict["canceled_by_type"] = canceled_by_type
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if deleted_at is not UNSET:
            field_dict["deleted_at"] = deleted_at
        if public_id is not UNSET:
            field_dict["public_id"] = public_id
        if provider_event_id is not UNSET:
            field_dict["provider_event_id"] = provider_event_id
        if customer_id is not UNSET:
            field_dict["customer_id"] = customer_id
        if meeting_link_id is not UNSET:
            field_dict["meeting_link_id"] = meeting_link_id
        if online_conference is not UNSET:
            field_dict["online_conference"] = online_conference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_attendee import EventAttendee
        from ..models.online_conference import OnlineConference

        d = dict(src_dict)

        def _parse_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        id = _parse_id(d.pop("id"))

        calendar_id = d.pop("calendar_id")

        title = d.pop("title")

        start = datetime.datetime.fromisoformat(d.pop("start"))

        end = datetime.datetime.fromisoformat(d.pop("end"))

        attendees = []
        _attendees = d.pop("attendees")
        for attendees_item_data in _attendees:
            attendees_item = EventAttendee.from_dict(attendees_item_data)

            attendees.append(attendees_item)

        def _parse_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        body = _parse_body(d.pop("body", UNSET))

        def _parse_location(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        location = _parse_location(d.pop("location", UNSET))

        def _parse_cancel_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cancel_note = _parse_cancel_note(d.pop("cancel_note", UNSET))

        def _parse_canceled_by_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        canceled_by_id = _parse_canceled_by_id(d.pop("canceled_by_id", UNSET))

        def _parse_canceled_by_type(data: object) -> EventCanceledByType | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                canceled_by_type_type_1 = EventCanceledByType(data)

                return canceled_by_type_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EventCanceledByType | None | Unset, data)

        canceled_by_type = _parse_canceled_by_type(d.pop("canceled_by_type", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        def _parse_deleted_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deleted_at_type_0 = datetime.datetime.fromisoformat(data)

                return deleted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        deleted_at = _parse_deleted_at(d.pop("deleted_at", UNSET))

        def _parse_public_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        public_id = _parse_public_id(d.pop("public_id", UNSET))

        def _parse_provider_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_event_id = _parse_provider_event_id(d.pop("provider_event_id", UNSET))

        def _parse_customer_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        customer_id = _parse_customer_id(d.pop("customer_id", UNSET))

        def _parse_meeting_link_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        meeting_link_id = _parse_meeting_link_id(d.pop("meeting_link_id", UNSET))

        def _parse_online_conference(data: object) -> None | OnlineConference | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                online_conference_type_1 = OnlineConference.from_dict(data)

                return online_conference_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OnlineConference | Unset, data)

        online_conference = _parse_online_conference(d.pop("online_conference", UNSET))

        event = cls(
            id=id,
            calendar_id=calendar_id,
            title=title,
            start=start,
            end=end,
            attendees=attendees,
            body=body,
            location=location,
            cancel_note=cancel_note,
            canceled_by_id=canceled_by_id,
            canceled_by_type=canceled_by_type,
            created_at=created_at,
            updated_at=updated_at,
            deleted_at=deleted_at,
            public_id=public_id,
            provider_event_id=provider_event_id,
            customer_id=customer_id,
            meeting_link_id=meeting_link_id,
            online_conference=online_conference,
        )

        event.additional_properties = d
        return event

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
