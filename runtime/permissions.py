"""The IAM actions the runtime needs, per table and on the events topic, and no others, and the API operations
it calls on each table, and the S3 actions of each function on the attachments bucket.

The function's role grants exactly these actions, and the table alarms add up throttles and
errors over exactly these operations (DynamoDB reports both per operation). Contract tests check
both against the calls the runtime's own test suite actually made: a transaction is authorised
per action inside it, but counted as the one operation `TransactWriteItems`.
"""

from runtime.attachments.keys import PENDING_PREFIX, READY_PREFIX, ROOT_PREFIX

DYNAMODB_ACTIONS: tuple[str, ...] = (
    "dynamodb:ConditionCheckItem",  # an item's user must exist; a deleted user's items are swept while it is absent
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)
TABLE_OPERATIONS: tuple[str, ...] = (
    "DeleteItem",
    "GetItem",
    "Query",
    "TransactWriteItems",  # creating users and items, moving an email claim, sweeping a deleted user's items
    "UpdateItem",
)

# Powertools' idempotency layer on its own table: claim a key, finish or drop its record. No
# GetItem: a failed claim returns the record that holds the key (ReturnValuesOnConditionCheckFailure),
# and powertools reads it only when that is missing, which a claim failing on an existing record
# never leaves it.
IDEMPOTENCY_TABLE_ACTIONS: tuple[str, ...] = ("dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
IDEMPOTENCY_TABLE_OPERATIONS: tuple[str, ...] = ("DeleteItem", "PutItem", "UpdateItem")

# The stream relay on the events topic: PublishBatch is authorised per entry as sns:Publish.
RELAY_SNS_ACTIONS: tuple[str, ...] = ("sns:Publish",)
# The relay keeps the items' schedules (and passes the scheduler's role to them: iam:PassRole).
RELAY_SCHEDULER_ACTIONS: tuple[str, ...] = (
    "scheduler:CreateSchedule",
    "scheduler:DeleteSchedule",
    "scheduler:UpdateSchedule",
)
# The reminders function on the single table: read the item and profile, record the reminder in a transaction
# (its operations, GetItem and TransactWriteItems, are among TABLE_OPERATIONS, which the table alarms add up).
REMINDERS_DYNAMODB_ACTIONS: tuple[str, ...] = (
    "dynamodb:ConditionCheckItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
# The notifier sends with SES v2 SendEmail, authorised as ses:SendEmail.
NOTIFIER_SES_ACTIONS: tuple[str, ...] = ("ses:SendEmail",)
SNS_OPERATION_ACTIONS: dict[str, str] = {"Publish": "sns:Publish", "PublishBatch": "sns:Publish"}

# The WebSocket functions on their connections table (runtime.realtime.connections): register a
# connection as two records in one transaction (authorised per record as PutItem), drop them, and
# read a user's connections. None of them touches the user table.
CONNECTIONS_ACTIONS: tuple[str, ...] = ("dynamodb:DeleteItem", "dynamodb:PutItem")
PUSHER_CONNECTIONS_ACTIONS: tuple[str, ...] = ("dynamodb:DeleteItem", "dynamodb:Query")
CONNECTIONS_TABLE_OPERATIONS: tuple[str, ...] = ("DeleteItem", "Query", "TransactWriteItems")
# The pusher on its WebSocket API's stage: POST @connections/<id> (and nothing else of the API).
MANAGE_CONNECTIONS_ACTION = "execute-api:ManageConnections"

# The attachments bucket (runtime.attachments.keys): S3 action -> the key prefixes it is granted on,
# per function. The API signs uploads to the pending prefix and downloads from the ready one (a
# presigned request can do only what its signer may). The processor reads an upload, copies a
# good one to the ready prefix (CopyObject is authorised as GetObject on the source and PutObject
# on the target) and deletes it. The cleanup lists an item's keys and deletes them.
API_S3_GRANTS: dict[str, tuple[str, ...]] = {"s3:PutObject": (PENDING_PREFIX,), "s3:GetObject": (READY_PREFIX,)}
PROCESSOR_S3_GRANTS: dict[str, tuple[str, ...]] = {
    "s3:DeleteObject": (PENDING_PREFIX,),
    "s3:GetObject": (PENDING_PREFIX,),
    "s3:PutObject": (READY_PREFIX,),
}
CLEANUP_S3_GRANTS: dict[str, tuple[str, ...]] = {"s3:DeleteObject": (ROOT_PREFIX,), "s3:ListBucket": (ROOT_PREFIX,)}
# The processor on the table: it reads the attachment's summary and settles it.
PROCESSOR_DYNAMODB_ACTIONS: tuple[str, ...] = ("dynamodb:GetItem", "dynamodb:UpdateItem")
# The S3 operations the runtime calls -> the actions authorising them (HeadObject reads the object).
S3_OPERATION_ACTIONS: dict[str, tuple[str, ...]] = {
    "PutObject": ("s3:PutObject",),
    "GetObject": ("s3:GetObject",),
    "HeadObject": ("s3:GetObject",),
    "CopyObject": ("s3:PutObject",),  # on the target; the source's s3:GetObject is checked apart
    "DeleteObject": ("s3:DeleteObject",),
    "DeleteObjects": ("s3:DeleteObject",),
    "ListObjectsV2": ("s3:ListBucket",),
}
# Everything any function does on the bucket: what its gateway endpoint lets through.
ATTACHMENT_S3_ACTIONS: tuple[str, ...] = tuple(
    sorted({action for grants in (API_S3_GRANTS, PROCESSOR_S3_GRANTS, CLEANUP_S3_GRANTS) for action in grants})
)
