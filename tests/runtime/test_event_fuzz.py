"""Whole payload-2.0 events, generated: whatever a client sends, no exception escapes and nothing is a 5xx.

Each event varies everything a client or API Gateway decides: method, path (route templates
filled with real ids, regex metacharacters, lone surrogates, or any text), headers (absent, null,
any content type, If-Match, Idempotency-Key), query, body (valid, invalid or random JSON, text,
base64, deeply nested) and the authorizer (absent, null, or claims with odd `sub` values). Every
answer must be a documented shape, a token without a usable `sub` is refused on every guarded
route, and a verified caller never gets another user's data.
"""

from __future__ import annotations

import base64
import copy
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from runtime import routes
from runtime.ids import is_user_id
from runtime.models import ItemStatus
from runtime.routes import ROUTES, Route
from tests.conftest import ApiResponse
from tests.support.events import http_event

EVENTS_PER_EXAMPLE = 5  # a short session per example: hypothesis' own cost is per example, not per event
settings.register_profile(
    "event-fuzz-ci",  # 5,000 events
    max_examples=1_000,
    deadline=None,
    database=None,
    phases=(Phase.generate, Phase.shrink),
    # The table fixture is set up once per test function and shared by every generated event on
    # purpose: the events then meet the users and items earlier events created.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("event-fuzz-deep", parent=settings.get_profile("event-fuzz-ci"), max_examples=10_000)
PROFILE = settings.get_profile(os.environ.get("EVENT_FUZZ_PROFILE", "event-fuzz-ci"))

USERS = ("U-ALICE", "U-BOB", "3f1c2a4e-8b7d-4c1e-9f00-123456789abc")
UNKNOWN_ITEM = "01M837V9CXKT5MX5SMCZCPKCTC"
METHODS = ("GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "get", "post", "patch")
CONTENT_TYPES = (
    "application/json",
    "Application/JSON; charset=utf-8",
    " application/json ",
    "application/jsonx",
    "application/merge-patch+json",
    "text/plain",
    "application/xml",
    "multipart/form-data",
    "multipart/form-data; boundary=xyz",
    "application/x-www-form-urlencoded",
    "",
    ";",
)
JSON_HEADERS = (
    {"content-type": "application/json"},
    {"content-type": "application/json", "if-match": '"1"'},
    {"content-type": "application/json", "if-match": "*"},
    {"content-type": "application/json", "if-match": 'W/"2"'},
    {"content-type": "application/json", "idempotency-key": "k-1"},
    {"content-type": "application/json", "idempotency-key": "k-2", "if-match": "7"},
)
ODD_BODIES = ("", "[" * 40 + "]" * 40, '"' + '\\"' * 50, "{" * 5000, '{"a": "\\ud800"}', '{"\\udc00": 1}', "x" * 17_000)
# Creates come often and a user's delete seldom, so that most events meet users and items that exist.
WEIGHTED_ROUTES = tuple(
    route
    for route in ROUTES
    for _ in range({routes.CREATE_USER: 3, routes.CREATE_ITEM: 3, routes.DELETE_USER: 1}.get(route, 2))
)
ABSENT = object()  # a key left out of the event, as opposed to one set to null

# Items the seeding fixture created, so generated paths can name real ones.
seeded_items: dict[str, str] = {}


def mostly(usual: st.SearchStrategy[Any], unusual: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` seven times in ten, so that most events get past the first check to the routes' own code."""
    return st.integers(0, 9).flatmap(lambda roll: usual if roll < 7 else unusual)


def _item_of(owner: str) -> str:
    """The item seeded for `owner` (it may have been deleted since), or one that never existed."""
    return seeded_items.get(owner, UNKNOWN_ITEM)


any_text = st.text(st.characters(exclude_categories=()), max_size=12)  # lone surrogates included
odd_segment = st.one_of(
    any_text.filter(lambda text: "/" not in text),
    st.text(st.sampled_from("\\()[]{}*+?.^$|%#~-._ab"), min_size=1, max_size=8),
    st.sampled_from(["", ".", "..", "%2F", "%00", "\ud800", "a\udfffb", "\\", "(", "["]),
)
odd_paths = st.one_of(
    st.builds(
        lambda route, user, item: route.path.format(userId=user, itemId=item, attachmentId=UNKNOWN_ITEM),
        st.sampled_from(ROUTES),
        st.sampled_from(USERS) | odd_segment,
        st.sampled_from(USERS).map(_item_of) | odd_segment,
    ),
    st.builds(
        lambda route, tail: route.path.format(userId=USERS[0], itemId=UNKNOWN_ITEM, attachmentId=UNKNOWN_ITEM) + tail,
        st.sampled_from(ROUTES),
        st.sampled_from(["/", "//", "/x", "?", "/(", "/\ud800"]),
    ),
    any_text.map("/".__add__),
)


# Shallow on purpose: deep nesting has its own bodies, and recursive strategies are the costliest to draw.
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | any_text
json_values = json_scalars | st.lists(json_scalars, max_size=3) | st.dictionaries(any_text, json_scalars, max_size=3)
fields = {
    "email": mostly(
        st.uuids().map("person-{0.hex}@example.com".format),
        st.sampled_from(["a@b", "", "@", "A@EXAMPLE.COM"]) | st.builds("{}@{}".format, any_text, any_text),
    ),
    "name": mostly(st.sampled_from(["Jane", "Jo"]), any_text | st.sampled_from([" ", "x" * 101])),
    "task": mostly(st.sampled_from(["Buy milk", "Call Bob"]), any_text | st.sampled_from(["", "x" * 501])),
    "status": mostly(st.sampled_from(["TODO", "IN_PROGRESS", "DONE"]), st.just("LATER") | json_values),
}
# The bodies a correct client sends: each a set of fields, any of which may still hold a bad value.
ROUTE_BODIES: dict[Route, tuple[tuple[str, ...], ...]] = {
    routes.CREATE_USER: (("email", "name"),),
    routes.UPDATE_USER: (("email",), ("name",), ("email", "name")),
    routes.CREATE_ITEM: (("task",), ("task", "status")),
    routes.UPDATE_ITEM: (("task",), ("status",), ("task", "status")),
}
# Any mix of the fields, with others (unknown, read-only) now and then.
any_resource_body = st.builds(
    lambda known, extra: {**extra, **known},
    st.fixed_dictionaries({}, optional=fields),
    st.dictionaries(st.sampled_from(["userId", "version", "other"]), json_values, max_size=2),
)


def body_fields(route: Route) -> st.SearchStrategy[dict[str, Any]]:
    """The body as API Gateway passes it: `body` (absent, null or text) and `isBase64Encoded`. Mostly the
    route's own JSON body, as a correct client sends it."""
    own = st.one_of(
        [st.fixed_dictionaries({name: fields[name] for name in names}) for names in ROUTE_BODIES.get(route, ((),))]
    )
    texts = st.one_of(
        st.builds(json.dumps, any_resource_body | json_values),
        st.builds(lambda value: json.dumps(value, ensure_ascii=False), any_resource_body),
        st.builds(lambda value, end: json.dumps(value)[:end], any_resource_body, st.integers(0, 40)),
        any_text,
        st.sampled_from(ODD_BODIES),
    )
    odd = st.one_of(
        st.just({}),
        st.just({"body": None}),
        texts.map(lambda text: {"body": text, "isBase64Encoded": False}),
        texts.map(lambda text: {"body": text, "isBase64Encoded": True}),
        texts.map(lambda text: {"body": _base64(text.encode(errors="surrogatepass")), "isBase64Encoded": True}),
        st.builds(
            lambda raw, tail: {"body": _base64(raw) + tail, "isBase64Encoded": True},
            st.binary(max_size=40),
            st.sampled_from(["", "!", "="]),
        ),
    )
    return mostly(own.map(lambda body: {"body": json.dumps(body), "isBase64Encoded": False}), odd)


def _base64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# Built once: a strategy built while drawing is validated again at every draw.
BODY_FIELDS = {route: body_fields(route) for route in ROUTES}

odd_claims = st.one_of(
    st.sampled_from([{}, {"sub": ""}, {"sub": None}, {"sub": 42}, {"sub": ["U-ALICE"]}, {"sub": "auth0|123"}]),
    st.sampled_from([{"sub": "U ALICE"}, {"sub": "x" * 65}, {"sub": "\ud800"}, {"client_id": "machine"}]),
    st.dictionaries(st.sampled_from(["sub", "email", "email_verified", "scope", "client_id"]), any_text, max_size=3),
)
odd_authorizers = st.one_of(
    odd_claims.map(lambda claims: {"jwt": {"claims": claims, "scopes": None}}),
    st.sampled_from([None, {}, {"jwt": None}, {"jwt": {}}, {"jwt": {"claims": None}}, {"lambda": {"sub": "x"}}]),
)
header_fields = mostly(
    st.sampled_from(JSON_HEADERS),
    st.one_of(
        st.sampled_from([ABSENT, None]),
        st.sampled_from(CONTENT_TYPES).map(lambda content_type: {"content-type": content_type}),
        st.dictionaries(st.sampled_from(["content-type", "if-match", "idempotency-key", "x"]), any_text, max_size=3),
    ),
)
queries = mostly(
    st.just({}),
    st.dictionaries(
        st.sampled_from(["status", "limit", "cursor", "include", "other"]),
        st.sampled_from(["TODO", "DONE", "1", "100", "0", "items", ""]) | any_text,
        max_size=3,
    ),
)


def usually(draw: st.DrawFn) -> bool:
    """True seven times in ten."""
    return draw(st.integers(0, 9)) < 7


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly a correct client's request to one route (its own user, or another's), with odd parts."""
    route, caller = draw(st.sampled_from(WEIGHTED_ROUTES)), draw(st.sampled_from(USERS))
    if usually(draw):
        owner = caller if usually(draw) else draw(st.sampled_from(USERS))
        item = _item_of(owner) if usually(draw) else UNKNOWN_ITEM
        method, path = route.method, route.path.format(userId=owner, itemId=item, attachmentId=UNKNOWN_ITEM)
    else:
        method, path = draw(st.sampled_from(METHODS)), draw(odd_paths)
    event = http_event(method, path, query=draw(queries))
    context = event["requestContext"]
    event.pop("headers")
    if (headers := draw(header_fields)) is not ABSENT:
        event["headers"] = copy.copy(headers)
    event.update(draw(BODY_FIELDS[route]))
    if usually(draw):
        if draw(st.booleans()):
            context["authorizer"] = {"jwt": {"claims": {"sub": caller}, "scopes": None}}
    else:
        context["authorizer"] = copy.deepcopy(draw(odd_authorizers))
    return event


def _usable_sub(event: dict[str, Any]) -> str | None:
    claims = ((event["requestContext"]["authorizer"] or {}).get("jwt") or {}).get("claims") or {}
    sub = claims.get("sub")
    return sub if isinstance(sub, str) and is_user_id(sub) else None


def _owners(value: Any) -> set[str]:
    """Every `userId` in a response body, at any depth."""
    if isinstance(value, dict):
        found = {value["userId"]} if isinstance(value.get("userId"), str) else set()
        return found.union(*(_owners(child) for child in value.values()))
    if isinstance(value, list):
        return set().union(*(_owners(child) for child in value))
    return set()


def _check(event: dict[str, Any], response: ApiResponse) -> None:
    assert 200 <= response.status < 500, (response.status, response.text)
    if response.status == 204:
        assert response.text == ""
        return
    body = response.json()
    assert isinstance(body, dict), body
    if response.status >= 400:
        assert list(body) == ["error"], body
        assert sorted(body["error"]) == ["code", "details", "message"], body
        assert isinstance(body["error"]["code"], str), body
    if event["requestContext"].get("authorizer") is None:
        return
    sub = _usable_sub(event)
    if sub is None and (event["requestContext"]["http"]["method"].upper(), event["rawPath"]) != ("GET", "/health"):
        assert (response.status, response.error_code) == (403, "forbidden")
    if sub is not None and response.status < 300:
        assert _owners(body) <= {sub}, (sub, body)


@pytest.fixture
def seeded(repository):
    """Users and items the generated events can meet, besides those earlier events create."""
    for user_id in USERS[:2]:
        repository.create_user(user_id=user_id, email=f"{user_id.lower()}@example.com", name=user_id)
        seeded_items[user_id] = repository.create_item(user_id, task="seeded", status=ItemStatus.TODO).item_id
    yield
    seeded_items.clear()


runs = {"events": 0}


@given(session=st.lists(events(), min_size=EVENTS_PER_EXAMPLE, max_size=EVENTS_PER_EXAMPLE))
@settings(PROFILE)
def test_no_generated_event_gets_a_5xx_or_escapes(send, seeded, session):
    for event in session:
        runs["events"] += 1
        _check(event, send(copy.deepcopy(event)))


def test_the_event_fuzzer_ran_its_profile():
    print(f"\ngenerated payload-2.0 events run through lambda_handler: {runs['events']}")
    assert runs["events"] >= PROFILE.max_examples * EVENTS_PER_EXAMPLE
