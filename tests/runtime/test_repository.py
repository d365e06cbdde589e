"""The access patterns against moto: what each leaves in the table, and what each refuses."""

import pytest
from boto3.dynamodb.types import TypeSerializer

from runtime.cursor import Cursor
from runtime.dependencies import dynamodb_client
from runtime.errors import EmailTakenError, NotFoundError, PreconditionFailedError, UserExistsError
from runtime.models import ItemStatus
from runtime.repository import IfMatch, Repository, utc_now


def _keys(records):
    return sorted((record["PK"], record["SK"]) for record in records)


def _as_read(profile):
    """The If-Match of a client that read `profile`."""
    return IfMatch(profile.user.version, profile.incarnation)


def test_creating_a_user_stores_the_profile_and_claims_the_email(repository, table_items):
    profile = repository.create_user(user_id="U1", email="Jane@Example.com", name="Jane")

    assert profile.user.version == 1
    assert _keys(table_items()) == [("EMAIL#jane@example.com", "EMAIL"), ("USER#U1", "METADATA")]
    assert repository.get_profile("U1") == profile


def test_a_profile_and_its_claim_carry_one_incarnation_drawn_at_creation(repository, table_items):
    first = repository.create_user(user_id="U1", email="jane@example.com", name="Jane")
    repository.delete_user("U1", if_match=None)
    again = repository.create_user(user_id="U1", email="jane@example.com", name="Jane")

    assert first.incarnation != again.incarnation
    assert {record["SK"]: record["incarnation"] for record in table_items()} == {
        "METADATA": again.incarnation,
        "EMAIL": again.incarnation,
    }


def test_an_email_is_unique_across_users_whatever_its_case(repository, jane, table_items):
    before = table_items()

    with pytest.raises(EmailTakenError):
        repository.create_user(user_id="U2", email="JANE.DOE@example.com", name="Impostor")
    assert table_items() == before


def test_a_user_id_cannot_be_created_twice(repository, jane):
    with pytest.raises(UserExistsError):
        repository.create_user(user_id=jane.user.user_id, email="other@example.com", name="Jane again")


def test_a_missing_profile_is_not_found(repository):
    with pytest.raises(NotFoundError):
        repository.get_profile("NOBODY")


def test_renaming_a_user_bumps_its_version(repository, jane):
    renamed = repository.update_profile(jane.user.user_id, changes={"name": "Janet"}, if_match=_as_read(jane))

    assert (renamed.user.name, renamed.user.version, renamed.user.email) == ("Janet", 2, jane.user.email)
    assert renamed.incarnation == jane.incarnation
    assert repository.get_profile(jane.user.user_id) == renamed


def test_a_stale_if_match_changes_nothing(repository, jane):
    repository.update_profile(jane.user.user_id, changes={"name": "Janet"}, if_match=None)

    with pytest.raises(PreconditionFailedError):
        repository.update_profile(jane.user.user_id, changes={"name": "Lost"}, if_match=_as_read(jane))
    assert repository.get_profile(jane.user.user_id).user.name == "Janet"


def test_changing_email_moves_the_claim(repository, jane, table_items):
    changed = repository.update_profile(jane.user.user_id, changes={"email": "j@example.org"}, if_match=None)

    assert (changed.user.email, changed.user.version) == ("j@example.org", 2)
    assert ("EMAIL#j@example.org", "EMAIL") in _keys(table_items())
    assert ("EMAIL#jane.doe@example.com", "EMAIL") not in _keys(table_items())
    repository.create_user(user_id="U2", email="jane.doe@example.com", name="New Jane")


def test_changing_email_to_a_taken_one_changes_nothing(repository, jane, table_items):
    repository.create_user(user_id="U2", email="john@example.com", name="John")
    before = table_items()

    with pytest.raises(EmailTakenError):
        repository.update_profile(jane.user.user_id, changes={"email": "John@example.com"}, if_match=None)
    assert table_items() == before


