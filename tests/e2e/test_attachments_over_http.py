"""Attachments end to end on the local API: the presigned POST to the embedded S3, the arrival
check (READY or REJECTED), the download, and the objects' cleanup through the domain events."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from local_api.attachments import BUCKET_KEY
from tests.e2e.conftest import read_outputs

pytestmark = pytest.mark.local_only

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
# Generous: the processor's and cleanup's queues are read every 0.1 s; the machine may be loaded.
SETTLE_TIMEOUT_SECONDS = 20


@pytest.fixture
def item_url(local_api: Any, http: requests.Session, new_user: Any) -> str:
    user = new_user()
    item = http.post(f"{local_api.url}/users/{user['userId']}/items", json={"task": "Attach the chart"}, timeout=10)
    return f"{local_api.url}/users/{user['userId']}/items/{item.json()['itemId']}"


def _upload(http: requests.Session, item_url: str, content: bytes, *, content_type: str, size: int) -> dict[str, Any]:
    """Declare the attachment, then POST the file to S3 with its presigned form."""
    declared = {"fileName": "Q3 chart \u2013 final.png", "contentType": content_type, "size": size}
    created = http.post(f"{item_url}/attachments", json=declared, timeout=10)
    assert created.status_code == 201, created.text
    attachment = created.json()
    upload = attachment["upload"]
    sent = requests.post(upload["url"], data=upload["fields"], files={"file": ("chart", content)}, timeout=10)
    assert sent.status_code == 204, sent.text
    return dict(attachment)


def _settled(http: requests.Session, url: str) -> requests.Response:
    deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
    while True:
        response = http.get(url, timeout=10)
        if response.status_code != 409 or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def _bucket_keys(local_api: Any) -> list[str]:
    bucket = read_outputs(local_api)[BUCKET_KEY]
    return [entry["Key"] for entry in local_api.aws_client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]


def _item_keys(local_api: Any, item_url: str) -> list[str]:
    _, user_id, _, item_id = item_url.removeprefix(local_api.url).strip("/").split("/")
    return [key for key in _bucket_keys(local_api) if f"/{user_id}/{item_id}/" in key]


def test_a_png_upload_becomes_ready_and_downloads_as_the_same_bytes(local_api, http, item_url):
    attachment = _upload(http, item_url, PNG, content_type="image/png", size=len(PNG))

    read = _settled(http, f"{item_url}/attachments/{attachment['attachmentId']}")

    assert (read.status_code, read.json()["status"]) == (200, "READY")
    download = requests.get(read.json()["download"]["url"], timeout=10)
    assert download.content == PNG
    assert download.headers["Content-Type"] == "image/png"
    assert "filename*=UTF-8''Q3%20chart%20%E2%80%93%20final.png" in download.headers["Content-Disposition"]
    summary = http.get(item_url, timeout=10).json()["attachments"]
    assert [(a["attachmentId"], a["status"]) for a in summary] == [(attachment["attachmentId"], "READY")]


@pytest.mark.parametrize(
    ("content", "size", "reason"),
    [(b"just some text, not a picture", 29, "not image/png"), (PNG, len(PNG) - 1, "not the declared")],
    ids=["text-declared-as-png", "wrong-size"],
)
def test_an_upload_that_is_not_what_was_declared_becomes_rejected_and_is_deleted(
    local_api, http, item_url, content, size, reason
):
    attachment = _upload(http, item_url, content, content_type="image/png", size=size)

    read = _settled(http, f"{item_url}/attachments/{attachment['attachmentId']}")

    assert (read.status_code, read.json()["status"], read.json()["download"]) == (200, "REJECTED", None)
    assert reason in read.json()["reason"]
    assert _item_keys(local_api, item_url) == []


def test_deleting_the_item_removes_its_objects(local_api, http, item_url):
    for _ in range(2):
        attachment = _upload(http, item_url, PNG, content_type="image/png", size=len(PNG))
        assert _settled(http, f"{item_url}/attachments/{attachment['attachmentId']}").status_code == 200
    assert len(_item_keys(local_api, item_url)) == 2

    assert http.delete(item_url, timeout=10).status_code == 204

    deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
    while _item_keys(local_api, item_url) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _item_keys(local_api, item_url) == []
