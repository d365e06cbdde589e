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


def _run_in_bash(curl_line: str) -> list[str]:
    """The arguments bash hands curl for a printed line (a shell function stands in for curl)."""
    script = "curl() { printf '%s\\0' \"$@\"; }\n" + curl_line
    result = subprocess.run(  # noqa: S603 - a fixed script around our own printed line
        ["bash", "-c", script],  # noqa: S607
        cwd=PROJECT_ROOT,  # where a user starts the local API from
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split("\0")[:-1]


def _send_as_curl_would(arguments: list[str]) -> requests.Response:
    method, headers, data, url = "GET", {}, None, None
    options = iter(arguments)
    for argument in options:
        if argument == "-X":
            method = next(options)
        elif argument == "-H":
            name, _, value = next(options).partition(": ")
            headers[name] = value
        elif argument == "-d":
            data, method = next(options), "POST" if method == "GET" else method
        elif not argument.startswith("-"):
            url = argument
    assert url is not None
    return requests.request(method, url, headers=headers, data=data, timeout=10)


def test_the_printed_curl_lines_work_as_printed_in_auth_mode(tmp_path):
    api = start_local_api(tmp_path, "--auth", "--key-file", str(tmp_path / "key.pem"), "--concurrency", "1", "--quiet")
    try:
        curl_lines = [line.strip() for line in api.announcement if line.strip().startswith("curl")]
        responses = [_send_as_curl_would(_run_in_bash(line)) for line in curl_lines]
    finally:
        api.stop()

    assert [response.status_code for response in responses] == [200, 201]
    assert responses[0].json()["user"]["email"] == "jane.doe@example.com"
    assert responses[1].json()["task"] == "Book the venue"
