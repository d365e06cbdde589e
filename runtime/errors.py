"""Domain errors raised by the repository and the routes; the handler maps each to HTTP once."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a client can cause; `code` is the machine-readable error code."""

    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(DomainError):
    code = "not_found"


class EmailTakenError(DomainError):
    code = "email_taken"


class UserExistsError(DomainError):
    code = "user_exists"


class WriteConflictError(DomainError):
    """Concurrent transactions kept a write from happening; nothing was written."""

    code = "write_conflict"


class PreconditionFailedError(DomainError):
    code = "precondition_failed"


class ForbiddenError(DomainError):
    code = "forbidden"


class EmailNotVerifiedError(DomainError):
    """The token vouches for one address and the request names another."""

    code = "email_not_verified"


class InvalidCursorError(DomainError):
    code = "invalid_cursor"


class InvalidParameterError(DomainError):
    """A query parameter or header the schema cannot reject by itself; `field` names it, e.g. `header.if-match`."""

    code = "invalid_parameter"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field
