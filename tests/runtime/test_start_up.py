"""Start-up leaves Python's collector as it found it, with what start built frozen out of its way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import gc, sys
if sys.argv[1] == "off":
    gc.disable()
import runtime.handler
print(gc.isenabled(), gc.get_freeze_count() > 0)
"""


def _start(collector: str) -> str:
    environment = {"TABLE_NAME": "t", "IDEMPOTENCY_TABLE_NAME": "i", "AWS_DEFAULT_REGION": "us-east-1"}
    completed = subprocess.run(  # noqa: S603 - this interpreter and a probe of our own
        [sys.executable, "-c", _PROBE, collector], capture_output=True, text=True, check=True, cwd=ROOT, env=environment
    )
    return completed.stdout.strip()


def test_the_collector_runs_again_once_the_handler_is_built_and_start_up_is_frozen():
    assert _start("on") == "True True"


def test_a_collector_turned_off_before_start_up_stays_off():
    assert _start("off") == "False True"
