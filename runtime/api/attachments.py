"""/users/{userId}/items/{itemId}/attachments: files on an item, uploaded and downloaded straight
from S3 with presigned requests (`runtime.attachments`)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from runtime import routes
from runtime.api.common import JSON, LOCATION, ItemId, UserId, error_responses, no_content
from runtime.attachments import storage
from runtime.attachments.keys import AttachmentRef
from runtime.attachments.repository import later
from runtime.dependencies import attachment_settings, get_attachment_repository, s3_client
from runtime.errors import AttachmentPendingError
from runtime.ids import ITEM_ID_PATTERN
from runtime.models import (
    AttachmentCreate,
    AttachmentCreated,
    AttachmentRead,
    AttachmentStatus,
    Download,
    ErrorResponse,
    Upload,
)

router = APIGatewayHttpRouter()

AttachmentId = Annotated[
    str, Path(alias="attachmentId", pattern=ITEM_ID_PATTERN, description="An attachment id (ULID).")
]


def _refuse_unless_allowed(body: AttachmentCreate) -> None:
    """The limits the stack configures, which the body's schema cannot know: 422 like the schema's own."""
    settings = attachment_settings()
    problems = []
    if body.content_type not in settings.content_types:
        message = f"contentType must be one of {', '.join(settings.content_types)}"
        problems.append((("body", "contentType"), message))
    if body.size > settings.max_bytes:
        problems.append((("body", "size"), f"size must be at most {settings.max_bytes}"))
    if problems:
        raise RequestValidationError(
            [{"loc": at, "type": "value_error", "msg": message, "ctx": {"error": message}} for at, message in problems]
        )


@router.post(
    routes.CREATE_ATTACHMENT.resolver_path,
    summary="Add an attachment to an item, and get its presigned upload",
    description=(
        "POST the file to `upload.url` as a multipart form (`upload.fields`, then `file`) before `upload.expiresAt`"
        " (15 minutes). The policy pins the key, the content type and the exact size; on arrival the file is"
        " checked and the attachment becomes READY or REJECTED. 409 `too_many_attachments` past"
        " `maxAttachmentsPerItem` (10)."
    ),
    responses={
        201: {"description": "The PENDING attachment and its upload", "headers": {"Location": LOCATION}},
        **error_responses(routes.CREATE_ATTACHMENT, body=True),
    },
)
def create_attachment(
    user_id: UserId, item_id: ItemId, body: Annotated[AttachmentCreate, Body()]
) -> Response[AttachmentCreated]:
    _refuse_unless_allowed(body)
    settings = attachment_settings()
    stored = get_attachment_repository().add(
        user_id,
        item_id,
        file_name=body.file_name,
        content_type=body.content_type,
        size=body.size,
        limit=settings.max_per_item,
        upload_seconds=storage.UPLOAD_SECONDS,
    )
    attachment = stored.attachment
    ref = AttachmentRef(user_id, item_id, attachment.attachment_id)
    signed = storage.sign_upload(s3_client(), settings.bucket, ref, content_type=body.content_type, size=body.size)
    upload = Upload(url=signed.url, fields=signed.fields, expires_at=stored.upload_expires_at)
    created = AttachmentCreated(**attachment.model_dump(), upload=upload)
    location = f"/users/{user_id}/items/{item_id}/attachments/{attachment.attachment_id}"
    return Response(status_code=201, content_type=JSON, body=created, headers={"Location": location})


@router.get(
    routes.GET_ATTACHMENT.resolver_path,
    summary="Get an attachment, with a download URL once READY",
    description=(
        "READY: the metadata and `download.url`, valid 5 minutes. REJECTED: the `reason`, no URL. PENDING: 409"
        " `attachment_pending`. A PENDING attachment whose upload window has passed is EXPIRED."
    ),
    responses={
        200: {"description": "The attachment"},
        **error_responses(routes.GET_ATTACHMENT),
        409: {
            "description": "`attachment_pending`: not uploaded, or not checked, yet",
            "content": {JSON: {"model": ErrorResponse}},
        },
    },
)
def get_attachment(user_id: UserId, item_id: ItemId, attachment_id: AttachmentId) -> AttachmentRead:
    attachment = get_attachment_repository().get(user_id, item_id, attachment_id)
    if attachment.status is AttachmentStatus.PENDING:
        raise AttachmentPendingError(f"attachment {attachment_id} is waiting for its upload to arrive and be checked")
    download = None
    if attachment.status is AttachmentStatus.READY:
        url = storage.sign_download(
            s3_client(),
            attachment_settings().bucket,
            AttachmentRef(user_id, item_id, attachment_id),
            file_name=attachment.file_name,
            content_type=attachment.content_type,
        )
        download = Download(url=url, expires_at=later(get_attachment_repository().now(), storage.DOWNLOAD_SECONDS))
    return AttachmentRead(**attachment.model_dump(), download=download)


@router.delete(
    routes.DELETE_ATTACHMENT.resolver_path,
    summary="Remove an attachment",
    description="Its summary goes at once, its object soon after. Idempotent: an attachment already gone is 204.",
    responses={204: {"description": "Removed", "content": {}}, **error_responses(routes.DELETE_ATTACHMENT)},
)
def delete_attachment(user_id: UserId, item_id: ItemId, attachment_id: AttachmentId) -> Response[None]:
    get_attachment_repository().remove(user_id, item_id, attachment_id)
    return no_content()
