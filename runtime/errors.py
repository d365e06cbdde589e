"""Domain errors raised by the repository and the routes, each with the HTTP status it answers.

The handler turns any of them into the one error shape with that status; nothing else maps them.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import ClassVar


class DomainError(Exception):
    """Base of every error a client can cause; `code` is the machine-readable error code."""

    code = "bad_request"
    status: ClassVar[HTTPStatus] = HTTPStatus.BAD_REQUEST

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(DomainError):
    code = "not_found"
    status = HTTPStatus.NOT_FOUND


class EmailTakenError(DomainError):
    code = "email_taken"
    status = HTTPStatus.CONFLICT


class UserExistsError(DomainError):
    code = "user_exists"
    status = HTTPStatus.CONFLICT


class WriteConflictError(DomainError):
    """Concurrent transactions kept a write from happening; nothing was written."""

    code = "write_conflict"
    status = HTTPStatus.CONFLICT


class PreconditionFailedError(DomainError):
    code = "precondition_failed"
    status = HTTPStatus.PRECONDITION_FAILED


class ForbiddenError(DomainError):
    code = "forbidden"
    status = HTTPStatus.FORBIDDEN


class EmailNotVerifiedError(DomainError):
    """The token vouches for one address and the request names another."""

    code = "email_not_verified"
    status = HTTPStatus.FORBIDDEN


class InvalidCursorError(DomainError):
    code = "invalid_cursor"
    status = HTTPStatus.BAD_REQUEST


class InvalidParameterError(DomainError):
    """A query parameter or header the schema cannot reject by itself; `field` names it, e.g. `header.if-match`."""

    code = "invalid_parameter"
    status = HTTPStatus.BAD_REQUEST

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class DueAtPassedError(InvalidParameterError):
    """A `dueAt` that is not later than now: valid to the schema, which cannot describe the clock."""

    code = "due_at_passed"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="body.dueAt")


class TooManyAttachmentsError(DomainError):
    code = "too_many_attachments"
    status = HTTPStatus.CONFLICT


class AttachmentPendingError(DomainError):
    """The attachment's upload has not arrived or not been checked yet."""

    code = "attachment_pending"
    status = HTTPStatus.CONFLICT
