"""Body pre-check: the CPU cost of `refuse_unacceptable_body` on the bodies that cost it most.

Every POST and PATCH body passes this check before the resolver parses it: size, media type,
UTF-8, nesting depth (the scan that finds brackets outside strings), JSON, lone surrogates. Each
shape below is built at 4, 8 and 16 KiB (16 KiB is the largest body accepted); the figure per
shape is the CPU time of the whole check at 16 KiB (the fastest of many batches of ten checks,
the figure least disturbed by the rest of the machine), and how much doubling the body from 8 to
16 KiB multiplies it: about 2 for a linear check, about 4 for a quadratic one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks._support import REPO_ROOT, heading, verdict

TARGET_WORST_MS = 5.0
TARGET_GROWTH = 3.0  # between linear (2) and quadratic (4)
SIZES = (4096, 8192, 16384)


@dataclass(frozen=True)
class Shape:
    label: str
    # Builds a body of at most `size` bytes (as UTF-8).
    build: Callable[[int], str]


def _repeat(head: str, unit: str, tail: str, size: int) -> str:
    return head + unit * ((size - len(head) - len(tail)) // len(unit)) + tail


SHAPES = (
    Shape("escaped quotes, string never closed", lambda size: _repeat('"', '\\"', "", size)),
    Shape("escaped quotes in a closed string", lambda size: _repeat('{"name": "', '\\"', '"}', size)),
    Shape("quotes only (empty strings)", lambda size: _repeat("", '"', "", size)),
    Shape("escaped backslashes, never closed", lambda size: _repeat('"', "\\\\", "", size)),
    Shape("brackets 32 deep, repeated", lambda size: _repeat("[", "[" * 31 + "]" * 31 + ",", "[]]", size)),
    Shape("empty arrays", lambda size: _repeat("[", "[],", "[]]", size)),
    Shape("short strings", lambda size: _repeat("[", '"a",', '"a"]', size)),
    Shape("escaped surrogate pairs", lambda size: _repeat('["', "\\ud83d\\ude00", '"]', size)),
    Shape("brackets never closed", lambda size: _repeat("", "[", "", size)),
)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed batches per shape and size (default 30)")
    return parser.parse_args()


BATCH = 10


def cpu_ms(check: Callable[[dict[str, Any]], Any], event: dict[str, Any], runs: int) -> float:
    """CPU milliseconds of one check: the fastest of `runs` batches of `BATCH` checks."""
    fastest = float("inf")
    for _ in range(runs):
        started = time.process_time_ns()
        for _ in range(BATCH):
            check(event)
        fastest = min(fastest, (time.process_time_ns() - started) / 1e6 / BATCH)
    return fastest


def main() -> None:
    arguments = parse_arguments()
    sys.path.insert(0, str(REPO_ROOT))

    from runtime.api.body import refuse_unacceptable_body
    from runtime.models import MAX_BODY_BYTES
    from tests.support.events import http_event

    def outcome(event: dict[str, Any]) -> str:
        refusal = refuse_unacceptable_body(event)
        return "accepted" if refusal is None else f"{refusal.status_code} {json.loads(refusal.body)['error']['code']}"

    heading("Body pre-check: CPU time of refuse_unacceptable_body per body shape")
    print(f"{'shape':<38}  {'outcome at 16 KiB':<22}  {'4 KiB':>8}  {'8 KiB':>8}  {'16 KiB':>8}  {'x 8->16':>7}")
    worst_ms = worst_growth = 0.0
    for shape in SHAPES:
        figures = []
        for size in SIZES:
            event = http_event(
                "POST", "/users", raw_body=shape.build(size), headers={"content-type": "application/json"}
            )
            assert len(event["body"].encode()) <= MAX_BODY_BYTES
            figures.append(cpu_ms(refuse_unacceptable_body, event, arguments.runs))
        growth = figures[2] / figures[1] if figures[1] else 0.0
        worst_ms, worst_growth = max(worst_ms, figures[2]), max(worst_growth, growth)
        sizes = "  ".join(f"{ms:>6.2f}ms" for ms in figures)
        print(f"{shape.label:<38}  {outcome(event):<22}  {sizes}  {growth:>7.2f}")
    print(f"worst at 16 KiB: {worst_ms:.2f} ms (target <= {TARGET_WORST_MS:g} ms)  ->  ", end="")
    print(verdict(worst_ms, TARGET_WORST_MS))
    print(f"worst growth 8 -> 16 KiB: x{worst_growth:.2f} (target <= {TARGET_GROWTH:g})  ->  ", end="")
    print(verdict(worst_growth, TARGET_GROWTH))


if __name__ == "__main__":
    main()
