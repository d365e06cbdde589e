"""The HTTP API's CORS rules, with no pulumi import: the API component configures API Gateway
with them and the local API applies them itself, so a browser meets the same answers on both."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

# The request headers a browser client may send: the token, JSON bodies, and the API's own two.
ALLOWED_HEADERS: tuple[str, ...] = ("authorization", "content-type", "idempotency-key", "if-match")
# The response headers a browser client may read besides the CORS-safelisted ones.
EXPOSE_HEADERS: tuple[str, ...] = ("etag", "location")
# How long a browser may cache a preflight's answer.
MAX_AGE_SECONDS = 600


def allowed_methods(route_keys: Iterable[str]) -> list[str]:
    """The methods of the routes (`GET /users/{userId}` -> `GET`), sorted, each once."""
    return sorted({route_key.split(" ")[0] for route_key in route_keys})


def is_origin(origin: str) -> bool:
    """A browser origin: scheme and host (and port), no path; `*` is refused on purpose."""
    parts = urlsplit(origin)
    return parts.scheme in ("https", "http") and bool(parts.hostname) and origin == f"{parts.scheme}://{parts.netloc}"
