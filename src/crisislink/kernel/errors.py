"""Errors the domain raises; entry points translate them (e.g. to RFC 9457 problem details)."""

from __future__ import annotations


class CrisislinkError(Exception):
    """Base of all expected, user-facing errors. `code` is stable and machine-readable."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CrisislinkError):
    code = "invalid-input"


class NotFound(CrisislinkError):
    code = "not-found"


class PermissionDenied(CrisislinkError):
    code = "forbidden"


class Conflict(CrisislinkError):
    """The record changed since the caller read it, or a unique key is taken."""

    code = "conflict"


class AuthenticationFailed(CrisislinkError):
    code = "unauthenticated"


class TooManyAttempts(CrisislinkError):
    code = "too-many-attempts"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
