"""The generated models parse what the MeetBit server really sends, and build requests."""

from __future__ import annotations

import copy
import datetime
from types import MappingProxyType
from typing import Any

import pytest
from meetbit_api.models import (
    CancelEventBody,
    CancelEventResponse200,
    Event,
    EventAttendeeStatus,
    EventCanceledByType,
    OnlineConference,
)
from meetbit_api.types import UNSET

pytestmark = pytest.mark.behaviour

UTC = datetime.UTC


def test_laravel_timestamps_parse_as_aware_utc_datetimes(event_payload: dict[str, Any]) -> None:
    event = Event.from_dict(event_payload)
    assert event.start == datetime.datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    assert event.start.tzinfo is not None
    assert event.updated_at == datetime.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_null_soft_delete_and_morph_columns_parse_as_none(event_payload: dict[str, Any]) -> None:
    event_payload["canceled_by_type"] = None
    event_payload["canceled_by_id"] = None
    event = Event.from_dict(event_payload)
    assert event.deleted_at is None
    assert event.canceled_by_type is None
    assert event.canceled_by_id is None


def test_canceled_by_type_is_the_enum(event_payload: dict[str, Any]) -> None:
    event = Event.from_dict(event_payload)
    assert event.canceled_by_type is EventCanceledByType.APP_MODELS_TENANT_USER


def test_all_four_attendee_statuses_parse_to_named_members(event_payload: dict[str, Any]) -> None:
    event = Event.from_dict(event_payload)
    assert [attendee.status for attendee in event.attendees] == [
        EventAttendeeStatus.NO_RESPONSE,
        EventAttendeeStatus.CONFIRMED,
        EventAttendeeStatus.NOT_GOING,
        EventAttendeeStatus.MAYBE,
    ]


def test_unknown_fields_are_kept_and_round_trip(event_payload: dict[str, Any]) -> None:
    event = Event.from_dict(event_payload)
    assert event.additional_properties == {"extra_field": {"nested": [1, 2]}}
    assert event.attendees[3].additional_properties == {"rsvp_source": "email"}
    assert event.to_dict()["extra_field"] == {"nested": [1, 2]}


def test_online_conference_null_and_present(
    event_payload: dict[str, Any], online_conference_payload: dict[str, Any]
) -> None:
    assert Event.from_dict(event_payload).online_conference is None
    event_payload["online_conference"] = online_conference_payload
    conference = Event.from_dict(event_payload).online_conference
    assert isinstance(conference, OnlineConference)
    assert conference.public_id == "room-42_a"
    assert conference.deleted_at is None


def test_optional_fields_missing_are_unset_not_none(event_payload: dict[str, Any]) -> None:
    for key in ("body", "location", "deleted_at", "online_conference", "extra_field"):
        del event_payload[key]
    event = Event.from_dict(event_payload)
    assert event.body is UNSET
    assert event.deleted_at is UNSET
    assert event.online_conference is UNSET


def test_every_listed_field_and_nothing_else_parses_with_no_unknown_fields(
    event_payload: dict[str, Any],
) -> None:
    del event_payload["extra_field"]
    event = Event.from_dict(event_payload)
    assert event.additional_properties == {}
    assert (event.body, event.location, event.online_conference) == (
        "Agenda in the doc.",
        None,
        None,
    )
    assert event.created_at == datetime.datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert Event.from_dict(event.to_dict()) == event


def test_as_many_keys_as_fields_but_one_unknown(event_payload: dict[str, Any]) -> None:
    """A missing optional field and an unknown one: the count matches, the names do not."""
    del event_payload["extra_field"], event_payload["body"]
    event_payload["surprise"] = 1
    event = Event.from_dict(event_payload)
    assert event.body is UNSET
    assert event.additional_properties == {"surprise": 1}
    assert event.cancel_note == "Moved to next week"


def test_parsing_leaves_the_input_alone(event_payload: dict[str, Any]) -> None:
    before = copy.deepcopy(event_payload)
    event = Event.from_dict(event_payload)
    assert event_payload == before
    event.additional_properties["added"] = True
    event.attendees[3].additional_properties.clear()
    assert event_payload == before


def test_any_mapping_parses_like_a_dict(event_payload: dict[str, Any]) -> None:
    assert Event.from_dict(MappingProxyType(event_payload)) == Event.from_dict(event_payload)


def test_known_enum_values_are_the_members_themselves(event_payload: dict[str, Any]) -> None:
    event = Event.from_dict(event_payload)
    assert event.attendees[0].status is EventAttendeeStatus.NO_RESPONSE  # 0: a falsy value
    assert event.canceled_by_type is EventCanceledByType.APP_MODELS_TENANT_USER


def test_envelope_parses_message_and_data(event_payload: dict[str, Any]) -> None:
    envelope = CancelEventResponse200.from_dict(
        {"message": "Event canceled.", "data": event_payload}
    )
    assert envelope.message == "Event canceled."
    assert envelope.data.id == 345


def test_cancel_event_body_serialises_the_note() -> None:
    body = CancelEventBody(cancel_note='Room flooded — sorry! "quotes"\nline two')
    assert body.to_dict() == {"cancel_note": 'Room flooded — sorry! "quotes"\nline two'}


def test_model_round_trip_is_lossless(
    event_payload: dict[str, Any], online_conference_payload: dict[str, Any]
) -> None:
    event_payload["online_conference"] = online_conference_payload
    event = Event.from_dict(event_payload)
    assert Event.from_dict(event.to_dict()) == event


class TestForwardCompatibility:
    """A value the spec does not list yet must not make the whole response unreadable."""

    def test_unknown_attendee_status_surfaces_as_unknown(
        self, event_payload: dict[str, Any]
    ) -> None:
        event_payload["attendees"][0]["status"] = 7
        event = Event.from_dict(event_payload)
        status = event.attendees[0].status
        assert isinstance(status, EventAttendeeStatus)
        assert status.name == "UNKNOWN"
        assert status == 7
        assert status not in list(EventAttendeeStatus)
        assert event.attendees[1].status is EventAttendeeStatus.CONFIRMED
        assert event.to_dict()["attendees"][0]["status"] == 7

    def test_unknown_canceled_by_type_surfaces_as_unknown(
        self, event_payload: dict[str, Any]
    ) -> None:
        event_payload["canceled_by_type"] = "App\\Models\\Tenant\\Robot"
        event = Event.from_dict(event_payload)
        assert isinstance(event.canceled_by_type, EventCanceledByType)
        assert event.canceled_by_type.name == "UNKNOWN"
        assert event.canceled_by_type == "App\\Models\\Tenant\\Robot"
        assert event.to_dict()["canceled_by_type"] == "App\\Models\\Tenant\\Robot"

    def test_wrong_kind_of_value_is_still_an_error(self, event_payload: dict[str, Any]) -> None:
        import pytest

        event_payload["attendees"][0]["status"] = "confirmed"
        with pytest.raises(ValueError, match="not a valid EventAttendeeStatus"):
            Event.from_dict(event_payload)
        event_payload["attendees"][0]["status"] = 2.5
        with pytest.raises(ValueError, match="not a valid EventAttendeeStatus"):
            Event.from_dict(event_payload)

    def test_known_members_are_unchanged(self) -> None:
        assert EventAttendeeStatus(1) is EventAttendeeStatus.CONFIRMED
        assert [m.name for m in EventAttendeeStatus] == [
            "NO_RESPONSE",
            "CONFIRMED",
            "NOT_GOING",
            "MAYBE",
        ]