def test_changing_only_the_case_of_an_email_keeps_the_claim(repository, jane):
    changed = repository.update_profile(
        jane.user.user_id, changes={"email": "Jane.Doe@example.com"}, if_match=_as_read(jane)
    )

    assert changed.user.email == "Jane.Doe@example.com"


def test_updating_a_missing_user_is_not_found(repository):
    with pytest.raises(NotFoundError):
        repository.update_profile("NOBODY", changes={"name": "x"}, if_match=None)
    with pytest.raises(NotFoundError):
        repository.update_profile("NOBODY", changes={"email": "x@example.com"}, if_match=None)


def test_items_need_an_existing_user(repository, table_items):
    with pytest.raises(NotFoundError):
        repository.create_item("NOBODY", task="orphan", status=ItemStatus.TODO)
    assert table_items() == []


def test_items_are_listed_newest_first(repository, jane):
    created = [repository.create_item(jane.user.user_id, task=f"task {n}", status=ItemStatus.TODO) for n in range(5)]

    page = repository.list_items(jane.user.user_id, limit=10, cursor=None)

    assert page.items == list(reversed(created))
    assert page.next_cursor is None


def test_paging_yields_every_item_exactly_once(repository, jane):
    created = [repository.create_item(jane.user.user_id, task=f"t{n}", status=ItemStatus.TODO) for n in range(23)]
    seen, cursor = [], None
    while True:
        page = repository.list_items(jane.user.user_id, limit=4, cursor=cursor)
        seen += page.items
        if page.next_cursor is None:
            break
        cursor = Cursor.decode(page.next_cursor)

    assert seen == list(reversed(created))


def test_a_page_that_ends_exactly_at_the_last_item_has_no_next_cursor(repository, jane):
    for n in range(4):
        repository.create_item(jane.user.user_id, task=f"t{n}", status=ItemStatus.TODO)

    assert repository.list_items(jane.user.user_id, limit=4, cursor=None).next_cursor is None


def test_the_status_list_reads_only_items_of_that_status(repository, jane):
    done = [repository.create_item(jane.user.user_id, task=f"d{n}", status=ItemStatus.DONE) for n in range(3)]
    repository.create_item(jane.user.user_id, task="todo", status=ItemStatus.TODO)
    first = repository.list_items_by_status(jane.user.user_id, ItemStatus.DONE, limit=2, cursor=None)
    rest = repository.list_items_by_status(
        jane.user.user_id, ItemStatus.DONE, limit=2, cursor=Cursor.decode(first.next_cursor)
    )

    assert first.items + rest.items == list(reversed(done))
    assert rest.next_cursor is None


def test_an_items_status_change_moves_it_between_status_lists(repository, jane):
    item = repository.create_item(jane.user.user_id, task="ship", status=ItemStatus.TODO)

    change = repository.update_item(jane.user.user_id, item.item_id, changes={"status": "DONE"}, if_match=IfMatch(1))

    assert (change.before.status, change.after.status, change.after.version) == ("TODO", "DONE", 2)
    assert repository.get_item(jane.user.user_id, item.item_id) == change.after
    by_status = {
        status: repository.list_items_by_status(jane.user.user_id, status, limit=5, cursor=None).items
        for status in (ItemStatus.TODO, ItemStatus.DONE)
    }
    assert by_status == {ItemStatus.TODO: [], ItemStatus.DONE: [change.after]}


def test_the_profile_and_its_newest_items_come_from_one_query(repository, jane):
    items = [repository.create_item(jane.user.user_id, task=f"t{n}", status=ItemStatus.TODO) for n in range(3)]

    user, page = repository.get_profile_with_items(jane.user.user_id, limit=2)

    assert user == jane
    assert page.items == [items[2], items[1]]
    assert Cursor.decode(page.next_cursor).last_item_id == items[1].item_id


