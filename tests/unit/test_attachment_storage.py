"""The presigned upload's POST policy, the download's Content-Disposition and the key layout: pure,
no AWS (boto3 signs locally)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from runtime import dependencies
from runtime.attachments.keys import AttachmentRef, item_prefixes, pending_ref
from runtime.attachments.storage import UPLOAD_SECONDS, content_disposition, sign_upload

REF = AttachmentRef("U-JANE", "01M837V9CXKT5MX5SMCZCPKCTC", "01M837V9CXKT5MX5SMCZCPKCTD")


@pytest.fixture
def signer():
    """The API's own signing client (its credentials are the tests' fake ones)."""
    dependencies.s3_client.cache_clear()
    yield dependencies.s3_client()
    dependencies.s3_client.cache_clear()


def test_the_upload_policy_pins_bucket_key_type_and_exact_length_and_expires_within_15_minutes(signer):
    before = datetime.now(UTC)
    upload = sign_upload(signer, "attachments-bucket", REF, content_type="image/png", size=1234)

    policy = json.loads(base64.b64decode(upload.fields["policy"]))
    signing = [c for c in policy["conditions"] if isinstance(c, dict) and any(k.startswith("x-amz-") for k in c)]
    assert [c for c in policy["conditions"] if c not in signing] == [
        {"Content-Type": "image/png"},
        ["content-length-range", 1234, 1234],
        {"bucket": "attachments-bucket"},
        {"key": REF.pending_key},
    ]
    expires = datetime.fromisoformat(policy["expiration"])
    assert expires - before <= timedelta(seconds=UPLOAD_SECONDS + 1)
    assert (upload.fields["key"], upload.fields["Content-Type"]) == (REF.pending_key, "image/png")
    assert upload.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("report.pdf", "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"),
        ("Q3 \u2013 final.png", "attachment; filename=\"Q3 _ final.png\"; filename*=UTF-8''Q3%20%E2%80%93%20final.png"),
        (
            'say "hi" 100%.txt',
            "attachment; filename=\"say _hi_ 100_.txt\"; filename*=UTF-8''say%20%22hi%22%20100%25.txt",
        ),
    ],
)
def test_downloads_name_the_file_as_rfc_6266_says(name, header):
    assert content_disposition(name) == header


def test_an_uploads_key_names_its_attachment_and_nothing_else_does():
    assert pending_ref(REF.pending_key) == REF
    assert pending_ref(REF.ready_key) is None
    assert pending_ref("attachments/pending/U/ITEM") is None
    assert REF.pending_key.startswith(item_prefixes(REF.user_id, REF.item_id)[0])
    assert REF.ready_key.startswith(item_prefixes(REF.user_id, REF.item_id)[1])
