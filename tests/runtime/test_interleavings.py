"""Another writer gets in between the runtime's read and its write: the table stays consistent.

The other writer runs from a botocore `before-call` hook on the runtime's own client, so the
runtime's code runs unchanged; it writes through a second client, which carries no hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from runtime.dependencies import dynamodb_client
from runtime.errors import EmailTakenError, NotFoundError, PreconditionFailedError, WriteConflictError
from runtime.models import ItemStatus
from runtime.repository import IfMatch, Repository
from tests.support.table_invariants import violations

JANE = "U-JANE"


@pytest.fixture
def other(dynamodb, table):
    """Another request's repository, on a client of its own."""
    return Repository(dynamodb, table)


class _Interference:
    """A `before-call` hook: runs `interfere` before the first `times` calls that `when` accepts."""

    def __init__(self, interfere: Callable[[], Any], when: Callable[[str], bool], times: int) -> None:
        self.interfere, self.when, self.remaining = interfere, when, times

    def __call__(self, model: Any, **_: Any) -> None:
        if self.remaining and self.when(model.name):
            self.remaining -= 1
            self.interfere()


@pytest.fixture
def before_the_runtime_calls(repository):
    """Install an _Interference on the runtime's client for the rest of the test."""
    events = dynamodb_client().meta.events
    installed = []

    def install(interfere: Callable[[], Any], *, when: Callable[[str], bool], times: int = 1) -> _Interference:
        hook = _Interference(interfere, when, times)
        events.register("before-call.dynamodb", hook)
        installed.append(hook)
        return hook

    yield install
    for hook in installed:
        events.unregister("before-call.dynamodb", hook)


def _transaction(operation: str) -> bool:
    return operation == "TransactWriteItems"


def _sign_up_again(other: Repository, email: str) -> Callable[[], None]:
    """The user deletes its profile and signs up again with the same id (a JWT `sub`)."""

    def interfere() -> None:
        other.delete_user(JANE, if_match=None)
        other.create_user(user_id=JANE, email=email, name="Jane again")

    return interfere


def _change_email(other: Repository, user_id: str, email: str) -> Callable[[], None]:
    return lambda: other.update_profile(user_id, changes={"email": email}, if_match=None)


def _rename(other: Repository) -> Callable[[], None]:
    return lambda: other.update_profile(JANE, changes={"name": "Renamed again"}, if_match=None)


def _claims(records):
    return sorted(record["PK"] for record in records if record["SK"] == "EMAIL")


def test_a_stale_email_change_from_an_earlier_incarnation_never_releases_the_new_claim(
    repository, jane, other, before_the_runtime_calls, table_items
):
    before_the_runtime_calls(_sign_up_again(other, "jane.again@example.com"), when=_transaction)

    changed = repository.update_profile(JANE, changes={"email": "jane.moved@example.com"}, if_match=None)

    assert changed.incarnation != jane.incarnation
    assert changed == repository.get_profile(JANE)
    assert _claims(table_items()) == ["EMAIL#jane.moved@example.com"]
    assert violations(table_items()) == []


def test_a_stale_delete_from_an_earlier_incarnation_leaves_no_claim_behind(
    repository, jane, other, before_the_runtime_calls, table_items
):
    before_the_runtime_calls(_sign_up_again(other, "jane.again@example.com"), when=_transaction)

    repository.delete_user(JANE, if_match=None)

    assert table_items() == []


@pytest.mark.parametrize(
    ("operation", "written_by"),
    [("change email", "TransactWriteItems"), ("rename", "UpdateItem"), ("delete", "TransactWriteItems")],
)
def test_an_if_match_of_an_earlier_incarnation_changes_nothing_in_the_new_one(
    repository, jane, other, before_the_runtime_calls, table_items, operation, written_by
):
    before_the_runtime_calls(_sign_up_again(other, "jane.doe@example.com"), when=written_by.__eq__)
    read = IfMatch(jane.user.version, jane.incarnation)
    requests = {
        "change email": lambda: repository.update_profile(JANE, changes={"email": "j@example.com"}, if_match=read),
        "rename": lambda: repository.update_profile(JANE, changes={"name": "Mallory"}, if_match=read),
        "delete": lambda: repository.delete_user(JANE, if_match=read),
    }

    with pytest.raises(PreconditionFailedError):
        requests[operation]()
    assert repository.get_profile(JANE).user.name == "Jane again"
    assert _claims(table_items()) == ["EMAIL#jane.doe@example.com"]
    assert violations(table_items()) == []


def test_the_item_sweep_never_removes_an_item_of_a_profile_created_again_meanwhile(
    repository, jane, other, before_the_runtime_calls, dynamodb, table, table_items
):
    for n in range(30):
        repository.create_item(JANE, task=f"old {n}", status=ItemStatus.TODO)
    created_again = []

    def sign_up_again_and_add_an_item() -> None:
        other.create_user(user_id=JANE, email="jane.again@example.com", name="Jane again")
        created_again.append(other.create_item(JANE, task="new life", status=ItemStatus.TODO))

    def profile_is_gone(_: str) -> bool:
        key = {"PK": {"S": f"USER#{JANE}"}, "SK": {"S": "METADATA"}}
        return "Item" not in dynamodb.get_item(TableName=table, Key=key)

    before_the_runtime_calls(sign_up_again_and_add_an_item, when=profile_is_gone)

    repository.delete_user(JANE, if_match=None)

    assert repository.get_item(JANE, created_again[0].item_id) == created_again[0]
    assert violations(table_items()) == []


