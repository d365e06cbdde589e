from runtime.ids import is_item_id, is_user_id, new_id


def test_new_ids_are_unique_and_sort_in_creation_order():
    ids = [new_id() for _ in range(5000)]

    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_new_ids_are_url_safe_item_and_user_ids():
    value = new_id()

    assert is_item_id(value)
    assert is_user_id(value)
    assert value.isalnum()


def test_a_cognito_sub_is_a_user_id_but_not_an_item_id():
    sub = "3f1c2a4e-8b7d-4c1e-9f00-123456789abc"

    assert is_user_id(sub)
    assert not is_item_id(sub)


def test_ids_carrying_key_or_path_characters_are_rejected():
    for bad in ("a#b", "a/b", "USER#1", "é", "x" * 65, "", "01M837V9CXKT5MX5SMCZCPKCT\n"):
        assert not is_user_id(bad), bad
        assert not is_item_id(bad), bad
