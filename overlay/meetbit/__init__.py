"""Python client for the MeetBit Public API v2.0."""

from meetbit._version import API_VERSION, __version__

__all__ = ["API_VERSION", "__version__"]
