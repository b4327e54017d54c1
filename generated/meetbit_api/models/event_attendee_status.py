from enum import IntEnum


class EventAttendeeStatus(IntEnum):
    NO_RESPONSE = 0
    CONFIRMED = 1
    NOT_GOING = 2
    MAYBE = 3

    def __str__(self) -> str:
        return str(self.value)
