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
from ..types import UNSET, Unset

_new = object.__new__
_fromisoformat = _datetime.fromisoformat
_rfc3339_date_time_text = _RFC3339_DATE_TIME.fullmatch
_FIELDS: frozenset[str] = frozenset(
    (
        "id",
        "online_conference_account_id",
        "public_id",
        "title",
        "is_public",
        "deleted_at",
        "created_at",
        "updated_at",
        "backer_event_id",
        "is_occurred",
        "started_at",
        "ended_at",
    )
)


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
        # Built field by field: attrs' __init__ would only store the values checked here.
        _d, _self = src_dict, _new(cls)
        # A value that is no JSON object (a list, a string, a number, null) fails the first
        # lookup with a TypeError: no check before it is needed.
        try:
            id = _d["id"]
            online_conference_account_id = _d["online_conference_account_id"]
            public_id = _d["public_id"]
            title = _d["title"]
            is_public = _d["is_public"]
            deleted_at = _d["deleted_at"]
            created_at = _d["created_at"]
            updated_at = _d["updated_at"]
        except KeyError as _missing:
            raise ResponseShapeError.missing_field(_missing.args[0]) from None
        except TypeError:
            raise ResponseShapeError.wrong_type("$", "object", src_dict) from None
        # Usually every field the spec lists is there and nothing else: then a lookup each
        # is all it takes, and there are no unknown fields to collect.
        _complete = len(_d) == 12
        if _complete:
            try:
                backer_event_id = _d["backer_event_id"]
                is_occurred = _d["is_occurred"]
                started_at = _d["started_at"]
                ended_at = _d["ended_at"]
            except KeyError:
                _complete = False
        if not _complete:
            backer_event_id = _d.get("backer_event_id", UNSET)
            is_occurred = _d.get("is_occurred", UNSET)
            started_at = _d.get("started_at", UNSET)
            ended_at = _d.get("ended_at", UNSET)

        if type(id) is not int:
            raise ResponseShapeError.wrong_type("id", "integer", id)
        _self.id = id

        if type(online_conference_account_id) is not int:
            raise ResponseShapeError.wrong_type(
                "online_conference_account_id", "integer", online_conference_account_id
            )
        _self.online_conference_account_id = online_conference_account_id

        if not isinstance(public_id, str):
            raise ResponseShapeError.wrong_type("public_id", "string", public_id)
        _self.public_id = public_id

        if not isinstance(title, str):
            raise ResponseShapeError.wrong_type("title", "string", title)
        _self.title = title

        if type(is_public) is not bool:
            raise ResponseShapeError.wrong_type("is_public", "boolean", is_public)
        _self.is_public = is_public

        if deleted_at is not None:
            try:
                if _rfc3339_date_time_text(deleted_at) is None:
                    raise ValueError
                deleted_at = _fromisoformat(deleted_at)
            except (TypeError, ValueError):
                deleted_at = _rfc3339_date_time(deleted_at, "deleted_at")
        _self.deleted_at = deleted_at

        try:
            if _rfc3339_date_time_text(created_at) is None:
                raise ValueError
            _self.created_at = _fromisoformat(created_at)
        except (TypeError, ValueError):
            _self.created_at = _rfc3339_date_time(created_at, "created_at")

        try:
            if _rfc3339_date_time_text(updated_at) is None:
                raise ValueError
            _self.updated_at = _fromisoformat(updated_at)
        except (TypeError, ValueError):
            _self.updated_at = _rfc3339_date_time(updated_at, "updated_at")

        if (
            type(backer_event_id) is not int
            and backer_event_id is not None
            and backer_event_id is not UNSET
        ):
            raise ResponseShapeError.wrong_type(
                "backer_event_id", "integer or null", backer_event_id
            )
        _self.backer_event_id = backer_event_id

        if type(is_occurred) is not bool and is_occurred is not UNSET:
            raise ResponseShapeError.wrong_type("is_occurred", "boolean", is_occurred)
        _self.is_occurred = is_occurred

        if started_at is not None and started_at is not UNSET:
            try:
                if _rfc3339_date_time_text(started_at) is None:
                    raise ValueError
                started_at = _fromisoformat(started_at)
            except (TypeError, ValueError):
                started_at = _rfc3339_date_time(started_at, "started_at")
        _self.started_at = started_at

        if ended_at is not None and ended_at is not UNSET:
            try:
                if _rfc3339_date_time_text(ended_at) is None:
                    raise ValueError
                ended_at = _fromisoformat(ended_at)
            except (TypeError, ValueError):
                ended_at = _rfc3339_date_time(ended_at, "ended_at")
        _self.ended_at = ended_at

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
