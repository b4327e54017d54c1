"""`AttendeeStatus`: the attendee response statuses, with the meaning the spec only hints at.

It is the generated enum itself, not a copy, so the statuses on parsed attendees *are*
these members; this module gives each member the documentation the spec lacks.
"""

from __future__ import annotations

from meetbit_api.models.event_attendee_status import EventAttendeeStatus as AttendeeStatus

MEANINGS: dict[AttendeeStatus, str] = {
    AttendeeStatus.NO_RESPONSE: "Invited, has not answered yet.",
    AttendeeStatus.CONFIRMED: "Accepted: will attend.",
    AttendeeStatus.NOT_GOING: "Declined: will not attend.",
    AttendeeStatus.MAYBE: "Tentative: might attend.",
}

AttendeeStatus.__doc__ = (
    "An attendee's answer to an event invitation (an int on the wire).\n\n"
    + "\n".join(
        f"{member.name} = {member.value}: {meaning}" for member, meaning in MEANINGS.items()
    )
)
for _member, _meaning in MEANINGS.items():
    _member.__doc__ = _meaning

__all__ = ["AttendeeStatus"]
