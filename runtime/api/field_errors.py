"""Request validation problems as sentences for people: `task must not be blank`, not a regex.

Pydantic reports each problem with a type and its context; the sentence is built from those, so
a client's UI can show `details[].message` as it is and find the field in `details[].field`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from runtime.api.common import IDEMPOTENCY_KEY_PATTERN
from runtime.emails import EMAIL_PATTERN
from runtime.ids import ITEM_ID_PATTERN, USER_ID_PATTERN
from runtime.models import DATE_TIME_PATTERN, FILE_NAME_PATTERN, NOT_BLANK, FieldError

# What each pattern of the API's schemas asks for, said the way a person would; a test checks
# that every pattern the OpenAPI document declares is here.
PATTERN_MEANINGS = {
    NOT_BLANK: "must not be blank",
    EMAIL_PATTERN: "must be an email address",
    USER_ID_PATTERN: "must be a user id (a ULID or a token's subject)",
    ITEM_ID_PATTERN: "must be an item id (a ULID)",
    IDEMPOTENCY_KEY_PATTERN: "must be printable ASCII without spaces",
    DATE_TIME_PATTERN: "must be a date and time with its offset from UTC, e.g. 2030-01-31T09:00:00Z",
    FILE_NAME_PATTERN: "must not contain path separators (/ or \\) or control characters",
}

_FIXED_PREDICATES = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this body",
    "string_type": "must be a string",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "model_attributes_type": "must be a JSON object",
    "model_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
}
_PREDICATES_FROM_CONTEXT: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "string_pattern_mismatch": lambda context: PATTERN_MEANINGS.get(
        context["pattern"], "is not in the expected format"
    ),
    "string_too_short": lambda context: (
        "must not be empty" if context["min_length"] == 1 else f"must be at least {context['min_length']} characters"
    ),
    "string_too_long": lambda context: f"must be at most {context['max_length']} characters",
    "greater_than_equal": lambda context: f"must be at least {context['ge']}",
    "less_than_equal": lambda context: f"must be at most {context['le']}",
    "enum": lambda context: f"must be {context['expected']}",
    "literal_error": lambda context: f"must be {context['expected']}",
}


def field_errors(problems: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    return [FieldError(field=".".join(str(part) for part in p["loc"]), message=_sentence(p)) for p in problems]


def _subject(location: Sequence[Any]) -> str:
    """`task`, `Idempotency-Key`, `limit`; `the body` for a problem with the body as a whole."""
    kind, *names = location
    if not names:
        return "the body" if kind == "body" else str(kind)
    name = ".".join(str(part) for part in names)
    return "-".join(word.capitalize() for word in name.split("-")) if kind == "header" else name


def _sentence(problem: Mapping[str, Any]) -> str:
    subject = _subject(problem["loc"])
    kind: str = problem["type"]
    context: Mapping[str, Any] = problem.get("ctx") or {}
    if kind == "value_error":  # our own validators' messages, which are sentences already
        message = str(context.get("error", problem["msg"]))
        return message if subject == "the body" else f"{subject}: {message}"
    predicate = _predicate(kind, context)
    if predicate is None:
        return f"{subject}: {problem['msg']}"
    return f"{subject} {predicate}"


def _predicate(kind: str, context: Mapping[str, Any]) -> str | None:
    if kind in _FIXED_PREDICATES:
        return _FIXED_PREDICATES[kind]
    if kind in _PREDICATES_FROM_CONTEXT:
        return _PREDICATES_FROM_CONTEXT[kind](context)
    return None
