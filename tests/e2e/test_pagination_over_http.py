"""Paging through a long list over HTTP yields every item exactly once, newest first."""

import pytest
import requests

from runtime.ids import new_id
from runtime.models import Item, ItemStatus
from runtime.records import item_record
from runtime.repository import utc_now

pytestmark = pytest.mark.e2e

ITEMS = 1000
PAGE = 7


def _store_items(local_api, user_id):
    """Write the items as the runtime stores them, in bulk: moto copies the whole table on every
    transaction, so 1000 creates over HTTP would test moto's speed rather than the paging."""
    now = utc_now()
    items = [
        Item(
            user_id=user_id,
            item_id=new_id(),
            task=f"t{n}",
            status=ItemStatus.TODO,
            created_at=now,
            updated_at=now,
            version=1,
        )
        for n in range(ITEMS)
    ]
    with local_api.table.batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item_record(item))
    return items


def test_1000_items_paged_by_7_arrive_once_each_newest_first(local_api, new_user):
    user_id = new_user()["userId"]
    created = _store_items(local_api, user_id)
    items_url = f"{local_api.url}/users/{user_id}/items"
    seen, params, pages = [], {"limit": PAGE}, 0
    with requests.Session() as http:
        while True:
            page = http.get(items_url, params=params, timeout=30).json()
            seen += [item["itemId"] for item in page["items"]]
            pages += 1
            if page["nextCursor"] is None:
                break
            params = {"limit": PAGE, "cursor": page["nextCursor"]}

    assert len(seen) == len(set(seen)) == ITEMS
    assert seen == [item.item_id for item in reversed(created)]
    assert pages == -(-ITEMS // PAGE)
