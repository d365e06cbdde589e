"""/health and /users through lambda_handler with payload-2.0 events."""

import re

import pytest

JANE = {"email": "jane.doe@example.com", "name": "Jane Doe"}
# A profile's ETag: its incarnation (a ULID) and its version.
PROFILE_ETAG = re.compile(r'"(?P<incarnation>[0-9A-HJKMNP-TV-Z]{26})\.(?P<version>[0-9]+)"')


@pytest.fixture
def jane(api):
    return api("POST", "/users", body=JANE).json()


def _etag(api, path):
    return api("GET", path).headers["etag"]


def test_health_is_ok_without_a_table(api):
    response = api("GET", "/health")

    assert (response.status, response.json()) == (200, {"status": "ok"})


def test_creating_a_user_answers_201_with_location_and_etag(api):
    response = api("POST", "/users", body=JANE)

    user = response.json()
    assert response.status == 201
    assert response.headers["location"] == f"/users/{user['userId']}"
    assert PROFILE_ETAG.fullmatch(response.headers["etag"])["version"] == "1"
    assert set(user) == {"userId", "email", "name", "notifications", "createdAt", "updatedAt", "version"}
    assert user["notifications"] == {"email": False}
    assert user["createdAt"].endswith("Z")


def test_a_created_user_can_be_read_back_with_the_etag_it_was_created_with(api):
    created = api("POST", "/users", body=JANE)

    read = api("GET", f"/users/{created.json()['userId']}")

    assert (read.status, read.json(), read.headers["etag"]) == (200, created.json(), created.headers["etag"])


def test_a_taken_email_is_a_conflict(api, jane):
    response = api("POST", "/users", body={**JANE, "email": "JANE.DOE@example.com"})

    assert (response.status, response.error_code) == (409, "email_taken")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No Email"}, "body.email"),
        ({**JANE, "admin": True}, "body.admin"),
        ({**JANE, "name": 42}, "body.name"),
        ({**JANE, "name": "x" * 101}, "body.name"),
        ({**JANE, "name": "   "}, "body.name"),
        ({**JANE, "email": "not-an-email"}, "body.email"),
    ],
)
def test_a_body_that_breaks_the_schema_is_422_with_field_details(api, table_items, body, field):
    response = api("POST", "/users", body=body)

    assert (response.status, response.error_code) == (422, "validation_error")
    assert field in [detail["field"] for detail in response.json()["error"]["details"]]
    assert table_items() == []


@pytest.mark.parametrize("body", [[], "a string", 3])
def test_a_body_that_is_not_an_object_is_422(api, body):
    assert api("POST", "/users", body=body).status == 422


def test_malformed_json_is_400(api, table_items):
    response = api("POST", "/users", raw_body='{"email": ', headers={"content-type": "application/json"})

    assert (response.status, response.error_code) == (400, "malformed_json")
    assert table_items() == []


def test_a_body_over_16_kib_is_413(api, table_items):
    response = api("POST", "/users", body={**JANE, "name": "x" * (16 * 1024)})

    assert (response.status, response.error_code) == (413, "payload_too_large")
    assert table_items() == []


def test_a_body_that_is_not_json_is_415(api, table_items):
    response = api(
        "POST", "/users", raw_body="email=a@b.co", headers={"content-type": "application/x-www-form-urlencoded"}
    )

    assert (response.status, response.error_code) == (415, "unsupported_media_type")
    assert table_items() == []


def test_a_missing_user_is_404(api):
    response = api("GET", "/users/01M837V9CXKT5MX5SMCZCPKCTC")

    assert (response.status, response.error_code) == (404, "not_found")


@pytest.mark.parametrize("user_id", ["USER%23x", "a%2Fb", "%C3%A9t%C3%A9", "x" * 300])
def test_a_malformed_user_id_never_reaches_a_key(api, user_id):
    response = api("GET", f"/users/{user_id}")

    assert (response.status, response.error_code) == (404, "not_found")


def test_a_profile_with_its_items_comes_in_one_response(api, jane):
    path = f"/users/{jane['userId']}"
    created = [api("POST", f"{path}/items", body={"task": f"task {n}"}).json() for n in range(3)]

    response = api("GET", path, query={"include": "items"})

    assert response.status == 200
    assert response.json() == {"user": jane, "items": list(reversed(created)), "nextCursor": None}


def test_an_unknown_include_is_400(api, jane):
    response = api("GET", f"/users/{jane['userId']}", query={"include": "friends"})

    assert (response.status, response.error_code) == (400, "invalid_parameter")


def test_patching_a_user_changes_only_what_was_sent(api, jane):
    path = f"/users/{jane['userId']}"
    read = _etag(api, path)

    response = api("PATCH", path, body={"name": "Janet"}, headers={"If-Match": read})

    assert response.status == 200
    assert response.json() | {"updatedAt": None} == jane | {"name": "Janet", "version": 2, "updatedAt": None}
    assert response.headers["etag"] == read.replace(".1", ".2")


def test_patching_with_a_stale_etag_is_412_and_loses_nothing(api, jane):
    path = f"/users/{jane['userId']}"
    read = _etag(api, path)
    api("PATCH", path, body={"name": "First"}, headers={"If-Match": read})

    response = api("PATCH", path, body={"name": "Second"}, headers={"If-Match": read})

    assert (response.status, response.error_code) == (412, "precondition_failed")
    assert api("GET", path).json()["name"] == "First"


@pytest.mark.parametrize("if_match", ["W/{etag}", "*", " {etag} "])
def test_if_match_accepts_weak_star_and_padded_forms(api, jane, if_match):
    path = f"/users/{jane['userId']}"

    response = api("PATCH", path, body={"name": "Janet"}, headers={"If-Match": if_match.format(etag=_etag(api, path))})

    assert response.status == 200


