"""Starting and stopping the local API as a user would: demo data, a busy port, Ctrl-C."""

import socket
import subprocess
import sys

import pytest
import requests

from tests.e2e.conftest import PROJECT_ROOT, free_port, start_local_api

pytestmark = pytest.mark.e2e


def test_it_starts_with_the_seed_documents_rows_and_stops_cleanly_on_ctrl_c(tmp_path):
    api = start_local_api(tmp_path, "--concurrency", "1", "--quiet")
    try:
        demo = [line.split()[-1] for line in api.announcement if line.strip().startswith("demo user")]
        tasks = {
            user_id: [
                (item["task"], item["status"])
                for item in requests.get(f"{api.url}/users/{user_id}/items", timeout=10).json()["items"]
            ]
            for user_id in demo
        }
        emails = [requests.get(f"{api.url}/users/{user_id}", timeout=10).json()["email"] for user_id in demo]
        curl_lines = [line for line in api.announcement if line.strip().startswith("curl")]
    finally:
        exit_code = api.stop()

    assert emails == ["jane.doe@example.com", "john.smith@example.com"]
    assert list(tasks.values()) == [
        [("Prepare deck for review", "TODO"), ("Finalize Q3 report", "IN_PROGRESS")],
        [("Onboard new engineer", "DONE")],
    ]
    assert len(curl_lines) == 2
    assert exit_code == 0


def test_a_port_already_in_use_is_a_one_line_error(tmp_path):
    port = free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        result = subprocess.run(  # noqa: S603 - our own entry point
            [sys.executable, "-m", "local_api", "--port", str(port), "--no-demo-data", "--concurrency", "1"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: 127.0.0.1:{port} is already in use; choose another with --port"
    ]
