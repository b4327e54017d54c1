"""The client's release version and the MeetBit API version it speaks."""

__version__ = "0.2.0"
API_VERSION = "2.0"