# A bare version is an item's tag: it names no incarnation, so it matches no profile.
@pytest.mark.parametrize("if_match", ['"v1"', '"1"', '"{incarnation}"', '"{incarnation}.x"', '"not-a-ulid.1"'])
def test_an_if_match_that_is_not_the_profiles_etag_fails_the_precondition(api, jane, if_match):
    path = f"/users/{jane['userId']}"
    incarnation = PROFILE_ETAG.fullmatch(_etag(api, path))["incarnation"]

    response = api("PATCH", path, body={"name": "x"}, headers={"If-Match": if_match.format(incarnation=incarnation)})

    assert (response.status, response.error_code) == (412, "precondition_failed")
    assert api("GET", path).json() == jane


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_the_profiles_etag_without_its_quotes_is_400_saying_to_quote_it(api, jane, method):
    path = f"/users/{jane['userId']}"
    unquoted = _etag(api, path).strip('"')

    response = api(method, path, body={"name": "x"} if method == "PATCH" else None, headers={"If-Match": unquoted})

    assert (response.status, response.error_code) == (400, "invalid_parameter")
    assert "send one ETag with its quotes" in response.json()["error"]["message"]
    assert api("GET", path).json() == jane


def test_the_etag_of_a_deleted_profile_never_matches_the_one_created_again_under_its_id(api):
    sub = {"sub": "3f1c2a4e-8b7d-4c1e-9f00-123456789abc"}
    first = api("POST", "/users", body=JANE, claims=sub)
    path = f"/users/{first.json()['userId']}"
    api("DELETE", path, claims=sub)
    again = api("POST", "/users", body=JANE, claims=sub)

    stale = api("PATCH", path, body={"name": "Mallory"}, headers={"If-Match": first.headers["etag"]}, claims=sub)

    assert again.json()["version"] == first.json()["version"] == 1
    assert (stale.status, stale.error_code) == (412, "precondition_failed")
    assert api("GET", path, claims=sub).json()["name"] == JANE["name"]


def test_changing_to_a_taken_email_is_409(api, jane):
    api("POST", "/users", body={"email": "john@example.com", "name": "John"})

    response = api("PATCH", f"/users/{jane['userId']}", body={"email": "john@example.com"})

    assert (response.status, response.error_code) == (409, "email_taken")


@pytest.mark.parametrize("body", [{}, {"name": None}, {"email": None, "name": "x"}, {"version": 9}])
def test_an_empty_null_or_unknown_patch_is_422(api, jane, body):
    response = api("PATCH", f"/users/{jane['userId']}", body=body)

    assert (response.status, response.error_code) == (422, "validation_error")


def test_patching_a_missing_user_is_404(api):
    assert api("PATCH", "/users/NOBODY", body={"name": "x"}).status == 404


def test_deleting_a_user_is_204_and_safe_to_retry(api, jane, table_items):
    path = f"/users/{jane['userId']}"
    api("POST", f"{path}/items", body={"task": "x"})

    first, retry = api("DELETE", path), api("DELETE", path)

    assert (first.status, first.text, retry.status) == (204, "", 204)
    assert table_items() == []
    assert api("POST", "/users", body=JANE).status == 201


def test_deleting_a_user_with_a_stale_etag_is_412(api, jane):
    path = f"/users/{jane['userId']}"

    response = api("DELETE", path, headers={"If-Match": _etag(api, path).replace(".1", ".5")})

    assert response.status == 412
    assert api("GET", f"/users/{jane['userId']}").status == 200


@pytest.mark.parametrize(("method", "path"), [("GET", "/nope"), ("PUT", "/users"), ("GET", "/users")])
def test_an_unknown_route_is_404_in_the_error_shape(api, method, path):
    response = api(method, path)

    assert (response.status, response.error_code) == (404, "route_not_found")


@pytest.mark.parametrize(
    "email",
    [
        "jane\u200b@example.com",
        "jane\u202e@example.com",
        "jane\u0007@example.com",
        "jane\ue000@example.com",
        "jane@exa_mple.com",
        "jane@example..com",
        "jane@-example.com",
        f"jane@{'a' * 64}.com",
    ],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_an_email_without_a_canonical_form_is_422_on_create_and_change(api, jane, table_items, method, email):
    before = table_items()
    path = "/users" if method == "POST" else f"/users/{jane['userId']}"

    response = api(method, path, body={**JANE, "email": email} if method == "POST" else {"email": email})

    assert (response.status, response.error_code) == (422, "validation_error")
    assert [detail["field"] for detail in response.json()["error"]["details"]] == ["body.email"]
    assert table_items() == before


def test_a_profile_keeps_its_email_in_nfc_and_another_spelling_of_it_is_taken(api):
    created = api("POST", "/users", body={**JANE, "email": "Ame\u0301lie@Example.com"})

    again = api("POST", "/users", body={**JANE, "email": "am\u00e9lie@example.com."})

    assert created.json()["email"] == "Am\u00e9lie@Example.com"
    assert (again.status, again.error_code) == (409, "email_taken")


def test_a_replayed_create_answers_the_first_responses_etag(api):
    first = api("POST", "/users", body=JANE, headers={"Idempotency-Key": "k-etag"})
    api("PATCH", first.headers["location"], body={"name": "Changed since"})

    again = api("POST", "/users", body=JANE, headers={"Idempotency-Key": "k-etag"})

    assert (again.status, again.json(), again.headers["etag"]) == (201, first.json(), first.headers["etag"])