def test_an_email_change_racing_a_delete_leaves_neither_profile_nor_claim(
    repository, jane, other, before_the_runtime_calls, table_items
):
    before_the_runtime_calls(lambda: other.delete_user(JANE, if_match=None), when=_transaction)

    with pytest.raises(NotFoundError):
        repository.update_profile(JANE, changes={"email": "jane.moved@example.com"}, if_match=None)
    assert table_items() == []


def test_a_delete_racing_an_email_change_releases_the_new_address(
    repository, jane, other, before_the_runtime_calls, table_items
):
    before_the_runtime_calls(_change_email(other, JANE, "jane.moved@example.com"), when=_transaction)

    repository.delete_user(JANE, if_match=None)

    assert table_items() == []


def test_an_email_change_racing_the_same_change_by_the_same_user_succeeds(
    repository, jane, other, before_the_runtime_calls, table_items
):
    before_the_runtime_calls(_change_email(other, JANE, "jane.moved@example.com"), when=_transaction)

    changed = repository.update_profile(JANE, changes={"email": "Jane.Moved@example.com"}, if_match=None)

    assert (changed.user.email, changed.user.version) == ("Jane.Moved@example.com", 3)
    assert _claims(table_items()) == ["EMAIL#jane.moved@example.com"]
    assert violations(table_items()) == []


def test_a_respelling_of_the_email_racing_a_rename_retries_and_keeps_both(
    repository, jane, other, before_the_runtime_calls, table_items
):
    before_the_runtime_calls(_rename(other), when="UpdateItem".__eq__)

    changed = repository.update_profile(JANE, changes={"email": "JANE.DOE@example.com"}, if_match=None)

    assert (changed.user.email, changed.user.name, changed.user.version) == ("JANE.DOE@example.com", "Renamed again", 3)
    assert violations(table_items()) == []


def test_an_email_change_racing_another_users_change_to_that_address_is_409(
    repository, jane, other, before_the_runtime_calls, table_items
):
    other.create_user(user_id="U-JOHN", email="john@example.com", name="John")
    before_the_runtime_calls(_change_email(other, "U-JOHN", "wanted@example.com"), when=_transaction)

    with pytest.raises(EmailTakenError):
        repository.update_profile(JANE, changes={"email": "wanted@example.com"}, if_match=None)
    assert _claims(table_items()) == ["EMAIL#jane.doe@example.com", "EMAIL#wanted@example.com"]
    assert violations(table_items()) == []


def test_two_users_trading_addresses_through_a_race_each_end_with_one_claim(
    repository, jane, other, before_the_runtime_calls, table_items
):
    other.create_user(user_id="U-JOHN", email="john@example.com", name="John")
    repository.update_profile(JANE, changes={"email": "jane.spare@example.com"}, if_match=None)
    before_the_runtime_calls(_change_email(other, "U-JOHN", "jane.doe@example.com"), when=_transaction)

    repository.update_profile(JANE, changes={"email": "john@example.com"}, if_match=None)

    assert repository.get_profile(JANE).user.email == "john@example.com"
    assert repository.get_profile("U-JOHN").user.email == "jane.doe@example.com"
    assert violations(table_items()) == []


@pytest.mark.parametrize("if_match", [None, IfMatch(None)], ids=["no If-Match", "If-Match *"])
@pytest.mark.parametrize("operation", ["change email", "delete"])
def test_a_request_that_loses_every_race_without_a_version_to_match_is_a_write_conflict(
    repository, jane, other, before_the_runtime_calls, table_items, if_match, operation
):
    before_the_runtime_calls(_rename(other), when=_transaction, times=10)
    before = table_items()
    requests = {
        "change email": lambda: repository.update_profile(JANE, changes={"email": "j@example.com"}, if_match=if_match),
        "delete": lambda: repository.delete_user(JANE, if_match=if_match),
    }

    with pytest.raises(WriteConflictError):
        requests[operation]()
    assert _claims(table_items()) == _claims(before)
    assert violations(table_items()) == []


def test_a_request_that_loses_a_race_against_its_if_match_is_412(repository, jane, other, before_the_runtime_calls):
    before_the_runtime_calls(_rename(other), when=_transaction)

    with pytest.raises(PreconditionFailedError):
        repository.update_profile(
            JANE, changes={"email": "j@example.com"}, if_match=IfMatch(jane.user.version, jane.incarnation)
        )


def test_a_write_conflict_without_if_match_reaches_the_client_as_409_not_412(api, other, before_the_runtime_calls):
    created = api("POST", "/users", body={"email": "jane.doe@example.com", "name": "Jane"}, claims={"sub": JANE})
    before_the_runtime_calls(_rename(other), when=_transaction, times=10)

    response = api("PATCH", f"/users/{JANE}", body={"email": "j@example.com"}, claims={"sub": JANE})

    assert created.status == 201
    assert (response.status, response.error_code) == (409, "write_conflict")
