from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..errors import ResponseShapeError, rfc3339_date_time
from ..types import UNSET, Unset

T = TypeVar("T", bound="OnlineConference")


@_attrs_define
class OnlineConference:
    id: int
    online_conference_account_id: int
    public_id: str
    title: str
    is_public: bool
    deleted_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    backer_event_id: int | None | Unset = UNSET
    is_occurred: bool | Unset = UNSET
    started_at: datetime.datetime | None | Unset = UNSET
    ended_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        online_conference_account_id = self.online_conference_account_id

        public_id = self.public_id

        title = self.title

        is_public = self.is_public

        deleted_at: None | str
        if isinstance(self.deleted_at, datetime.datetime):
            deleted_at = self.deleted_at.isoformat()
        else:
            deleted_at = self.deleted_at

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        backer_event_id: int | None | Unset
        if isinstance(self.backer_event_id, Unset):
            backer_event_id = UNSET
        else:
            backer_event_id = self.backer_event_id

        is_occurred = self.is_occurred

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        elif isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        ended_at: None | str | Unset
        if isinstance(self.ended_at, Unset):
            ended_at = UNSET
        elif isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "online_conference_account_id": online_conference_account_id,
                "public_id": public_id,
                "title": title,
                "is_public": is_public,
                "deleted_at": deleted_at,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if backer_event_id is not UNSET:
            field_dict["backer_event_id"] = backer_event_id
        if is_occurred is not UNSET:
            field_dict["is_occurred"] = is_occurred
        if started_at is not UNSET:
            field_dict["started_at"] = started_at
        if ended_at is not UNSET:
            field_dict["ended_at"] = ended_at

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
            id = d.pop("id")
            online_conference_account_id = d.pop("online_conference_account_id")
            public_id = d.pop("public_id")
            title = d.pop("title")
            is_public = d.pop("is_public")
            _deleted_at = d.pop("deleted_at")
            _created_at = d.pop("created_at")
            _updated_at = d.pop("updated_at")
        except KeyError as missing:
            raise ResponseShapeError.missing_field(missing.args[0]) from None
        backer_event_id = d.pop("backer_event_id", UNSET)
        is_occurred = d.pop("is_occurred", UNSET)
        _started_at = d.pop("started_at", UNSET)
        _ended_at = d.pop("ended_at", UNSET)

        if type(id) is not int:
            raise ResponseShapeError.wrong_type("id", "integer", id)

        if type(online_conference_account_id) is not int:
            raise ResponseShapeError.wrong_type(
                "online_conference_account_id", "integer", online_conference_account_id
            )

        if not isinstance(public_id, str):
            raise ResponseShapeError.wrong_type("public_id", "string", public_id)

        if not isinstance(title, str):
            raise ResponseShapeError.wrong_type("title", "string", title)

        if not isinstance(is_public, bool):
            raise ResponseShapeError.wrong_type("is_public", "boolean", is_public)

        deleted_at: datetime.datetime | None
        if _deleted_at is None:
            deleted_at = _deleted_at
        else:
            try:
                deleted_at = datetime.datetime.fromisoformat(_deleted_at)
            except (TypeError, ValueError):
                deleted_at = rfc3339_date_time(_deleted_at, "deleted_at")

        try:
            created_at = datetime.datetime.fromisoformat(_created_at)
        except (TypeError, ValueError):
            created_at = rfc3339_date_time(_created_at, "created_at")

        try:
            updated_at = datetime.datetime.fromisoformat(_updated_at)
        except (TypeError, ValueError):
            updated_at = rfc3339_date_time(_updated_at, "updated_at")

        if (
            type(backer_event_id) is not int
            and backer_event_id is not None
            and backer_event_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "backer_event_id", "integer or null", backer_event_id
            )

        if not isinstance(is_occurred, bool) and is_occurred is not UNSET:
            raise ResponseShapeError.wrong_type("is_occurred", "boolean", is_occurred)

        started_at: datetime.datetime | None | Unset
        if _started_at is None or _started_at is UNSET:
            started_at = _started_at
        else:
            try:
                started_at = datetime.datetime.fromisoformat(_started_at)
            except (TypeError, ValueError):
                started_at = rfc3339_date_time(_started_at, "started_at")

        ended_at: datetime.datetime | None | Unset
        if _ended_at is None or _ended_at is UNSET:
            ended_at = _ended_at
        else:
            try:
                ended_at = datetime.datetime.fromisoformat(_ended_at)
            except (TypeError, ValueError):
                ended_at = rfc3339_date_time(_ended_at, "ended_at")

        online_conference = cls(
            id=id,
            online_conference_account_id=online_conference_account_id,
            public_id=public_id,
            title=title,
            is_public=is_public,
            deleted_at=deleted_at,
            created_at=created_at,
            updated_at=updated_at,
            backer_event_id=backer_event_id,
            is_occurred=is_occurred,
            started_at=started_at,
            ended_at=ended_at,
        )

        online_conference.additional_properties = d
        return online_conference

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
