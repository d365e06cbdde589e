"""Cold start as Lambda sees it: the deployable archives, read-only, in fresh python3.13 processes.

`function.zip` and `layer.zip` (`make package ARCH=<this machine>`, built first when missing or
stale) are extracted as Lambda lays them out (/var/task, /opt/python), made read-only, and each
run is a new python3.13 process with `PYTHONDONTWRITEBYTECODE=1` and Lambda's environment
variables (tracing active and sampled, its segments sent to a local UDP stand-in for the
daemon). Inside the child the clock runs from just before the handler module's import to just
after its answers to the first data request, `GET /users/{id}` of a user in the embedded
DynamoDB (moto's server in this process, on 127.0.0.1), and then `GET /health`: a client built
lazily on the first request counts. Interpreter start-up is not counted.

Variants, run in interleaved rounds (the order rotates each round, after one discarded round):
- ours: runtime.handler from the archives, with their bytecode;
- (a) ours from the same files without any .pyc, as the public Powertools layer ships its libraries;
- (b) a minimal powertools handler as its documentation builds one (benchmarks/baseline_handler.py),
  making the same GetItem, on the same layer with bytecode;
- (c) boto3 and a trivial handler making the same GetItem (benchmarks/boto3_handler.py), same layer;
- (d) (c) with boto3 and its dependencies from a copy without .pyc ahead of the layer: what
  relying on the Lambda runtime's boto3 would cost if its copy has no bytecode (the boto3 decision).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
    runtime_sdk_without_bytecode,
    without_bytecode,
)
from benchmarks._support import XRayDaemonSink, heading, median, spread, verdict
from components.lambda_artifacts import Artifacts

TARGET_VERSUS_NO_BYTECODE = 0.6
TARGET_VERSUS_POWERTOOLS = 1.05
MARKER = "@@cold-start "

# What the child runs. Before the clock starts it imports what Lambda's Python bootstrap has
# already imported when it loads a handler, reads the events and builds a context.
_CHILD = f"""
import importlib, json, logging, os, sys, time, traceback, warnings

events = json.loads(open(sys.argv[2]).read())


class Context:
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
    memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + function_name
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
    log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]

    def get_remaining_time_in_millis(self):
        return 15000


context = Context()
start = time.perf_counter_ns()
handler = importlib.import_module(sys.argv[1]).lambda_handler
marks = [time.perf_counter_ns()]
statuses = []
for event in events:
    statuses.append(handler(event, context)["statusCode"])
    marks.append(time.perf_counter_ns())
