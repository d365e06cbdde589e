"""/users/{userId}/items/{itemId}/attachments through lambda_handler, on moto's DynamoDB and S3."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import boto3
import pytest

from runtime.attachments.keys import AttachmentRef

BUCKET = "users-items-attachments-test"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture
def item_path(api, table):
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    user = api("POST", "/users", body={"email": "jane.doe@example.com", "name": "Jane"}).json()
    item = api("POST", f"/users/{user['userId']}/items", body={"task": "Finalize Q3 report"}).json()
    return f"/users/{user['userId']}/items/{item['itemId']}"


def _png(size: int = len(PNG)) -> dict[str, object]:
    return {"fileName": "chart.png", "contentType": "image/png", "size": size}


def test_an_attachment_is_created_pending_with_an_upload_pinning_key_type_and_size(api, item_path):
    response = api("POST", f"{item_path}/attachments", body=_png())

    created = response.json()
    assert response.status == 201
    assert created["status"] == "PENDING"
    assert response.headers["location"] == f"{item_path}/attachments/{created['attachmentId']}"
    policy = json.loads(base64.b64decode(created["upload"]["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", len(PNG), len(PNG)] in conditions
    assert {"bucket": BUCKET} in conditions
    _, user_id, _, item_id = item_path.strip("/").split("/")
    assert {"key": AttachmentRef(user_id, item_id, created["attachmentId"]).pending_key} in conditions
    expires = datetime.fromisoformat(policy["expiration"])
    assert expires - datetime.fromisoformat(created["createdAt"]) <= timedelta(minutes=15)
    assert abs(expires - datetime.fromisoformat(created["upload"]["expiresAt"])) < timedelta(seconds=1)


def test_the_item_lists_its_attachments(api, item_path):
    created = api("POST", f"{item_path}/attachments", body=_png()).json()

    item = api("GET", item_path).json()

    summary = {key: created[key] for key in ("attachmentId", "fileName", "contentType", "size", "status")}
    assert item["attachments"] == [summary]
    assert item["version"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fileName": "a.exe", "contentType": "application/x-msdownload", "size": 3}, "body.contentType"),
        ({"fileName": "a.png", "contentType": "image/png", "size": 0}, "body.size"),
        ({"fileName": "a.png", "contentType": "image/png", "size": 10 * 1024 * 1024 + 1}, "body.size"),
        ({"fileName": "../a.png", "contentType": "image/png", "size": 3}, "body.fileName"),
        ({"fileName": "a\x07.png", "contentType": "image/png", "size": 3}, "body.fileName"),
        ({"fileName": "", "contentType": "image/png", "size": 3}, "body.fileName"),
        ({"fileName": "a" * 256, "contentType": "image/png", "size": 3}, "body.fileName"),
    ],
)
def test_a_disallowed_attachment_is_422_naming_the_field(api, item_path, body, field):
    response = api("POST", f"{item_path}/attachments", body=body)

    assert (response.status, response.error_code) == (422, "validation_error")
    assert [detail["field"] for detail in response.json()["error"]["details"]] == [field]


def test_more_than_the_limit_is_409_too_many_attachments(api, item_path):
    for _ in range(10):
        assert api("POST", f"{item_path}/attachments", body=_png()).status == 201

    response = api("POST", f"{item_path}/attachments", body=_png())

    assert (response.status, response.error_code) == (409, "too_many_attachments")


def test_an_attachment_of_a_missing_item_is_404(api, item_path):
    missing = item_path.rsplit("/", 1)[0] + "/01M837V9CXKT5MX5SMCZCPKCTC"
    assert api("POST", f"{missing}/attachments", body=_png()).status == 404


def test_a_pending_attachment_is_409_attachment_pending(api, item_path):
    created = api("POST", f"{item_path}/attachments", body=_png()).json()

    response = api("GET", f"{item_path}/attachments/{created['attachmentId']}")

    assert (response.status, response.error_code) == (409, "attachment_pending")


def test_deleting_an_attachment_removes_its_summary_and_is_idempotent(api, item_path):
    created = api("POST", f"{item_path}/attachments", body=_png()).json()
    path = f"{item_path}/attachments/{created['attachmentId']}"

    assert api("DELETE", path).status == 204
    assert api("DELETE", path).status == 204
    assert api("GET", item_path).json()["attachments"] == []
    assert api("GET", path).status == 404
