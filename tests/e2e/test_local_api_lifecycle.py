"""Starting and stopping the local API as a user would: demo data, the outputs file, bad options, Ctrl-C."""

import os
import re
import socket
import subprocess
import sys
from datetime import datetime

import pytest
import requests

from tests.e2e.conftest import PROJECT_ROOT, free_port, read_outputs, start_local_api

pytestmark = pytest.mark.e2e

# The seed's users keep these ids from start to start (ULIDs of their fixed creation instants).
JANE_ID, JOHN_ID = "01KE6P6S700000000000000001", "01KE6PC9000000000000000005"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _ulid_millis(ulid):
    return int("".join(f"{_CROCKFORD.index(c):05b}" for c in ulid), 2) >> 80


def _millis(timestamp):
    return int(datetime.fromisoformat(timestamp).timestamp() * 1000)


def test_it_starts_with_the_seed_documents_rows_and_stops_cleanly_on_ctrl_c(tmp_path):
    api = start_local_api(tmp_path, "--concurrency", "1", "--quiet")
    try:
        outputs = read_outputs(api)
        demo = [line.split()[-1] for line in api.announcement if line.strip().startswith("demo user")]
        records = [requests.get(f"{api.url}/users/{user_id}?include=items", timeout=10).json() for user_id in demo]
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
    assert not api.outputs_file.exists()
    assert outputs == {
        "apiUrl": api.url,
        "region": "us-east-1",
        "tableName": "users-items-local",
        "eventsTopicArn": "arn:aws:sns:us-east-1:123456789012:users-items-events-local",
        "eventsQueueUrl": f"{outputs['awsEndpointUrl']}/123456789012/users-items-events-queue-local",
        "demoUsers": {"jane.doe@example.com": JANE_ID, "john.smith@example.com": JOHN_ID},
        "awsEndpointUrl": outputs["awsEndpointUrl"],
        "outboxUrl": outputs["outboxUrl"],
        "wsUrl": outputs["wsUrl"],
        "attachmentsBucketName": "users-items-attachments-local",
    }
    assert demo == [JANE_ID, JOHN_ID]
    rows = [record["user"] for record in records] + [item for record in records for item in record["items"]]
    ids = [row.get("itemId", row["userId"]) for row in rows]
    # newest item first; the item ids too are fixed
    assert ids == [
        JANE_ID,
        JOHN_ID,
        "01KE6PAED00000000000000004",
        "01KE6P8KT00000000000000003",
        "01KE6PE3K00000000000000007",
    ]
    assert [_ulid_millis(row_id) for row_id in ids] == [_millis(row["createdAt"]) for row in rows]


def test_without_quiet_each_request_is_a_line_of_the_access_log_on_stderr(tmp_path):
    paths = ("/openapi.json", "/nope?probe=1")
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        api = start_local_api(tmp_path, "--no-demo-data", "--concurrency", "1", stderr=stderr)
        try:
            statuses = [requests.get(f"{api.url}{path}", timeout=10).status_code for path in paths]
        finally:
            api.stop()

    requests_logged = re.findall(r'"GET (\S+) HTTP/1.1" (\d{3})', log.read_text())
    assert statuses == [200, 404]
    # the start-up's own health probes come first
    assert [entry for entry in requests_logged if entry[0] != "/health"] == [(paths[0], "200"), (paths[1], "404")]


def _run(*options):
    return subprocess.run(  # noqa: S603 - our own entry point
        [sys.executable, "-m", "local_api", *options],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        (("--concurrency", "0"), ": error: argument --concurrency: 0 is not a positive integer"),
        (("--port", "70000"), ": error: argument --port: 70000 is not a port (0-65535; 0 picks a free one)"),
        (
            ("--cors-origin", "http://localhost:5173/app"),
            ": error: argument --cors-origin: 'http://localhost:5173/app' is not",
        ),
        (
            ("token", "--sub", "x", "--expires-in", "0"),
            " token: error: argument --expires-in: 0 is not a positive integer",
        ),
    ],
)
def test_a_bad_option_value_is_a_one_line_error(options, complaint):
    result = _run(*options)

    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"python -m local_api{complaint}"), line


def test_an_unwritable_outputs_file_is_a_one_line_error(tmp_path):
    unwritable = [tmp_path / "missing" / "outputs.json", tmp_path]

    results = [
        _run(
            "--port",
            str(free_port()),
            "--ws-port",
            "0",
            "--no-demo-data",
            "--concurrency",
            "1",
            "--outputs-file",
            str(path),
        )
        for path in unwritable
    ]

    assert [result.returncode for result in results] == [2, 2]
    assert [result.stderr.strip().splitlines() for result in results] == [
        [f"error: cannot write the outputs file {path}: {reason}; choose another with --outputs-file"]
        for path, reason in zip(unwritable, ["No such file or directory", "Is a directory"], strict=True)
    ]
    assert tmp_path.is_dir()  # not removed on the way out


def test_a_port_already_in_use_is_a_one_line_error(tmp_path):
    port = free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        result = subprocess.run(  # noqa: S603 - our own entry point
            [sys.executable, "-m", "local_api", "--port", str(port), "--ws-port", "0", "--no-demo-data"],
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


def test_with_reload_a_changed_runtime_source_is_served_by_fresh_instances(tmp_path):
    api = start_local_api(tmp_path, "--reload", "--concurrency", "1", "--no-demo-data", "--quiet")
    try:
        assert requests.get(f"{api.url}/health", timeout=10).status_code == 200
        source = PROJECT_ROOT / "runtime" / "__init__.py"
        stat = source.stat()
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # as an editor's save does

        assert requests.get(f"{api.url}/health", timeout=30).status_code == 200
    finally:
        assert api.stop() == 0
