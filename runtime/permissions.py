"""The DynamoDB IAM actions the runtime needs on its table and indexes, and no others.

The function's role grants exactly these; a contract test checks them against the calls the
runtime's own test suite actually made (a transaction is authorised per action inside it).
"""

DYNAMODB_ACTIONS: tuple[str, ...] = (
    "dynamodb:ConditionCheckItem",  # an item's user must exist; a deleted user's items are swept while it is absent
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)
