"""Attachments: files on items, uploaded by clients straight to S3 with presigned requests.

    client ──POST …/attachments──▶ API: a PENDING summary in the item record, and a presigned POST
    client ──the POST, the file──▶ S3 `attachments/pending/<user>/<item>/<attachment>`
    S3 ObjectCreated ──SQS──▶ processor (`runtime.attachments.processor`): the size and the first
        bytes checked; READY (copied to `attachments/ready/…`) or REJECTED (deleted)
    item.deleted, attachment.removed events ──SQS──▶ cleanup (`runtime.attachments.cleanup`):
        the objects deleted, per item or per attachment

Keys hold the item id and the attachment id (both ULIDs, never reused), so a cleanup by item
never touches the objects of a user created again under the same id.
"""

# The event types whose objects must go: the cleanup queue's subscription filter (the stack's and
# the local one).
CLEANUP_EVENT_TYPES = ("attachment.removed", "item.deleted")
