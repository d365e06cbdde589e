"""Run every benchmark, each in its own process (each sets up its own environment before importing runtime)."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks._support import REPO_ROOT

BENCHMARKS = (
    "cold_start",
    "warm_request",
    "round_trips",
    "package_size",
    "body_check",
    "local_api_http",
    "local_events",
    "relay",
    "reminders",
    "attachments",
)


def main() -> None:
    started = time.perf_counter()
    failed: list[str] = []
    for name in BENCHMARKS:
        completed = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=REPO_ROOT, check=False)
        if completed.returncode != 0:
            failed.append(f"{name} (exit {completed.returncode})")
    print()
    print(f"all benchmarks ran in {time.perf_counter() - started:.0f} s", end="")
    print(f"; could not run: {', '.join(failed)}" if failed else "")


if __name__ == "__main__":
    main()
