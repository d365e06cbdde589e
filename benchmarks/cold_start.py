"""Cold start: import + first GET /health in a fresh process, ours against powertools' minimal handler.

Each run is a new `python` process in a Lambda-like environment (Lambda's own variables set, so
the X-Ray SDK, Logger and Metrics take their Lambda paths; tracing active and sampled, its
segments sent to a local UDP sink standing in for the daemon). Inside the child the clock runs
from just before the handler module's import to just after its first response, so cost moved
from import to the first request still counts; interpreter start-up is not counted on either side.

The task root is a fresh copy of the deployed sources without `__pycache__`, and the child runs
with `-B`: like Lambda (the archive has no .pyc and /var/task is read-only) the function's own
modules are compiled from source on every cold start. Libraries keep their installed bytecode,
as the Lambda runtime's and the layer's do.
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks._support import (
    REPO_ROOT,
    XRayDaemonSink,
    clean_environment,
    heading,
    lambda_environment,
    median,
    spread,
    verdict,
)

TARGET_RATIO = 1.15
OURS = "runtime.handler"
BASELINE = "baseline_handler"
MARKER = "@@cold-start "

# What the child runs. Before the clock starts it imports what Lambda's Python bootstrap has
# already imported when it loads a handler, reads the event and builds a context.
_CHILD = f"""
import importlib, json, logging, os, sys, time, traceback, warnings

event = json.loads(open(sys.argv[2]).read())


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
imported = time.perf_counter_ns()
response = handler(event, context)
answered = time.perf_counter_ns()
result = {{"import_ns": imported - start, "total_ns": answered - start, "status": response["statusCode"]}}
sys.stdout.flush()
print("{MARKER}" + json.dumps(result), flush=True)
"""


@dataclass(frozen=True)
class Run:
    import_ms: float
    total_ms: float

    @property
    def first_request_ms(self) -> float:
        return self.total_ms - self.import_ms


def deployed_sources() -> dict[str, Path]:
    """Archive path -> file: the infrastructure's own selection when it exists, else runtime/**/*.py."""
    try:
        from components.lambda_package import function_sources
    except ImportError:
        return {
            path.relative_to(REPO_ROOT).as_posix(): path
            for path in sorted((REPO_ROOT / "runtime").rglob("*.py"))
            if "__pycache__" not in path.parts
        }
    return function_sources(REPO_ROOT)


def build_task_root(root: Path) -> int:
    """Lay out /var/task: our sources as deployed, and the baseline as its own one-file function."""
    sources = deployed_sources()
    for archive_path, source in sources.items():
        target = root / archive_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    shutil.copyfile(Path(__file__).with_name("baseline_handler.py"), root / f"{BASELINE}.py")
    return len(sources)


def health_event() -> dict[str, object]:
    from tests.support.events import http_event

    return http_event("GET", "/health")


def run_child(module: str, event_file: Path, environment: dict[str, str]) -> Run:
    completed = subprocess.run(
        [sys.executable, "-B", "-c", _CHILD, module, str(event_file)],
        cwd=environment["LAMBDA_TASK_ROOT"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(MARKER):
            result = json.loads(line.removeprefix(MARKER))
            if result["status"] != 200:
                raise RuntimeError(f"{module} answered {result['status']} to GET /health:\n{completed.stdout}")
            return Run(import_ms=result["import_ns"] / 1e6, total_ms=result["total_ns"] / 1e6)
    raise RuntimeError(f"{module} printed no timing (exit {completed.returncode}):\n{completed.stderr[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="measured runs per handler (default 15)")
    parser.add_argument(
        "--bytecode",
        action="store_true",
        help="precompile the task root (as if the archive shipped .pyc): shows what compiling costs",
    )
    arguments = parser.parse_args()

    heading("Cold start: import + first GET /health in a fresh process (Lambda-like environment)")
    sink = XRayDaemonSink()
    runs: dict[str, list[Run]] = {OURS: [], BASELINE: []}
    with tempfile.TemporaryDirectory(prefix="bench-task-root-") as directory:
        task_root = Path(directory) / "task"
        task_root.mkdir()
        file_count = build_task_root(task_root)
        if arguments.bytecode:
            compileall.compile_dir(task_root, quiet=1)
        event_file = Path(directory) / "event.json"
        event_file.write_text(json.dumps(health_event()))
        environment = clean_environment(lambda_environment(task_root, sink.address))
        environment["PYTHONPATH"] = str(task_root)
        environment["PYTHONDONTWRITEBYTECODE"] = "1"

        # One discarded run each warms the OS file cache; then ABBA order cancels slow drift.
        for module in (OURS, BASELINE):
            run_child(module, event_file, environment)
        for index in range(arguments.runs):
            order = (OURS, BASELINE) if index % 2 == 0 else (BASELINE, OURS)
            for module in order:
                runs[module].append(run_child(module, event_file, environment))
    segments = sink.drain()
    sink.close()

    print(f"runs per handler: {arguments.runs} (alternating, after one discarded warm-up each)")
    bytecode = "precompiled .pyc (--bytecode)" if arguments.bytecode else "no .pyc: compiled at start, as in Lambda"
    print(f"task root: {file_count} deployed runtime files + baseline_handler.py, {bytecode}")
    print("environment: AWS_LAMBDA_FUNCTION_NAME, LAMBDA_TASK_ROOT, AWS_EXECUTION_ENV=AWS_Lambda_python3.13, ...")
    print(f"tracing active and sampled: {segments} X-Ray segment packets reached the stand-in daemon")
    print()
    print(f"{'handler':<20} {'import ms':>10} {'1st request ms':>15} {'total ms':>10}")
    for module, label in ((OURS, "runtime.handler"), (BASELINE, "powertools baseline")):
        samples = runs[module]
        print(
            f"{label:<20} {median([r.import_ms for r in samples]):>10.1f}"
            f" {median([r.first_request_ms for r in samples]):>15.1f} {median([r.total_ms for r in samples]):>10.1f}"
        )
    print("(medians; total = import + first request, the measured figure)")
    print()
    for module, label in ((OURS, "runtime.handler"), (BASELINE, "powertools baseline")):
        print(f"{label:<20} total ms: {spread([r.total_ms for r in runs[module]])}")
    ours = median([r.total_ms for r in runs[OURS]])
    baseline = median([r.total_ms for r in runs[BASELINE]])
    ratio = ours / baseline
    print()
    print(f"cold start ratio (median ours / median baseline): {ours:.1f} / {baseline:.1f} ms = {ratio:.3f}")
    print(f"target: <= {TARGET_RATIO}  ->  {verdict(ratio, TARGET_RATIO)}")


if __name__ == "__main__":
    main()