def test_the_profile_with_items_of_a_missing_user_is_not_found(repository):
    with pytest.raises(NotFoundError):
        repository.get_profile_with_items("NOBODY", limit=5)


def test_updating_an_item_checks_existence_and_version(repository, jane):
    item = repository.create_item(jane.user.user_id, task="x", status=ItemStatus.TODO)
    missing = "01M837V9CXKT5MX5SMCZCPKCTC"

    with pytest.raises(NotFoundError):
        repository.update_item(jane.user.user_id, missing, changes={"task": "y"}, if_match=None)
    with pytest.raises(PreconditionFailedError):
        repository.update_item(jane.user.user_id, item.item_id, changes={"task": "y"}, if_match=IfMatch(7))
    assert repository.get_item(jane.user.user_id, item.item_id) == item


def test_deleting_an_item_is_idempotent_unless_a_version_is_required(repository, jane):
    item = repository.create_item(jane.user.user_id, task="x", status=ItemStatus.TODO)

    with pytest.raises(PreconditionFailedError):
        repository.delete_item(jane.user.user_id, item.item_id, if_match=IfMatch(2))
    repository.delete_item(jane.user.user_id, item.item_id, if_match=IfMatch(1))
    repository.delete_item(jane.user.user_id, item.item_id, if_match=None)
    with pytest.raises(PreconditionFailedError):
        repository.delete_item(jane.user.user_id, item.item_id, if_match=IfMatch(None))
    with pytest.raises(NotFoundError):
        repository.get_item(jane.user.user_id, item.item_id)


def test_deleting_a_user_removes_profile_claim_and_every_item(repository, jane, table_items):
    repository.create_user(user_id="U-JOHN", email="john@example.com", name="John")
    for n in range(30):
        repository.create_item(jane.user.user_id, task=f"t{n}", status=ItemStatus.TODO)

    repository.delete_user(jane.user.user_id, if_match=_as_read(jane))
    repository.delete_user(jane.user.user_id, if_match=None)

    assert _keys(table_items()) == [("EMAIL#john@example.com", "EMAIL"), ("USER#U-JOHN", "METADATA")]


def test_retrying_a_user_delete_sweeps_items_left_behind(repository, jane, table_items, dynamodb, table):
    item = repository.create_item(jane.user.user_id, task="left behind", status=ItemStatus.TODO)
    dynamodb.delete_item(TableName=table, Key={"PK": {"S": "USER#U-JANE"}, "SK": {"S": "METADATA"}})

    repository.delete_user(jane.user.user_id, if_match=None)

    assert ("USER#U-JANE", f"ITEM#{item.item_id}") not in _keys(table_items())


def test_a_stale_delete_leaves_the_user_in_place(repository, jane):
    with pytest.raises(PreconditionFailedError):
        repository.delete_user(jane.user.user_id, if_match=IfMatch(3, jane.incarnation))
    assert repository.get_profile(jane.user.user_id) == jane


def test_an_email_change_racing_another_write_retries_and_keeps_both(repository, jane, table):

    interfered = []

    def clock_that_lets_another_writer_in():
        if not interfered:
            interfered.append(repository.update_profile(jane.user.user_id, changes={"name": "Renamed"}, if_match=None))
        return utc_now()

    racing = Repository(dynamodb_client(), table, clock=clock_that_lets_another_writer_in)

    changed = racing.update_profile(jane.user.user_id, changes={"email": "new@example.com"}, if_match=None)

    assert (changed.user.name, changed.user.email, changed.user.version) == ("Renamed", "new@example.com", 3)
    assert repository.get_profile(jane.user.user_id) == changed


def test_an_email_change_racing_another_write_with_if_match_is_412(repository, jane, table):

    def clock_that_lets_another_writer_in():
        repository.update_profile(jane.user.user_id, changes={"name": "Renamed"}, if_match=None)
        return utc_now()

    racing = Repository(dynamodb_client(), table, clock=clock_that_lets_another_writer_in)

    with pytest.raises(PreconditionFailedError):
        racing.update_profile(jane.user.user_id, changes={"email": "new@example.com"}, if_match=_as_read(jane))
    assert repository.get_profile(jane.user.user_id).user.email == jane.user.email


