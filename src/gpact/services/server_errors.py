"""Failures the server's use cases report; the API and web app map them to HTTP statuses."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    """Missing, or belonging to another organisation (the two look the same on purpose)."""

    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    """A stale write (the version changed since it was read) or a duplicate name."""

    status = 409


class Invalid(ServiceError):
    """Bad input with one message per field (for example a profile's field problems)."""

    status = 422

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class TooLarge(ServiceError):
    status = 413
