"""Business metrics (EMF) and the request id as the logs' correlation id."""

import json

import pytest

from runtime.observability import logger, metrics


@pytest.fixture
def emitted_metrics(monkeypatch, capsys):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED")
    metrics.clear_metrics()  # earlier tests ran with publishing off, which never flushes

    def read() -> dict[str, int]:
        names: dict[str, int] = {}
        for line in capsys.readouterr().out.splitlines():
            record = json.loads(line) if line.startswith("{") else {}
            for directive in record.get("_aws", {}).get("CloudWatchMetrics", []):
                for metric in directive["Metrics"]:
                    value = record[metric["Name"]]
                    names[metric["Name"]] = names.get(metric["Name"], 0) + int(
                        sum(value) if isinstance(value, list) else value
                    )
        return names

    return read


def test_creating_and_completing_items_is_counted(api, emitted_metrics):
    user = api("POST", "/users", body={"email": "jane.doe@example.com", "name": "Jane"}).json()
    items = f"/users/{user['userId']}/items"
    item = api("POST", items, body={"task": "x"}).json()
    api("PATCH", f"{items}/{item['itemId']}", body={"status": "DONE"})
    api("PATCH", f"{items}/{item['itemId']}", body={"status": "DONE"})

    counted = emitted_metrics()

    assert counted["UsersCreated"] == 1
    assert counted["ItemsCreated"] == 1
    assert counted["ItemsCompleted"] == 1


def test_the_request_id_is_the_correlation_id(api):
    api("GET", "/health")

    assert logger.get_correlation_id() == "Pn3bXgWjIAMEVRA="
