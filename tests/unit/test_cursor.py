import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.cursor import Cursor
from runtime.errors import InvalidCursorError
from runtime.ids import ITEM_ID_PATTERN, USER_ID_PATTERN
from runtime.models import ItemStatus

user_ids = st.from_regex(USER_ID_PATTERN, fullmatch=True)
item_ids = st.from_regex(ITEM_ID_PATTERN, fullmatch=True)
statuses = st.none() | st.sampled_from(ItemStatus)


@given(user_id=user_ids, status=statuses, item_id=item_ids)
def test_a_cursor_decodes_to_what_was_encoded(user_id, status, item_id):
    cursor = Cursor(user_id=user_id, status=status, last_item_id=item_id)

    assert Cursor.decode(cursor.encode()) == cursor


@given(user_id=user_ids, status=statuses, item_id=item_ids)
def test_an_encoded_cursor_is_url_safe(user_id, status, item_id):
    token = Cursor(user_id=user_id, status=status, last_item_id=item_id).encode()

    assert all(ch.isalnum() or ch in "-_" for ch in token)


@given(token=st.text(max_size=600))
def test_any_string_either_decodes_to_a_valid_cursor_or_is_refused(token):
    try:
        cursor = Cursor.decode(token)
    except InvalidCursorError:
        return
    assert Cursor.decode(cursor.encode()) == cursor


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


@given(payload=st.dictionaries(st.sampled_from("vusix"), json_values))
def test_forged_payloads_are_refused_unless_fully_valid(payload):
    token = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
    try:
        cursor = Cursor.decode(token)
    except InvalidCursorError:
        return
    assert cursor.last_item_id == payload["i"]


def _forge(**payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-base64!",
        _forge(v=1, u="U1", s=None),
        _forge(v=2, u="U1", s=None, i="01M837V9CXKT5MX5SMCZCPKCTC"),
        _forge(v=1, u="USER#U1", s=None, i="01M837V9CXKT5MX5SMCZCPKCTC"),
        _forge(v=1, u="U1", s=None, i="ITEM#01M837V9CXKT5MX5SMCZCPKCTC"),
        _forge(v=1, u="U1", s="LATER", i="01M837V9CXKT5MX5SMCZCPKCTC"),
        _forge(v=1, u="U1", s=[], i="01M837V9CXKT5MX5SMCZCPKCTC"),
        _forge(v=1, u="U1", s={"TODO": 1}, i="01M837V9CXKT5MX5SMCZCPKCTC"),
        "A" * 1000,
    ],
)
def test_malformed_or_forged_cursors_are_refused(token):
    with pytest.raises(InvalidCursorError):
        Cursor.decode(token)


def test_a_cursor_only_continues_the_list_it_came_from():
    cursor = Cursor(user_id="U1", status=ItemStatus.TODO, last_item_id="01M837V9CXKT5MX5SMCZCPKCTC")

    cursor.check_belongs_to("U1", ItemStatus.TODO)
    with pytest.raises(InvalidCursorError, match="another user"):
        cursor.check_belongs_to("U2", ItemStatus.TODO)
    with pytest.raises(InvalidCursorError, match="status"):
        cursor.check_belongs_to("U1", None)