boto3 = sys.modules.get("boto3")
result = {{
    "marks_ns": [mark - start for mark in marks],
    "statuses": statuses,
    "modules": len(sys.modules),
    "boto3_from": os.path.dirname(os.path.dirname(boto3.__file__)) if boto3 else None,
}}
sys.stdout.flush()
print("{MARKER}" + json.dumps(result), flush=True)
"""


@dataclass(frozen=True)
class Variant:
    key: str
    label: str
    module: str
    deployment: Deployment


@dataclass(frozen=True)
class Run:
    import_ms: float
    first_request_ms: float
    health_ms: float
    modules: int
    boto3_from: str | None

    @property
    def total_ms(self) -> float:
        return self.import_ms + self.first_request_ms + self.health_ms


def run_child(python: Path, variant: Variant, events_file: Path, environment: dict[str, str]) -> Run:
    completed = subprocess.run(
        [str(python), "-c", _CHILD, variant.module, str(events_file)],
        cwd=variant.deployment.task_root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(MARKER):
            result = json.loads(line.removeprefix(MARKER))
            if result["statuses"] != [200, 200]:
                raise RuntimeError(f"{variant.label} answered {result['statuses']}:\n{completed.stdout[-3000:]}")
            imported, first, health = result["marks_ns"]
            return Run(
                import_ms=imported / 1e6,
                first_request_ms=(first - imported) / 1e6,
                health_ms=(health - first) / 1e6,
                modules=result["modules"],
                boto3_from=result["boto3_from"],
            )
    raise RuntimeError(f"{variant.label} printed no timing (exit {completed.returncode}):\n{completed.stderr[-3000:]}")


def variants(artifacts: Artifacts, python: Path, root: Path) -> list[Variant]:
    ours = deployed(artifacts, root / "lambda")
    sources_only = without_bytecode(ours, root / "no-bytecode")
    baselines = baseline_task_root(python, ("baseline_handler", "boto3_handler"), root / "baselines" / "var" / "task")
    runtime_sdk = runtime_sdk_without_bytecode(ours, root / "var" / "runtime")
    return [
        Variant("ours", "ours (archives, .pyc)", "runtime.handler", ours),
        Variant("a", "(a) ours, no .pyc", "runtime.handler", sources_only),
        Variant("b", "(b) minimal powertools", "baseline_handler", Deployment(baselines, ours.libraries)),
        Variant("c", "(c) boto3 + trivial", "boto3_handler", Deployment(baselines, ours.libraries)),
        Variant("d", "(d) (c), boto3 no .pyc", "boto3_handler", Deployment(baselines, (runtime_sdk, *ours.libraries))),
    ]


def data_events(user_id: str) -> list[dict[str, object]]:
    from tests.support.events import http_event

    return [http_event("GET", f"/users/{user_id}"), http_event("GET", "/health")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="measured rounds, one run of each variant (default 15)")
    arguments = parser.parse_args()

    from local_api.embedded_aws import EmbeddedAws

    heading("Cold start: the deployable archives, read-only, python3.13, import + GET /users/{id} + GET /health")
    artifacts, python = lambda_artifacts()
    database = EmbeddedAws()
    endpoint = database.start()
    table, idempotency_table = database.create_tables()
    user = database.load_demo_data()[0]
    settings = {"AWS_ENDPOINT_URL_DYNAMODB": endpoint, "TABLE_NAME": table, "IDEMPOTENCY_TABLE_NAME": idempotency_table}
    sink = XRayDaemonSink()
    with tempfile.TemporaryDirectory(prefix="bench-cold-start-") as directory:
        root = Path(directory)
        candidates = variants(artifacts, python, root)
        events_file = root / "events.json"
        events_file.write_text(json.dumps(data_events(user.user_id)))
        make_read_only(root)
        before = files_under(root)
        runs: dict[str, list[Run]] = {variant.key: [] for variant in candidates}
        try:
            for index in range(arguments.runs + 1):
                shift = index % len(candidates)
                for variant in candidates[shift:] + candidates[:shift]:
                    environment = child_environment(variant.deployment, sink.address, settings)
                    run = run_child(python, variant, events_file, environment)
                    if index > 0:  # the first round warms the OS file cache
                        runs[variant.key].append(run)
                sink.drain()
            assert_nothing_written(root, before)
        finally:
            make_writable(root)
    database.stop()
    segments = sink.drain()
    sink.close()
    report(candidates, runs, arguments.runs, python, segments, root)


def report(
    candidates: list[Variant], runs: dict[str, list[Run]], rounds: int, python: Path, segments: int, root: Path
) -> None:
    print(f"rounds: {rounds} (each runs every variant once, order rotating; one discarded round first)")
    print(f"interpreter: {python}; PYTHONDONTWRITEBYTECODE=1; trees read-only, nothing written (checked)")
    print(f"tracing active and sampled: {segments} X-Ray packets reached the stand-in daemon")
    print()
    print(f"{'variant':<26} {'import':>8} {'GET user':>9} {'/health':>8} {'total':>8} {'modules':>8}  boto3 from")
    for variant in candidates:
        samples = runs[variant.key]
        boto3_from = samples[0].boto3_from
        where = Path(boto3_from).relative_to(root).as_posix() if boto3_from else "-"
        print(
            f"{variant.label:<26} {median([r.import_ms for r in samples]):>8.1f}"
            f" {median([r.first_request_ms for r in samples]):>9.1f} {median([r.health_ms for r in samples]):>8.1f}"
            f" {median([r.total_ms for r in samples]):>8.1f} {samples[0].modules:>8}  {where}"
        )
    print("(medians in ms; total = import + first request + /health, the measured figure)")
    print()
    for variant in candidates:
        print(f"{variant.label:<26} total ms: {spread([r.total_ms for r in runs[variant.key]])}")
    total = {key: median([r.total_ms for r in samples]) for key, samples in runs.items()}
    print()
    for other, target, meaning in (
        ("a", TARGET_VERSUS_NO_BYTECODE, "ours / (a) the same without .pyc"),
        ("b", TARGET_VERSUS_POWERTOOLS, "ours / (b) minimal powertools"),
        ("c", None, "ours / (c) boto3 + trivial"),
    ):
        ratio = total["ours"] / total[other]
        goal = f"   target <= {target}  ->  {verdict(ratio, target)}" if target is not None else ""
        print(f"{meaning:<36} {total['ours']:.1f} / {total[other]:.1f} ms = {ratio:.3f}{goal}")
    print(
        f"{'boto3 without .pyc: (d) - (c)':<36} {total['d']:.1f} - {total['c']:.1f} ms"
        f" = {total['d'] - total['c']:+.1f} ms per cold start"
    )


if __name__ == "__main__":
    main()
