from enum import IntEnum


class EventAttendeeStatus(IntEnum):
    NO_RESPONSE = 0
    CONFIRMED = 1
    NOT_GOING = 2
    MAYBE = 3

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "EventAttendeeStatus | None":
        # A value this client's spec does not list yet (the server is newer than the client)
        # becomes a pseudo-member named UNKNOWN, instead of making the whole response
        # unreadable. It compares equal to its raw value and serialises back to it.
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        unknown = int.__new__(cls, value)
        unknown._name_ = "UNKNOWN"
        unknown._value_ = value
        return unknown
