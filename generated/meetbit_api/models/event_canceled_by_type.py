from enum import StrEnum


class EventCanceledByType(StrEnum):
    APP_MODELS_TENANT_CLIENT = "App\\Models\\Tenant\\Client"
    APP_MODELS_TENANT_CUSTOMER = "App\\Models\\Tenant\\Customer"
    APP_MODELS_TENANT_USER = "App\\Models\\Tenant\\User"

    def __str__(self) -> str:
        return str(self.value)
