from hypothesis import given
from hypothesis import strategies as st

from runtime import table_schema as schema
from runtime.ids import ITEM_ID_PATTERN, USER_ID_PATTERN

user_ids = st.from_regex(USER_ID_PATTERN, fullmatch=True)
item_ids = st.from_regex(ITEM_ID_PATTERN, fullmatch=True)


@given(user_id=user_ids, item_id=item_ids)
def test_keys_built_from_valid_ids_have_exactly_one_separator(user_id, item_id):
    key = schema.item_key(user_id, item_id)

    assert key["PK"].count("#") == 1
    assert key["SK"].count("#") == 1
    assert key["PK"].removeprefix("USER#") == user_id


@given(user_id=user_ids, item_id=item_ids)
def test_a_users_partition_read_descending_meets_the_profile_before_any_item(user_id, item_id):
    assert schema.profile_key(user_id)["SK"] > schema.item_key(user_id, item_id)["SK"]


def test_email_claims_are_case_insensitive():
    assert schema.email_claim_key("Jane.Doe@Example.com") == schema.email_claim_key("jane.doe@example.com")


def test_an_email_claim_is_keyed_on_the_canonical_form_which_for_ascii_is_the_lower_cased_address():
    assert schema.email_claim_key("Jane.Doe@Example.com")["PK"] == "EMAIL#jane.doe@example.com"
    assert schema.email_claim_key("Kai@Bücher.example.")["PK"] == "EMAIL#kai@xn--bcher-kva.example"


def test_the_create_table_request_uses_the_declared_keys_and_indexes():
    request = schema.create_table_request("t")

    assert request["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert {a["AttributeName"]: a["AttributeType"] for a in request["AttributeDefinitions"]} == (
        schema.KEY_ATTRIBUTE_TYPES
    )
    assert [index["IndexName"] for index in request["LocalSecondaryIndexes"]] == ["ByStatus"]


def test_the_idempotency_table_request_has_one_key_and_no_index():
    request = schema.create_idempotency_table_request("i")

    assert request["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert request["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert "LocalSecondaryIndexes" not in request
