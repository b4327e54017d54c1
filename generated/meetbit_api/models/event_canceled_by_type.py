from enum import StrEnum


class EventCanceledByType(StrEnum):
    APP_MODELS_TENANT_CLIENT = "App\\Models\\Tenant\\Client"
    APP_MODELS_TENANT_CUSTOMER = "App\\Models\\Tenant\\Customer"
    APP_MODELS_TENANT_USER = "App\\Models\\Tenant\\User"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "EventCanceledByType | None":
        # A value this client's spec does not list yet (the server is newer than the client)
        # becomes a pseudo-member named UNKNOWN, instead of making the whole response
        # unreadable. It compares equal to its raw value and serialises back to it.
        if not isinstance(value, str):
            return None
        unknown = str.__new__(cls, value)
        unknown._name_ = "UNKNOWN"
        unknown._value_ = value
        return unknown