def _full_width(text):
    """`text` in full-width forms (U+FF21 for `A`), which NFKC maps back."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


SAME_ADDRESS_AS_JANES = [
    pytest.param(f"{_full_width('JANE.DOE')}@example.com", id="full-width local part"),
    pytest.param("jane.doe@EXAMPLE.com.", id="trailing dot"),
    pytest.param(f"jane.doe@{_full_width('example')}.com", id="full-width domain"),
]


@pytest.mark.parametrize("same_address", SAME_ADDRESS_AS_JANES)
def test_an_email_is_unique_in_its_canonical_form(repository, jane, table_items, same_address):
    before = table_items()

    with pytest.raises(EmailTakenError):
        repository.create_user(user_id="U2", email=same_address, name="Impostor")
    assert table_items() == before


@pytest.mark.parametrize("same_address", SAME_ADDRESS_AS_JANES)
def test_no_one_changes_their_email_to_another_form_of_a_taken_one(repository, jane, table_items, same_address):
    repository.create_user(user_id="U2", email="someone@example.com", name="Someone")
    before = table_items()

    with pytest.raises(EmailTakenError):
        repository.update_profile("U2", changes={"email": same_address}, if_match=None)
    assert table_items() == before


def test_an_international_domain_and_its_ascii_form_are_one_address(repository, table_items):
    repository.create_user(user_id="U1", email="Kai@Bücher.example", name="Kai")

    with pytest.raises(EmailTakenError):
        repository.create_user(user_id="U2", email="kai@xn--bcher-kva.example", name="Impostor")
    assert ("EMAIL#kai@xn--bcher-kva.example", "EMAIL") in _keys(table_items())
    assert repository.get_profile("U1").user.email == "Kai@Bücher.example"


def test_deleting_a_user_sweeps_more_items_than_one_transaction_holds(repository, jane, table_items, dynamodb, table):
    for n in range(150):
        dynamodb.put_item(
            TableName=table,
            Item={"PK": {"S": "USER#U-JANE"}, "SK": {"S": f"ITEM#{n:026d}"}, "userId": {"S": "U-JANE"}},
        )

    repository.delete_user(jane.user.user_id, if_match=None)

    assert table_items() == []


@pytest.fixture
def legacy_jane(dynamodb, table):
    """A profile and claim written before incarnations existed."""
    profile = {
        "PK": "USER#U-OLD", "SK": "METADATA", "entity": "USER", "userId": "U-OLD", "email": "old@example.com",
        "name": "Old", "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z", "version": 1,
    }  # fmt: skip
    claim = {"PK": "EMAIL#old@example.com", "SK": "EMAIL", "entity": "EMAIL_CLAIM", "userId": "U-OLD"}
    for record in (profile, claim):
        dynamodb.put_item(TableName=table, Item={name: TypeSerializer().serialize(v) for name, v in record.items()})
    return "U-OLD"


def test_a_profile_from_before_incarnations_moves_its_email_and_is_deleted_with_its_claim(
    repository, legacy_jane, table_items
):
    read = repository.get_profile(legacy_jane)

    moved = repository.update_profile(legacy_jane, changes={"email": "new@example.com"}, if_match=IfMatch(1))
    assert (read.incarnation, moved.incarnation, moved.user.version) == (None, None, 2)
    assert _keys(table_items()) == [("EMAIL#new@example.com", "EMAIL"), ("USER#U-OLD", "METADATA")]
    with pytest.raises(PreconditionFailedError):
        repository.delete_user(legacy_jane, if_match=IfMatch(2, "01M837V9CXKT5MX5SMCZCPKCTC"))

    repository.delete_user(legacy_jane, if_match=IfMatch(2))
    assert table_items() == []
