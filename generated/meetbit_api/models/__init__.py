"""Contains all the data models used in inputs/outputs"""

from .cancel_event_body import CancelEventBody
from .cancel_event_response_200 import CancelEventResponse200
from .event import Event
from .event_attendee import EventAttendee
from .event_attendee_status import EventAttendeeStatus
from .event_canceled_by_type import EventCanceledByType
from .online_conference import OnlineConference

__all__ = (
    "CancelEventBody",
    "CancelEventResponse200",
    "Event",
    "EventAttendee",
    "EventAttendeeStatus",
    "EventCanceledByType",
    "OnlineConference",
)
