"""Warm requests: ours against a minimal powertools handler making the same DynamoDB call, stubbed.

Runs in one python3.13 process on the deployable archives, extracted read-only as in Lambda
(see `benchmarks._lambda_like`; `benchmarks/warm_child.py` is that process), in Lambda's
environment with tracing active and every invocation sampled with a fresh trace id, on both
sides (X-Ray's botocore patch is process-wide). DynamoDB is botocore's `Stubber` on each
handler's own client: each request gets its canned answer with no I/O and no moto (whose 1.4 ms
per call would hide everything else), so the figure is what each handler itself costs: routing,
validation, middleware, Logger, Tracer, Metrics, serialisation, and botocore building and
parsing the call.

Requests, interleaved and rotated after a warm-up: `GET /users/{id}` (one GetItem) and `POST
/users/{id}/items` (one TransactWriteItems: ConditionCheck + Put) through `runtime.handler`,
and through `benchmarks/baseline_handler.py` (the cold-start benchmark's baseline (b)), whose
routes make the same calls; and the stubbed GetItem alone for reference. Then each is profiled
(cProfile, separately from the timed runs) to show where the time goes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._lambda_like import (
    Deployment,
    assert_nothing_written,
    baseline_task_root,
    child_environment,
    deployed,
    files_under,
    lambda_artifacts,
    make_read_only,
    make_writable,
)
from benchmarks._support import REPO_ROOT, TABLE_NAME, XRayDaemonSink, heading, median, spread, verdict

TARGET_RATIO = 1.15
LABELS = {
    "get-ours": "GET user, ours",
    "get-baseline": "GET user, minimal powertools",
    "post-ours": "POST item, ours",
    "post-baseline": "POST item, minimal powertools",
    "get-alone": "GetItem alone (boto3, stubbed)",
}
ROUTES = (("GET user", "get-ours", "get-baseline"), ("POST item", "post-ours", "post-baseline"))
USER_ID = "01JGZ7N6W3T6JQ5V0H9Y8X7C4B"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per variant (default 2000)")
    parser.add_argument("--warmup", type=int, default=200, help="discarded requests per variant first (default 200)")
    parser.add_argument("--profile", type=int, default=500, help="profiled requests per variant (default 500)")
    parser.add_argument("--top", type=int, default=12, help="functions listed per profile (default 12)")
    return parser.parse_args()


def stub_profile_record() -> dict[str, Any]:
    """The profile GetItem returns, as the repository writes it (DynamoDB's attribute format)."""
    from runtime.models import User
    from runtime.records import Profile, profile_record, to_attributes

    now = "2026-01-05T09:01:00.000Z"
    user = User(
        user_id=USER_ID, email="jane.doe@example.com", name="Jane Doe", created_at=now, updated_at=now, version=1
    )
    return to_attributes(profile_record(Profile(user=user, incarnation="01JGZ7N6W3T6JQ5V0H9Y8X7C4C")))


def child_configuration(deployment: Deployment, baselines: Path, output: Path, arguments: argparse.Namespace) -> dict:
    from tests.support.events import http_event

    (layer,) = deployment.libraries
    return {
        "events": {
            "get-user": http_event("GET", f"/users/{USER_ID}"),
            "post-item": http_event(
                "POST", f"/users/{USER_ID}/items", body={"task": "write the benchmark", "status": "IN_PROGRESS"}
            ),
        },
        "profile_record": stub_profile_record(),
        "table": TABLE_NAME,
        "requests": arguments.requests,
        "warmup": arguments.warmup,
        "profile_requests": arguments.profile,
        "top": arguments.top,
        "task_root": str(deployment.task_root),
        "baselines": str(baselines),
        "layer": str(layer),
        "output": str(output),
    }


def run(arguments: argparse.Namespace) -> tuple[dict[str, Any], Path, int]:
    artifacts, python = lambda_artifacts()
    sink = XRayDaemonSink()
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as directory:
        root = Path(directory)
        ours = deployed(artifacts, root / "lambda")
        baselines = baseline_task_root(python, ("baseline_handler",), root / "baselines")
        configuration = root / "configuration.json"
        output = root / "output" / "result.json"
        output.parent.mkdir()
        configuration.write_text(json.dumps(child_configuration(ours, baselines, output, arguments)))
        for tree in (ours.task_root.parent.parent, baselines):
            make_read_only(tree)
        before = files_under(root)
        # The repository last, only for benchmarks._support: runtime and every library come from the archives.
        child = Deployment(ours.task_root, (baselines, *ours.libraries, REPO_ROOT))
        try:
            measuring = subprocess.Popen(
                [str(python), "-m", "benchmarks.warm_child", str(configuration)],
                cwd=ours.task_root,
                env=child_environment(child, sink.address),
            )
            while measuring.poll() is None:  # read the segments as they come, or the socket drops them
                sink.drain()
                time.sleep(0.01)
            if measuring.returncode != 0:
                raise RuntimeError(f"the measuring process failed (exit {measuring.returncode})")
            result = json.loads(output.read_text())
            assert_nothing_written(root, before | {output})
        finally:
            make_writable(root)
    packets = sink.drain()
    sink.close()
    return result, python, packets


def main() -> None:
    arguments = parse_arguments()
    heading("Warm requests: ours vs a minimal powertools handler, same DynamoDB call (Stubber), python3.13")
    result, python, packets = run(arguments)
    samples = result["samples_us"]
    print(f"requests per variant: {arguments.requests} measured after {arguments.warmup} warm-up, interleaved")
    print(f"interpreter: {python}, on the archives extracted read-only; Lambda's environment")
    print(f"tracing active, every invocation sampled: {packets} X-Ray packets reached the stand-in daemon")
    print()
    print(f"{'variant':<32} {'median µs':>10}   spread (µs)")
    for key, label in LABELS.items():
        print(f"{label:<32} {median(samples[key]):>10.0f}   {spread(samples[key])}")
    print()
    for route, ours_key, baseline_key in ROUTES:
        ours, baseline = median(samples[ours_key]), median(samples[baseline_key])
        ratio = ours / baseline
        print(
            f"{route:<10} ours / minimal powertools: {ours:.0f} / {baseline:.0f} µs = {ratio:.3f}"
            f" (+{ours - baseline:.0f} µs)   target <= {TARGET_RATIO}  ->  {verdict(ratio, TARGET_RATIO)}"
        )
    print_hotspots(result["hotspots"], arguments.profile)


def print_hotspots(hotspots: dict[str, Any], requests: int) -> None:
    print()
    print(f"Where the time goes: own time per request by origin (cProfile, {requests} requests each; profiling")
    print("inflates every figure, so compare the columns, not with the timings above)")
    keys = ("get-ours", "get-baseline", "post-ours", "post-baseline")
    origins = sorted(
        {name for key in keys for name in hotspots[key]["by_origin"]},
        key=lambda name: -hotspots["get-ours"]["by_origin"].get(name, 0.0),
    )
    print(f"{'origin':<28}" + "".join(f"{LABELS[key].replace('minimal powertools', 'minimal'):>20}" for key in keys))
    for name in origins:
        cells = "".join(f"{hotspots[key]['by_origin'].get(name, 0.0) / requests * 1e6:>17.0f} µs" for key in keys)
        print(f"{name:<28}{cells}")
    for key in ("get-ours", "post-ours"):
        print()
        print(f"Top functions by own time, {LABELS[key]}:")
        print(shortened(hotspots[key]["top"]))


def shortened(listing: str) -> str:
    """pstats' table without its preamble, with the temporary directory's paths cut to their package path."""
    lines = listing.splitlines()
    start = next(index for index, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    table = []
    for line in lines[start:]:
        for marker in ("/opt/python/", "/var/task/", "/baselines/"):
            if marker in line:
                before, _, after = line.partition(marker)
                line = before[: before.rfind(" ") + 1] + after
        table.append(line)
    return "\n".join(line for line in table if line.strip())


if __name__ == "__main__":
    main()
