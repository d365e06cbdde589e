"""Presigned requests to the attachments bucket: the upload (an S3 POST policy) and the download.

Signing is local (no call to S3): the API's role signs with its session credentials, so a
request signed now can never outlive them, whatever its own expiry says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from runtime.attachments.keys import AttachmentRef

UPLOAD_SECONDS = 15 * 60
DOWNLOAD_SECONDS = 5 * 60


@dataclass(frozen=True)
class SignedUpload:
    url: str
    fields: dict[str, str]


def upload_conditions(content_type: str, size: int) -> list[Any]:
    """The POST policy's conditions besides the bucket and the key, which boto3 adds: this
    content type and exactly this many bytes."""
    return [{"Content-Type": content_type}, ["content-length-range", size, size]]


def sign_upload(s3: Any, bucket: str, ref: AttachmentRef, *, content_type: str, size: int) -> SignedUpload:
    key = ref.pending_key
    post = s3.generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=upload_conditions(content_type, size),
        ExpiresIn=UPLOAD_SECONDS,
    )
    return SignedUpload(url=str(post["url"]), fields={name: str(value) for name, value in post["fields"].items()})


def sign_download(s3: Any, bucket: str, ref: AttachmentRef, *, file_name: str, content_type: str) -> str:
    url: str = s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": ref.ready_key,
            "ResponseContentDisposition": content_disposition(file_name),
            "ResponseContentType": content_type,
        },
        ExpiresIn=DOWNLOAD_SECONDS,
    )
    return url


def content_disposition(file_name: str) -> str:
    """`attachment` naming the file as RFC 6266 says: `filename*` in UTF-8 for any name, and an
    ASCII `filename` for clients that know no other."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\%' else "_" for c in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
