"""moto's DynamoDB server in this process, with the table built from the runtime's key schema."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from runtime.ids import new_id
from runtime.models import ItemStatus
from runtime.repository import Repository
from runtime.table_schema import create_table_request

REGION = "us-east-1"
TABLE_NAME = "users-items-local"
# moto accepts any credentials; these only keep boto3 from looking for real ones.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}

# The seed document's own example rows: (email, name, [(task, status), ...]), oldest first.
DEMO_USERS: tuple[tuple[str, str, tuple[tuple[str, ItemStatus], ...]], ...] = (
    (
        "jane.doe@example.com",
        "Jane Doe",
        (("Finalize Q3 report", ItemStatus.IN_PROGRESS), ("Prepare deck for review", ItemStatus.TODO)),
    ),
    ("john.smith@example.com", "John Smith", (("Onboard new engineer", ItemStatus.DONE),)),
)


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    email: str


class EmbeddedDynamoDB:
    def __init__(self, host: str = "127.0.0.1") -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address=host, port=0, verbose=False)

    def start(self) -> str:
        """Start the server on a free port; returns its endpoint URL."""
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self.endpoint

    def client(self) -> Any:
        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def create_table(self) -> str:
        self.client().create_table(**create_table_request(TABLE_NAME))
        return TABLE_NAME

    def load_demo_data(self) -> list[DemoUser]:
        """Write the demo rows through the runtime's own repository, so they are real rows."""
        repository = Repository(self.client(), TABLE_NAME)
        users = []
        for email, name, items in DEMO_USERS:
            user = repository.create_user(user_id=new_id(), email=email, name=name)
            for task, status in items:
                repository.create_item(user.user_id, task=task, status=status)
            users.append(DemoUser(user_id=user.user_id, email=email))
        return users

    def stop(self) -> None:
        self._server.stop()
