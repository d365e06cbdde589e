"""A client generated from the committed `openapi.json` (openapi-python-client) drives the local API,
open without a token and behind `--auth` with one: the document is one a client generator can use."""

from __future__ import annotations

import importlib
import subprocess
import sys
import uuid
from http import HTTPStatus

import pytest

from local_api.auth import load_or_create_key, mint_token
from tests.e2e.conftest import PROJECT_ROOT, start_local_api

pytestmark = pytest.mark.e2e

PACKAGE = "users_items_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """The generated package, imported from a temporary directory."""
    directory = tmp_path_factory.mktemp("generated")
    config = directory / "generator.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run over the generated code
    subprocess.run(  # noqa: S603 - the generator the dev requirements pin
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(PROJECT_ROOT / "openapi.json"),
            "--meta",
            "none",
            "--output-path",
            str(directory / PACKAGE),
            "--config",
            str(config),
        ],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(directory))
    try:
        yield {
            name: importlib.import_module(f"{PACKAGE}.{name}")
            for name in (
                "client",
                "models",
                "api.users.create_user",
                "api.users.get_user",
                "api.items.create_item",
                "api.items.list_items",
                "api.items.update_item",
                "api.items.delete_item",
                "api.users.delete_user",
            )
        }
    finally:
        sys.path.remove(str(directory))


def a_tour(generated, client, email: str) -> str:
    """Create a user and an item, read, page, change under If-Match, delete; returns the user id."""
    models = generated["models"]
    created = generated["api.users.create_user"].sync_detailed(
        client=client, body=models.UserCreate(email=email, name="Generated")
    )
    assert created.status_code == HTTPStatus.CREATED, created.content
    user_id = created.parsed.user_id
    item = generated["api.items.create_item"].sync_detailed(
        user_id, client=client, body=models.ItemCreate(task="Try the generated client")
    )
    assert item.status_code == HTTPStatus.CREATED, item.content
    profile = generated["api.users.get_user"].sync_detailed(user_id, client=client, include="items")
    assert [listed.item_id for listed in profile.parsed.items] == [item.parsed.item_id]
    page = generated["api.items.list_items"].sync_detailed(user_id, client=client, limit=10)
    assert page.parsed.next_cursor is None
    done = generated["api.items.update_item"].sync_detailed(
        user_id,
        item.parsed.item_id,
        client=client,
        body=models.ItemUpdate(status=models.ItemStatus.DONE),
        if_match=item.headers["etag"],
    )
    assert (done.status_code, done.parsed.status) == (HTTPStatus.OK, models.ItemStatus.DONE)
    stale = generated["api.items.update_item"].sync_detailed(
        user_id,
        item.parsed.item_id,
        client=client,
        body=models.ItemUpdate(task="again"),
        if_match=item.headers["etag"],
    )
    assert (stale.status_code, stale.parsed.error.code) == (HTTPStatus.PRECONDITION_FAILED, "precondition_failed")
    assert (
        generated["api.items.delete_item"].sync_detailed(user_id, item.parsed.item_id, client=client).status_code == 204
    )
    assert generated["api.users.delete_user"].sync_detailed(user_id, client=client).status_code == 204
    return user_id


@pytest.mark.open_api
def test_the_generated_client_drives_the_open_api_without_a_token(generated, local_api):
    client = generated["client"].Client(base_url=local_api.url)

    a_tour(generated, client, f"generated-{uuid.uuid4().hex[:8]}@example.com")


def test_the_generated_client_drives_the_api_behind_auth_with_a_token(generated, tmp_path):
    key_file = tmp_path / "key.pem"
    api = start_local_api(tmp_path, "--auth", "--key-file", str(key_file), "--concurrency", "1", "--quiet")
    try:
        subject = str(uuid.uuid4())
        email = f"{subject}@example.com"
        token = mint_token(load_or_create_key(key_file), subject=subject, email=email, issuer=api.issuer)
        client = generated["client"].AuthenticatedClient(base_url=api.url, token=token)

        assert a_tour(generated, client, email) == subject
        anonymous = generated["client"].Client(base_url=api.url)
        refused = generated["api.users.get_user"].sync_detailed(subject, client=anonymous)
        assert (refused.status_code, refused.parsed.message) == (HTTPStatus.UNAUTHORIZED, "Unauthorized")
    finally:
        api.stop()
