"""The embedded DynamoDB keeps what moto ignores: a TransactWriteItems repeated with its
ClientRequestToken (a botocore retry of a call whose answer was late) is answered, not re-applied."""

import pytest
from botocore.exceptions import ClientError

from local_api.embedded_aws import TABLE_NAME, EmbeddedAws


@pytest.fixture(scope="module")
def database():
    embedded = EmbeddedAws()
    embedded.start()
    embedded.create_tables()
    yield embedded
    embedded.stop()


def put_new(client, key: str, token: str) -> dict:
    item = {"PK": {"S": key}, "SK": {"S": "METADATA"}}
    put = {"TableName": TABLE_NAME, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}
    return client.transact_write_items(TransactItems=[{"Put": put}], ClientRequestToken=token)


def test_a_repeated_token_gets_the_first_answer_and_writes_nothing_again(database):
    client = database.client()

    put_new(client, "USER#once", token="token-1")
    repeat = put_new(client, "USER#once", token="token-1")

    assert repeat["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_another_token_is_another_transaction(database):
    client = database.client()
    put_new(client, "USER#twice", token="token-2")

    with pytest.raises(ClientError, match="TransactionCanceledException"):
        put_new(client, "USER#twice", token="token-3")
