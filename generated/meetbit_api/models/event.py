from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..errors import ResponseShapeError, rfc3339_date_time
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
        """Build from a parsed JSON object, checking every field against the spec.

        Raises ResponseShapeError (a ValueError) naming the field's path when a field has the
        wrong JSON type or a required one is missing. Fields the spec does not list are kept in
        additional_properties, and enum values it does not list become UNKNOWN members.
        """
        from ..models.event_attendee import EventAttendee
        from ..models.online_conference import OnlineConference

        if type(src_dict) is not dict and not isinstance(src_dict, Mapping):
            raise ResponseShapeError.wrong_type("$", "object", src_dict)
        d = dict(src_dict)
        try:
            id = d.pop("id")
            calendar_id = d.pop("calendar_id")
            title = d.pop("title")
            _start = d.pop("start")
            _end = d.pop("end")
            _attendees = d.pop("attendees")
        except KeyError as missing:
            raise ResponseShapeError.missing_field(missing.args[0]) from None
        body = d.pop("body", UNSET)
        location = d.pop("location", UNSET)
        cancel_note = d.pop("cancel_note", UNSET)
        canceled_by_id = d.pop("canceled_by_id", UNSET)
        _canceled_by_type = d.pop("canceled_by_type", UNSET)
        _created_at = d.pop("created_at", UNSET)
        _updated_at = d.pop("updated_at", UNSET)
        _deleted_at = d.pop("deleted_at", UNSET)
        public_id = d.pop("public_id", UNSET)
        provider_event_id = d.pop("provider_event_id", UNSET)
        customer_id = d.pop("customer_id", UNSET)
        meeting_link_id = d.pop("meeting_link_id", UNSET)
        _online_conference = d.pop("online_conference", UNSET)

        if type(id) is not int and id is not None:
            raise ResponseShapeError.wrong_type("id", "integer or null", id)

        if type(calendar_id) is not int:
            raise ResponseShapeError.wrong_type("calendar_id", "integer", calendar_id)

        if not isinstance(title, str):
            raise ResponseShapeError.wrong_type("title", "string", title)

        try:
            start = datetime.datetime.fromisoformat(_start)
        except (TypeError, ValueError):
            start = rfc3339_date_time(_start, "start")

        try:
            end = datetime.datetime.fromisoformat(_end)
        except (TypeError, ValueError):
            end = rfc3339_date_time(_end, "end")

        if not isinstance(_attendees, list):
            raise ResponseShapeError.wrong_type("attendees", "array", _attendees)
        attendees: list[EventAttendee] = []
        for attendees_item_data in _attendees:
            try:
                attendees_item = EventAttendee.from_dict(attendees_item_data)
            except ResponseShapeError as _shape_error:
                raise _shape_error.at(f"attendees[{len(attendees)}]")
            attendees.append(attendees_item)

        if not isinstance(body, str) and body is not None and body is not UNSET:
            raise ResponseShapeError.wrong_type("body", "string or null", body)

        if (
            not isinstance(location, str)
            and location is not None
            and location is not UNSET
        ):
            raise ResponseShapeError.wrong_type("location", "string or null", location)

        if (
            not isinstance(cancel_note, str)
            and cancel_note is not None
            and cancel_note is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "cancel_note", "string or null", cancel_note
            )

        if (
            type(canceled_by_id) is not int
            and canceled_by_id is not None
            and canceled_by_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "canceled_by_id", "integer or null", canceled_by_id
            )

        canceled_by_type: EventCanceledByType | None | Unset
        if isinstance(_canceled_by_type, str):
            canceled_by_type = EventCanceledByType(_canceled_by_type)
        elif _canceled_by_type is None or _canceled_by_type is UNSET:
            canceled_by_type = _canceled_by_type
        else:
            raise ResponseShapeError.wrong_type(
                "canceled_by_type",
                "string or null",
                _canceled_by_type,
                enum="EventCanceledByType",
            )

        created_at: datetime.datetime | Unset
        if _created_at is UNSET:
            created_at = _created_at
        else:
            try:
                created_at = datetime.datetime.fromisoformat(_created_at)
            except (TypeError, ValueError):
                created_at = rfc3339_date_time(_created_at, "created_at")

        updated_at: datetime.datetime | Unset
        if _updated_at is UNSET:
            updated_at = _updated_at
        else:
            try:
                updated_at = datetime.datetime.fromisoformat(_updated_at)
            except (TypeError, ValueError):
                updated_at = rfc3339_date_time(_updated_at, "updated_at")

        deleted_at: datetime.datetime | None | Unset
        if _deleted_at is None or _deleted_at is UNSET:
            deleted_at = _deleted_at
        else:
            try:
                deleted_at = datetime.datetime.fromisoformat(_deleted_at)
            except (TypeError, ValueError):
                deleted_at = rfc3339_date_time(_deleted_at, "deleted_at")

        if (
            not isinstance(public_id, str)
            and public_id is not None
            and public_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "public_id", "string or null", public_id
            )

        if (
            not isinstance(provider_event_id, str)
            and provider_event_id is not None
            and provider_event_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "provider_event_id", "string or null", provider_event_id
            )

        if (
            type(customer_id) is not int
            and customer_id is not None
            and customer_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "customer_id", "integer or null", customer_id
            )

        if (
            type(meeting_link_id) is not int
            and meeting_link_id is not None
            and meeting_link_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "meeting_link_id", "integer or null", meeting_link_id
            )

        online_conference: None | OnlineConference | Unset
        if _online_conference is None or _online_conference is UNSET:
            online_conference = _online_conference
        else:
            try:
                online_conference = OnlineConference.from_dict(_online_conference)
            except ResponseShapeError as _shape_error:
                raise _shape_error.at("online_conference")

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
