"""The committed openapi.json is what the code generates, so client apps and reviewers see API changes."""

import subprocess
import sys

from tests.e2e.conftest import PROJECT_ROOT


def test_the_committed_openapi_document_matches_the_code():
    generated = subprocess.run(
        [sys.executable, "-m", "local_api", "openapi"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout

    committed = (PROJECT_ROOT / "openapi.json").read_text()

    assert generated == committed, "openapi.json is stale: run `.venv/bin/python -m local_api openapi > openapi.json`"
