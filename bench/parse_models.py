"""The same envelope as typed msgspec Structs and pydantic models, for the parsing benchmark."""

from __future__ import annotations

import datetime
from typing import Any

import msgspec
import pydantic


class MsgspecAttendee(msgspec.Struct):
    email: str
    name: str | None
    status: int
    is_organizer: bool
    customer_id: int | None
    calendar_id: int | None


class MsgspecConference(msgspec.Struct):
    id: int
    online_conference_account_id: int
    public_id: str
    title: str
    is_public: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None
    backer_event_id: int | None = None
    is_occurred: bool | None = None
    started_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None


class MsgspecEvent(msgspec.Struct):
    id: int | None
    calendar_id: int
    title: str
    start: datetime.datetime
    end: datetime.datetime
    attendees: list[MsgspecAttendee]
    body: str | None = None
    location: str | None = None
    cancel_note: str | None = None
    canceled_by_id: int | None = None
    canceled_by_type: str | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    deleted_at: datetime.datetime | None = None
    public_id: str | None = None
    provider_event_id: str | None = None
    customer_id: int | None = None
    meeting_link_id: int | None = None
    online_conference: MsgspecConference | None = None


class MsgspecEnvelope(msgspec.Struct):
    message: str
    data: MsgspecEvent


class PydanticAttendee(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")
    email: str
    name: str | None
    status: int
    is_organizer: bool
    customer_id: int | None
    calendar_id: int | None


class PydanticConference(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")
    id: int
    online_conference_account_id: int
    public_id: str
    title: str
    is_public: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None
    backer_event_id: int | None = None
    is_occurred: bool | None = None
    started_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None


class PydanticEvent(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")
    id: int | None
    calendar_id: int
    title: str
    start: datetime.datetime
    end: datetime.datetime
    attendees: list[PydanticAttendee]
    body: str | None = None
    location: str | None = None
    cancel_note: str | None = None
    canceled_by_id: int | None = None
    canceled_by_type: str | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    deleted_at: datetime.datetime | None = None
    public_id: str | None = None
    provider_event_id: str | None = None
    customer_id: int | None = None
    meeting_link_id: int | None = None
    online_conference: PydanticConference | None = None
    extra: dict[str, Any] | None = None


class PydanticEnvelope(pydantic.BaseModel):
    message: str
    data: PydanticEvent
