from __future__ import annotations

import datetime
from collections.abc import Mapping
from datetime import datetime as _datetime
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from meetbit._schema import RFC3339_DATE_TIME as _RFC3339_DATE_TIME

from ..errors import ResponseShapeError
from ..errors import rfc3339_date_time as _rfc3339_date_time
from ..models.event_canceled_by_type import EventCanceledByType
from ..types import UNSET, Unset

_new = object.__new__
_fromisoformat = _datetime.fromisoformat
_rfc3339_date_time_text = _RFC3339_DATE_TIME.fullmatch
_EventCanceledByType_by_value = {member.value: member for member in EventCanceledByType}
_FIELDS: frozenset[str] = frozenset(
    (
        "id",
        "calendar_id",
        "title",
        "start",
        "end",
        "attendees",
        "body",
        "location",
        "cancel_note",
        "canceled_by_id",
        "canceled_by_type",
        "created_at",
        "updated_at",
        "deleted_at",
        "public_id",
        "provider_event_id",
        "customer_id",
        "meeting_link_id",
        "online_conference",
    )
)


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
        # Built field by field: attrs' __init__ would only store the values checked here.
        _d, _self = src_dict, _new(cls)
        # A value that is no JSON object (a list, a string, a number, null) fails the first
        # lookup with a TypeError: no check before it is needed.
        try:
            id = _d["id"]
            calendar_id = _d["calendar_id"]
            title = _d["title"]
            start = _d["start"]
            end = _d["end"]
            attendees = _d["attendees"]
        except KeyError as _missing:
            raise ResponseShapeError.missing_field(_missing.args[0]) from None
        except TypeError:
            raise ResponseShapeError.wrong_type("$", "object", src_dict) from None
        # Usually every field the spec lists is there and nothing else: then a lookup each
        # is all it takes, and there are no unknown fields to collect.
        _complete = len(_d) == 19
        if _complete:
            try:
                body = _d["body"]
                location = _d["location"]
                cancel_note = _d["cancel_note"]
                canceled_by_id = _d["canceled_by_id"]
                canceled_by_type = _d["canceled_by_type"]
                created_at = _d["created_at"]
                updated_at = _d["updated_at"]
                deleted_at = _d["deleted_at"]
                public_id = _d["public_id"]
                provider_event_id = _d["provider_event_id"]
                customer_id = _d["customer_id"]
                meeting_link_id = _d["meeting_link_id"]
                online_conference = _d["online_conference"]
            except KeyError:
                _complete = False
        if not _complete:
            body = _d.get("body", UNSET)
            location = _d.get("location", UNSET)
            cancel_note = _d.get("cancel_note", UNSET)
            canceled_by_id = _d.get("canceled_by_id", UNSET)
            canceled_by_type = _d.get("canceled_by_type", UNSET)
            created_at = _d.get("created_at", UNSET)
            updated_at = _d.get("updated_at", UNSET)
            deleted_at = _d.get("deleted_at", UNSET)
            public_id = _d.get("public_id", UNSET)
            provider_event_id = _d.get("provider_event_id", UNSET)
            customer_id = _d.get("customer_id", UNSET)
            meeting_link_id = _d.get("meeting_link_id", UNSET)
            online_conference = _d.get("online_conference", UNSET)

        if type(id) is not int and id is not None:
            raise ResponseShapeError.wrong_type("id", "integer or null", id)
        _self.id = id

        if type(calendar_id) is not int:
            raise ResponseShapeError.wrong_type("calendar_id", "integer", calendar_id)
        _self.calendar_id = calendar_id

        if not isinstance(title, str):
            raise ResponseShapeError.wrong_type("title", "string", title)
        _self.title = title

        try:
            if _rfc3339_date_time_text(start) is None:
                raise ValueError
            _self.start = _fromisoformat(start)
        except (TypeError, ValueError):
            _self.start = _rfc3339_date_time(start, "start")

        try:
            if _rfc3339_date_time_text(end) is None:
                raise ValueError
            _self.end = _fromisoformat(end)
        except (TypeError, ValueError):
            _self.end = _rfc3339_date_time(end, "end")

        if not isinstance(attendees, list):
            raise ResponseShapeError.wrong_type("attendees", "array", attendees)
        _items_attendees: list[EventAttendee] = []
        for _item_attendees in attendees:
            try:
                _item_attendees = _EventAttendee_from_dict(_item_attendees)
            except ResponseShapeError as _error:
                raise _error.at(f"attendees[{len(_items_attendees)}]")
            _items_attendees.append(_item_attendees)
        _self.attendees = _items_attendees

        if not isinstance(body, str) and body is not None and body is not UNSET:
            raise ResponseShapeError.wrong_type("body", "string or null", body)
        _self.body = body

        if (
            not isinstance(location, str)
            and location is not None
            and location is not UNSET
        ):
            raise ResponseShapeError.wrong_type("location", "string or null", location)
        _self.location = location

        if (
            not isinstance(cancel_note, str)
            and cancel_note is not None
            and cancel_note is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "cancel_note", "string or null", cancel_note
            )
        _self.cancel_note = cancel_note

        if (
            type(canceled_by_id) is not int
            and canceled_by_id is not None
            and canceled_by_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "canceled_by_id", "integer or null", canceled_by_id
            )
        _self.canceled_by_id = canceled_by_id

        if isinstance(canceled_by_type, str):
            try:
                _self.canceled_by_type = _EventCanceledByType_by_value[canceled_by_type]
            except KeyError:
                _self.canceled_by_type = EventCanceledByType(canceled_by_type)
        elif canceled_by_type is None or canceled_by_type is UNSET:
            _self.canceled_by_type = canceled_by_type
        else:
            raise ResponseShapeError.wrong_type(
                "canceled_by_type",
                "string or null",
                canceled_by_type,
                enum="EventCanceledByType",
            )

        if created_at is not UNSET:
            try:
                if _rfc3339_date_time_text(created_at) is None:
                    raise ValueError
                created_at = _fromisoformat(created_at)
            except (TypeError, ValueError):
                created_at = _rfc3339_date_time(created_at, "created_at")
        _self.created_at = created_at

        if updated_at is not UNSET:
            try:
                if _rfc3339_date_time_text(updated_at) is None:
                    raise ValueError
                updated_at = _fromisoformat(updated_at)
            except (TypeError, ValueError):
                updated_at = _rfc3339_date_time(updated_at, "updated_at")
        _self.updated_at = updated_at

        if deleted_at is not None and deleted_at is not UNSET:
            try:
                if _rfc3339_date_time_text(deleted_at) is None:
                    raise ValueError
                deleted_at = _fromisoformat(deleted_at)
            except (TypeError, ValueError):
                deleted_at = _rfc3339_date_time(deleted_at, "deleted_at")
        _self.deleted_at = deleted_at

        if (
            not isinstance(public_id, str)
            and public_id is not None
            and public_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "public_id", "string or null", public_id
            )
        _self.public_id = public_id

        if (
            not isinstance(provider_event_id, str)
            and provider_event_id is not None
            and provider_event_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "provider_event_id", "string or null", provider_event_id
            )
        _self.provider_event_id = provider_event_id

        if (
            type(customer_id) is not int
            and customer_id is not None
            and customer_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "customer_id", "integer or null", customer_id
            )
        _self.customer_id = customer_id

        if (
            type(meeting_link_id) is not int
            and meeting_link_id is not None
            and meeting_link_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "meeting_link_id", "integer or null", meeting_link_id
            )
        _self.meeting_link_id = meeting_link_id

        if online_conference is not None and online_conference is not UNSET:
            try:
                online_conference = _OnlineConference_from_dict(online_conference)
            except ResponseShapeError as _error:
                raise _error.at("online_conference")
        _self.online_conference = online_conference

        _self.additional_properties = (
            {}
            if _complete
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
from ..models.event_attendee import EventAttendee
from ..models.online_conference import OnlineConference

_EventAttendee_from_dict = EventAttendee.from_dict
_OnlineConference_from_dict = OnlineConference.from_dict
