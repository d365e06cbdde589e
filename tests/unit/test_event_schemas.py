"""The committed events.schema.json is what the event models generate, and what the relay publishes fits it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from jsonschema import Draft202012Validator

from runtime.events.models import to_json
from runtime.events.translate import events_of
from tests.support.stream_events import expired, recorded

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA = PROJECT_ROOT / "events.schema.json"


def test_the_committed_events_schema_matches_the_code():
    generated = subprocess.run(
        [sys.executable, "-m", "runtime.events.schemas"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout

    assert generated == SCHEMA.read_text(), (
        "events.schema.json is stale: run `.venv/bin/python -m runtime.events.schemas > events.schema.json`"
    )


@pytest.mark.parametrize(
    "record",
    [
        recorded("create user"),
        recorded("change email"),
        recorded("rename user"),
        recorded("delete user"),
        recorded("create item"),
        recorded("complete item"),
        expired(recorded("delete item")),
    ],
    ids=lambda record: f"{record['eventName']} {record['eventID']}",
)
def test_every_event_fits_the_schema_of_its_type(record):
    document = json.loads(SCHEMA.read_text())

    for event in events_of(DynamoDBRecord(record)):
        body = json.loads(to_json(event))
        fitting = [
            ref["$ref"]
            for ref in document["oneOf"]
            if Draft202012Validator({"$defs": document["$defs"], **ref}).is_valid(body)
        ]
        assert Draft202012Validator(document).is_valid(body)
        assert fitting == [document["x-eventTypes"][body["type"]]["$ref"]]
