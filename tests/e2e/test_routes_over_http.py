"""Every route over real HTTP through the local API Gateway, as a client app would call it."""

from http.client import HTTPConnection

import pytest

pytestmark = pytest.mark.e2e


def test_health(local_api, http):
    response = http.get(f"{local_api.url}/health", timeout=5)

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.local_only
def test_requests_on_one_kept_alive_connection_are_answered_in_turn(local_api):
    host, port = local_api.url.removeprefix("http://").split(":")
    connection = HTTPConnection(host, int(port), timeout=5)
    answers = []
    for _ in range(3):
        connection.request("GET", "/health")
        response = connection.getresponse()
        answers.append((response.status, response.read(), connection.sock))
    connection.close()

    assert [(status, body) for status, body, _ in answers] == [(200, b'{"status":"ok"}')] * 3
    first_socket = answers[0][2]
    assert first_socket is not None
    assert all(sock is first_socket for _, _, sock in answers)  # http.client drops a socket the server closes


def test_a_user_and_its_items_through_every_route(local_api, http, sign_up):
    base = local_api.url
    created = sign_up("Jane")
    user = created.json()
    user_path = f"{base}/users/{user['userId']}"
    assert created.status_code == 201
    assert created.headers["location"] == f"/users/{user['userId']}"

    assert http.get(user_path, timeout=10).json() == user
    renamed = http.patch(user_path, json={"name": "Janet"}, headers={"If-Match": created.headers["etag"]}, timeout=10)
    next_version = created.headers["etag"].replace('.1"', '.2"')
    assert (renamed.status_code, renamed.json()["name"], renamed.headers["etag"]) == (200, "Janet", next_version)

    item_response = http.post(f"{user_path}/items", json={"task": "Finalize Q3 report"}, timeout=10)
    item = item_response.json()
    item_path = f"{user_path}/items/{item['itemId']}"
    assert (item_response.status_code, item["status"]) == (201, "TODO")
    assert http.get(item_path, timeout=10).json() == item

    done = http.patch(item_path, json={"status": "DONE"}, headers={"If-Match": '"1"'}, timeout=10).json()
    assert http.get(f"{user_path}/items", params={"status": "DONE"}, timeout=10).json()["items"] == [done]
    with_items = http.get(user_path, params={"include": "items"}, timeout=10).json()
    assert (with_items["user"]["name"], with_items["items"], with_items["nextCursor"]) == ("Janet", [done], None)

    assert http.delete(item_path, timeout=10).status_code == 204
    assert http.get(f"{user_path}/items", timeout=10).json() == {"items": [], "nextCursor": None}
    assert http.delete(user_path, timeout=10).status_code == 204
    assert http.get(user_path, timeout=10).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nope"), ("PUT", "/users"), ("GET", "/users"), ("POST", "/health"), ("GET", "/users/a/items/b/c")],
)
def test_a_route_the_table_does_not_declare_gets_api_gateways_404(local_api, http, method, path):
    response = http.request(method, f"{local_api.url}{path}", timeout=5)

    assert (response.status_code, response.json()) == (404, {"message": "Not Found"})


@pytest.mark.local_only
def test_the_openapi_document_and_an_offline_explorer_are_served(local_api, http):
    document = http.get(f"{local_api.url}/openapi.json", timeout=5).json()
    page = http.get(f"{local_api.url}/docs", timeout=5).text

    assert "/users/{userId}/items" in document["paths"]
    assert "/docs/swagger-ui-bundle.min.js" in page
    assert "https://" not in page
    assert http.get(f"{local_api.url}/docs/swagger-ui-bundle.min.js", timeout=5).status_code == 200


@pytest.mark.local_only
def test_the_outputs_file_has_the_stacks_output_names(local_api):
    from components import outputs
    from tests.e2e.conftest import read_outputs

    written = read_outputs(local_api)

    assert written == {
        outputs.API_URL: local_api.url,
        outputs.REGION: "us-east-1",
        outputs.TABLE_NAME: local_api.table.name,  # the table the server announced it created
        outputs.EVENTS_TOPIC_ARN: written[outputs.EVENTS_TOPIC_ARN],
        outputs.EVENTS_QUEUE_URL: written[outputs.EVENTS_QUEUE_URL],
        "demoUsers": {},  # local only; empty with --no-demo-data
        "awsEndpointUrl": written["awsEndpointUrl"],  # local only: the embedded moto server
        "outboxUrl": written["outboxUrl"],  # local only: the emails the notifier sent
        outputs.WS_URL: written[outputs.WS_URL],
        "attachmentsBucketName": "users-items-attachments-local",  # local only: the embedded S3 bucket
    }
    assert written["outboxUrl"].startswith("http://127.0.0.1:")
    assert written[outputs.EVENTS_QUEUE_URL].startswith(written["awsEndpointUrl"] + "/")
    assert local_api.table.table_status == "ACTIVE"
